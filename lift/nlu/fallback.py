"""What the assistant says when it is unsure: the most likely things the shopper wanted, in
plain words, never an intent name; and when it is unsure twice in a row, a person.

``suggest`` turns the classifier's intent ranking into at most three offers (label +
intent); ``is_repeated_fallback`` decides from the conversation's events whether this is
the second low-confidence turn in a row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from lift.nlu.intents import NLU_FALLBACK

# What each intent lets the shopper do, as a button would say it. Intents that are not a
# request (greet, affirm, inform, ...) are never offered.
LABELS: Dict[str, str] = {
    "search_product": "Find a product",
    "ask_price": "Check a price",
    "ask_complements": "See what goes with a product",
    "ask_alternatives": "Find a similar product",
    "add_to_cart": "Add something to my cart",
    "view_cart": "See my cart",
    "remove_from_cart": "Remove something from my cart",
    "apply_coupon": "Use a discount code",
    "checkout": "Check out and pay",
    "place_order": "Place an order",
    "request_demo": "Book a demo or talk to sales",
    "start_onboarding": "Get started as a new customer",
    "create_account": "Create an account",
    "ask_question": "Ask a question about the store",
    "track_order": "Track my order",
    "cancel_order": "Cancel an order",
    "change_order": "Change an order",
    "change_shipping_address": "Change my delivery address",
    "set_up_shipping_address": "Add a delivery address",
    "check_cancellation_fee": "Ask about cancellation fees",
    "check_invoice": "Get an invoice",
    "get_invoice": "Get an invoice",
    "check_payment_methods": "See ways to pay",
    "payment_issue": "Sort out a payment problem",
    "check_refund_policy": "Read the refund policy",
    "get_refund": "Get a refund",
    "track_refund": "Check on my refund",
    "complaint": "Make a complaint",
    "contact_customer_service": "Talk to a person",
    "contact_human_agent": "Talk to a person",
    "delivery_options": "See delivery options",
    "delivery_period": "Ask how long delivery takes",
    "edit_account": "Update my account details",
    "delete_account": "Close my account",
    "switch_account": "Switch accounts",
    "recover_password": "Reset my password",
    "registration_problems": "Fix a sign-up problem",
    "newsletter_subscription": "Manage the newsletter",
    "review": "Leave a review",
}
# Offered when the ranking has too few requests in it (e.g. it was all small talk).
DEFAULT_OFFERS = ("search_product", "track_order", "ask_question")
MAX_OFFERS = 3

FIRST_TEXT = "Sorry, I'm not sure I understood. Did you want to do one of these? Or tell me in other words."
SECOND_TEXT = "I'm still not sure what you need, so I'll bring in a person from our team to help."


@dataclass(frozen=True)
class Offer:
    label: str
    intent: str

    def button(self) -> Dict[str, str]:
        # The payload triggers the intent directly; only the label is shown.
        return {"title": self.label, "payload": f"/{self.intent}"}


def suggest(ranking: Optional[Sequence[Mapping[str, Any]]], limit: int = MAX_OFFERS) -> List[Offer]:
    """The ``limit`` most likely offerable intents of ``ranking`` (best first, one per
    label), topped up from DEFAULT_OFFERS so there are always at least two."""
    offers: List[Offer] = []
    labels = set()

    def take(intents: Iterable[str]) -> None:
        for intent in intents:
            label = LABELS.get(intent)
            if label and label not in labels and len(offers) < limit:
                labels.add(label)
                offers.append(Offer(label, intent))

    ordered = sorted((r for r in ranking or () if r.get("name")),
                     key=lambda r: -float(r.get("confidence") or 0.0))
    take(str(r["name"]) for r in ordered)
    if len(offers) < 2:
        take(DEFAULT_OFFERS)
    return offers


def is_repeated_fallback(events: Sequence[Mapping[str, Any]]) -> bool:
    """True when the shopper's previous message in this session was not understood either
    (two low-confidence turns in a row, counting from the latest user message)."""
    intents: List[Optional[str]] = []
    for e in events:
        if e.get("event") in ("session_started", "restart"):
            intents = []  # a new session or a restart starts counting afresh
        elif e.get("event") == "user":
            intents.append(((e.get("parse_data") or {}).get("intent") or {}).get("name"))
    return len(intents) >= 2 and intents[-2] == NLU_FALLBACK
