"""Checkout: email, address, shipping method, confirmation, then a real order."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from actions.cart import requested_change
from actions.cart_add import put_in_cart
from actions.cart_lines import REFUSED_SLOT, change_line
from actions.coupons import apply_carried_coupon
from actions.catalog import shown_products
from actions.mentions import named_products
from actions.common import (PENDING_ADDRESS, AddressMixin, answer_in_passing, answering_form, checked, first_entity,
                            latest_intent, latest_text)
from actions.graph import substitutes_in_stock
from actions.lead import PersonalDetailsMixin
from actions.swap import swap_line
from actions.checkout_summary import ActionAskCheckoutConfirmed, order_summary  # noqa: F401 (the form's summary)
from actions.quotes import asks_total_with_shipping, item_quantities
from lift.commerce.amend import CHECKOUT_STEPS, carried_answers, checkout_amendments
from lift.commerce.cart import normalize_cart
from lift.commerce.destinations import ask_country, destination, not_shipped_reason
from lift.commerce.cards import cards_message
from lift.commerce.orders import (OrderError, about_shipping, create_order, find_order, is_po_box, method_problem, method_title,
                                  parse_shipping_method, asks_which_option, options_answer, shipping_answer)
from lift.commerce.abroad import destination_answer
from lift.commerce.stock import OutOfStock, live_all
from lift.commerce.validation import asks_something, normalize_address, normalize_email, says_confirm
from lift.understanding.references import ADD, SET, says_removal

# How a checkout answer is read, whether typed for its own question or carried by another message.
_CHECKS = {"email": normalize_email, "shipping_address": normalize_address, "shipping_method": parse_shipping_method}
FORM_SLOTS = ("shipping_address", "shipping_method", "checkout_confirmed", "offered_shipping_method", "shipping_abroad",
               "shipping_po_box")


def abroad(address: Optional[Text]) -> bool:
    """Whether ``address`` is outside the US: the delivery question then offers what ships there."""
    dest = destination(address) if address else None
    return bool(dest is not None and dest.international)


def address_slots(address: Optional[Text]) -> List[Dict[Text, Any]]:
    """What the delivery question needs to know of the address: abroad, or a PO box (each offers
    only what delivers there: utter_ask_shipping_method's conditional variations)."""
    real = address if address and address != PICKUP_ADDRESS else None
    return [SlotSet("shipping_abroad", abroad(real)), SlotSet("shipping_po_box", is_po_box(real) and not abroad(real))]

_ASKED_AGAIN = {"email": "Sure, which email should the confirmation go to?",
                "shipping_address": "Sure, let's change the address.",
                "shipping_method": "Sure, let's pick the delivery again."}


def carried_events(tracker: Tracker, taken: set) -> List[Dict[Text, Any]]:
    """The other checkout questions a message already answers ("fay@example.com, 15 Aspen Ct, Boulder CO
    80301, express" at the email question, or starting checkout), each checked like its own answer; only
    empty slots: nothing asked is asked again and nothing answered is overwritten."""
    requested = tracker.get_slot("requested_slot")
    if (tracker.active_loop or {}).get("name") != "checkout_form":
        return []
    values = {}
    for slot, raw in carried_answers(latest_text(tracker)).items():
        if slot == requested or slot in taken or tracker.get_slot(slot) is not None:
            continue
        value = _CHECKS[slot](raw)
        if value is not None and not (slot == "shipping_address" and (not_shipped_reason(value) or ask_country(value))):
            values[slot] = value
    method = values.get("shipping_method")
    if method and method_problem(method, values.get("shipping_address") or tracker.get_slot("shipping_address")):
        del values["shipping_method"]  # asked at its turn, where the reason is given
    elif method == "pickup" and not values.get("shipping_address") and tracker.get_slot("shipping_address") is None:
        values["shipping_address"] = PICKUP_ADDRESS  # "checkout. pickup.": no address to ask for
    return [SlotSet(slot, value) for slot, value in values.items()] + (
        address_slots(values["shipping_address"]) if "shipping_address" in values else [])


def cart_change(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """A change to the cart typed during checkout, whatever intent it was read as, then the summary
    again (never a "yes" to the old one): "remove the toaster, add the kettle instead" swaps the
    line; "actually make it 2 headphones" after the delivery question or at the summary sets its
    quantity. [] when the message changes no line."""
    changed = swap_line(dispatcher, tracker)
    if changed is None and tracker.get_slot("requested_slot") in ("shipping_method", "checkout_confirmed"):
        # (not at the email or the address: they may hold numbers)
        res = resources.get()
        change, qty = requested_change(tracker, named_products(tracker, res.catalog), ADD)
        if change.op == SET and qty is not None:
            changed = change_line(dispatcher, tracker, res.catalog, change, qty)
        elif _ADD_WORD.search(latest_text(tracker)) and not says_removal(latest_text(tracker)):
            changed = buy_named(dispatcher, tracker, normalize_cart(tracker.get_slot("cart"))) or None  # "…add the desk"
    return [] if changed is None else changed + [SlotSet("checkout_confirmed", None)]


_SAME_AS_BEFORE = re.compile(r"\bsame\s+(?:address|place|as\s+(?:last\s+time|before|the\s+last\s+(?:one|order)))\b|"
                             r"\b(?:as|like)\s+(?:last\s+time|before)\b", re.IGNORECASE)
_ADD_WORD = re.compile(r"\b(?:add|include|put|throw\s+in|missing|forgot|also|as\s+well)\b", re.IGNORECASE)


def amendment_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Slot events for a message that changes an earlier checkout answer ("actually express
    instead", "use 40 Oak Ave, Portland OR 97201", "go back"), each value checked like the
    form's own answers; [] when the message changes nothing. The order summary is shown again
    afterwards, so a confirmation given in the same breath does not count."""
    if (tracker.active_loop or {}).get("name") != "checkout_form" or not tracker.get_slot("requested_slot"):
        return []
    filled = {slot: tracker.get_slot(slot) for slot in CHECKOUT_STEPS}
    edits = checkout_amendments(latest_text(tracker), tracker.get_slot("requested_slot"), filled)
    offered = tracker.get_slot("offered_shipping_method")
    if offered and not edits and latest_intent(tracker) == "affirm" and offered != filled["shipping_method"]:
        edits = {"shipping_method": offered}  # "how much would next day cost?" ... "ok do that"
    events: List[Dict[Text, Any]] = []
    address, method = filled["shipping_address"], filled["shipping_method"]
    for slot, raw in edits.items():
        if raw is None:
            dispatcher.utter_message(text=_ASKED_AGAIN[slot])
            events.append(SlotSet(slot, None))
            continue
        value = _CHECKS[slot](raw)
        if value is None:
            continue
        refused = not_shipped_reason(value) if slot == "shipping_address" else None
        if refused:
            dispatcher.utter_message(text=refused)
            continue
        question = ask_country(value) if slot == "shipping_address" else None
        if question:  # no country and not a US address: asked, and the reply completes it
            dispatcher.utter_message(text=question)
            events.append(SlotSet(PENDING_ADDRESS, value))
            continue
        if slot == "shipping_address":
            address = value
            dispatcher.utter_message(text=f"{'Changed the shipping address to' if filled['shipping_address'] else 'Shipping to'} {value}.")
            events += address_slots(value)
        elif slot == "shipping_method" and (problem := method_problem(value, address)):
            # next-day to Canada or a PO box: said why; the delivery stays as it was
            dispatcher.utter_message(text=problem)
            events.append(SlotSet("checkout_confirmed", None))
            continue
        elif slot == "shipping_method":
            method = value
            lead = "Changed the delivery to" if filled["shipping_method"] else "Delivery:"
            dispatcher.utter_message(text=f"{lead} {method_title(value, address)}.")
        else:
            dispatcher.utter_message(text=f"The confirmation will go to {value} instead.")
        events.append(SlotSet(slot, value))
    if events:
        problem = method_problem(method, address)
        if problem:  # a PO box with express or next-day: the delivery is asked again
            dispatcher.utter_message(text=problem)
            events.append(SlotSet("shipping_method", None))
        events.append(SlotSet("checkout_confirmed", None))
    if events and offered:
        events.append(SlotSet("offered_shipping_method", None))
    return events


# "buy", "ok buy it", "i'll buy this one now": the product in view, nothing named
_BUY_IT = re.compile(r"^\W*(?:(?:ok|okay|yes|yeah|fine|right|then|so)\W+)*(?:i'?ll\s+|let'?s\s+|i\s+want\s+to\s+)?"
                     r"(?:buy|purchase|order|check\s*out\s+with)(?:\s+(?:it|this|that|this\s+one|that\s+one|them))?"
                     r"(?:\s+(?:now|then|pls|please|plz))*\W*$", re.IGNORECASE)


def buy_named(dispatcher: CollectingDispatcher, tracker: Tracker, cart=()) -> List[Dict[Text, Any]]:
    """"checkout with the volt charger" / "buy 2 boom go speakers and check out" with an empty cart, or "please
    add the Elevate Standing Desk before I confirm" at the summary: the products the message names (not in
    ``cart`` yet), each with the number written before its name (one by default; an address's numbers come
    after it), put in the cart; [] when it names none or none can be added."""
    res = resources.get()
    named = [p for p in named_products(tracker, res.catalog) if p.sku not in {i["sku"] for i in cart}]
    if not named and _BUY_IT.match(latest_text(tracker)):
        shown = shown_products(tracker, res.catalog)  # "buy" / "ok buy it" with one card on screen: that one
        named = [p for p in (res.catalog.get(s.sku) for s in shown) if p is not None] if len(shown) == 1 else []
    products = live_all(res.engine, named)
    if not products:
        return []
    per_item = item_quantities(tracker, res.catalog, products, None, written_before=True)
    counts = {sku: (q.value if q is not None and q.ok else 1) for sku, q in per_item.items()}
    cart, added, refused = put_in_cart(dispatcher, res.catalog, list(cart), products, counts)
    for _, err in refused:
        dispatcher.utter_message(text=str(err))
    if added:
        return [SlotSet("cart", cart), SlotSet("last_product", added[-1].sku)]
    short = [p for p, _ in refused if p.stock > 0]  # "only 3 left": "ok 3 then" next is for it
    return [SlotSet(REFUSED_SLOT, short[-1].sku)] if short else []


# Asked for the address, the shopper would rather collect: store pickup needs none.
PICKUP_ADDRESS = "store pickup"
_PICKUP = re.compile(r"\b(?:pick\s*(?:it|them|this|that|everything)?\s*up|pickup|collect(?:ion)?|click\s*(?:and|&|n)\s*collect)\b",
                     re.IGNORECASE)
# a question about where pickup happens, not a choice of it
_WHERE_IS_PICKUP = re.compile(r"\b(?:where(?:'?s|\s+is|\s+are)?|which\s+(?:store|shop|city|town)|is\s+there\s+(?:one|a\s+(?:store|shop))|"
                              r"any\s+(?:stores?|shops?)|near(?:est|by)?|address\s+of)\b[^?.!]*\b(?:store|shop|pick\s*-?\s*up|collect\w*|one)\b|"
                              r"\b(?:store|shop|pick\s*-?\s*up)\b[^?.!]*\b(?:where|located|location|address|near(?:est|by)?|in\s+[A-Z]?[a-z]+\s*\?)",
                              re.IGNORECASE)


class ValidateCheckoutForm(PersonalDetailsMixin, AddressMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_checkout_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if latest_intent(tracker) == "cancel_order" and first_entity(tracker, "order_id") is None:
            # "actually nvm i dont want to order anymore": no order exists yet, so the checkout ends (the
            # submit rule then says nothing was placed) instead of an order's cancellation policy
            return [SlotSet("order_request", None), SlotSet("requested_slot", None), ActiveLoop(None)]
        bought: List[Dict[Text, Any]] = []
        if not normalize_cart(tracker.get_slot("cart")):
            # "checkout with the volt charger, ship to ...": what the message names goes in the cart
            # first. Otherwise an empty cart ends the form before its first question; action_place_order explains.
            bought = buy_named(dispatcher, tracker) if latest_intent(tracker) in ("checkout", "place_order") else []
            if not any(e.get("name") == "cart" for e in bought):
                return bought + [SlotSet("requested_slot", None), ActiveLoop(None)]
        # A change to an earlier answer is taken instead of reading the message as this answer.
        events = bought + (amendment_events(dispatcher, tracker) or cart_change(dispatcher, tracker)
                           or await super().run(dispatcher, tracker, domain))
        events += carried_events(tracker, {e.get("name") for e in events if e.get("event") == "slot"})
        cart = next((e["value"] for e in reversed(events) if e.get("event") == "slot" and e.get("name") == "cart"), None)
        events += apply_carried_coupon(dispatcher, tracker, cart)  # "..., code SAVE20"
        if (not events and tracker.get_slot("requested_slot") == "checkout_confirmed"
                and about_shipping(latest_text(tracker))):
            # "what's the difference between express and next day?" at the summary, whatever intent
            # it was read as: the options, then the summary again (a slot set keeps the form going)
            reply, offered = ("The total in the order summary includes the shipping:", None) if asks_total_with_shipping(
                latest_text(tracker)) else shipping_answer(latest_text(tracker), tracker.get_slot("shipping_method"), True,
                                                           resources.get().catalog.currency)
            dispatcher.utter_message(text=reply)
            events = [SlotSet("checkout_confirmed", None)] + ([SlotSet("offered_shipping_method", offered)] if offered else [])
        elif (not events and tracker.get_slot("requested_slot") == "checkout_confirmed"
              and asks_something(latest_text(tracker))):
            # "can i pay with klarna?" at the summary: answered (never read as "pay" = go ahead), then the summary again
            dispatcher.utter_message(text=destination_answer(latest_text(tracker), resources.get().catalog.currency)
                                     or answer_in_passing(latest_text(tracker), latest_intent(tracker))
                                     or "I'm not sure about that one; a person from our team can tell you.")
            events = [SlotSet("checkout_confirmed", None)]
        return events

    async def extract_person_name(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {}  # not asked in checkout; the mixin's version would read answers meant for other slots

    def validate_email(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if normalize_email(value) is None and set(carried_answers(latest_text(tracker))) - {"email"}:
            dispatcher.utter_message(text="Got it, I'll use that.")
            return {"email": None}  # "standard is fine" where the email is asked: carried_events takes it
        return super().validate_email(value, dispatcher, tracker, domain)

    async def extract_shipping_address(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = latest_text(tracker)
        if (tracker.get_slot("requested_slot") == "shipping_address" and _PICKUP.search(text)
                and normalize_address(text) is None):
            # "idk my address yet, can i pick it up in store instead?": no address needed
            return {"shipping_address": PICKUP_ADDRESS, "shipping_method": "pickup"}
        return await super().extract_shipping_address(dispatcher, tracker, domain)

    def validate_shipping_address(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value == PICKUP_ADDRESS:
            return {"shipping_address": PICKUP_ADDRESS, "shipping_abroad": False, "shipping_po_box": False}
        earlier = find_order(resources.get().engine, tracker.get_slot("placed_order_id")) \
            if _SAME_AS_BEFORE.search(str(value or "")) and tracker.get_slot("placed_order_id") else None
        if earlier is not None and earlier.shipping_address not in (None, PICKUP_ADDRESS):
            value = earlier.shipping_address  # "SAME AS LAST TIME": the order this chat placed before
            dispatcher.utter_message(text=f"Shipping to {value}, as last time.")
        checked_address = super().validate_shipping_address(value, dispatcher, tracker, domain)
        address = checked_address.get("shipping_address")
        facts = {e["name"]: e["value"] for e in address_slots(address)}
        return {**checked_address, **facts} if address else checked_address

    async def extract_shipping_method(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "shipping_method":
            return {}
        text = latest_text(tracker).strip()
        # Button payloads are plain words; they may be classified as any intent, so accept a
        # recognisable method name whatever the intent was.
        if parse_shipping_method(text):
            return {"shipping_method": text}
        return {"shipping_method": text} if answering_form(tracker, "shipping_method") else {}

    def validate_shipping_method(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if _WHERE_IS_PICKUP.search(latest_text(tracker)):  # "where is teh store for pickup, is there one in york"
            dispatcher.utter_message(text="Store pickup means collecting your order from our store once we email you "
                                          "that it's ready (from the next business day). I can't give the store's "
                                          "location here; if it isn't near you, a delivery option is the safer choice.")
            return {"shipping_method": None}  # a question, not a choice of pickup
        if asks_which_option(latest_text(tracker)):  # "whats the fastest option": answered; the choice stays theirs
            dispatcher.utter_message(text=options_answer(latest_text(tracker), resources.get().catalog.currency))
            return {"shipping_method": None}
        problem = method_problem(parse_shipping_method(value), tracker.get_slot("shipping_address"))
        if problem:  # express to a PO box: said why, and the methods asked again
            dispatcher.utter_message(text=problem)
            return {"shipping_method": None}
        return checked("shipping_method", value, parse_shipping_method, dispatcher)

    async def extract_checkout_confirmed(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        # yes/no come from the slot's from_intent mappings; "place order" typed at the summary is
        # read as any intent (inform, place_order, checkout), so the words decide
        if tracker.get_slot("requested_slot") != "checkout_confirmed" or latest_intent(tracker) in ("affirm", "deny"):
            return {}
        return {"checkout_confirmed": True} if says_confirm(latest_text(tracker)) else {}

    def validate_checkout_confirmed(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if not value and tracker.get_slot("offered_shipping_method"):
            # "no" to switching to the option just priced keeps the order as it was
            dispatcher.utter_message(text="Okay, keeping the delivery as it is.")
            return {"checkout_confirmed": None, "offered_shipping_method": None}
        return {"checkout_confirmed": bool(value), "offered_shipping_method": None}


class ActionStopCheckout(Action):
    """"stop" during checkout, unless the shopper is changing an answer: "actually express
    instead" reads as stop to the classifier, but means go on with a different delivery."""

    def name(self) -> Text:
        return "action_stop_checkout"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events = amendment_events(dispatcher, tracker)
        if events:
            return events + [FollowupAction("checkout_form")]
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionPlaceOrder(Action):
    def name(self) -> Text:
        return "action_place_order"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        reset = [SlotSet(s, None) for s in FORM_SLOTS]
        cart = normalize_cart(tracker.get_slot("cart"))
        if not cart:
            dispatcher.utter_message(response="utter_cart_empty_checkout",
                                     buttons=[{"title": "Browse products", "payload": "/search_product"}])
            return reset
        if not tracker.get_slot("checkout_confirmed"):
            dispatcher.utter_message(response="utter_checkout_cancelled")
            return reset
        try:
            order = create_order(
                res.engine, res.catalog, sender_id=tracker.sender_id, cart=cart, email=tracker.get_slot("email"),
                shipping_address=tracker.get_slot("shipping_address") or PICKUP_ADDRESS,
                shipping_method=tracker.get_slot("shipping_method"), coupon_code=tracker.get_slot("coupon_code"))
        except OutOfStock as err:
            # Another shopper got the last units first: nothing was charged or reserved.
            subs = substitutes_in_stock(res, err.sku)
            text = f"I couldn't place the order: {err} Nothing was charged; your cart is unchanged."
            if subs:
                dispatcher.utter_message(text=text + " You might like one of these instead:",
                                         json_message=cards_message(subs, res.catalog.currency))
            else:
                dispatcher.utter_message(text=text + " Please update your cart.")
            return reset
        except OrderError as err:
            dispatcher.utter_message(text=f"I couldn't place the order: {err}")
            return reset
        res.kick_mail()
        eta = f" Estimated delivery: {order.estimated_delivery:%a %d %b}." if order.estimated_delivery else ""
        dispatcher.utter_message(
            text=f"Order placed! Your order number is {order.order_id}, total {res.catalog.format_price(order.total)}. "
                 f"A confirmation is on its way to {order.email}.{eta}")
        return reset + [SlotSet("placed_order_id", order.order_id), SlotSet("order_id", order.order_id),
                        SlotSet("cart", []), SlotSet("coupon_code", None), SlotSet("upsell_sku", None),
                        # cards and offers shown before the order are not "it" any more: the order is
                        SlotSet("last_shown", []), SlotSet("last_product", None)]
