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
from actions.common import entity_values, latest_text
from actions.history import last_added_sku, shown_before, shown_skus
from actions.mentions import THE_X_ONE, named_products
from lift.commerce.cart import CartError, add_item, normalize_cart, quantity_of, remove_item, subtotal
from lift.commerce.matching import shares_name_word
from lift.commerce.stock import live
from lift.understanding.references import Shown, names_a_position, price_direction, resolve_reference, says_other

_SWAP = re.compile(r"\b(?:instead|swap|switch|replace|exchange|trade|rather\s+than|make\s+it\s+the)\b"
                   r"|\b(?:remove|take\s+out|drop|delete)\b.*\badd\b|\badd\b.*\b(?:remove|take\s+out|drop|delete)\b",
                   re.IGNORECASE)


# "could you exchange those for the Aria Pro", "trade the speakers for the Aria Pro cans" (read as a refund or a
# search): a swap in the cart, unless the message is about something bought before
_SWAP_FOR = re.compile(r"\b(?:swap|switch|exchange|trade|replace)\b[^.?!]*\b(?:for|with)\b", re.IGNORECASE)
_BOUGHT_BEFORE = re.compile(r"\b(?:orders?|ordered|bought|purchased?|delivered|arrived|received|came|shipped|sent|"
                            r"last\s+(?:week|month)|ago|LFT[-\s]?\d+)\b", re.IGNORECASE)


def swap_in_cart(dispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """:func:`swap_line` for a swap worded as one ("exchange those for X") and read as another intent; None
    for no such swap, an empty cart or a message about an order."""
    text = latest_text(tracker)
    if tracker.active_loop_name or not _SWAP_FOR.search(text) or _BOUGHT_BEFORE.search(text):
        return None
    return swap_line(dispatcher, tracker)


_REMOVED_ONE = re.compile(r"\b(?:remove|take\s+out|drop|delete|get\s+rid\s+of)\s+(?:the\s+)?([\w-]+)\s+ones?\b",
                          re.IGNORECASE)


def _old_line(tracker: Tracker, catalog, cart, named) -> Optional[Any]:
    """The cart line a swap replaces: the one named, else the only line, else the last added; None
    when the removal names a line by a word no cart line has ("remove the mesh one if its there,
    and add a desk lamp too" with task chairs in the cart: it swapped the chairs for lamps)."""
    in_cart = [p for p in named if quantity_of(cart, p.sku)]
    if in_cart:
        return in_cart[0] if len(in_cart) == 1 else None
    removed = _REMOVED_ONE.search(latest_text(tracker))
    if removed and not any(shares_name_word(removed.group(1), getattr(catalog.get(i["sku"]), "name", ""))
                           for i in cart):
        return None
    if len(cart) == 1:
        return catalog.get(cart[0]["sku"])
    sku = last_added_sku(tracker)
    return catalog.get(sku) if sku and quantity_of(cart, sku) else None


def _same_kind(old, other) -> bool:
    """Whether ``other`` can stand in for ``old``: a substitute either way or the same type word
    ("Chair", "Headphones"), never one of its accessories (the cross-sell offer on screen)."""
    if other is None or other.sku == old.sku or other.sku in old.complements:
        return False
    return (other.sku in old.substitutes or old.sku in other.substitutes
            or other.category == old.category and other.name.split()[-1].lower() == old.name.split()[-1].lower())


def _replacement(tracker: Tracker, catalog, cart, named, old) -> Optional[Any]:
    """The product a swap puts in: the one named that is not in the cart; or, by reference, "the
    cheaper aria", "the cheaper one", "the other one", "the second one" among the products of the
    old line's kind that were shown or named — never an accessory offered since."""
    text = latest_text(tracker)
    direction = price_direction(text)
    new = [p for p in named if not quantity_of(cart, p.sku)]
    if len(new) == 1 and direction is None:
        return new[0]
    if len(new) > 1 and direction is None:
        return None
    shown = [catalog.get(s) for s in dict.fromkeys(shown_skus(tracker) + shown_before(tracker))]
    if direction is not None:
        typed = entity_values(tracker, "product")
        if typed:  # "the cheaper aria": the products sharing the name typed
            pool = [p for p in catalog if _same_kind(old, p) and any(shares_name_word(t, p.name) for t in typed)]
        else:
            pool = [p for p in shown if _same_kind(old, p)]
        pool = [p for p in pool if not quantity_of(cart, p.sku)
                and (p.price < old.price if direction == "cheaper" else p.price > old.price)]
        if not pool:
            return None
        pick = max if direction == "cheaper" else min  # the nearest step down (or up) from the old line
        return pick(pool, key=lambda p: p.price)
    kin = [p for p in shown if _same_kind(old, p)]
    if says_other(text):
        others = [p for p in kin if not quantity_of(cart, p.sku)]
        return others[0] if len(others) == 1 else None
    picked = resolve_reference(text, Shown.all_of(kin)) if kin and names_a_position(text) else None
    if picked is not None and len(picked.skus) == 1 and not quantity_of(cart, picked.skus[0]):
        return catalog.get(picked.skus[0])
    # "swap it for the mesh one": a word of one product of the same kind, shown or not
    one = THE_X_ONE.search(text)
    typed = [p for p in catalog.find_all(one.group(1)) if _same_kind(old, p)
             and not quantity_of(cart, p.sku)] if one else []
    return typed[0] if len(typed) == 1 else None


def swap_line(dispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """The cart after swapping a cart line for another product, named or referred to; None when
    the message is no such swap."""
    text = latest_text(tracker)
    cart = normalize_cart(tracker.get_slot("cart"))
    if not cart or not _SWAP.search(text):
        return None
    res = resources.get()
    named = named_products(tracker, res.catalog)
    old = _old_line(tracker, res.catalog, cart, named)
    new = _replacement(tracker, res.catalog, cart, named, old) if old is not None else None
    if new is None or new.sku == old.sku:
        return None
    qty = quantity_of(cart, old.sku)
    try:
        swapped = add_item(remove_item(cart, old.sku), live(res.engine, new), qty)
    except CartError as err:  # the new one is sold out or short: the cart stays as it was
        dispatcher.utter_message(text=f"{err} Your cart still has {qty} × {old.name}.")
        return []
    dispatcher.utter_message(text=f"Swapped the {old.name} for {qty} × {new.name}. "
                                  f"Your cart is now {res.catalog.format_price(subtotal(swapped))}.")
    return [SlotSet("cart", swapped), SlotSet("last_product", new.sku), *idle_clock(tracker, swapped)]
