"""Session start: assigns the conversation to the running experiments before anything else
happens (lift.experiments.assignment; one experiment_assignments row each) and sets the
``variant`` slot and the surface slots the domain's responses read (``greeting_variant``)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources

# Slots that carry the variant of the live experiment on a surface the domain reads
# (conditional response variations); re-decided at every session start.
SURFACE_SLOTS = {"greeting": "greeting_variant"}


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events.extend(SlotSet(k, v) for k, v in tracker.current_slot_values().items()
                          if v is not None and k not in ("requested_slot", "variant", *SURFACE_SLOTS.values()))
        assigner = resources.get().experiments
        # Rasa loads the latest session's events: none with session_started means a new conversation.
        new = not any(e.get("event") == "session_started" for e in tracker.events)
        events.append(SlotSet("variant", assigner.slot_value(assigner.assign(tracker.sender_id, new_conversation=new))))
        events.extend(SlotSet(slot, assigner.surface_variant(tracker.sender_id, surface))
                      for surface, slot in SURFACE_SLOTS.items())
        events.append(ActionExecuted("action_listen"))
        return events
