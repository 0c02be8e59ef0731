"""A pick by use among the products asked about or shown: "which is better for running, the earbuds
or the headphones?", "best laptop for video editing" — the one whose description speaks to that use,
quoted (:mod:`lift.retrieval.uses`), with its card. None when no use is asked or none stands out:
the caller then answers as before (the comparison, the list)."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import latest_text
from lift.commerce.cards import cards_message
from lift.commerce.stock import live_all
from lift.retrieval import IndexNotReady, get_retriever
from lift.retrieval.uses import best_for, use_asked

logger = logging.getLogger(__name__)


def advise_by_use(dispatcher: CollectingDispatcher, tracker: Tracker, products: Sequence[Any]) -> Optional[List[Dict[Text, Any]]]:
    """The pick for the use the message asks about among ``products`` (its card, and "add it" means it)."""
    use = use_asked(latest_text(tracker))
    if use is None or len(products) < 2:
        return None
    try:
        encoder = get_retriever().encoder
    except IndexNotReady:  # no index, no encoder loaded: the caller's answer stands
        logger.warning("advice by use skipped: knowledge base index not ready")
        return None
    picked = best_for(encoder, use, [(p.sku, p.description) for p in products])
    if picked is None:
        return None
    res = resources.get()
    best = res.catalog.get(picked[0])
    dispatcher.utter_message(text=f"For {use}, I'd pick the {best.name}: “{picked[1]}”",
                             json_message=cards_message(live_all(res.engine, [best]), res.catalog.currency))
    return [SlotSet("last_shown", [best.sku]), SlotSet("last_product", best.sku)]
