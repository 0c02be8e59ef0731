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


async def test_one_session_of_twenty_thousand_events_loads_a_window_with_the_same_state(db_url, tmp_path):
    """A session that never expired: the load reads a bounded window, and the slots, the
    active form and the pause it reaches are those of replaying all 20,000 events."""
    from rasa.shared.core.events import ActiveLoop, ConversationPaused, ConversationResumed
    from rasa.shared.core.trackers import DialogueStateTracker

    settings = Settings(root=ROOT, conversions_file=SHIPPED, redaction_key=KEY, index_dir=tmp_path / "index",
                        spool_dir=tmp_path / "spool", tracker_window=500)
    domain = Domain.from_dict(DOMAIN_DICT)
    store = ConversionTrackerStore(host=db_url, domain=domain, settings=settings)
    events = conversation(sessions=1, turns_per_session=5000, now=time.time())
    t = events[-1].timestamp
    events[40:40] = [SlotSet("company", "Acme", timestamp=events[40].timestamp),
                     ConversationPaused(timestamp=events[40].timestamp),
                     ConversationResumed(timestamp=events[40].timestamp),
                     ActiveLoop("lead_form", timestamp=events[40].timestamp),
                     SlotSet("email", "new@b.example", timestamp=events[40].timestamp)]
    assert len(events) >= 20000
    with store.engine.begin() as conn:
        conn.execute(SQLTrackerStore.SQLEvent.__table__.insert(), [
            {c: getattr(r, c) for c in ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")}
            for r in (event_row(SQLTrackerStore.SQLEvent, "chatty", e.as_dict()) for e in events)])
    full = DialogueStateTracker.from_events("chatty", events, domain.slots)

    tracker = await store.get_or_create_tracker("chatty")
    assert len(tracker.events) <= 500 + 20
    assert tracker.current_slot_values() == full.current_slot_values()
    assert tracker.get_slot("email") == "new@b.example" and tracker.get_slot("cart") == CART
    assert tracker.active_loop_name == "lead_form" and not tracker.is_paused()
    assert tracker.latest_message.text == "hi"

    tracker.update(UserUttered("what's in my cart?", intent={"name": "view_cart", "confidence": 1.0}, timestamp=t + 1))
    tracker.update(ActionExecuted("action_view_cart", timestamp=t + 1))
    tracker.update(ActionExecuted("action_listen", timestamp=t + 1))
    await store.save(tracker)
    await store.save(tracker)  # saving again stores nothing twice
    with store.engine.connect() as conn:
        types = [r[0] for r in conn.execute(sa.text(
            "SELECT type_name FROM events WHERE sender_id = 'chatty' ORDER BY id"))]
    assert len(types) == len(events) + 3 and types[-3:] == ["user", "action", "action"]
    store.engine.dispose()
