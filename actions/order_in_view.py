"""The order a conversation is talking about without naming it: right after placing, tracking or
cancelling one, "when will it arrive?", "where's my refund?", "the kettle arrived broken" and
"cancel it" mean that order, as long as this chat may see it (it placed it, or proved it)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.cart import empty_cart
from actions.common import entity_values, latest_intent, latest_text
from actions.demo_booking import answer_demo_followup
from actions.history import last_booked_or_placed, shown_skus
from lift.commerce.cart import normalize_cart
from lift.commerce.orders import asks_about_order, describe_tracking, find_order
from lift.commerce.ownership import access_of
from lift.commerce.returns import faulty_item_options, refund_options, refunds_of, says_faulty
from lift.commerce.validation import normalize_order_id
from lift.understanding.references import empties_cart


def answer_about_placed_order(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """"When will it arrive?" / "has it shipped?" / "why is it taking so long" right after this
    conversation placed or was shown an order (nothing shown since): that order's status and arrival date, as tracking it
    gives them, never the product a card showed earlier. None when the question is not that
    (it names a product, a product type or another order; a form is running; nothing placed)."""
    if not (tracker.get_slot("placed_order_id") or tracker.get_slot("order_id")) or tracker.active_loop_name \
            or shown_skus(tracker) \
            or tracker.get_slot("last_product") or entity_values(tracker, "product") or entity_values(tracker, "category") \
            or not asks_about_order(latest_text(tracker), latest_intent(tracker)):
        return None
    res = resources.get()
    order = _order_in_view(res, tracker)
    if order is None:
        return None
    dispatcher.utter_message(text=describe_tracking(order, res.catalog.currency))
    return [SlotSet("kb_doc_id", None), SlotSet("order_id", order.order_id)]


def _order_in_view(res, tracker: Tracker):
    """The order talked about last (tracked since, or the one placed), as long as this chat may see
    it: the conversation that placed an order owns it; any other has to prove it first (order_form).
    None when there is none, or the message names another order."""
    order = next((o for o in (find_order(res.engine, tracker.get_slot(s)) for s in ("order_id", "placed_order_id"))
                  if o is not None and access_of(res.engine, o, tracker.sender_id).allowed), None)
    if order is None or any(normalize_order_id(o) != order.order_id for o in entity_values(tracker, "order_id")):
        return None
    return order


# a return asked about for later, not now: "if it turns out to be rubbish", "once it arrives", "later on"
_LATER = re.compile(r"\b(?:if\s+(?:it|they|the\s+\w+|that|one)\s+(?:turns?\s+out|(?:is|are)\s+(?:rubbish|bad|no\s+good|faulty)|"
                    r"breaks?|doesn'?t|don'?t|stops?)|once\s+(?:it|they)\s+(?:arrives?|comes?|gets?\s+here)|later(?:\s+on)?|"
                    r"in\s+the\s+future|down\s+the\s+(?:line|road)|not\s+asking\s+to\s+cancel)\b", re.IGNORECASE)


def answer_refund_in_view(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """"what's the refund status?" / "i want to return the kettle" / "can i get my money back" after
    this conversation placed, tracked or cancelled an order it may see: that order's recorded refund,
    or how to get one for it as things stand (cancel it, return within the window; free for an item
    that arrived damaged), not the policy's general answer. None otherwise: no such order, a form
    running, another order named, or a product named that the order does not hold."""
    if latest_intent(tracker) not in ("track_refund", "get_refund") or tracker.active_loop_name \
            or _LATER.search(latest_text(tracker)):
        return None  # "if the toaster turns out to be rubbish, can I send just that back?": the returns policy
    res = resources.get()
    order = _order_holding_named(res, tracker)
    if order is None:
        return None
    refunds = refunds_of(res.engine, order.order_id)
    currency = res.catalog.currency
    text = says_faulty(latest_text(tracker)) and faulty_item_options(order, refunds, dt.date.today(), currency)
    dispatcher.utter_message(text=text or refund_options(order, refunds, dt.date.today(), currency),
                             buttons=[{"title": "Talk to a person", "payload": "/contact_human_agent"}])
    return [SlotSet("kb_doc_id", None), SlotSet("order_id", order.order_id)]


def faulty_item_in_view(tracker: Tracker) -> Optional[Text]:
    """"the kettle arrived broken" (a complaint, handed to a person) about the order in view: its free
    return or warranty, so the shopper knows where they stand while they wait; else None."""
    if not says_faulty(latest_text(tracker)) or tracker.active_loop_name:
        return None
    res = resources.get()
    order = _order_holding_named(res, tracker)
    if order is None:
        return None
    return faulty_item_options(order, refunds_of(res.engine, order.order_id), dt.date.today(), res.catalog.currency)


def _order_holding_named(res, tracker: Tracker):
    """The order in view, unless the message names a product it does not hold."""
    order = _order_in_view(res, tracker)
    held = {i.get("sku") for i in (order.items or [])} if order is not None else set()
    named = [res.catalog.find(str(n)) for n in entity_values(tracker, "product")]
    return None if order is None or any(p is None or p.sku not in held for p in named) else order


# "cancel it" right after an order is placed or shown: the classifier hears "stop", the shopper means the order.
_CANCEL_WORD = re.compile(r"\bcancel", re.IGNORECASE)
RECENT_TURNS = 3


class ActionAcknowledgeStop(Action):
    """"stop" outside a form: "No problem." — but "cancel it" within a few messages of placing or
    being shown an order cancels that order (through the usual proof, summary and yes), and just
    after booking a demo cancels the demo, instead of a reassuring "No problem." that cancels nothing."""

    def name(self) -> Text:
        return "action_acknowledge_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        last, order_id, since = last_booked_or_placed(tracker)
        if last == "order" and _CANCEL_WORD.search(latest_text(tracker)) and since <= RECENT_TURNS:
            return [SlotSet("order_id", order_id), SlotSet("order_request", "cancel"), SlotSet("order_change_confirmed", None),
                    FollowupAction("action_handle_order")]
        if empties_cart(latest_text(tracker)) and normalize_cart(tracker.get_slot("cart")):
            return empty_cart(dispatcher, tracker)  # "ugh nvm clear everything": empty it, don't just nod
        followed = answer_demo_followup(dispatcher, tracker)  # "cancel the demo" after booking one
        if followed is not None:
            return followed
        dispatcher.utter_message(response="utter_no_problem")
        return []
