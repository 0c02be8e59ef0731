"""Low-confidence turns: offer the likeliest things in plain words, then a person."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import compare_if_asked
from actions.handoff import hand_off
from actions.swap import swap_line
from lift.nlu.fallback import FIRST_TEXT, SECOND_TEXT, is_repeated_fallback, suggest


class ActionOfferOptions(Action):
    """Runs on ``nlu_fallback`` (rule in data/rules/fallback.yml)."""

    def name(self) -> Text:
        return "action_offer_options"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        compared = compare_if_asked(dispatcher, tracker)  # "aria vs aria pro" reads as nothing in particular
        if compared is not None:
            return compared
        swapped = swap_line(dispatcher, tracker)  # "actually the first one instead"
        if swapped is not None:
            return swapped
        if is_repeated_fallback(tracker.events):
            dispatcher.utter_message(text=SECOND_TEXT)
            return hand_off(dispatcher, tracker, "fallback")
        offers = suggest((tracker.latest_message or {}).get("intent_ranking"))
        dispatcher.utter_message(text=FIRST_TEXT, buttons=[o.button() for o in offers])
        return []
