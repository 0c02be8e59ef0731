"""Cart: add (with a cross-sell offer), remove, view, coupons."""
from __future__ import annotations

import re

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.demo_booking import answer_demo_followup
from actions.cart_idle import idle_clock
from actions.catalog import MAX_CARDS, answered_stock, choice_buttons, colour_answer, referred_products, shown_events, shown_products
from actions.common import answer_in_passing, entity_values, first_entity, latest_text, masked_text, positioned
from actions.swap import swap_line
from actions.cart_add import put_in_cart
from actions.cart_lines import REFUSED_SLOT, change_line, retry_refused
from actions.cart_mixed import add_listed, it_and_kind, it_and_named, items_named, remove_and_add
from actions.coupons import apply_carried_coupon, carried_coupon
from actions.history import more_of_last_added, shown_skus
from actions.mentions import typed_kind
from actions.quotes import item_quantities, utter_cart
from actions.forecast import offer_purchase_help
from actions.graph import substitutes_in_stock
from lift.commerce.cards import cards_message
from lift.commerce.cart import MAX_QTY_PER_LINE, CartError, add_item, normalize_cart, quantity_of, subtotal
from lift.commerce.matching import numbered_parts
from lift.commerce.pricing import asks_about_volume_price, describe_volume_discounts
from lift.commerce.products import colour_not_offered
from lift.commerce.stock import live, live_all
from lift.graph import rank
from lift.understanding.numbers import Quantity, is_vague, parse_quantity, sold_in_pairs
from lift.understanding.clauses import command_then_question
from lift.understanding.references import (ADD, REMOVE, SET, CartChange, Resolution, empties_cart, parse_cart_change,
                                           says_removal, which_shown)


def requested_change(tracker: Tracker, products, default_op: Text) -> Tuple[CartChange, Optional[Quantity]]:
    """The cart change asked for and its checked quantity (None: 'all of it' for a removal, or
    no number given for an addition). A quantity entity wins over a number found in the text."""
    text = masked_text(tracker, [n for p in products for n in (p.name, p.sku, *numbered_parts(p.name))])
    change = parse_cart_change(text, default_op)
    raw = first_entity(tracker, "quantity")
    if raw is not None and not _still_there(tracker, "quantity", text):
        raw = None  # "add the 16 pro": the 16 of the Nimbus 16 Pro, not 16 laptops
    if raw is None:
        raw = change.qty if change.qty is not None else change.qty_text
    if raw is None:
        if is_vague(text):
            return change, parse_quantity(text)
        return change, None
    return change, parse_quantity(raw, limit=MAX_QTY_PER_LINE if change.op != REMOVE else None)


def _still_there(tracker: Tracker, entity: Text, masked: Text) -> bool:
    """Whether the first ``entity``'s span survived masking (has characters left in ``masked``)."""
    spans = positioned(tracker, entity)
    return not spans or bool(masked[spans[0]["start"]:spans[0]["end"]].strip())


def ask_which(dispatcher: CollectingDispatcher, resolution, catalog, intent: Text, qty: Optional[Quantity] = None) -> List[Dict[Text, Any]]:
    buttons = choice_buttons(resolution, catalog, intent, qty.value if qty is not None and qty.ok else None)
    dispatcher.utter_message(text=resolution.question, buttons=buttons)
    return []


def cross_sell_choice(res, tracker: Tracker) -> Optional[Text]:
    """The cross-sell strategy for this conversation (lift.graph.rank), or None for no offer:
    flag ``cross_sell_offer`` (kill switch) off, or surface ``cross_sell`` variant ``off``. A
    variant named after a strategy (``catalog``, ``graph``) selects it; others get the default."""
    experiments = res.experiments
    if not experiments.flag_on("cross_sell_offer", tracker.sender_id, tracker.get_latest_input_channel()):
        return None
    variant = experiments.surface_variant(tracker.sender_id, "cross_sell")
    return None if variant == "off" else rank.cross_sell_strategy(variant)


def _kind_named(tracker: Tracker, catalog) -> List[Any]:
    """The products of the product type the message names inside a department ("cables",
    "laptops"); empty when it names none, or only a whole department ("accessories")."""
    category = catalog.category_of(first_entity(tracker, "category"))
    if category is None:
        return []
    _, kind, narrowed = typed_kind(tracker, catalog, category)
    return kind if narrowed else []


def _over_the_limit(dispatcher: CollectingDispatcher, product, wanted: int) -> List[Dict[Text, Any]]:
    """More of one product than a cart line takes: the limit, and either the most the cart takes or
    the business sales team, who quote larger volumes (kb/policies/wholesale.md)."""
    dispatcher.utter_message(
        text=f"The cart takes at most {MAX_QTY_PER_LINE} of one product, so I can't add {wanted} × {product.name} here. "
             f"For larger volumes our business sales team sends a quote (volume discounts: 5% from 10, 10% from 50).",
        buttons=[{"title": f"Add {MAX_QTY_PER_LINE}", "payload": f'/add_to_cart{{"product":"{product.sku}","quantity":"{MAX_QTY_PER_LINE}"}}'},
                 {"title": "Get a quote from sales", "payload": "/request_demo"}])
    return []


def add_more(dispatcher: CollectingDispatcher, tracker: Tracker, catalog, product, qty: Optional[Quantity]) -> List[Dict[Text, Any]]:
    """More of a line already in the cart: no new cross-sell offer, and an open one is withdrawn
    (a "yes" now would not be an answer to it)."""
    if qty is not None and not qty.ok:
        dispatcher.utter_message(text=qty.problem)
        return []
    n = qty.value if qty else 1
    try:
        cart = add_item(tracker.get_slot("cart"), product, n)
    except CartError as err:
        dispatcher.utter_message(text=str(err))
        return []
    count = sum(i["qty"] for i in cart)
    dispatcher.utter_message(
        text=f"Added {'another' if n == 1 else f'{n} more'} {product.name}: you now have {quantity_of(cart, product.sku)} "
             f"({count} item{'s' if count != 1 else ''} in your cart, {catalog.format_price(subtotal(cart))}). "
             "Anything else, or shall we check out?",
        buttons=[{"title": "Check out", "payload": "/checkout"}, {"title": "View cart", "payload": "/view_cart"}])
    return [SlotSet("cart", cart), SlotSet("last_product", product.sku), SlotSet("last_shown", [product.sku]),
            SlotSet("upsell_sku", None), *idle_clock(tracker, cart)]


class ActionAddToCart(Action):
    def name(self) -> Text:
        return "action_add_to_cart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        retried = retry_refused(dispatcher, tracker, resources.get().catalog)  # "only 3 left" -> "ok 3 then"
        if retried is not None:
            return retried
        res = resources.get()
        both = remove_and_add(dispatcher, tracker, res, normalize_cart(tracker.get_slot("cart")))
        if both is not None:  # "drop the toaster and add 2 kettles" read as an add: the removal too
            return both
        swapped = swap_line(dispatcher, tracker)  # "add the kettle instead of the toaster"
        if swapped is not None:
            return swapped
        catalog = res.catalog
        again = more_of_last_added(tracker, catalog)  # "another one", "add 2 more"
        products, resolution = ([again], Resolution()) if again else referred_products(tracker, catalog)
        products = live_all(res.engine, products)  # stock as the database has it now
        change, qty = requested_change(tracker, products, ADD)
        if change.op == SET and not normalize_cart(tracker.get_slot("cart")):
            change = CartChange(ADD, change.qty, change.qty_text)  # "make it 2 of the first" with nothing in the cart yet
        if change.op != ADD:  # "make it 3", "remove one" classified as add_to_cart
            return change_line(dispatcher, tracker, catalog, change, qty)
        if again:
            return add_more(dispatcher, tracker, catalog, products[0], qty)
        if resolution.question:  # the pick keeps the quantity asked for ("add 2 of those")
            return ask_which(dispatcher, resolution, catalog, "add_to_cart", qty)
        listed = items_named(tracker, catalog) if not again else None  # "add the lamp and the Ergo Task Chair"
        if listed is not None:
            return add_listed(dispatcher, tracker, res, listed)
        if not products and not entity_values(tracker, "product"):
            kind = _kind_named(tracker, catalog)  # "i need 3 usb c cables": the one cable we sell
            on_screen = [p for p in kind if p.sku in shown_skus(tracker)]
            kind = on_screen if len(on_screen) == 1 else kind  # "sure, add the case" right after it was offered
            if len(kind) > 1:
                shown = live_all(res.engine, kind[:MAX_CARDS])
                dispatcher.utter_message(text="Which of these would you like?",
                                         json_message=cards_message(shown, catalog.currency))
                return shown_events(shown)
            # "add 2" / "add to cart" right after one product was shown means that product
            single = kind or [catalog.get(s) for s in shown_skus(tracker)]  # never an offer declined
            if not kind and len(single) > 1:  # "add 2" with two cards on screen: which one, keeping the 2
                return ask_which(dispatcher, which_shown(shown_products(tracker, catalog)), catalog, "add_to_cart", qty)
            products = live_all(res.engine, single) if len(single) == 1 and single[0] is not None else []
        if not products:
            named = entity_values(tracker, "product")
            what = f'"{named[0]}"' if named else "that product"
            dispatcher.utter_message(
                text=f"I couldn't find {what} in our catalog. Try a product name, or browse a category.",
                buttons=[{"title": c.name, "payload": f'/search_product{{"category":"{c.id}"}}'} for c in catalog.categories[:6]],
            )
            return []
        colour = colour_not_offered(products[0], latest_text(tracker)) if len(products) == 1 else None
        if colour:  # "can i get the aria headphones in red": a question about a colour we don't sell, not an order
            return colour_answer(dispatcher, catalog, products[0], colour)
        mixed = it_and_kind(tracker, catalog, products) if resolution.found and not again else None
        pointed = it_and_named(tracker, catalog, products) if mixed is None and not again else None
        which = pointed[2] if pointed is not None and pointed[2].question else None
        if pointed is not None:  # "grab me that one plus a couple usb-c cables": the card and the cables
            mixed = pointed[0], pointed[1]
        if mixed is not None:  # "ok add it and 2 of the usb c cables": the card's product and the cable
            products = live_all(res.engine, mixed[0])
        if qty is not None and qty.value == 2 and re.search(r"\ba\s+pair\b", latest_text(tracker), re.IGNORECASE) \
                and any(sold_in_pairs(p.name) for p in products):
            qty = parse_quantity(1)  # "add a pair of the true wireless ones": one pair of earbuds
        per_item = mixed[1] if mixed is not None else item_quantities(tracker, catalog, products, qty)
        over = next((sku for sku, q in per_item.items() if q is not None and (q.value or 0) > MAX_QTY_PER_LINE), None)
        if over is not None:  # "needs 50 Beacon Smart Plugs": the cart's limit, and the ways on (it was a dead end)
            return _over_the_limit(dispatcher, catalog.get(over), per_item[over].value)
        problem = next((q.problem for q in per_item.values() if q is not None and not q.ok), None)
        if problem:
            dispatcher.utter_message(text=problem)
            return []
        counts = {sku: (q.value if q else 1) for sku, q in per_item.items()}
        cart, added, refused = put_in_cart(dispatcher, catalog, tracker.get_slot("cart"), products, counts, tracker)
        offered: List = []  # alternatives to what was refused: "add the first one" means them next
        for product, err in refused:
            taken = {p.sku for p in added + offered}
            substitutes = [p for p in substitutes_in_stock(res, product.sku) if p.sku not in taken] if product.stock <= 0 else []
            if substitutes:
                dispatcher.utter_message(text=f"{err} You might like one of these instead:",
                                         json_message=cards_message(substitutes, catalog.currency))
                offered += substitutes
            else:
                dispatcher.utter_message(text=str(err))
        shown = [SlotSet("last_shown", [p.sku for p in offered])] if offered else []
        if not added:  # "only 2 left": a new number next ("actually 2 not 3") is for this product
            short = [p for p, _ in refused if p.stock > 0]
            return shown + ([SlotSet(REFUSED_SLOT, short[-1].sku)] if short else [])
        product = added[-1]
        events: List[Dict[Text, Any]] = [SlotSet("cart", cart), SlotSet("last_product", product.sku)]
        if refused:  # the shopper has the refusal to answer: no cross-sell offer on top of it
            return events + shown + idle_clock(tracker, cart)
        if carried_coupon(tracker):  # "add 3 pulse earbuds and use WELCOME10 pls": the code, no offer
            return events + apply_carried_coupon(dispatcher, tracker, cart, handed_over=True) + idle_clock(tracker, cart)
        asked = command_then_question(latest_text(tracker))  # "add the aria and whats ur return policy"
        if asked and asks_about_volume_price(asked[1]):  # "I need 12 kettles, does the 5% come off automatically?"
            dispatcher.utter_message(text=describe_volume_discounts())
            return events + idle_clock(tracker, cart)
        if asked:  # the question answered instead of a cross-sell offer on top of it
            dispatcher.utter_message(text=answer_in_passing(asked[1], None)
                                     or "I'm not sure about the rest; a person from our team can tell you.")
            return events + idle_clock(tracker, cart)
        if which is not None:  # "that one" fitted several cards: which, instead of an offer
            ask_which(dispatcher, which, catalog, "add_to_cart")
            return events + idle_clock(tracker, cart)
        if tracker.get_slot("upsell_sku") == product.sku and not tracker.get_slot("upsell_accepted"):
            events.append(SlotSet("upsell_accepted", True))
        # nor another of what the cart already had (the Aria Pro after the Aria, then its case)
        in_cart = {i["sku"] for i in cart} | {s for i in cart if i["sku"] != product.sku
                                              for s in getattr(catalog.get(i["sku"]), "substitutes", ())}
        # at checkout the order summary follows: a "yes" to an offer would read as placing the order
        strategy = cross_sell_choice(res, tracker) if tracker.active_loop_name != "checkout_form" else None
        ranked = rank.cross_sell(res.graph, product.sku, exclude=in_cart, strategy=strategy, limit=1) if strategy else []
        offer = catalog.get(ranked[0].sku) if ranked else None
        if offer is not None:
            dispatcher.utter_message(
                text=f"Customers who buy the {product.name} often add the {offer.name} "
                     f"({catalog.format_price(offer.price)}). Want me to add it?",
                buttons=[{"title": f"Yes, add {offer.name}", "payload": f'/add_to_cart{{"product":"{offer.sku}"}}'},
                         {"title": "No thanks", "payload": "/deny"},
                         {"title": "Check out", "payload": "/checkout"}],
            )
            # "add it" now means the offer; "make it 3" still means the line just added (last_product).
            events += [SlotSet("upsell_sku", offer.sku), SlotSet("last_shown", [offer.sku])]
        elif tracker.active_loop_name != "checkout_form":
            dispatcher.utter_message(text="Anything else, or shall we check out?",
                                     buttons=[{"title": "Check out", "payload": "/checkout"},
                                              {"title": "View cart", "payload": "/view_cart"}])
        return events + idle_clock(tracker, cart)


class ActionAcceptUpsell(Action):
    """'yes' right after a cross-sell offer adds the offered product."""

    def name(self) -> Text:
        return "action_accept_upsell"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        catalog = res.catalog
        retried = retry_refused(dispatcher, tracker, catalog)  # "only 4 left" -> "ok just 4 then" (read as a yes)
        if retried is not None:
            return retried
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
            text=f"Added the {product.name}. Your cart is now {catalog.format_price(subtotal(cart))}. Ready to check out?",
            buttons=[{"title": "Check out", "payload": "/checkout"}, {"title": "View cart", "payload": "/view_cart"}])
        return [SlotSet("cart", cart), SlotSet("upsell_accepted", True), SlotSet("last_product", product.sku),
                *idle_clock(tracker, cart)]


def empty_cart(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    dispatcher.utter_message(text="Done: your cart is empty now.")
    return [SlotSet("cart", [])] + idle_clock(tracker, [])


# "i need 12 of ...", "we'd like 3 ...": a shopper asking for products (never after a "don't")
_WANTS_SOME = re.compile(r"(?<!n't\s)(?<!not\s)(?<!dont\s)\b(?:i|we)\s*(?:'d|would|will|'ll)?\s*(?:need|want|like|take|have|buy|order)\b",
                         re.IGNORECASE)


class ActionRemoveFromCart(Action):
    def name(self) -> Text:
        return "action_remove_from_cart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        catalog = resources.get().catalog
        if answered_stock(dispatcher, tracker, catalog):  # "how many of the drone have you got left?"
            return []
        both = remove_and_add(dispatcher, tracker, resources.get(), normalize_cart(tracker.get_slot("cart")))
        if both is not None:  # "remove the mesh one if its there, and add a desk lamp too"
            return both
        if not normalize_cart(tracker.get_slot("cart")):
            if _WANTS_SOME.search(latest_text(tracker)) and parse_cart_change(latest_text(tracker)).op != REMOVE \
                    and referred_products(tracker, catalog)[0]:
                # "I need 12 of the swift kettles for our cafe, does the 5% come off?": nothing to remove, an add
                return [FollowupAction("action_add_to_cart")]
            dispatcher.utter_message(text="Your cart is already empty.")
            return []
        swapped = swap_line(dispatcher, tracker)  # "remove the toaster, add the swift kettle instead"
        if swapped is not None:
            return swapped
        if empties_cart(latest_text(tracker)):  # "empty my cart pls", "clear everything"
            return empty_cart(dispatcher, tracker)
        products, _ = referred_products(tracker, catalog)
        change, qty = requested_change(tracker, products, REMOVE)
        if change.op == ADD:
            change = CartChange(REMOVE, change.qty, change.qty_text)
        if change.op == REMOVE and not says_removal(latest_text(tracker)):
            # "nah mate bump the speakers up to 2", "could I have two of the headphones instead of one" (read as a
            # removal: the line was removed): no word for taking out, so a number is the line's new quantity
            if qty is None or not qty.ok:
                return [FollowupAction("action_offer_options")]  # nothing to go on: the plain-words options
            change = CartChange(SET, qty.value, change.qty_text)
        return change_line(dispatcher, tracker, catalog, change, qty)


class ActionViewCart(Action):
    def name(self) -> Text:
        return "action_view_cart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        cart = normalize_cart(tracker.get_slot("cart"))
        followed = None if cart else answer_demo_followup(dispatcher, tracker)  # "did it go thru?" after booking a demo
        if followed is not None:
            return followed
        if not cart:
            dispatcher.utter_message(text="Your cart is empty. What are you looking for?",
                                     buttons=[{"title": "Browse products", "payload": "/search_product"}])
            return []
        utter_cart(dispatcher, tracker, cart, res.catalog, res.engine)
        # experiments cart_idle_coupon (idle clock) and purchase_assist (help offer)
        return idle_clock(tracker, cart) + offer_purchase_help(dispatcher, tracker, res)
