"""Load a bounded window of a very long conversation session instead of all of it.

Rasa's ``SQLTrackerStore.retrieve`` reads every event of the latest session. Sessions expire
(``session_config`` in the domain), so that is normally a few hundred events; but a session
kept alive long enough (a bot, an open tab polling) grows without bound, and then every turn
reads, replays, featurizes and sends to the action server all of it: 20,000 events cost ~15 s
a turn here (``make bench-tracker``).

:func:`load_events` keeps the last ``window`` events of the session, starting at a user
message, and puts in front of them the state the session had reached at that point, as
events: the session start, the latest value of every slot set earlier, the active form, a
pause, and an ``action_listen``. Only rows of those state-changing types are read from the
older part (their ``data`` only), never the rest. The prefix is not stored: the tracker
store counts it among the events it already has.

Not replayed from before the window: rewinds (``UserUtteranceReverted``/``ActionReverted``)
of turns older than the window, which would have undone a slot set there.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from typing import Any, Dict, List, Optional, Tuple

# type_name of events that change the state carried into the window
_STATE_TYPES = ("slot", "reset_slots", "active_loop", "pause", "resume", "restart")


def _prefix(state_rows: List[Any], timestamp: float) -> List[Dict[str, Any]]:
    slots: Dict[str, Any] = {}
    loop: Optional[str] = None
    paused = False
    for row in state_rows:
        data = json.loads(row.data)
        kind = data.get("event")
        if kind == "restart":
            slots, loop, paused = {}, None, False
        elif kind == "reset_slots":
            slots = {}
        elif kind == "slot":
            slots[data.get("name")] = data.get("value")
        elif kind == "active_loop":
            loop = data.get("name")
        elif kind in ("pause", "resume"):
            paused = kind == "pause"
    events: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_session_start", "timestamp": timestamp},
        {"event": "session_started", "timestamp": timestamp},
    ]
    events += [{"event": "slot", "name": k, "value": v, "timestamp": timestamp} for k, v in slots.items()]
    if loop:
        events.append({"event": "active_loop", "name": loop, "timestamp": timestamp})
    if paused:
        events.append({"event": "pause", "timestamp": timestamp})
    events.append({"event": "action", "name": "action_listen", "timestamp": timestamp})
    return events


def load_events(store: Any, session: Any, sender_id: str, window: int) -> Tuple[List[Dict[str, Any]], bool]:
    """(serialised events of the latest session, windowed?): all of them when there are at
    most ``window``, else a state prefix + the last ``window`` (from a user message on)."""
    model = store.SQLEvent
    # The rows SQLTrackerStore._event_query selects (timestamp >= the latest session start),
    # with that start looked up first: as a join, PostgreSQL without fresh statistics (a
    # bulk insert) re-ran the subquery per row, ~30 s for 20,000 events.
    start = (
        session.query(sa.func.max(model.timestamp))
        .filter(model.sender_id == sender_id, model.type_name == "session_started")
        .scalar()
    )
    query = session.query(model).filter(model.sender_id == sender_id)
    if start is not None:
        query = query.filter(model.timestamp >= start)
    if window <= 0:
        return [json.loads(r.data) for r in query.order_by(model.id).all()], False
    # One read for the usual session (at most `window` events): the newest window + 1 rows;
    # fewer than that is the whole session (a COUNT first cost every turn a second query).
    newest = query.order_by(model.id.desc()).limit(window + 1).all()
    if len(newest) <= window:
        return [json.loads(r.data) for r in reversed(newest)], False
    tail = newest[:window][::-1]
    first_user = next((i for i, r in enumerate(tail) if r.type_name == "user"), None)
    if first_user is None:  # no user message in the window: nothing to align on, load all
        return [json.loads(r.data) for r in query.order_by(model.id).all()], False
    tail = tail[first_user:]
    state_rows = (
        query.with_entities(model.data)
        .filter(model.id < tail[0].id, model.type_name.in_(_STATE_TYPES))
        .order_by(model.id)
        .all()
    )
    return _prefix(state_rows, tail[0].timestamp) + [json.loads(r.data) for r in tail], True
