"""Putting products in the cart and saying so (:func:`put_in_cart`, used by every add), and a typed
answer to "Which one do you mean?" after an add: "the pulse ones", "Clarity 27-inch 4K Monitor" pick
one of the buttons offered, and that product is added with the quantity asked for before ("actualy
make it 2, one for my bro" -> which? -> "the pulse ones": 2 of them). It showed the product's card and
the quantity was lost, so the cart stayed empty. Imports no other cart or catalog action module, so
the catalog's search can use it."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.budget import over_budget_note
from actions.cart_idle import idle_clock
from actions.common import latest_text
from lift.commerce.cart import CartError, add_item, subtotal
from lift.commerce.matching import content_tokens
from lift.understanding.references import Shown, resolve_reference

_ADD = "/add_to_cart"


def put_in_cart(dispatcher: CollectingDispatcher, catalog, cart: Any, products: List[Any], counts: Dict[Text, int],
                tracker: Optional[Tracker] = None):
    """Add each product with its count and say what was added: (cart, added, [(product, CartError)]).
    One product that can't be added never drops the others. With the ``tracker``, a product over the
    budget the shopper gave earlier is pointed out."""
    added, refused = [], []
    for product in products:
        try:
            cart = add_item(cart, product, counts[product.sku])
            added.append(product)
        except CartError as err:
            refused.append((product, err))
    if added:
        count = sum(i["qty"] for i in cart)
        dispatcher.utter_message(
            text=f"Added {' and '.join(f'{counts[p.sku]} × {p.name}' for p in added)} to your cart. You now have {count} item{'s' if count != 1 else ''} "
                 f"({catalog.format_price(subtotal(cart))})."
                 + (over_budget_note(tracker, max(added, key=lambda p: p.price), catalog) if tracker is not None else ""))
    return cart, added, refused


def offered_adds(tracker: Tracker) -> List[Tuple[Text, int]]:
    """(sku, quantity) of each add button of the bot's last message before this one, or []."""
    events = list(tracker.events or [])
    latest = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for event in reversed(events[:latest]):  # (after the latest message come featurization and this turn's actions)
        if event.get("event") == "user":
            return []
        if event.get("event") == "bot":
            offers = []
            for button in (event.get("data") or {}).get("buttons") or []:
                payload = str(button.get("payload") or "")
                if not payload.startswith(_ADD + "{"):
                    continue
                try:
                    slots = json.loads(payload[len(_ADD):])
                    offers.append((str(slots["product"]), max(1, int(slots.get("quantity") or 1))))
                except (ValueError, KeyError, TypeError):
                    continue
            return offers if len(offers) > 1 else []  # one button is an offer ("Yes, add ..."), not a choice
    return []


def _picked(text: Text, offers: List[Tuple[Text, int]], catalog) -> Optional[Tuple[Any, int]]:
    products = [(catalog.get(sku), qty) for sku, qty in offers]
    products = [(p, q) for p, q in products if p is not None]
    words = set(content_tokens(text))
    # the words typed that set one offered product apart from the others ("the pulse ones", "27 inch")
    distinct = [(p, q) for p, q in products
                if words & set(content_tokens(p.name)) - set.intersection(*(set(content_tokens(o.name)) for o, _ in products))]
    if len(distinct) == 1:
        return distinct[0]
    resolution = resolve_reference(text, Shown.all_of([p for p, _ in products]))
    if len(resolution.skus) == 1 and resolution.found:
        return next(((p, q) for p, q in products if p.sku == resolution.skus[0]), None)
    return None


def add_the_one_picked(dispatcher: CollectingDispatcher, tracker: Tracker, catalog) -> Optional[List[Dict[Text, Any]]]:
    """The add for a typed pick among the add buttons just offered; None when the message picks none."""
    offers = offered_adds(tracker)
    picked = _picked(latest_text(tracker), offers, catalog) if offers else None
    if picked is None:
        return None
    product, qty = picked
    cart, added, refused = put_in_cart(dispatcher, catalog, tracker.get_slot("cart"), [product], {product.sku: qty}, tracker)
    for _, err in refused:
        dispatcher.utter_message(text=str(err))
    if not added:
        return [SlotSet("last_shown", [product.sku]), SlotSet("last_product", product.sku)]
    return [SlotSet("cart", cart), SlotSet("last_product", product.sku), SlotSet("last_shown", [product.sku])] + \
        idle_clock(tracker, cart)
