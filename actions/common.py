"""Small helpers shared by the action modules (no business logic here)."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from actions import resources

from lift.commerce.money import money
from lift.commerce.stock import live_all
from lift.commerce.validation import NUMBER_WORDS, normalize_address

# Intents that mean "not an answer to your question" while a form is asking something: the
# form's extractors leave the turn alone so the digression rules (answer, show cart, stop,
# human) can run and the form resumes afterwards.
DIGRESSION_INTENTS = frozenset({
    "ask_question", "view_cart", "stop", "contact_human_agent", "contact_customer_service", "complaint",
    "bot_challenge", "greet", "goodbye", "thank", "search_product", "ask_price", "add_to_cart",
    "remove_from_cart", "checkout", "request_demo", "start_onboarding", "check_refund_policy",
    "delivery_options", "delivery_period", "check_payment_methods", "check_cancellation_fee",
})

MAX_USER_TEXT = 2000


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def latest_text(tracker: Tracker) -> Text:
    return str((tracker.latest_message or {}).get("text") or "")


def entity_values(tracker: Tracker, entity: Text) -> List[Text]:
    """Values of ``entity`` in the latest message, de-duplicated: several extractors may report one mention."""
    seen: List[Text] = []
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") == entity and e.get("value") not in (None, ""):
            value = str(e["value"])
            if value.lower() not in (s.lower() for s in seen):
                seen.append(value)
    return seen


def first_entity(tracker: Tracker, entity: Text) -> Optional[Text]:
    values = entity_values(tracker, entity)
    return values[0] if values else None


def answering_form(tracker: Tracker, slot: Text) -> bool:
    """True when the latest message is the shopper's answer to the form's question for ``slot``."""
    if tracker.get_slot("requested_slot") != slot:
        return False
    if latest_intent(tracker) in DIGRESSION_INTENTS:
        return False
    text = latest_text(tracker).strip()
    return bool(text) and len(text) <= MAX_USER_TEXT


def checked(slot: Text, value: Any, normalize, dispatcher) -> Dict[Text, Any]:
    """A validator's result: the normalised value, or None after asking again with
    ``utter_wrong_<slot>`` so the shopper learns what was wrong."""
    result = normalize(value)
    if result is None:
        dispatcher.utter_message(response=f"utter_wrong_{slot}")
    return {slot: result}


class AddressMixin:
    """The shipping address asked by checkout and by changing an order's address."""

    async def extract_shipping_address(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        return {"shipping_address": latest_text(tracker).strip()} if answering_form(tracker, "shipping_address") else {}

    def validate_shipping_address(self, value: Any, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        return checked("shipping_address", value, normalize_address, dispatcher)


def fmt_money(value: Any, currency: Text = "USD") -> Text:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, currency + " ")
    return f"{symbol}{money(value):,.2f}"


def product_card(product, currency: Text = "USD", *, extra_buttons: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    if product.stock <= 0:
        stock_label = "Out of stock"
    elif product.stock <= 3:
        stock_label = f"Only {product.stock} left"
    else:
        stock_label = "In stock"
    buttons = []
    if product.stock > 0:
        buttons.append({"title": "Add to cart", "payload": f'/add_to_cart{{"product":"{product.sku}"}}'})
    buttons.extend(extra_buttons or [])
    return {
        "sku": product.sku,
        "name": product.name,
        "price": float(money(product.price)),
        "price_label": fmt_money(product.price, currency),
        "currency": currency,
        "stock": product.stock,
        "stock_label": stock_label,
        "image": product.image,
        "description": product.description,
        "url": f"/products/{product.sku}",
        "buttons": buttons,
    }


def cards_message(products, currency: Text = "USD") -> Dict[str, Any]:
    """Product cards with the stock the database has now (the catalog file only seeds it)."""
    products = live_all(resources.get().engine, products)
    return {"type": "product_cards", "products": [product_card(p, currency) for p in products]}


# "a"/"an" are too common to mean a quantity; the rest of the number words are not.
_QTY_WORDS = frozenset(NUMBER_WORDS) - {"a", "an", "single"}
_NUM_RE = re.compile(r"(?<![\w.])(-?\d+)(?![\w.])")


def stray_quantity(text: Text, skip: List[Text]) -> Optional[int]:
    """A bare number in ``text`` outside the product mention (e.g. 'add 0 of the aria'), so a
    quantity the entity extractor missed is still honoured instead of silently becoming 1."""
    for s in skip:
        if s:
            text = re.sub(re.escape(s), " ", text, flags=re.I)
    nums = _NUM_RE.findall(text)
    if len(nums) == 1:
        return int(nums[0])
    if nums:
        return None
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if w in _QTY_WORDS]
    return NUMBER_WORDS[words[0]] if len(words) == 1 else None
