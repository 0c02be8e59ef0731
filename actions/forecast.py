"""Live purchase probability, and the purchase_assist experiment that acts on it.

``action_forecast_purchase`` is the custom slot mapping of ``purchase_probability``
(domain/forecast.yml), so Rasa's ``action_extract_slots`` calls it after every user message:
it scores the conversation's signals plus the page's session signals (``metadata.session``
from the chat widget) with the model loaded once at start (``resources.forecast``), sets the
slot and observes ``lift_purchase_probability``. It only fills the slot; nothing in the
dialogue reads it.

:func:`offer_purchase_help` is called where a shopper hesitates (``action_view_cart``): the
decision is :func:`lift.forecast.assist.decide`, the behaviour the conversation's variant of
the experiment on surface ``purchase_assist`` (experiments.yml).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from lift.commerce.cart import normalize_cart, subtotal
from lift.forecast import assist
from lift.forecast.signals import conversation_signals, page_session, session_features
from lift.observability.actions import observe_purchase_probability

HELP_TEXT = ("Anything I can help with before you check out? I can answer questions about delivery, "
             "returns or payment, or put you through to a person.")
HELP_BUTTONS = [
    {"title": "Check out", "payload": "/checkout"},
    {"title": "Delivery times", "payload": "/delivery_period"},
    {"title": "Returns", "payload": "/check_refund_policy"},
    {"title": "Talk to a person", "payload": "/contact_human_agent"},
]


def live_probability(res, tracker: Tracker) -> float:
    """This conversation's purchase probability now (conversation + page session signals)."""
    events = tracker.events or []
    session = page_session(events)
    p = res.forecast.score_row(session_features(conversation_signals(events), session))
    observe_purchase_probability(p, bool(session))
    return p


class ActionForecastPurchase(Action):
    def name(self) -> Text:
        return "action_forecast_purchase"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return [SlotSet("purchase_probability", round(live_probability(resources.get(), tracker), 4))]


def offer_purchase_help(dispatcher: CollectingDispatcher, tracker: Tracker, res) -> List[Dict[Text, Any]]:
    """The purchase_assist treatment at a hesitation point; the events to return (maybe none)."""
    cart = normalize_cart(tracker.get_slot("cart"))
    decision = assist.decide(
        variant=res.experiments.surface_variant(tracker.sender_id, assist.SURFACE),
        probability=tracker.get_slot("purchase_probability"),
        cart_value=float(subtotal(cart)) if cart else 0.0,
        decided_before=tracker.get_slot("purchase_assist") is not None,
        min_probability=res.settings.assist_min_probability,
        checking_out=(tracker.active_loop or {}).get("name") == "checkout_form",
    )
    if decision.offer:
        dispatcher.utter_message(text=HELP_TEXT, buttons=HELP_BUTTONS)
    return [SlotSet("purchase_assist", decision.slot_value)] if decision.eligible else []
