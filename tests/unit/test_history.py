"""lift.observability.history on a real SQLite events table: turn boundaries, fallback turns
counted once, latency only for turns that end in the range, handoffs by their own day."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from lift.observability.history import EVENTS, turn_history, unanswered_questions

DAY = dt.date(2026, 3, 1)
T0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc).timestamp()


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR, type_name VARCHAR, "
                             "timestamp FLOAT, intent_name VARCHAR, action_name VARCHAR, data TEXT)"))
    yield engine
    engine.dispose()


def store(engine, rows):
    """rows: (sender, type_name, seconds after DAY 00:00 UTC, intent or action name, data dict)."""
    with engine.begin() as conn:
        for sender, kind, t, name, data in rows:
            conn.execute(EVENTS.insert().values(
                sender_id=sender, type_name=kind, timestamp=T0 + t, data=json.dumps(data or {}),
                intent_name=name if kind == "user" else None, action_name=name if kind == "action" else None))


def span(days: int = 1):
    start = dt.datetime.combine(DAY, dt.time())
    return start, start + dt.timedelta(days=days)


def test_a_turn_with_several_fallback_steps_is_one_fallback_turn(engine):
    store(engine, [
        ("s", "user", 10, "nlu_fallback", None), ("s", "action", 10.1, "action_two_stage_fallback", None),
        ("s", "action", 10.2, "action_listen", None),
        ("s", "user", 20, "affirm", None), ("s", "action", 20.1, "action_default_fallback", None),
        ("s", "action", 20.3, "action_listen", None),
        ("t", "user", 30, "greet", None), ("t", "action", 30.5, "action_listen", None),
    ])
    day = turn_history(engine, *span())[DAY]
    # s: turn 1 (NLU fallback + two-stage) and turn 2 (default fallback); the last open turn of a
    # conversation ends where the next conversation's rows begin.
    assert (day.turns, day.fallback_turns) == (3, 2)
    assert day.latencies == pytest.approx([0.2, 0.3, 0.5])
    assert day.intents == {"nlu_fallback": 1, "affirm": 1, "greet": 1}


def test_only_turns_that_end_inside_the_range_are_timed(engine):
    end_of_day = 24 * 3600
    store(engine, [
        ("s", "user", end_of_day - 0.1, "greet", None), ("s", "action", end_of_day + 0.2, "action_listen", None),
        ("s", "pause", end_of_day + 0.1, None, None),
    ])
    one_day = turn_history(engine, *span(1))
    assert one_day[DAY].turns == 1 and one_day[DAY].latencies == [] and one_day[DAY].handoffs == 0
    two_days = turn_history(engine, *span(2))
    assert two_days[DAY].latencies == pytest.approx([0.3])
    assert two_days[DAY + dt.timedelta(days=1)].handoffs == 1  # the pause's own day


def test_no_events_table_is_no_history(tmp_path):
    empty = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert turn_history(empty, *span()) == {} and unanswered_questions(empty, *span()) == []


def test_unanswered_question_is_the_user_message_before_the_not_sure_answer(engine):
    not_sure = {"event": "bot", "metadata": {"utter_action": "utter_kb_not_sure"}}
    store(engine, [
        ("s", "user", 1, "ask_question", {"text": "do you ship to Mars?"}),
        ("t", "user", 2, "ask_question", {"text": "something else"}),  # another conversation, in between
        ("s", "bot", 3, None, not_sure),
        ("s", "user", 4, "ask_question", {"text": "what about the moon"}),
        ("s", "bot", 5, None, {"event": "bot", "text": "Here it is", "metadata": {"utter_action": "utter_answer"}}),
    ])
    [q] = unanswered_questions(engine, *span())
    assert (q.text, q.count) == ("do you ship to Mars?", 1)
