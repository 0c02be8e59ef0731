"""Swapping one cart line for another product in one message ("remove the toaster, add the swift
kettle instead", "swap the aria for the aria pro"), whichever cart intent it was read as, and
during checkout too: the new product takes the old line's quantity."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import resources
from actions.cart_idle import idle_clock
from actions.mentions import named_products
from actions.common import latest_text
from lift.commerce.cart import CartError, add_item, normalize_cart, quantity_of, remove_item, subtotal
from lift.commerce.stock import live

_SWAP = re.compile(r"\b(?:instead|swap|switch|replace|exchange|rather\s+than)\b"
                   r"|\b(?:remove|take\s+out|drop|delete)\b.*\badd\b|\badd\b.*\b(?:remove|take\s+out|drop|delete)\b",
                   re.IGNORECASE)


def swap_line(dispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The cart after swapping the one named product that is in the cart for the one named
    product that is not; None when the message is no such swap."""
    text = latest_text(tracker)
    cart = normalize_cart(tracker.get_slot("cart"))
    if not cart or not _SWAP.search(text):
        return None
    res = resources.get()
    products = named_products(tracker, res.catalog)
    old = [p for p in products if quantity_of(cart, p.sku)]
    new = [p for p in products if not quantity_of(cart, p.sku)]
    if len(old) != 1 or len(new) != 1:
        return None
    qty = quantity_of(cart, old[0].sku)
    try:
        swapped = add_item(remove_item(cart, old[0].sku), live(res.engine, new[0]), qty)
    except CartError as err:  # the new one is sold out or short: the cart stays as it was
        dispatcher.utter_message(text=f"{err} Your cart still has {qty} × {old[0].name}.")
        return []
    dispatcher.utter_message(text=f"Swapped the {old[0].name} for {qty} × {new[0].name}. "
                                  f"Your cart is now {res.catalog.format_price(subtotal(swapped))}.")
    return [SlotSet("cart", swapped), SlotSet("last_product", new[0].sku), *idle_clock(tracker, swapped)]
