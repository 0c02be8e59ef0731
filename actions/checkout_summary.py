"""The order summary shown for confirmation at the end of checkout (``action_ask_checkout_confirmed``):
the lines, discounts, shipping, total, arrival date, the tax note and where it goes, priced as the order
would be placed now."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from lift.commerce.destinations import destination, duties_note, sales_tax_note
from lift.commerce.money import money
from lift.commerce.orders import SHIPPING_METHODS, OrderError, arrival_sentence, method_title, quote
from lift.commerce.stock import OutOfStock


def order_summary(tracker: Tracker, res) -> Optional[Text]:
    try:
        q = quote(res.engine, res.catalog, tracker.get_slot("cart"), tracker.get_slot("shipping_method"),
                  tracker.get_slot("coupon_code"), email=tracker.get_slot("email"))
    except (OrderError, OutOfStock) as err:
        return str(err)
    fmt = res.catalog.format_price
    lines = [f"• {line['qty']} × {line['name']} — {fmt(money(line['unit_price']) * line['qty'])}" for line in q.lines]
    method = SHIPPING_METHODS[tracker.get_slot("shipping_method") or "standard"]
    address = tracker.get_slot("shipping_address")
    parts = ["Please confirm your order:", *lines, f"Subtotal: {fmt(q.subtotal)}"]
    if q.discount_kind == "coupon":
        parts.append(f"Coupon {q.coupon_code}: −{fmt(q.discount)}")
    elif q.discount_kind == "volume":
        parts.append(f"Volume discount (10+ of one product): −{fmt(q.discount)}"
                     + (f" (better than coupon {tracker.get_slot('coupon_code')}; they don't combine)"
                        if tracker.get_slot("coupon_code") else ""))
    if q.coupon_problem:  # "WELCOME10 is for a first order only, and … has ordered with us before."
        parts.append(f"(Coupon not applied: {q.coupon_problem})")
    parts.append(f"Shipping ({method_title(method.key, address)}): {fmt(q.shipping)}")
    parts.append(f"Total: {fmt(q.total)}")
    parts.append(arrival_sentence(method.key, dt.datetime.now(dt.timezone.utc), address))
    dest = destination(address)
    parts.append(duties_note(dest.name) if method.key != "pickup" and dest is not None and dest.international
                 else sales_tax_note())  # the payments policy's sales tax is not in this total
    if method.key != "pickup":
        parts.append(f"Ship to: {tracker.get_slot('shipping_address')}")
    parts.append(f"Confirmation to: {tracker.get_slot('email')}")
    return "\n".join(parts)


class ActionAskCheckoutConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_checkout_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=order_summary(tracker, resources.get()),
                                 buttons=[{"title": "Place order", "payload": "/affirm"},
                                          {"title": "Cancel", "payload": "/deny"}])
        return []
