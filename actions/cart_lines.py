"""Cart lines: putting products in, and changing or removing one line ("make it 3", "remove the
mouse"), including a new number for an add just refused ("only 2 left" -> "actually 2 not 3")."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.cart_add import put_in_cart
from actions.cart_idle import idle_clock
from actions.catalog import referred_products
from actions.common import entity_values, latest_text, masked_text, positioned
from actions.mentions import typed_kind
from lift.commerce.cart import (MAX_QTY_PER_LINE, CartError, normalize_cart, quantity_of, remove_item, set_quantity,
                                subtotal)
from lift.commerce.matching import content_tokens
from lift.commerce.stock import live
from lift.understanding.numbers import Quantity, parse_quantity
from lift.understanding.references import (ADD, REMOVE, SET, CartChange, Shown, cart_line_by_ordinal, compares_price,
                                           parse_cart_change, resolve_reference)

REFUSED_SLOT = "refused_product"  # set by an add refused for its number (stock, the per-line cap)


# words of "only 1 piece needed", "just one pair" that name no product
_KEEP_CLAUSE = re.compile(r"\b(?:keep|keeping|but\s+not|except|leave)\b", re.IGNORECASE)
_NOT_A_NAME = frozenset({"one", "piece", "pair", "unit", "item", "thing", "need", "needed", "only", "just"})


_REMOVE_VERB = re.compile(r"\b(?:remove|delete|drop|take\s+out|take\s+off|get\s+rid\s+of|cancel|ditch|lose)\b", re.IGNORECASE)


def _object_first(products: List[Any], text: Text) -> List[Any]:
    """Cart lines named in a removal, the one named after its verb first: "I only wanted the Boom Go,
    not the Boom Home one. Please remove the Boom Home Smart Speaker" removed the Boom Go."""
    verbs = list(_REMOVE_VERB.finditer(text or ""))
    if len(products) < 2 or not verbs:
        return products
    after = list(content_tokens(text[verbs[-1].end():]))
    shared = set.intersection(*(set(content_tokens(p.name)) for p in products))

    def position(product) -> int:
        own = set(content_tokens(product.name)) - shared
        return next((i for i, w in enumerate(after) if w in own), len(after))
    return sorted(products, key=position)


def cart_line_target(tracker: Tracker, catalog, cart) -> Tuple[Optional[Any], Optional[Text]]:
    """The cart line a removal or "make it 3" is about: a named/referred product in the cart, else
    the product last added, else the only line; otherwise (None, question)."""
    in_cart = [i["sku"] for i in cart]
    named = entity_values(tracker, "product")
    lines = [p for p in map(catalog.get, in_cart) if p is not None]
    counted = None if named else cart_line_by_ordinal(latest_text(tracker), Shown.all_of(lines))
    if counted:  # "remove the second item": counted in the cart, not among the cards shown last
        return catalog.get(counted), None
    if not named and len(lines) > 1 and compares_price(latest_text(tracker)):
        picked = resolve_reference(latest_text(tracker), Shown.all_of(lines))  # "remove the cheaper one": of the lines
        if len(picked.skus) == 1:
            return catalog.get(picked.skus[0]), None
    products, _ = referred_products(tracker, catalog)
    verbs = list(_REMOVE_VERB.finditer(latest_text(tracker)))
    after = [e for e in positioned(tracker, "product", "category") if verbs and e["start"] >= verbs[-1].end()]
    if named and after and all(e["entity"] == "category" for e in after):
        # "actually only the aria pro. remove earbuds": the kind after the verb, not the product kept
        category = catalog.category_of(str(after[0].get("value") or ""))
        typed = latest_text(tracker)[after[0]["start"]:after[0]["end"]].lower()
        kind = [p for p in (catalog.of_kind(category.id, typed, by_name=True) if category else []) if p.sku in in_cart]
        if len(kind) == 1:
            return kind[0], None
    if named:
        for product in _object_first([p for p in products if p.sku in in_cart], latest_text(tracker)):
            return product, None
        what = products[0].name if products else named[0]
        return None, f"The {what} isn't in your cart. Which item do you mean?"
    # A type or a word of a line's name before a reference: "remove one of the speakers" or "make it 3
    # bulb packs" also read "one" / "it" as the card shown last
    category = next((c for c in map(catalog.category_of, entity_values(tracker, "category")) if c is not None), None)
    if category is not None:  # "remove the mouse": a product type, never whatever line is last
        typed, kind, _ = typed_kind(tracker, catalog, category)
        lines = [p for p in kind if p.sku in in_cart]
        if len(lines) == 1:
            return lines[0], None
        if not lines:
            return None, f"There's no {typed or category.name.lower()} in your cart. Which item do you mean?"
        return None, f"Which {typed or category.name.lower()} do you mean?"
    # "remove the bulbs" (no entity for that word): the line whose name has it, never the last one added
    asked = _KEEP_CLAUSE.split(masked_text(tracker))[0]  # "remove the band, keep the watch": not the watch
    said = {w for w in content_tokens(asked) if not w.isdigit()} - _NOT_A_NAME
    hinted = [p for p in catalog if said & set(content_tokens(" ".join((p.name, *p.synonyms))))]
    if len([p for p in hinted if p.sku in in_cart]) == 1:
        return next(p for p in hinted if p.sku in in_cart), None
    for product in products:  # "remove it", "the other one": among the cards shown
        if product.sku in in_cart:
            return product, None
    if hinted and not any(p.sku in in_cart for p in hinted):
        return None, f"The {hinted[0].name} isn't in your cart. Which item do you mean?"
    last = tracker.get_slot("last_product")
    if last in in_cart:
        return catalog.get(last), None
    if len(in_cart) == 1:
        return catalog.get(in_cart[0]), None
    return None, "Which item do you mean?"


def line_buttons(cart, catalog, change: CartChange, qty: Optional[Quantity]) -> List[Dict[Text, Any]]:
    """One button per cart line that repeats the change for that line ("make the X 3", or a
    removal of the same quantity)."""
    buttons = []
    for item in cart:
        product = catalog.get(item["sku"])
        name = product.name if product else item["sku"]
        if change.op == SET and qty is not None and qty.value is not None:
            payload = f"make the {name} {qty.value}"  # read again by NLU; both cart actions handle "make it N"
        elif qty is not None and qty.value is not None:
            payload = f'/remove_from_cart{{"product":"{item["sku"]}","quantity":{qty.value}}}'
        else:
            payload = f'/remove_from_cart{{"product":"{item["sku"]}"}}'
        buttons.append({"title": name, "payload": payload})
    return buttons


def change_line(dispatcher, tracker: Tracker, catalog, change: CartChange, qty: Optional[Quantity]) -> List[Dict[Text, Any]]:
    """Remove from, or set the quantity of, one cart line."""
    cart = normalize_cart(tracker.get_slot("cart"))
    retried = retry_refused(dispatcher, tracker, catalog)
    if retried is not None:  # "We only have 2 of the Aria Pro" -> "actually 2 not 3": those 2, added now
        return retried
    if not cart:
        dispatcher.utter_message(text="Your cart is empty.")
        return []
    product, question = cart_line_target(tracker, catalog, cart)
    product = live(resources.get().engine, product)  # "make it 3" checks the stock the database has now
    if product is None:
        dispatcher.utter_message(text=question, buttons=line_buttons(cart, catalog, change, qty))
        return []
    if qty is not None and not qty.ok:
        dispatcher.utter_message(text=qty.problem)
        return []
    if change.op == SET and qty is None:
        dispatcher.utter_message(text=f"How many {product.name} would you like?")
        return []
    try:
        if change.op == SET:
            cart = set_quantity(cart, product, qty.value)
        else:
            cart = remove_item(cart, product.sku, qty.value if qty else None)
    except CartError as err:
        dispatcher.utter_message(text=str(err))
        return []
    left = quantity_of(cart, product.sku)
    done = f"You now have {left} × {product.name}." if left else f"Removed {product.name}."
    total = f"Your cart is now {catalog.format_price(subtotal(cart))}." if cart else "Your cart is now empty."
    dispatcher.utter_message(text=f"{done} {total}")
    return [SlotSet("cart", cart), SlotSet("last_product", product.sku), *idle_clock(tracker, cart)]


_ALL_THERE_IS = re.compile(r"\b(?:however|as)\s+many\b|\b(?:all|what(?:ever)?|the\s+ones?|those)\s+(?:that\s+)?"
                           r"(?:you(?:'ve|\s+have)?|u|ya)\s+(?:got|have|had)\b|\b(?:is|are|what'?s|ones?)\s+left\b|"
                           r"\bthe\s+rest\b|\bthe\s+max(?:imum)?\b", re.IGNORECASE)


def _refused_last_turn(tracker: Tracker) -> Optional[Text]:
    """The product an add refused for its number in the bot's last turn ("We only have 2 …"), else None."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen += 1
            if seen == 2:
                return None
        elif seen == 1 and event.get("event") == "slot" and event.get("name") == REFUSED_SLOT and event.get("value"):
            return event["value"]
    return None


def retry_refused(dispatcher: CollectingDispatcher, tracker: Tracker, catalog) -> Optional[List[Dict[Text, Any]]]:
    """A new number right after an add was refused for its number: "actually 2 not 3", "ok 3 then",
    "ok just 4 then", "fine, 2", whatever intent it was read as (an add, a yes, a bare number). Adds
    that many of the refused product; None when the message is something else (no number, another
    product named, a removal) or the product is in the cart by now."""
    sku = _refused_last_turn(tracker)
    if not sku or any(i["sku"] == sku for i in normalize_cart(tracker.get_slot("cart"))):
        return None
    product = catalog.get(sku)
    if product is None:
        return None
    named = [catalog.get(v) or catalog.find(v) for v in entity_values(tracker, "product")]
    if any(p is None or p.sku != sku for p in named):
        return None
    text = masked_text(tracker, [product.name, product.sku])
    change = parse_cart_change(text, ADD)
    product = live(resources.get().engine, product)
    if change.op == REMOVE or (change.qty_text is None and not _ALL_THERE_IS.search(text)):
        return None
    # "alright fine, I'll settle for however many are left": the stock
    qty = parse_quantity(change.qty if change.qty is not None else change.qty_text if change.qty_text is not None
                         else product.stock, limit=MAX_QTY_PER_LINE)
    if not qty.ok:
        dispatcher.utter_message(text=qty.problem)
        return [SlotSet(REFUSED_SLOT, sku)]  # still the product a number is for
    cart, added, refused = put_in_cart(dispatcher, catalog, tracker.get_slot("cart"), [product], {sku: qty.value})
    if not added:
        dispatcher.utter_message(text=str(refused[0][1]))
        return [SlotSet(REFUSED_SLOT, sku)]
    return [SlotSet("cart", cart), SlotSet("last_product", sku), *idle_clock(tracker, cart)]
