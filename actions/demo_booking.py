"""A demo already booked in this chat: "did that go through?" gets the booking, "can we move it to
thursday" re-opens lead_form for the time alone (action_submit_lead then moves the booking), and
"cancel the demo" frees its slot; each change is emailed. The classifier reads these as
request_demo, out_of_scope, nlu_fallback, stop or a question, so those actions ask here first
(request_demo's is action_start_lead, actions/start_lead.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import latest_text
from actions.history import last_booked_or_placed
from lift.commerce.leads import DemoSlot, booked_demo, cancel_demo
from lift.understanding.followups import demo_followup


# Shopper messages after booking in which a bare "cancel it" still means the demo.
RECENT_TURNS = 3


def answer_demo_followup(dispatcher: CollectingDispatcher, tracker: Tracker, in_lead_rule: bool = False,
                         starting_form: bool = False) -> Optional[List[Dict[Text, Any]]]:
    """The reply and events for a follow-up about this chat's booked demo; None when the message is
    none, or no demo ahead was booked here. ``in_lead_rule``: called where the rule runs lead_form
    next (request_demo), so a move needs no FollowupAction and the others stop the rule.
    ``starting_form``: called by a form the message just started (order_form for "cancel it")."""
    if (tracker.active_loop_name and not starting_form) or _order_placed_since_booking(tracker):
        return None
    last, _, since = last_booked_or_placed(tracker)
    kind = demo_followup(latest_text(tracker), just_booked=last == "demo" and since <= RECENT_TURNS)
    lead = booked_demo(resources.get().engine, tracker.get_slot("lead_id")) if kind else None
    if lead is None:
        return None
    when = DemoSlot(lead.demo_time).label
    stop = [FollowupAction("action_listen")] if in_lead_rule else []
    if kind == "status":
        dispatcher.utter_message(text=f"Your demo is booked for {when}, and the details went to {lead.email}.")
        return stop
    if kind == "cancel":
        cancel_demo(resources.get().engine, lead.id)
        resources.get().kick_mail()
        dispatcher.utter_message(text=f"Done: your demo on {when} is cancelled, and we've emailed {lead.email} to say so.",
                                 buttons=[{"title": "Book another time", "payload": "/request_demo"}])
        return stop
    dispatcher.utter_message(text=f"Sure, let's find a new time for your demo (now {when}).")
    moving = [SlotSet("demo_rescheduling", True), SlotSet("demo_time", None), SlotSet("requested_slot", None)]
    return moving if in_lead_rule else moving + [FollowupAction("lead_form")]


def _order_placed_since_booking(tracker: Tracker) -> bool:
    """An order placed after the demo was booked: "did it go through?" is about that order."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "slot" and event.get("value") is not None:
            if event.get("name") == "placed_order_id":
                return True
            if event.get("name") == "lead_id":
                return False
    return False
