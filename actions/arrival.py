"""When an order would arrive, asked before or during checkout: the date of each delivery option
(or the one chosen) for an order placed now, not the policy's general delivery times."""
from __future__ import annotations

import datetime as dt
import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import first_entity, latest_intent, latest_text, positioned
from lift.commerce.cart import normalize_cart
from lift.commerce.orders import (SHIPPING_METHODS, OrderError, arrival_sentence, deadline_verdict, parse_shipping_method,
                                  quote)
from lift.commerce.stock import OutOfStock
from lift.understanding.dates import from_value


def checkout_arrival(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """"When will it arrive?" during checkout, once a delivery is chosen: that option's date,
    not the policy's general delivery times. True when answered."""
    method = tracker.get_slot("shipping_method")
    if (tracker.active_loop or {}).get("name") != "checkout_form" or latest_intent(tracker) != "delivery_period" \
            or method not in SHIPPING_METHODS:
        return False
    dispatcher.utter_message(text=arrival_sentence(method, dt.datetime.now(dt.timezone.utc),
                                                   tracker.get_slot("shipping_address"), asked=True))
    return True


_WHEN_HERE = re.compile(r"\bwhen\b.*\b(?:arrive|get\s+(?:here|to\s+me)|come|be\s+(?:here|delivered)|deliver\w*)\b|"
                        r"\bhow\s+(?:long|soon|fast)\b", re.IGNORECASE)
_THE_CART = re.compile(r"\b(?:it|they|them|this|these|my\s+(?:stuff|order|things|cart|basket))\b", re.IGNORECASE)
# "if i order today will it get here in time?": the dates, cart or not
_IF_I_ORDER = re.compile(r"\b(?:if|when)\s+i\s+(?:order|buy)\b.*\b(?:get\s+(?:here|to\s+me)|arrive|in\s+time|be\s+here|"
                         r"be\s+delivered|come)\b", re.IGNORECASE)
# "will it arrive by friday?", "can i get it before the 14th": a deadline (its date_time entity)
_BY_DEADLINE = re.compile(r"\b(?:arrive|get\s+(?:here|to\s+me|it)|be\s+(?:here|delivered)|come|deliver\w*)\b.*"
                          r"\b(?:by|before|in\s+time\s+for)\b", re.IGNORECASE)


_DEADLINE_WORD = re.compile(r"\b(?:by|before|until|till|for|in\s+time\s+for)\s+(?:the\s+|this\s+|next\s+)?$", re.IGNORECASE)


def _deadline(tracker: Tracker, text: str):
    """The deadline's date_time entity: the one after "by" / "before" ("if I order today will it get to
    me by Friday?" is Friday, not today), else the first one."""
    for e in positioned(tracker, "date_time"):
        if _DEADLINE_WORD.search(text[:e["start"]]):
            return e.get("value")
    return first_entity(tracker, "date_time")


def cart_arrival(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """"When would it get here (if i pick express)?" with a cart, or "if i order today will it
    get here in time?", before checkout: the date each delivery option (or the one named) gives
    an order placed now, not a product page or the policy's general times. True when answered."""
    text = latest_text(tracker)
    if tracker.active_loop_name or text.startswith("/"):
        return False
    about_the_cart = normalize_cart(tracker.get_slot("cart")) and _WHEN_HERE.search(text) and _THE_CART.search(text)
    when = from_value(_deadline(tracker, text)) if _BY_DEADLINE.search(text) else None
    if not (about_the_cart or _IF_I_ORDER.search(text) or when is not None):
        return False  # "how long does delivery take" is still the policy's answer
    now = dt.datetime.now(dt.timezone.utc)
    asked = parse_shipping_method(text)
    methods = [asked] if asked else [m for m in SHIPPING_METHODS if m != "pickup"]
    costs = _costs(tracker, methods) if _COST.search(text) else {}
    dates = [arrival_sentence(m, now, None, asked=True) + costs.get(m, "") for m in methods]
    verdict = [deadline_verdict(methods, now, when.start.date())] if when is not None and when.start else []
    dispatcher.utter_message(text=" ".join(verdict + dates))
    return True


# "How much would shipping be, and when would it arrive?": each date with that option's price for this cart
_COST = re.compile(r"\b(?:how\s+much|cost\w*|price\w*|fees?|charge)\b", re.IGNORECASE)


def _costs(tracker: Tracker, methods) -> dict:
    """{method: " Shipping: $4.99." } for the cart as it would be priced at checkout (free over the
    threshold after discounts); {} when the cart cannot be priced (its own reply says why later)."""
    res = resources.get()
    try:  # priced once (one stock read); each option's cost on the same discounted amount, as quote() does
        q = quote(res.engine, res.catalog, normalize_cart(tracker.get_slot("cart")), None, tracker.get_slot("coupon_code"))
    except (OrderError, OutOfStock):
        return {}
    out = {}
    for m in methods:
        cost = SHIPPING_METHODS[m].cost_for(q.subtotal - q.discount)
        out[m] = f" Shipping: {'free' if not cost else res.catalog.format_price(cost)}."
    return out
