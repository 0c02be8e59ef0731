"""Prices: what a product, several products, a product type or a department cost; the cheapest of
the cards on screen; a price asked for something we don't sell."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.catalog import (MAX_CARDS, ActionShowProducts, choice_buttons, compare_if_asked, live_cards,
                             referred_products, shown_events, shown_products)
from actions.common import latest_text
from actions.cart_mixed import items_named
from actions.mentions import mentioned, typed_kind
from actions.quotes import answer_cart_total, names_something, total_for, total_for_several
from lift.commerce.pricing import describe_volume_discounts, names_volume_terms
from lift.commerce.cards import cards_message
from lift.commerce.compare import price_extreme
from lift.commerce.orders import about_shipping, shipping_answer
from lift.commerce.products import stock_label
from lift.commerce.stock import live_all
from lift.commerce.words import plural, singular
from lift.understanding.prices import price_cap


def _not_in_catalog(dispatcher: CollectingDispatcher, text: Text, catalog) -> List[Dict[Text, Any]]:
    """A price asked for something we don't sell: said so, with the closest products and their
    prices, never the price of whatever was shown last."""
    closest = catalog.search(text, limit=MAX_CARDS)
    if not closest:
        names = ", ".join(c.name for c in catalog.categories)
        dispatcher.utter_message(text=f"I couldn't find that in our catalog. We carry: {names}.")
        return []
    prices = "; ".join(f"{p.name} {catalog.format_price(p.price)}" for p in closest)
    dispatcher.utter_message(text=f"I couldn't find that in our catalog. The closest I have: {prices}.",
                             json_message=live_cards(closest, catalog))
    return shown_events(closest)


_DELIVERY_WORDS = re.compile(r"\b(?:ship\w*|deliver\w*|postage|option|options|send\w*|get\s+it\s+here)\b", re.IGNORECASE)
# "whats the cheapest thing u sell", "most expensive item you have": the whole catalog's end
_ANYTHING = re.compile(r"\b(?:thing|item|product|stuff|anything|something)s?\b|\b(?:you|u|ya)\s+(?:sell|have|got|carry|stock)\b",
                       re.IGNORECASE)


_THEY = re.compile(r"\b(?:they|they'?re|theyre|each)\b", re.IGNORECASE)
_OF_THESE = re.compile(r"\b(?:them|these|those|they|'?em)\b", re.IGNORECASE)


def _catalog_end(dispatcher: CollectingDispatcher, catalog, end: Text) -> List[Dict[Text, Any]]:
    """The cheapest (or dearest) product we sell, one in stock when any is."""
    pool = live_all(resources.get().engine, list(catalog.products))
    pool = [p for p in pool if p.in_stock] or pool
    top = max(pool, key=lambda p: p.price) if end == "dearest" else min(pool, key=lambda p: p.price)
    which = "most expensive" if end == "dearest" else "cheapest"
    dispatcher.utter_message(text=f"The {which} thing we sell is the {top.name} at {catalog.format_price(top.price)} "
                                  f"({stock_label(top.stock).lower()}).", json_message=live_cards([top], catalog))
    return shown_events([top])


class ActionShowPrice(Action):
    def name(self) -> Text:
        return "action_show_price"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        compared = compare_if_asked(dispatcher, tracker)
        if compared is not None:
            return compared
        catalog = resources.get().catalog
        if names_volume_terms(latest_text(tracker)) and not tracker.active_loop_name:
            # "What's the volume discount on that?": the tiers (it asked which product, then gave a unit price)
            dispatcher.utter_message(text=describe_volume_discounts())
            return []
        products, category = mentioned(tracker, catalog)
        listed = items_named(tracker, catalog) if not products and category is not None else None
        if listed is not None and len(listed[0]) >= 2:  # "mech keyboard + mouse combo how much total": each, and the sum
            products = listed[0]
        checking_out = tracker.active_loop_name == "checkout_form"
        if not products and category is None and answer_cart_total(dispatcher, tracker, catalog, resources.get().engine):
            return []  # "how much is that all together", "whats the total with shipping": the cart (and its delivery)
        end = price_extreme(latest_text(tracker))
        shown = shown_products(tracker, catalog) if end and not products and category is None else []
        if len(shown) == 1 and (_ANYTHING.search(latest_text(tracker)) or not _OF_THESE.search(latest_text(tracker))):
            # "whats the cheapest thing u sell", "whats the cheapest coffee thing" with the lamp's card on
            # screen: not that card ("the cheapest of them" is)
            shown = []
        if shown and not _DELIVERY_WORDS.search(latest_text(tracker)):
            # "cheapest" with the earbuds' cards on screen: the cheapest of those, not the cheapest delivery
            pool = live_all(resources.get().engine, [p for p in (catalog.get(s.sku) for s in shown) if p is not None])
            pool = [p for p in pool if p.in_stock] or pool  # one that can be bought, when any can
            top = max(pool, key=lambda p: p.price) if end == "dearest" else min(pool, key=lambda p: p.price)
            which = "most expensive" if end == "dearest" else "cheapest"
            # one card on screen: "how much is the cheapest of them" is its price (it listed delivery prices)
            lead = f"The {which} of these is the" if len(shown) > 1 else "That's the"
            dispatcher.utter_message(text=f"{lead} {top.name} at {catalog.format_price(top.price)} "
                                          f"({stock_label(top.stock).lower()}).", json_message=live_cards([top], catalog))
            return shown_events([top])
        if end and not products and category is None and not shown and not checking_out \
                and _ANYTHING.search(latest_text(tracker)) and not _DELIVERY_WORDS.search(latest_text(tracker)):
            return _catalog_end(dispatcher, catalog, end)  # it listed the delivery options' prices
        if not products and category is None and not checking_out and price_cap(latest_text(tracker)) is not None:
            # "smth for my dorm under 50 bucks??": what the budget buys, not the closest names' prices
            return await ActionShowProducts().run(dispatcher, tracker, domain)
        if not products and category is None and (checking_out and tracker.get_slot("requested_slot") == "shipping_method"
                                                  or about_shipping(latest_text(tracker))):
            # "how much is each option?" while choosing the delivery, "how much is shipping" anywhere:
            # the delivery options' prices; "how much would next day cost?" at the order summary, then
            # "ok do that": a yes now switches to it
            reply, offered = shipping_answer(latest_text(tracker), tracker.get_slot("shipping_method"),
                                             checking_out and tracker.get_slot("requested_slot") == "checkout_confirmed",
                                             catalog.currency)
            dispatcher.utter_message(text=reply)
            return [SlotSet("offered_shipping_method", offered)] if offered else []
        if not products and category is None:
            products, resolution = referred_products(tracker, catalog)
            if resolution.question:
                dispatcher.utter_message(text=resolution.question, buttons=choice_buttons(resolution, catalog, "ask_price"))
                return []
            if not products and _THEY.search(latest_text(tracker)):  # "how much r they" after one speaker's card
                products = [p for p in (catalog.get(s.sku) for s in shown_products(tracker, catalog)) if p is not None]
            if not products and names_something(latest_text(tracker)):
                return _not_in_catalog(dispatcher, latest_text(tracker), catalog)  # "how much is the iphone 15"
            last = catalog.get(tracker.get_slot("last_product")) if not products else None
            products = products or ([last] if last else [])
        if not products:
            if category is not None:
                return self._range(dispatcher, tracker, catalog, category)
            dispatcher.utter_message(text="Which product would you like the price of?")
            return []
        lines = []
        products = live_all(resources.get().engine, products)
        for p in products[:MAX_CARDS]:
            lines.append(f"{p.name} costs {catalog.format_price(p.price)} ({stock_label(p.stock).lower()}).")
        lines.append(total_for(tracker, products[0], catalog) if len(products) == 1
                     else total_for_several(tracker, products[:MAX_CARDS], catalog))
        dispatcher.utter_message(text=" ".join(filter(None, lines)), json_message=live_cards(products[:MAX_CARDS], catalog))
        return shown_events(products[:MAX_CARDS])

    @staticmethod
    def _range(dispatcher: CollectingDispatcher, tracker: Tracker, catalog, category) -> List[Dict[Text, Any]]:
        """Prices of a product type or category: its range, or one end of it when asked ("what's
        the cheapest laptop" -> the Nimbus 14 and its card alone, so "add it" means it)."""
        typed, kind, narrowed = typed_kind(tracker, catalog, category)
        end = price_extreme(latest_text(tracker))
        if end and not narrowed:  # "cheapest camera u got": a camera, not the department's cheapest tripod
            named = catalog.of_kind(category.id, typed, by_name=True)
            kind, narrowed = (named, True) if len(named) < len(kind) else (kind, narrowed)
        items = sorted(live_all(resources.get().engine, kind), key=lambda p: p.price)
        if end and items:
            top = items[-1] if end == "dearest" else items[0]
            which = "cheapest" if end == "cheapest" else "most expensive"
            what = f"{which} of our {plural(typed)}" if narrowed else f"{which} item in {category.name}"
            dispatcher.utter_message(
                text=f"The {what} is the {top.name} at {catalog.format_price(top.price)} ({stock_label(top.stock).lower()}).",
                json_message=cards_message([top], catalog.currency))
            return shown_events([top])
        if len(items) == 1:  # "is it cheaper if i get 5 cables?": our one cable, not a "$15.00 to $15.00" range
            only = items[0]
            said = f"The {only.name} costs {catalog.format_price(only.price)} ({stock_label(only.stock).lower()})."
            dispatcher.utter_message(text=" ".join(t for t in (said, total_for(tracker, only, catalog)) if t),
                                     json_message=cards_message(items, catalog.currency))
            return shown_events(items)
        label = " ".join(singular(w) for w in typed.split()) if narrowed else category.name.lower()
        shown = items[:MAX_CARDS]
        dispatcher.utter_message(text=f"Our {label} range goes from {catalog.format_price(items[0].price)} to "
                                      f"{catalog.format_price(items[-1].price)}. Here are a few:",
                                 json_message=cards_message(shown, catalog.currency))
        return shown_events(shown)
