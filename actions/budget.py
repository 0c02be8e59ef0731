"""The shopper's budget across turns: a spending limit said once ("need xmas gift for my 15yo son,
budget is like 100 max") is remembered in the ``budget`` slot, used when a later message points back
to it ("which ones r under my budget", "r any of those in my budget?"), and an add over it says so."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, latest_text
from actions.history import shown_skus
from lift.commerce.cards import cards_message
from lift.understanding.gifts import describes_recipient
from lift.understanding.prices import limit_of_shown, price_cap, refers_to_budget

BUDGET_SLOT = "budget"

# "which ones", "any of those", "of them": the cards on screen
_SHOWN = re.compile(r"\b(?:ones?|those|these|them|they|any|either|which)\b", re.IGNORECASE)


def remembered_budget(tracker: Tracker) -> Optional[Decimal]:
    value = tracker.get_slot(BUDGET_SLOT)
    try:
        return Decimal(str(value)) if value not in (None, "") and Decimal(str(value)) > 0 else None
    except (ArithmeticError, InvalidOperation):
        return None


def budget_cap(tracker: Tracker, text: Text) -> Optional[Decimal]:
    """The spending limit of this message, or the remembered one when the message points back to it
    or says more about the person the present is for."""
    cap = price_cap(text)
    if cap is None and (refers_to_budget(text) or describes_recipient(text)):
        return remembered_budget(tracker)
    return cap


def remember_budget(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The slot event keeping the latest message's spending limit, if it gives one."""
    cap = price_cap(latest_text(tracker))
    return [SlotSet(BUDGET_SLOT, float(cap))] if cap is not None else []


def shown_within_budget(dispatcher: CollectingDispatcher, tracker: Tracker, catalog) -> Optional[List[Dict[Text, Any]]]:
    """"which ones r under my budget" or "which of these is under 100?" with cards on screen: those of
    them within the limit, or a plain "none" with the cheapest of their kind; None when the message is
    not that question (a limit with a product or kind named is a new search)."""
    text = latest_text(tracker)
    shown = [p for p in (catalog.get(s) for s in shown_skus(tracker)) if p is not None]
    said = price_cap(text)
    if said is not None:  # "which of these is under 100?": a limit of its own, about the cards on screen
        names_other = entity_values(tracker, "product") or entity_values(tracker, "category")
        budget = None if names_other else limit_of_shown(text)
    else:
        budget = remembered_budget(tracker) if refers_to_budget(text) and _SHOWN.search(text) else None
    if budget is None or not shown:
        return None
    price = catalog.format_price(budget)
    limit = f"under {price}" if said is not None else f"within your {price} budget"
    within = [p for p in shown if p.price <= budget]
    if within:
        dispatcher.utter_message(text=f"These are {limit}:", json_message=cards_message(within, catalog.currency))
        return [SlotSet("last_shown", [p.sku for p in within])]
    # their kind by name first (phones shown: phones under the limit), else their department's, said so
    # ("headphones under 100": the $89 earbuds; phones under 300: no phone is, the watches are)
    alike = {q.sku for p in shown for q in catalog.of_kind(p.category, p.name.split()[-1], by_name=True)}
    others = [p for p in catalog.products if p.sku in alike and p.price <= budget][:4]
    intro = f"None of those is {limit}; these are:"
    if not others:
        kinds = {p.category for p in shown}
        others = [p for p in catalog.products if p.category in kinds and p.price <= budget][:4]
        intro = f"None of those is {limit}, nor anything else like them; from the same department, these are:"
    if others:
        dispatcher.utter_message(text=intro, json_message=cards_message(others, catalog.currency))
        return [SlotSet("last_shown", [p.sku for p in others])]
    dispatcher.utter_message(text=f"None of those is {limit}, and nothing else of that kind is: "
                                  f"the cheapest is {catalog.format_price(min(p.price for p in shown))}.")
    return []


def over_budget_note(tracker: Tracker, product, catalog) -> Text:
    """" The Tempo costs $249, over the $150 budget you mentioned." for a product dearer than the
    remembered budget (a budget is per item, as :func:`price_cap` reads it); else ""."""
    budget = remembered_budget(tracker)
    if budget is None or product is None or price_cap(latest_text(tracker)) is not None or product.price <= budget:
        return ""
    return (f" The {product.name} costs {catalog.format_price(product.price)}, over the "
            f"{catalog.format_price(budget)} budget you mentioned.")
