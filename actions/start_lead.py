"""request_demo's first step: the lead form's intro, or, when a demo was booked earlier in this chat,
the answer about it ("can we move it", "did that go through?") or to the question asked ("do you
offer net 30 invoicing though?") instead of a second booking."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import latest_text
from actions.demo_booking import answer_demo_followup
from actions.knowledge import ActionAnswerQuestion
from lift.commerce.leads import booked_demo
from lift.commerce.pricing import asks_about_volume_price, describe_volume_discounts
from lift.nlu.scope import asks_about


class ActionStartLead(Action):
    """request_demo: the lead form's intro (lead_form runs next by rule), unless the message is about
    the demo booked earlier in this chat."""

    def name(self) -> Text:
        return "action_start_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        followed = answer_demo_followup(dispatcher, tracker, in_lead_rule=True)
        if followed is not None:
            return followed
        text = latest_text(tracker)
        if (asks_about(text) or text.rstrip().endswith("?")) and not tracker.active_loop_name \
                and booked_demo(resources.get().engine, tracker.get_slot("lead_id")) is not None:
            # "do you offer net 30 invoicing though?" after booking: the answer, not a second booking
            answered = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
            return [e for e in answered if e.get("event") != "followup"] + [FollowupAction("action_listen")]
        dispatcher.utter_message(response="utter_lead_intro")
        if asks_about_volume_price(text):  # "we're a school buying 30 tablets, is there a discount?": answered first
            dispatcher.utter_message(text=f"{describe_volume_discounts()} For a larger order our sales team can "
                                          "quote you a better price; a few details first.")
        return [SlotSet("demo_rescheduling", None)] if tracker.get_slot("demo_rescheduling") else []
