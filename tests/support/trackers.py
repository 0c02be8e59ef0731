"""Building rasa_sdk Trackers for action tests."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(text: str = "", intent: Optional[str] = None, *, slots: Optional[Dict[str, Any]] = None,
                 entities: Optional[List[Dict[str, Any]]] = None, active_loop: Optional[str] = None,
                 events: Optional[List[Dict[str, Any]]] = None, sender_id: str = "tester",
                 channel: str = "rest", confidence: float = 0.9) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "entities": entities or [],
    }
    user_event = {"event": "user", "text": text, "parse_data": latest, "input_channel": channel}
    return Tracker(
        sender_id=sender_id,
        slots={"cart": [], **(slots or {})},
        latest_message=latest,
        events=(events or []) + [user_event],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def ent(entity: str, value: str) -> Dict[str, Any]:
    return {"entity": entity, "value": value, "start": 0, "end": len(value)}


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)
