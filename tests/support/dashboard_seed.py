"""A small, hand-countable history for the dashboard tests (JSON API and Chromium).

Two UTC days (``day0`` and the day after). Rasa ``events`` rows are real Rasa event objects
stored the way the tracker store stores them; micro-conversions and experiment assignments
are rows of Lift's tables. The expected numbers are spelled out in EXPECTED_* below and in
the tests, counted by hand from this file.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import List, Tuple

import sqlalchemy as sa

from lift.store.models import ExperimentAssignment, MicroConversion
from lift.store.schema import init_db

DASHBOARD_TOKEN = "dashboard-token-0123456789abcdef"


def _epoch(day: dt.date, seconds: float) -> float:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.timezone.utc).timestamp() + seconds


def _turn(sender: str, day: dt.date, t: float, text: str, intent: str, latency: float,
          actions: Tuple[str, ...] = (), not_sure: bool = False, pause: bool = False) -> List[tuple]:
    """Events of one user turn: user message at t, its actions, action_listen at t + latency."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered

    events = [UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=_epoch(day, t))]
    step = latency / (len(actions) + 2)
    for i, action in enumerate(actions, start=1):
        events.append(ActionExecuted(action, timestamp=_epoch(day, t + i * step)))
    if not_sure:
        events.append(BotUttered("I'm not sure about that one.", metadata={"utter_action": "utter_kb_not_sure"},
                                 timestamp=_epoch(day, t + (len(actions) + 0.5) * step)))
    if pause:
        events.append(ConversationPaused(timestamp=_epoch(day, t + (len(actions) + 0.7) * step)))
    events.append(ActionExecuted("action_listen", timestamp=_epoch(day, t + latency)))
    return [(sender, e) for e in events]


def seed(engine: sa.engine.Engine, day0: dt.date) -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    init_db(engine)
    SQLTrackerStore.Base.metadata.create_all(engine)
    day1 = day0 + dt.timedelta(days=1)
    rows = []
    # day0: 4 turns, latencies 0.2 0.5 1.0 0.4; 1 fallback turn, 1 handoff, 1 "not sure".
    rows += _turn("a1", day0, 0, "hi", "greet", 0.2, ("utter_greet",))
    rows += _turn("a1", day0, 10, "where is my parcel", "ask_question", 0.5, ("action_answer_question",), not_sure=True)
    rows += _turn("a2", day0, 20, "blah blah", "nlu_fallback", 1.0, ("action_offer_options",))
    rows += _turn("a2", day0, 30, "a person please", "contact_human_agent", 0.4, ("action_handoff",), pause=True)
    # day1: 3 turns, latencies 0.3 0.6 0.1; 2 "not sure" (one the same question as day0's).
    rows += _turn("b1", day1, 0, "Where is   my PARCEL", "ask_question", 0.3, ("action_answer_question",), not_sure=True)
    rows += _turn("b1", day1, 5, "email bob@example.com about returns", "ask_question", 0.6,
                  ("action_answer_question",), not_sure=True)
    rows += _turn("b2", day1, 9, "hello", "greet", 0.1, ("utter_greet",))
    table = SQLTrackerStore.SQLEvent.__table__
    with engine.begin() as conn:
        for sender, event in rows:
            data = event.as_dict()
            conn.execute(table.insert().values(
                sender_id=sender, type_name=event.type_name, timestamp=data.get("timestamp"),
                intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                action_name=data.get("name"), data=json.dumps(data)))

        # The sales funnel (product_viewed -> cart_item_added -> checkout_started -> checkout_completed)
        # and the A/A experiment aa_calibration (metric cart_item_added).
        at0 = dt.datetime.combine(day0, dt.time(11, 0))
        at1 = dt.datetime.combine(day1, dt.time(11, 0))
        conversions = {
            ("c1", "control", at0): ["product_viewed", "cart_item_added", "checkout_started", "checkout_completed"],
            ("c2", "control_b", at0): ["product_viewed", "cart_item_added"],
            ("c3", "control_b", at0): ["product_viewed"],
            ("c4", "control", at1): ["product_viewed", "cart_item_added"],
        }
        mc = MicroConversion.__table__
        for (sender, variant, at), names in conversions.items():
            for k, name in enumerate(names):
                conn.execute(mc.insert().values(sender_id=sender, name=name, occurred_at=at + dt.timedelta(minutes=k),
                                                channel="rest", variant=variant, kb_version="none", event_type="slot"))
        ea = ExperimentAssignment.__table__
        assigned = dt.datetime.combine(day0, dt.time(9, 0))
        for sender, variant in (("c1", "control"), ("c4", "control"), ("x1", "control"),
                                ("c2", "control_b"), ("c3", "control_b")):
            conn.execute(ea.insert().values(sender_id=sender, experiment="aa_calibration", variant=variant,
                                            assigned_at=assigned))


def write_baseline(path) -> None:
    """A drift baseline of two intents (LIFT_DRIFT_BASELINE as a JSON file of counts)."""
    path.write_text(json.dumps({"greet": 3, "ask_question": 1}))
