"""What Rasa's ``events`` table says about past turns, per UTC day (the dashboard's history).

Prometheus keeps the live view; this module answers "how did last week go" from the rows the
tracker store already writes, so nothing extra is recorded per turn:

- **turns**: a user message starts one; it is a *fallback turn* when any step of it is a
  fallback (:func:`lift.observability.turns.fallback_kind`, the same rule as
  ``lift_fallbacks_total``); its day is the UTC day of the user message.
- **latency**: from the user message's event to the ``action_listen`` that ends the turn, i.e.
  dialogue policies, custom actions and responses. Rasa stamps the user event after NLU has
  parsed it, so this is ``lift_turn_duration_seconds`` minus NLU and the channel; turns whose
  ``action_listen`` falls outside the range are not timed.
- **handoffs**: ``pause`` events (a conversation handed to a person), by their own day.
- **intents**: the predicted intent of each user message (input to the daily drift).
- **unanswered questions**: the user message answered with ``utter_kb_not_sure`` (the knowledge
  base had no confident answer), grouped by their normalised text.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.observability.turns import NOT_SURE_RESPONSE, fallback_kind

ACTION_LISTEN = "action_listen"

# Rasa's SQLTrackerStore table, only the columns read here (no Rasa import: the page server is light).
EVENTS = sa.table("events", sa.column("id", sa.Integer), sa.column("sender_id", sa.String),
                  sa.column("type_name", sa.String), sa.column("timestamp", sa.Float),
                  sa.column("intent_name", sa.String), sa.column("action_name", sa.String),
                  sa.column("data", sa.Text))
_SPACES = re.compile(r"\s+")


@dataclass
class DayTurns:
    """One UTC day of turns."""

    day: dt.date
    turns: int = 0
    fallback_turns: int = 0
    handoffs: int = 0
    latencies: List[float] = field(default_factory=list)  # seconds, one per timed turn
    intents: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class UnansweredQuestion:
    text: str  # as last asked (unmasked: the caller masks personal data before showing it)
    count: int
    last_asked: dt.datetime  # naive UTC


def _epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.timezone.utc).timestamp()


def _day(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).date()


def has_events(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def turn_history(engine: Engine, start: dt.datetime, end: dt.datetime) -> Dict[dt.date, DayTurns]:
    """Days with activity in ``start <= t < end`` (naive UTC) -> their turns."""
    days: Dict[dt.date, DayTurns] = {}
    if not has_events(engine):
        return days
    e = EVENTS.c
    query = (sa.select(e.sender_id, e.type_name, e.intent_name, e.action_name, e.timestamp)
             .where(e.timestamp >= _epoch(start), e.timestamp < _epoch(end),
                    e.type_name.in_(("user", "action", "pause")))
             .order_by(e.sender_id, e.id))

    def bucket(ts: float) -> DayTurns:
        d = _day(ts)
        return days.setdefault(d, DayTurns(d))

    sender, turn, started, fell_back, timed = None, None, 0.0, False, True
    with engine.connect() as conn:
        for sid, kind, intent, action, ts in conn.execution_options(stream_results=True).execute(query):
            if ts is None:
                continue
            if sid != sender:  # a new conversation: the previous one's open turn ends here
                if turn is not None and fell_back:
                    turn.fallback_turns += 1
                sender, turn, fell_back, timed = sid, None, False, True
            if kind == "user":
                if turn is not None and fell_back:
                    turn.fallback_turns += 1
                turn, started, fell_back, timed = bucket(ts), ts, False, False
                turn.turns += 1
                turn.intents[intent or None] += 1
            elif kind == "pause":
                bucket(ts).handoffs += 1
            if fallback_kind(kind, intent, action):
                fell_back = True
            if kind == "action" and action == ACTION_LISTEN and turn is not None and not timed:
                turn.latencies.append(max(0.0, ts - started))
                timed = True
    if turn is not None and fell_back:
        turn.fallback_turns += 1
    return days


def _question_text(data: Optional[str]) -> Optional[str]:
    try:
        text = json.loads(data or "{}").get("text")
    except (ValueError, AttributeError):
        return None
    return _SPACES.sub(" ", text).strip() if isinstance(text, str) and text.strip() else None


def unanswered_questions(engine: Engine, start: dt.datetime, end: dt.datetime,
                         limit: int = 10) -> List[UnansweredQuestion]:
    """The user messages most often answered "not sure" in the range, most frequent first
    (ties: most recent first). Grouped case- and whitespace-insensitively."""
    if not has_events(engine):
        return []
    bot, user = EVENTS.alias("bot"), EVENTS.alias("asked")
    earlier = EVENTS.alias("earlier")
    asked_id = (sa.select(sa.func.max(earlier.c.id))
                .where(earlier.c.sender_id == bot.c.sender_id, earlier.c.type_name == "user",
                       earlier.c.id < bot.c.id)
                .scalar_subquery())
    query = (sa.select(user.c.data, bot.c.timestamp)
             .select_from(bot.join(user, user.c.id == asked_id))
             .where(bot.c.type_name == "bot", bot.c.timestamp >= _epoch(start), bot.c.timestamp < _epoch(end),
                    bot.c.data.like(f'%"{NOT_SURE_RESPONSE}"%'))
             .order_by(bot.c.timestamp))
    counts: Counter = Counter()
    latest: Dict[str, tuple] = {}
    with engine.connect() as conn:
        for data, ts in conn.execute(query):
            text = _question_text(data)
            if text is None:
                continue
            key = text.casefold()
            counts[key] += 1
            latest[key] = (text, ts)
    ranked = sorted(counts, key=lambda k: (-counts[k], -latest[k][1]))[:limit]
    return [UnansweredQuestion(latest[k][0], counts[k],
                               dt.datetime.fromtimestamp(latest[k][1], dt.timezone.utc).replace(tzinfo=None))
            for k in ranked]
