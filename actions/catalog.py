"""Product discovery: search results as cards, and prices."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import cards_message, entity_values, fmt_money, latest_text
from lift.commerce.stock import live_all
from lift.commerce.validation import NUMBER_WORDS

MAX_CARDS = 4


def _mentioned(tracker: Tracker, catalog):
    """(products named, category named) in the latest message; the free text is the fallback."""
    products = []
    for value in entity_values(tracker, "product"):
        p = catalog.find(value)
        if p is not None and p not in products:
            products.append(p)
    category = None
    for value in entity_values(tracker, "category"):
        category = catalog.category_of(value)
        if category is not None:
            break
    if not products and category is None:
        text = latest_text(tracker)
        if text and not text.startswith("/"):
            p = catalog.find(text)
            if p is not None:
                products.append(p)
            else:
                category = catalog.category_of(text)
    return products, category


class ActionShowProducts(Action):
    def name(self) -> Text:
        return "action_show_products"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        catalog = res.catalog
        products, category = _mentioned(tracker, catalog)
        if products:
            shown = products[:MAX_CARDS]
            intro = "Here it is:" if len(shown) == 1 else "Here's what I found:"
        else:
            text = latest_text(tracker)
            query = None if text.startswith("/") else text
            shown = catalog.search(query=query if category is None else None,
                                   category=category.id if category else None, limit=MAX_CARDS)
            if not shown and category is None:
                names = ", ".join(c.name for c in catalog.categories)
                dispatcher.utter_message(
                    text=f"I couldn't find a product matching that. We carry: {names}. What are you looking for?",
                    buttons=[{"title": c.name, "payload": f'/search_product{{"category":"{c.id}"}}'}
                             for c in catalog.categories[:6]],
                )
                return []
            if query is None and category is None:
                dispatcher.utter_message(
                    text="What are you looking for? Here are our departments:",
                    buttons=[{"title": c.name, "payload": f'/search_product{{"category":"{c.id}"}}'}
                             for c in catalog.categories],
                )
                return []
            intro = f"Here are some {category.name.lower()} picks:" if category else "Here's what I found:"
        dispatcher.utter_message(text=intro, json_message=cards_message(shown, catalog.currency))
        return [SlotSet("last_product", shown[0].sku)]


class ActionShowPrice(Action):
    def name(self) -> Text:
        return "action_show_price"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        catalog = resources.get().catalog
        products, category = _mentioned(tracker, catalog)
        if not products and category is None and tracker.get_slot("last_product"):
            last = catalog.get(tracker.get_slot("last_product"))
            products = [last] if last else []
        if not products:
            if category is not None:
                items = sorted(catalog.search(category=category.id, limit=50), key=lambda p: p.price)
                if items:
                    dispatcher.utter_message(
                        text=f"Our {category.name.lower()} range goes from {fmt_money(items[0].price, catalog.currency)} "
                             f"to {fmt_money(items[-1].price, catalog.currency)}. Here are a few:",
                        json_message=cards_message(items[:MAX_CARDS], catalog.currency))
                    return [SlotSet("last_product", items[0].sku)]
            dispatcher.utter_message(text="Which product would you like the price of?")
            return []
        lines = []
        products = live_all(resources.get().engine, products)
        for p in products[:MAX_CARDS]:
            stock = "in stock" if p.stock > 3 else (f"only {p.stock} left" if p.stock > 0 else "out of stock")
            lines.append(f"{p.name} costs {fmt_money(p.price, catalog.currency)} ({stock}).")
        dispatcher.utter_message(text=" ".join(lines), json_message=cards_message(products[:MAX_CARDS], catalog.currency))
        return [SlotSet("last_product", products[0].sku)]


# Words of a request that refers back to the product just shown ("add it to my cart").
_REFERRING_WORDS = set("""add to my the cart basket bag please put in it this that one them i want wanna buy get
a an of too also as well me pls plz remove delete take out from and x""".split())


def resolve_product(tracker: Tracker, catalog) -> Optional[Any]:
    """The product the shopper means, or None. Falls back to the last product shown only
    when the message names nothing else, so an unknown product is never swapped silently."""
    products, _ = _mentioned(tracker, catalog)
    if products:
        return products[0]
    if entity_values(tracker, "product"):
        return None
    text = latest_text(tracker).lower()
    words = re.findall(r"[a-z]+", text) if not text.startswith("/") else []
    if all(w in _REFERRING_WORDS or w in NUMBER_WORDS for w in words) and tracker.get_slot("last_product"):
        return catalog.get(tracker.get_slot("last_product"))
    return None
