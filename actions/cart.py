"""Cart: add (with a cross-sell offer), remove, view, coupons."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.catalog import resolve_product
from actions.common import cards_message, entity_values, first_entity, fmt_money, latest_text, stray_quantity
from lift.commerce.cart import CartError, add_item, check_coupon, normalize_cart, remove_item, subtotal
from lift.commerce.money import money
from lift.commerce.pricing import best_discount, volume_discount
from lift.commerce.stock import in_stock_substitutes, live
from lift.commerce.validation import normalize_coupon, parse_int


def requested_quantity(tracker: Tracker, product) -> Optional[int]:
    """The quantity asked for; 1 when none is given. Returns the raw number (possibly 0 or
    negative) so the cart can refuse it with a reason."""
    raw = first_entity(tracker, "quantity")
    if raw is not None:
        return parse_int(raw)
    skip = entity_values(tracker, "product") + [product.sku, product.name]
    found = stray_quantity(latest_text(tracker), skip)
    return 1 if found is None else found


def describe_cart(cart: List[Dict[str, Any]], catalog, coupon_code: Optional[str], engine) -> Text:
    lines = []
    for item in cart:
        product = catalog.get(item["sku"])
        name = product.name if product else item["sku"]
        lines.append(f"• {item['qty']} × {name} — {fmt_money(money(item['unit_price']) * item['qty'], catalog.currency)}")
    total = subtotal(cart)
    text = "Your cart:\n" + "\n".join(lines) + f"\nSubtotal: {fmt_money(total, catalog.currency)}"
    check = check_coupon(engine, coupon_code, cart) if coupon_code else None
    if check is not None and not check.ok:
        text += f"\n(Coupon {coupon_code} no longer applies: {check.message})"
    kind, saving = best_discount(volume_discount(cart), check.discount if check is not None and check.ok else Decimal(0))
    if kind == "coupon":
        text += f"\nCoupon {check.code}: −{fmt_money(saving, catalog.currency)}"
    elif kind == "volume":
        text += f"\nVolume discount (10+ of one product): −{fmt_money(saving, catalog.currency)}"
    if saving:
        text += f"\nTotal before shipping: {fmt_money(total - saving, catalog.currency)}"
    return text


class ActionAddToCart(Action):
    def name(self) -> Text:
        return "action_add_to_cart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        catalog = res.catalog
        product = live(res.engine, resolve_product(tracker, catalog))  # stock as the database has it now
        if product is None:
            named = entity_values(tracker, "product")
            what = f'"{named[0]}"' if named else "that product"
            dispatcher.utter_message(
                text=f"I couldn't find {what} in our catalog. Try a product name, or browse a category.",
                buttons=[{"title": c.name, "payload": f'/search_product{{"category":"{c.id}"}}'} for c in catalog.categories[:6]],
            )
            return []
        qty = requested_quantity(tracker, product)
        if qty is None:
            dispatcher.utter_message(text="Sorry, I didn't catch the quantity. How many would you like, e.g. 2?")
            return []
        try:
            cart = add_item(tracker.get_slot("cart"), product, qty)
        except CartError as err:
            substitutes = in_stock_substitutes(res.engine, catalog, product.sku) if product.stock <= 0 else []
            if substitutes:
                dispatcher.utter_message(text=f"{err} You might like one of these instead:",
                                         json_message=cards_message(substitutes, catalog.currency))
            else:
                dispatcher.utter_message(text=str(err))
            return []
        events: List[Dict[Text, Any]] = [SlotSet("cart", cart), SlotSet("last_product", product.sku)]
        count = sum(i["qty"] for i in cart)
        dispatcher.utter_message(
            text=f"Added {qty} × {product.name} to your cart. You now have {count} item{'s' if count != 1 else ''} "
                 f"({fmt_money(subtotal(cart), catalog.currency)}).")
        if tracker.get_slot("upsell_sku") == product.sku and not tracker.get_slot("upsell_accepted"):
            events.append(SlotSet("upsell_accepted", True))
        in_cart = {i["sku"] for i in cart}
        offer = catalog.complement_for(product.sku, exclude=in_cart)
        if offer is not None:
            dispatcher.utter_message(
                text=f"Customers who buy the {product.name} often add the {offer.name} "
                     f"({fmt_money(offer.price, catalog.currency)}). Want me to add it?",
                buttons=[{"title": f"Yes, add {offer.name}", "payload": f'/add_to_cart{{"product":"{offer.sku}"}}'},
                         {"title": "No thanks", "payload": "/deny"},
                         {"title": "Check out", "payload": "/checkout"}],
            )
            events.append(SlotSet("upsell_sku", offer.sku))
        else:
            dispatcher.utter_message(text="Anything else, or shall we check out?",
                                     buttons=[{"title": "Check out", "payload": "/checkout"},
                                              {"title": "View cart", "payload": "/view_cart"}])
        return events


class ActionAcceptUpsell(Action):
    """'yes' right after a cross-sell offer adds the offered product."""

    def name(self) -> Text:
        return "action_accept_upsell"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        catalog = res.catalog
        sku = tracker.get_slot("upsell_sku")
        product = live(res.engine, catalog.get(sku)) if sku else None
        if product is None or any(i["sku"] == sku for i in normalize_cart(tracker.get_slot("cart"))):
            dispatcher.utter_message(text="Great! Anything else, or shall we check out?",
                                     buttons=[{"title": "Check out", "payload": "/checkout"}])
            return []
        try:
            cart = add_item(tracker.get_slot("cart"), product, 1)
        except CartError as err:
            dispatcher.utter_message(text=str(err))
            return []
        dispatcher.utter_message(
            text=f"Added the {product.name}. Your cart is now {fmt_money(subtotal(cart), catalog.currency)}. Ready to check out?",
            buttons=[{"title": "Check out", "payload": "/checkout"}, {"title": "View cart", "payload": "/view_cart"}])
        return [SlotSet("cart", cart), SlotSet("upsell_accepted", True), SlotSet("last_product", product.sku)]


class ActionRemoveFromCart(Action):
    def name(self) -> Text:
        return "action_remove_from_cart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        catalog = resources.get().catalog
        cart = normalize_cart(tracker.get_slot("cart"))
        if not cart:
            dispatcher.utter_message(text="Your cart is already empty.")
            return []
        product = resolve_product(tracker, catalog)
        if product is None and len(cart) == 1 and not entity_values(tracker, "product"):
            product = catalog.get(cart[0]["sku"])
        if product is None:
            dispatcher.utter_message(
                text="Which item should I remove?",
                buttons=[{"title": (catalog.get(i["sku"]).name if catalog.get(i["sku"]) else i["sku"]),
                          "payload": f'/remove_from_cart{{"product":"{i["sku"]}"}}'} for i in cart])
            return []
        raw_qty = first_entity(tracker, "quantity")
        qty = parse_int(raw_qty) if raw_qty is not None else None
        if raw_qty is not None and qty is None:
            dispatcher.utter_message(text="Sorry, how many should I remove?")
            return []
        try:
            cart = remove_item(cart, product.sku, qty)
        except CartError as err:
            dispatcher.utter_message(text=str(err))
            return []
        if cart:
            dispatcher.utter_message(text=f"Removed {product.name}. Your cart is now {fmt_money(subtotal(cart), catalog.currency)}.")
        else:
            dispatcher.utter_message(text=f"Removed {product.name}. Your cart is now empty.")
        return [SlotSet("cart", cart)]


class ActionViewCart(Action):
    def name(self) -> Text:
        return "action_view_cart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        cart = normalize_cart(tracker.get_slot("cart"))
        if not cart:
            dispatcher.utter_message(text="Your cart is empty. What are you looking for?",
                                     buttons=[{"title": "Browse products", "payload": "/search_product"}])
            return []
        dispatcher.utter_message(text=describe_cart(cart, res.catalog, tracker.get_slot("coupon_code"), res.engine),
                                 buttons=[{"title": "Check out", "payload": "/checkout"}])
        return []


class ActionApplyCoupon(Action):
    def name(self) -> Text:
        return "action_apply_coupon"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        code = normalize_coupon(first_entity(tracker, "coupon_code"))
        if code is None:
            dispatcher.utter_message(text="Which coupon code would you like to use? (e.g. WELCOME10)")
            return []
        check = check_coupon(res.engine, code, tracker.get_slot("cart"))
        dispatcher.utter_message(text=check.message)
        return [SlotSet("coupon_code", check.code)] if check.ok else []
