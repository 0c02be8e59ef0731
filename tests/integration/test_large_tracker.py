"""A conversation with 20,000 stored events: a turn loads only its current session, and still
sees the slots it needs (carried over from earlier sessions, as Rasa's session config says).
SQLite and PostgreSQL."""
from __future__ import annotations

import time

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from lift.config import Settings
from lift.rasa_plugins.tracker_spool import event_row
from lift.rasa_plugins.tracker_store import ConversionTrackerStore
from tests.integration.test_tracker_store import DOMAIN_DICT, KEY, ROOT, SHIPPED

CART = [{"sku": "AUD-ARIA", "qty": 2, "unit_price": "129.00"}]


def conversation(sessions: int, turns_per_session: int, now: float):
    events = []
    for s in range(sessions):
        t = now - 7200 * (sessions - s)
        events += [ActionExecuted("action_session_start", timestamp=t), SessionStarted(timestamp=t)]
        if s:  # what action_session_start carries over
            events += [SlotSet("cart", CART, timestamp=t), SlotSet("email", "a@b.example", timestamp=t)]
        events.append(ActionExecuted("action_listen", timestamp=t))
        for k in range(turns_per_session):
            t += 1
            parse = {"intent": {"name": "greet", "confidence": 1.0}, "entities": [], "text": "hi"}
            events += [UserUttered("hi", intent=parse["intent"], parse_data=parse, timestamp=t),
                       ActionExecuted("utter_greet", timestamp=t), BotUttered("Hi!", timestamp=t)]
            if s == 0 and k == 0:
                events += [SlotSet("cart", CART, timestamp=t), SlotSet("email", "a@b.example", timestamp=t)]
            events.append(ActionExecuted("action_listen", timestamp=t))
    return events


async def test_twenty_thousand_events_load_only_the_current_session_with_its_slots(db_url, tmp_path):
    settings = Settings(root=ROOT, conversions_file=SHIPPED, redaction_key=KEY, index_dir=tmp_path / "index",
                        spool_dir=tmp_path / "spool")
    store = ConversionTrackerStore(host=db_url, domain=Domain.from_dict(DOMAIN_DICT), settings=settings)
    events = conversation(sessions=80, turns_per_session=62, now=time.time())
    assert len(events) >= 20000
    with store.engine.begin() as conn:
        conn.execute(SQLTrackerStore.SQLEvent.__table__.insert(), [
            {c: getattr(r, c) for c in ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")}
            for r in (event_row(SQLTrackerStore.SQLEvent, "loyal", e.as_dict()) for e in events)])

    tracker = await store.get_or_create_tracker("loyal")
    last_session = len(events) - max(i for i, e in enumerate(events) if isinstance(e, SessionStarted)) + 1
    assert len(tracker.events) == last_session < 300
    assert tracker.get_slot("cart") == CART and tracker.get_slot("email") == "a@b.example"

    # A turn on it saves only its own events; the full history is all there.
    tracker.update(UserUttered("what's in my cart?", intent={"name": "view_cart", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_view_cart"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = 'loyal'")).scalar() == len(events) + 3
    full = await store.retrieve_full_tracker("loyal")
    assert len(full.events) == len(events) + 3
    store.engine.dispose()
