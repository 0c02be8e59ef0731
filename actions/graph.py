"""Related products from the product graph: "what goes with X", "something like X but cheaper",
and the substitutes offered when a product is out of stock (add to cart) or sells out during
checkout (:func:`substitutes_in_stock`)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.catalog import choice_buttons, compare_if_asked, referred_products, shown_events
from actions.common import entity_values, latest_text
from actions.swap import swap_line
from lift.commerce.cards import cards_message
from lift.commerce.stock import in_stock_substitutes
from lift.graph import rank

MAX_CARDS = 3


def substitutes_in_stock(res, sku: Text, limit: int = MAX_CARDS) -> List:
    """Alternatives to ``sku`` in the graph's ranking (attribute similarity, listed substitutes,
    co-views) that the database has in stock right now (the graph's stock is a snapshot)."""
    ranked = rank.substitutes(res.graph, sku, in_stock_only=False, limit=len(res.catalog.products))
    return in_stock_substitutes(res.engine, res.catalog, sku, limit=limit, ranked=[r.sku for r in ranked])


def _which_product(dispatcher: CollectingDispatcher, tracker: Tracker, catalog, intent: Text):
    """The product asked about: named, referred to ("the second one"), else the last one shown
    ("anything similar but cheaper?"); None after asking which one."""
    products, resolution = referred_products(tracker, catalog)
    if rank.constraint_in(latest_text(tracker)) and not entity_values(tracker, "product"):
        # "similar but cheaper": "cheaper" is the constraint, not "the cheaper one" of those shown.
        products, resolution = [], type(resolution)()
    if resolution.question:
        dispatcher.utter_message(text=resolution.question, buttons=choice_buttons(resolution, catalog, intent))
        return None
    product = products[0] if products else None
    if product is None and not entity_values(tracker, "product") and tracker.get_slot("last_product"):
        product = catalog.get(tracker.get_slot("last_product"))
    if product is None:
        named = entity_values(tracker, "product")
        what = f'"{named[0]}"' if named else "which product you mean"
        dispatcher.utter_message(text=f"I couldn't tell {what}. Which product should I look at? "
                                      "You can name it, e.g. the Crema Espresso Machine.")
    return product


class ActionShowComplements(Action):
    def name(self) -> Text:
        return "action_show_complements"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        compared = compare_if_asked(dispatcher, tracker)  # "nimbus 14 or nimbus 16, which should i get?"
        if compared is not None:
            return compared
        res = resources.get()
        product = _which_product(dispatcher, tracker, res.catalog, "ask_complements")
        if product is None:
            return []
        strategy = rank.cross_sell_strategy(tracker.get_slot("variant"))
        ranked = rank.cross_sell(res.graph, product.sku, strategy=strategy, limit=MAX_CARDS)
        picks = [res.catalog.get(r.sku) for r in ranked]
        if not picks:
            dispatcher.utter_message(text=f"I don't have anything in stock that goes with the {product.name} right now.")
            return [SlotSet("last_product", product.sku)]
        names = " and the ".join(p.name for p in picks[:2])
        dispatcher.utter_message(text=f"The {product.name} goes well with the {names}:",
                                 json_message=cards_message(picks, res.catalog.currency))
        return shown_events(picks)


class ActionShowAlternatives(Action):
    def name(self) -> Text:
        return "action_show_alternatives"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        compared = compare_if_asked(dispatcher, tracker)  # "compare the nimbus 14 and the nimbus 16"
        if compared is not None:
            return compared
        swapped = swap_line(dispatcher, tracker)  # "no wait, the cheaper aria instead"
        if swapped is not None:
            return swapped
        res = resources.get()
        product = _which_product(dispatcher, tracker, res.catalog, "ask_alternatives")
        if product is None:
            return []
        constraint = rank.constraint_in(latest_text(tracker))
        ranked = rank.substitutes(res.graph, product.sku, constraint, limit=MAX_CARDS)
        picks = [res.catalog.get(r.sku) for r in ranked]
        wanted = {"cheaper": "cheaper ", "pricier": "higher-end ", "smaller": "smaller ",
                  "wireless": "wireless "}.get(constraint or "", "")
        if not picks:
            dispatcher.utter_message(
                text=f"I don't have a {wanted}alternative to the {product.name} in stock at the moment.",
                buttons=[{"title": f"Show the {product.name}", "payload": f'/search_product{{"product":"{product.sku}"}}'}])
            return [SlotSet("last_product", product.sku)]
        lead = f"Sold out: the {product.name}. " if not product.in_stock else ""
        article = ("an" if (wanted or "alternative")[0] in "aeiou" else "a") if len(picks) == 1 else ""
        dispatcher.utter_message(text=f"{lead}Here {'is ' + article if article else 'are'} {wanted}alternative"
                                      f"{'' if len(picks) == 1 else 's'} to the {product.name}:",
                                 json_message=cards_message(picks, res.catalog.currency))
        return shown_events(picks)
