"""``action_pick_product``: a message outside any form, read as ``inform``, that is not an answer to
anything asked. It may point at the cards just shown, change the quantity of the line just added,
carry an order number, or name a thing to look for. The actions it stands in for run here, in the
same turn, because no rule follows ``action_pick_product`` with a second action."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.cart import ActionAddToCart, ActionRemoveFromCart
from actions.cart_lines import retry_refused
from actions.catalog import (MAX_CARDS, ActionShowProducts, without_spans, choice_buttons, live_cards, referred_products,
                             shown_events)
from actions.common import entity_values, first_entity, latest_text
from actions.history import one_more_after_add, shown_skus
from actions.cart_add import add_the_one_picked
from actions.quotes import names_something
from lift.commerce.products import colour_asked
from lift.understanding.prices import cap_spans, price_cap
from lift.understanding.people import parse_introduction
from lift.understanding.references import SET, asks_for_more, names_a_position, parse_cart_change, refers_back

_ABOUT_THE_SHOPPER = ("email", "phone", "person_name", "company")


class ActionPickProduct(Action):
    """A message outside any form that only points at what was just shown ("the cheaper one",
    "the second one", "that one", "the nimbus"): show the product(s) meant, so "add it" and the
    card's button act on them. An order number instead: that order. A bare name of a thing
    ("ps5", "kindle paperwhite"): a product search. Nothing to point at: Rasa's default fallback."""

    def name(self) -> Text:
        return "action_pick_product"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        catalog = resources.get().catalog
        retried = retry_refused(dispatcher, tracker, catalog)  # "only 2 left" -> "oops i meant 2", "fine, 2"
        if retried is None:  # "Which one do you mean?" [Pulse Sport | Pulse True Wireless] -> "the pulse sport ones"
            retried = add_the_one_picked(dispatcher, tracker, catalog)
        if retried is not None:
            return retried
        if tracker.get_slot("cart") and parse_cart_change(latest_text(tracker)).op == SET:
            # "make it 5", "actually just one" right after an add: the line just added, not the
            # cross-sell card shown with it (run here: no rule follows this action with another)
            return await ActionRemoveFromCart().run(dispatcher, tracker, domain)
        if one_more_after_add(tracker):  # "and the outdoor cam" right after an add: added too (it showed the card)
            return await ActionAddToCart().run(dispatcher, tracker, domain)
        if tracker.get_slot("cart") and asks_for_more(latest_text(tracker)) and not entity_values(tracker, "product"):
            # "another one" / "one more" with a cart: more of the line added last, not the card shown
            return await ActionAddToCart().run(dispatcher, tracker, domain)
        in_view = catalog.get(str(tracker.get_slot("last_product") or "")) \
            if not entity_values(tracker, "product") and len(latest_text(tracker).split()) <= 8 else None
        colour = colour_asked(in_view, latest_text(tracker)) if in_view is not None else None
        if colour:  # "same but in black" about the phone on screen: its colour, not its card again
            dispatcher.utter_message(text=colour)
            return shown_events([in_view])
        products, resolution = referred_products(tracker, catalog)
        if resolution.question:
            dispatcher.utter_message(text=resolution.question,
                                     buttons=choice_buttons(resolution, catalog, "search_product"))
            return []
        if not products or not (resolution.found or entity_values(tracker, "product")):
            if first_entity(tracker, "order_id"):  # "LFT100003" or "and what about LFT100003?": that order
                return [FollowupAction("action_handle_order")]
            within = _within_budget(dispatcher, tracker, catalog)  # "laptops", then "anything under 900?"
            if within is not None:
                return within
            if entity_values(tracker, "category") and not names_a_position(latest_text(tracker)):
                # "Need 12 wireless mice for the team, budget around 25 each": a search, not "can't help"
                return await ActionShowProducts().run(dispatcher, tracker, domain)
            if _a_thing_to_look_for(tracker):
                return await ActionShowProducts().run(dispatcher, tracker, domain)
            return [FollowupAction("action_default_fallback")]
        shown = products[:MAX_CARDS]
        intro = "Here it is:" if len(shown) == 1 else "Here they are:"
        dispatcher.utter_message(text=intro, json_message=live_cards(shown, catalog))
        return shown_events(shown)


def _within_budget(dispatcher: CollectingDispatcher, tracker: Tracker, catalog):
    """A budget alone after cards were shown ("anything under 900?"): the products of the kind
    shown (same department, same last name word: laptops, not every computer) within it; else
    the cheapest of that kind, saying so. None when the message has no budget or nothing was shown."""
    text = latest_text(tracker)
    cap = price_cap(text)
    shown = [p for p in (catalog.get(s) for s in shown_skus(tracker)) if p is not None]
    if cap is None or not shown or names_something(without_spans(text, cap_spans(text))):
        return None
    kinds = {p.name.split()[-1].lower() for p in shown}
    department = catalog.products_in(shown[0].category)
    pool = [p for p in department if p.name.split()[-1].lower() in kinds] or department
    within = sorted((p for p in pool if p.price <= cap), key=lambda p: (not p.in_stock, p.price))
    if within:
        intro = f"For {catalog.format_price(cap)} or less:"
    else:
        within = [min(pool, key=lambda p: p.price)]
        intro = f"Nothing like that costs {catalog.format_price(cap)} or less; the lowest price is {catalog.format_price(within[0].price)}:"
    shown_now = within[:MAX_CARDS]
    dispatcher.utter_message(text=intro, json_message=live_cards(shown_now, catalog))
    return shown_events(shown_now)


def _a_thing_to_look_for(tracker: Tracker) -> bool:
    """A bare phrase outside any form that neither points back nor gives the shopper's details
    ("kindle paperwhite", "ps5", "cameras mostly"): searched for, so the answer says what we carry
    when we don't have it, instead of "Sorry, I can't help with that one"."""
    text = latest_text(tracker)
    if text.startswith("/") or refers_back(text) or any(entity_values(tracker, e) for e in _ABOUT_THE_SHOPPER):
        return False
    said = parse_introduction(text)
    return not (said.person_name or said.company or said.email) and names_something(text)
