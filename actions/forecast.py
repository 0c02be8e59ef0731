"""Live purchase probability, and the purchase_assist experiment that acts on it.

:func:`offer_purchase_help` is called where a shopper hesitates (``action_view_cart``). When
the turn can be eligible at all (items in the cart, not decided before, not checking out:
:func:`lift.forecast.assist.worth_scoring`) it scores the conversation's signals plus the
page's session signals (``metadata.session`` from the chat widget) with the model loaded once
at start (``resources.forecast``), sets slot ``purchase_probability`` and observes
``lift_purchase_probability``; the decision is :func:`lift.forecast.assist.decide`, the
behaviour the conversation's variant of the experiment on surface ``purchase_assist``
(experiments.yml). The probability is scored only there, where it is acted on: a per-message
slot mapping cost every turn an action-server call (`make bench`).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

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


def offer_purchase_help(dispatcher: CollectingDispatcher, tracker: Tracker, res) -> List[Dict[Text, Any]]:
    """The purchase_assist treatment at a hesitation point; the events to return (none when the
    turn cannot be eligible, else the live probability and maybe the experiment's slot)."""
    cart = normalize_cart(tracker.get_slot("cart"))
    facts = dict(
        cart_value=float(subtotal(cart)) if cart else 0.0,
        decided_before=tracker.get_slot("purchase_assist") is not None,
        checking_out=(tracker.active_loop or {}).get("name") == "checkout_form",
    )
    if not assist.worth_scoring(**facts):
        return []
    probability = round(live_probability(res, tracker), 4)
    decision = assist.decide(
        variant=res.experiments.surface_variant(tracker.sender_id, assist.SURFACE),
        probability=probability, min_probability=res.settings.assist_min_probability, **facts,
    )
    if decision.offer:
        dispatcher.utter_message(text=HELP_TEXT, buttons=HELP_BUTTONS)
    events = [SlotSet("purchase_probability", probability)]
    return events + ([SlotSet("purchase_assist", decision.slot_value)] if decision.eligible else [])
