"""Cart idle: the idle clock the cart actions start, and the nudge when it runs out
(lift.experiments.cart_idle; experiment surface ``cart_idle``)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from lift.commerce.cart import check_coupon, normalize_cart, subtotal
from lift.experiments import cart_idle


def idle_clock(tracker: Tracker, cart: Any) -> List[Dict[Text, Any]]:
    """(Re)start the idle clock after a cart action: a reminder due in ``idle_seconds``, cancelled
    by any later message of the shopper; nothing when no experiment is live on the surface."""
    items = sum(i["qty"] for i in normalize_cart(cart))
    if not cart_idle.should_schedule(items, bool(tracker.get_slot("cart_nudge"))):
        return []
    exp = resources.get().experiments.surface_experiment(cart_idle.SURFACE)
    if exp is None:
        return []
    due = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=cart_idle.idle_seconds(dict(exp.params)))
    return [ReminderScheduled(cart_idle.INTENT, trigger_date_time=due, name=cart_idle.reminder_name(tracker.sender_id),
                              kill_on_user_message=True)]


class ActionOfferCartCoupon(Action):
    """Runs when the cart-idle reminder fires: the variant's nudge, recorded in slots."""

    def name(self) -> Text:
        return "action_offer_cart_coupon"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not ((tracker.latest_message or {}).get("metadata") or {}).get("is_external"):
            return []  # only the reminder triggers this, never a typed message
        res = resources.get()
        cart = normalize_cart(tracker.get_slot("cart"))
        exp = res.experiments.surface_experiment(cart_idle.SURFACE)
        if not cart or exp is None or tracker.get_slot("cart_nudge"):
            return []
        coupon = exp.param("coupon")
        check = check_coupon(res.engine, coupon, cart, currency=res.catalog.currency) if coupon else None
        nudge = cart_idle.plan(
            res.experiments.variant(tracker.sender_id, exp.name),
            item_count=sum(i["qty"] for i in cart), subtotal=res.catalog.format_price(subtotal(cart)),
            coupon=check.code if check is not None and check.ok else None,
            saving=res.catalog.format_price(check.discount) if check is not None and check.ok else None,
            coupon_already_applied=bool(tracker.get_slot("coupon_code")),
        )
        if nudge.text:
            dispatcher.utter_message(text=nudge.text, buttons=list(nudge.buttons))
        events = [SlotSet("cart_nudge", nudge.nudge)]
        if nudge.coupon:
            events.append(SlotSet("offered_coupon", nudge.coupon))
        return events
