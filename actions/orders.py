"""Orders: track, cancel, change, change address — looked up for real by order id."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from actions.common import AddressMixin, answering_form, first_entity, latest_text
from lift.commerce.orders import OrderError, cancel_order, change_address, describe_status, find_order


class ValidateOrderForm(AddressMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_order_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        # Changing the address needs the new one too; asked after the order is found.
        if tracker.get_slot("order_request") == "change_address":
            return domain_slots + ["shipping_address"]
        return domain_slots

    async def extract_order_id(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "order_id" or first_entity(tracker, "order_id"):
            return {}
        return {"order_id": latest_text(tracker).strip()} if answering_form(tracker, "order_id") else {}

    def validate_order_id(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        order = find_order(resources.get().engine, value)
        if order is None:
            dispatcher.utter_message(response="utter_wrong_order_id")
            return {"order_id": None}
        return {"order_id": order.order_id}


class ActionHandleOrder(Action):
    def name(self) -> Text:
        return "action_handle_order"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        engine = resources.get().engine
        # Reached straight from the message when it carries the order number (one action call
        # instead of the form's validate + submit), so the number may be unchecked here.
        order = find_order(engine, tracker.get_slot("order_id"))
        request = tracker.get_slot("order_request") or "track"
        if order is None:
            dispatcher.utter_message(response="utter_wrong_order_id")
            # Ask again through order_form, keeping what the shopper wanted done with it.
            return [SlotSet("order_id", None), ActiveLoop("order_form")]
        events: List[Dict[Text, Any]] = [SlotSet("order_request", None), SlotSet("order_id", order.order_id)]
        try:
            if request == "cancel":
                cancel_order(engine, order.order_id)
                dispatcher.utter_message(
                    text=f"Done: order {order.order_id} is cancelled. Your refund of ${order.total:.2f} will reach your "
                         "original payment method within 5-10 business days.")
            elif request == "change_address":
                new = change_address(engine, order.order_id, tracker.get_slot("shipping_address"))
                dispatcher.utter_message(text=f"Updated: order {new.order_id} will ship to {new.shipping_address}.")
                events.append(SlotSet("shipping_address", None))
            elif request == "change":
                items = ", ".join(f"{i['qty']} × {i['name']}" for i in order.items)
                if order.status == "processing":
                    dispatcher.utter_message(
                        text=f"Order {order.order_id} contains {items}. Items can't be edited once an order is placed, "
                             "but it hasn't shipped yet, so you can cancel it and order again, or change the delivery address.",
                        buttons=[{"title": "Cancel the order", "payload": "/cancel_order"},
                                 {"title": "Change address", "payload": "/change_shipping_address"},
                                 {"title": "Talk to a person", "payload": "/contact_human_agent"}])
                else:
                    dispatcher.utter_message(text=describe_status(order) + " It can no longer be changed; "
                                             "you can return items within 30 days of delivery.")
            else:
                dispatcher.utter_message(text=describe_status(order))
        except OrderError as err:
            dispatcher.utter_message(text=str(err))
            if request == "change_address":
                events.append(SlotSet("shipping_address", None))
        return events
