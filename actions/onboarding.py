"""Onboarding: email, name, interests, newsletter opt-in; stores a customer profile."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from actions.common import answering_form, latest_text
from actions.lead import PersonalDetailsMixin
from lift.commerce.cards import cards_message
from lift.commerce.onboarding import parse_interests, save_profile


class ValidateOnboardingForm(PersonalDetailsMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_onboarding_form"

    async def extract_interests(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = latest_text(tracker).strip()
        # Category buttons send the category name; accept it whatever intent NLU assigned, and
        # whatever was asked: "audio and smart home" typed before the email is kept, not re-asked.
        named = parse_interests(text, resources.get().catalog)
        if tracker.get_slot("requested_slot") != "interests":
            return {"interests": text} if named and not tracker.get_slot("interests") else {}
        if named or answering_form(tracker, "interests"):
            return {"interests": text}
        return {}

    async def extract_email(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # Interests typed where the email was asked are not a malformed email: just ask again.
        if parse_interests(latest_text(tracker).strip(), resources.get().catalog):
            return {}
        return await super().extract_email(dispatcher, tracker, domain)

    def validate_interests(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        interests = parse_interests(value, resources.get().catalog)
        if interests is None:
            dispatcher.utter_message(response="utter_wrong_interests")
        return {"interests": interests}


class ActionAskInterests(Action):
    def name(self) -> Text:
        return "action_ask_interests"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        catalog = resources.get().catalog
        dispatcher.utter_message(
            text="What are you interested in? Pick one, or type several (e.g. \"audio and kitchen\").",
            buttons=[{"title": c.name, "payload": c.name} for c in catalog.categories])
        return []


class ActionCompleteOnboarding(Action):
    def name(self) -> Text:
        return "action_complete_onboarding"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        interests = tracker.get_slot("interests") or []
        opt_in = bool(tracker.get_slot("newsletter_opt_in"))
        save_profile(res.engine, sender_id=tracker.sender_id, email=tracker.get_slot("email"),
                     person_name=tracker.get_slot("person_name"), interests=interests, newsletter_opt_in=opt_in)
        names = [c.name for c in res.catalog.categories if c.id in interests]
        first = str(tracker.get_slot("person_name") or "").split(" ")[0]
        news = " You're subscribed to our newsletter." if opt_in else ""
        dispatcher.utter_message(
            text=f"You're all set, {first}!{news} Here are a few {', '.join(names).lower()} picks to start with:",
            json_message=cards_message(res.catalog.search(category=interests[0], limit=3), res.catalog.currency)
            if interests else None)
        return [SlotSet("onboarding_completed", True)]
