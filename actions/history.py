"""What the conversation's events say about the cart and the cross-sell offer: the product the
shopper added last ("another one", "add 2 more") and an offer they turned down (never "it"
afterwards). Only reads ``tracker.events``; the rules are in lift.commerce.cart.last_added."""
from __future__ import annotations

import re
from typing import Any, List, Optional, Text, Tuple

from rasa_sdk import Tracker

from actions.common import entity_values, latest_text
from lift.commerce.cart import last_added, normalize_cart
from lift.understanding.references import asks_for_more

# Actions whose cart changes are the shopper's own adds (an offer accepted is one too); the
# cart set by action_session_start (carried over) or a restored prefix is not.
ADDING_ACTIONS = frozenset({"action_add_to_cart", "action_accept_upsell"})


def cart_history(tracker: Tracker) -> List[Tuple[bool, Any]]:
    """The cart slot's values in order, each flagged when an adding action set it (Rasa logs an
    action's events right after its ``action`` event)."""
    steps: List[Tuple[bool, Any]] = []
    action: Optional[Text] = None
    for event in tracker.events or []:
        kind = event.get("event")
        if kind == "action":
            action = event.get("name")
        elif kind == "user":
            action = None
        elif kind == "slot" and event.get("name") == "cart":
            steps.append((action in ADDING_ACTIONS, event.get("value")))
        elif kind in ("restart", "reset_slots"):
            steps.append((False, []))
    return steps


def last_added_sku(tracker: Tracker) -> Optional[Text]:
    """The cart line the shopper added last: from the events, else ``last_product`` when it is in
    the cart, else the newest line; None for an empty cart."""
    in_cart = [i["sku"] for i in normalize_cart(tracker.get_slot("cart"))]
    if not in_cart:
        return None
    sku = last_added(cart_history(tracker))
    if sku in in_cart:
        return sku
    last = tracker.get_slot("last_product")
    return last if last in in_cart else in_cart[-1]


def declined_offer(tracker: Tracker) -> Optional[Text]:
    """The SKU of the cross-sell offer the shopper said no to, while nothing has been shown
    since; None when the latest offer is still open, was taken, or there is none."""
    offer: Optional[Text] = None
    declined = False
    for event in tracker.events or []:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "upsell_sku":
            offer, declined = event.get("value"), False
        elif kind == "user" and offer:
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            declined = declined or intent == "deny"
        elif kind == "slot" and event.get("name") == "last_shown" and declined:
            offer, declined = None, False  # cards shown after the "no": those are what "it" means
        elif kind in ("restart", "session_started"):
            offer, declined = None, False
    return offer if declined and isinstance(offer, str) else None


def shown_skus(tracker: Tracker) -> List[Text]:
    """``last_shown`` without a cross-sell offer the shopper declined."""
    declined = declined_offer(tracker)
    return [s for s in (tracker.get_slot("last_shown") or []) if isinstance(s, str) and s != declined]


def shown_before(tracker: Tracker) -> List[Text]:
    """The products shown before the latest ones (``last_shown``'s previous, different value):
    "both" after two products were priced one at a time means these two."""
    values = [e.get("value") for e in tracker.events or [] if e.get("event") == "slot" and e.get("name") == "last_shown"]
    current = tracker.get_slot("last_shown") or []
    for value in reversed(values):
        if isinstance(value, list) and value and value != current:
            return [s for s in value if isinstance(s, str)]
    return []


def more_of_last_added(tracker: Tracker, catalog) -> Optional[Any]:
    """The product "another one" / "one more" / "add 2 more" means: the cart line the shopper
    added last, never the cross-sell card shown since. None when the message names a product
    or a product type, asks for nothing more, or the cart is empty."""
    if entity_values(tracker, "product") or entity_values(tracker, "category") or not asks_for_more(latest_text(tracker)):
        return None
    sku = last_added_sku(tracker)
    return catalog.get(sku) if sku else None


def last_booked_or_placed(tracker: Tracker) -> Tuple[Optional[Text], Optional[Text], int]:
    """What this chat last booked, placed or looked up, for a bare "cancel it": ("order", its id,
    shopper messages since) for an order placed or shown, ("demo", the lead id, messages since) for
    a demo booked, (None, None, 0) when neither."""
    turns = 0
    for event in reversed(tracker.events or []):
        kind, value = event.get("event"), event.get("value")
        if kind == "user":
            turns += 1
        elif kind == "action" and event.get("name") == "action_place_order" and tracker.get_slot("placed_order_id"):
            return "order", tracker.get_slot("placed_order_id"), turns
        elif kind == "slot" and value is not None and event.get("name") in ("order_id", "lead_id"):
            return ("demo" if event.get("name") == "lead_id" else "order"), str(value), turns
    return None, None, 0


# "and the outdoor cam", "also a 65w charger": one more thing, said right after an add
_ONE_MORE_THING = re.compile(r"^\W*(?:(?:oh|ok|okay|yes|yeah)\W+)?(?:and|also|plus|and\s+also|oh\s+and)\b(?!\s+(?:how|what|when|where|"
                             r"why|which|is|are|do|does|can|could|will)\b)", re.IGNORECASE)


def one_more_after_add(tracker: Tracker) -> bool:
    """Whether the message names a product with "and"/"also" first and the shopper's message before
    it was an add (so it is another add, not a search)."""
    if not _ONE_MORE_THING.match(latest_text(tracker)) or not entity_values(tracker, "product"):
        return False
    users = [e for e in tracker.events or [] if e.get("event") == "user"]
    before = ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name") if len(users) > 1 else None
    return before == "add_to_cart"
