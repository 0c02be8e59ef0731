""""stop" inside the lead and onboarding forms (rule "stop lead_form" / "stop onboarding_form").

The classifier reads some plain answers as stop: "ten" to "How many people are on your team?",
"Pat" to "What's your name?". Such a message is taken as the answer and the form goes on; a real
stop ("forget it", "never mind", "cancel") ends the form, and the rule says utter_form_stopped.
One action for both forms: the active form picks its validation action.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import answering_form
from actions.lead import ValidateLeadForm
from actions.onboarding import ValidateOnboardingForm

FORM_VALIDATORS = {"lead_form": ValidateLeadForm, "onboarding_form": ValidateOnboardingForm}


async def answer_events(tracker: Tracker, domain: Dict[Text, Any], dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    """The active form's validated events when the latest message answers its question; []
    otherwise (nothing is said then: the form is about to stop)."""
    form, slot = tracker.active_loop_name, tracker.get_slot("requested_slot")
    validator = FORM_VALIDATORS.get(form)
    if validator is None or not slot or not answering_form(tracker, slot):
        return []
    attempt = CollectingDispatcher()
    events = await validator().run(attempt, tracker, domain)
    if not any(e.get("event") == "slot" and e.get("name") == slot and e.get("value") is not None for e in events):
        return []
    dispatcher.messages.extend(attempt.messages)
    return events


class ActionStopForm(Action):
    """Continues the form with the answer (slot events + the form as follow-up), or ends it."""

    def name(self) -> Text:
        return "action_stop_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events = await answer_events(tracker, domain, dispatcher)
        if events:
            return events + [FollowupAction(tracker.active_loop_name)]
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
