"""Orders: track, cancel, change, change the address or the email — for the conversation that owns
the order, or one that proved it (order email + one-time code); cancelling and changing the address
or the email are summarised and need an explicit yes. The rules live in lift.commerce (ownership, servicing)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from actions.demo_booking import answer_demo_followup
from actions.handoff import hand_off
from actions.swap import swap_line
from actions.common import (AddressMixin, answered_instead, answering_form, called_off, first_entity, latest_intent,
                            latest_text, takes_person_offer)
from lift.commerce.orders import OrderError, describe_coarse, describe_status, describe_tracking, find_order, order_contents
from lift.commerce.ownership import (NO_MAILBOX_HELP, ORDER_NUMBER_HELP, Access, access_of, asks_for_a_new_code,
                                     cannot_use_code, lacks_order_number, normalize_code, request_code, verify_code)
from lift.commerce.returns import (faulty_item_options, missing_item_options, refund_options, refunds_of, says_faulty,
                                  says_missing)
from lift.commerce.servicing import (address_summary, cancel_order, cancel_summary, change_address, change_email,
                                     email_summary, sender_actor)
from lift.commerce.validation import find_email, normalize_email, normalize_order_id
from lift.nlu.readings import asks_for_person
from actions.order_requests import (REQUEST_SLOTS, SHOPPING_INTENTS, answered_since_message, cancels_the_demo, needs_yes,
                                    email_already_given, new_address_named, new_email_named, order_request,
                                    pending_request, say_not_found)

_YES = re.compile(r"^\s*(y|yes|yeah|yep|yup|sure|ok|okay|confirm|correct|please do|do it|go ahead)\b", re.I)
_NO = re.compile(r"^\s*(n|no|nope|nah|don'?t|do not|cancel that|keep it|stop|never ?mind)\b", re.I)
# "ok whatever. when will it arrive": a question after the "ok" is not a yes to "Cancel it?".
_ASKS_MORE = re.compile(r"\?|\b(?:when|what|why|how|where|which)\b", re.I)


# rasa_sdk's FormValidationAction asks for required_slots three times in one run (extraction,
# validation, next slot). The order and this chat's access to it only change when one of these
# slots does (a validated id, a verified or refused code), so one run reads them once per value.
_ACCESS_SLOTS = ("order_id", "order_email", "order_code")


def _order_and_access(tracker: Tracker):
    """(order or None, Access or None) for the order the form is about, read once per slot values."""
    key = tuple(tracker.get_slot(s) for s in _ACCESS_SLOTS)
    memo = getattr(tracker, "_lift_order_access", None)
    if memo is not None and memo[0] == key:
        return memo[1]
    engine = resources.get().engine
    order = find_order(engine, key[0])
    found = (order, access_of(engine, order, tracker.sender_id) if order is not None else None)
    tracker._lift_order_access = (key, found)
    return found


_FORGOT = re.compile(r"\b(?:do\s*n'?t|do\s+not|dont|can'?t|cannot|no)\s+(?:know|remember|recall|idea)\b|\bforg[oe]t\b",
                     re.IGNORECASE)


# Shopper messages read back for an item reported damaged or missing before the proof was asked.
PROBLEM_TURNS = 4
_WAYS_OUT = [{"title": "Talk to a person", "payload": "/contact_human_agent"},
             {"title": "Something else", "payload": "/stop"}]


_CODE_WAYS_OUT = [{"title": "Send a new code", "payload": "send me a new code"}, *_WAYS_OUT]


class ValidateOrderForm(AddressMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_order_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        slots = list(domain_slots)
        order, access = _order_and_access(tracker)
        if order is None:
            return slots
        if access is Access.LOCKED:
            return slots  # done: action_handle_order explains the lock
        if not access.allowed:
            return slots + ["order_email", "order_code"]
        request = order_request(tracker)
        if not needs_yes(request, order):
            return slots
        if request in ("change_address", "change_email"):
            slots.append("shipping_address" if request == "change_address" else "order_new_email")
        return slots + ["order_change_confirmed"]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if takes_person_offer(tracker):  # "yes please" to "a person from our team can ..."
            return hand_off(dispatcher, tracker, "user_request") + [SlotSet("requested_slot", None), ActiveLoop(None)]
        if cancels_the_demo(tracker):  # "cancel it" just after booking a demo, read as cancel_order
            # (Rasa validates twice in the turn that starts the form: the second call finds it cancelled)
            demo = answer_demo_followup(dispatcher, tracker, starting_form=True) or []
            return demo + [SlotSet(s, None) for s in REQUEST_SLOTS] + [SlotSet("requested_slot", None), ActiveLoop(None)]
        if tracker.get_slot("requested_slot") in (None, "order_id") and not first_entity(tracker, "order_id"):
            swapped = swap_line(dispatcher, tracker)  # "swap them for the mesh one" read as a change to an order
            if swapped is not None:  # the cart, not an order: no order was asked about (action_handle_order passes)
                return swapped + [SlotSet(s, None) for s in REQUEST_SLOTS] + [SlotSet("requested_slot", None),
                                                                              ActiveLoop(None)]
        if tracker.get_slot("requested_slot") == "order_id" and latest_intent(tracker) in SHOPPING_INTENTS \
                and not first_entity(tracker, "order_id") and answered_since_message(tracker):
            # "add 2 aria headphones" while the order number is asked (its rule ran first): drop the order question
            return [SlotSet(s, None) for s in REQUEST_SLOTS] + [SlotSet("requested_slot", None), ActiveLoop(None)]
        named = pending_request(tracker) + new_email_named(tracker) + new_address_named(tracker)
        tracker.add_slots(named)  # so the form does not ask for it
        events = email_already_given(tracker, named + await super().run(dispatcher, tracker, domain),
                                     lambda email: self.validate_order_email(email, dispatcher, tracker, domain))
        request = order_request(tracker)
        if request != tracker.get_slot("order_request"):  # the message that started it: about email
            events.append(SlotSet("order_request", request))
        if any(e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") == "order_email"
               for e in events):
            # What a conversation may know before proof (the order exists, coarse status), for
            # the ask: utter_ask_order_email is a response, so asking costs no second action call.
            # Set only when it changes: Rasa reads any other slot set by a form run after the
            # shopper spoke as "this message answered the form", and a digression ("bye", "a
            # person please") would be taken as an answer instead of going to its rule.
            order, _ = _order_and_access(tracker)  # the slots as validated in this run
            coarse = describe_coarse(order) if order is not None else None
            if coarse and tracker.get_slot("order_coarse") != coarse:
                events.append(SlotSet("order_coarse", coarse))
        return events + called_off(tracker, events, ("order_id",) + REQUEST_SLOTS)  # "ok forget it, how long…?"

    async def extract_order_id(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "order_id" or first_entity(tracker, "order_id"):
            return {}
        return {"order_id": latest_text(tracker).strip()} if answering_form(tracker, "order_id") else {}

    def validate_order_id(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {}
        if normalize_order_id(value) is None:
            if lacks_order_number(value):  # "i dont have the order number, my aunt bought it"
                dispatcher.utter_message(text=ORDER_NUMBER_HELP, buttons=_WAYS_OUT)
            elif not answered_instead(dispatcher, value, tracker, "To look into it I need the order number: LFT followed "
                                      "by 6 digits, in your confirmation email.", _WAYS_OUT):
                dispatcher.utter_message(response="utter_order_id_format")
            return {"order_id": None}
        order = find_order(resources.get().engine, value)
        if order is None:
            say_not_found(dispatcher, value)
            return {"order_id": None}
        return {"order_id": order.order_id}

    async def extract_order_email(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        typed = first_entity(tracker, "email") or find_email(latest_text(tracker))
        if tracker.get_slot("requested_slot") == "order_code" and typed and typed != tracker.get_slot("order_email"):
            return {"order_email": typed}  # "Perhaps I used my work address, which is …": the code goes there
        if tracker.get_slot("requested_slot") != "order_email":
            return {}
        if typed:
            return {"order_email": typed}
        answered = answering_form(tracker, "order_email") or _FORGOT.search(latest_text(tracker))
        return {"order_email": latest_text(tracker).strip()} if answered else {}

    def validate_order_email(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        email = normalize_email(value)
        if email is None and _FORGOT.search(str(value or "")):  # "i don't know which email i used"
            dispatcher.utter_message(
                text="Without the order's email I can't show or change it: that keeps orders private. A person from "
                     "our team can confirm it's yours another way, or try the address you usually shop with.",
                buttons=[{"title": "Talk to a person", "payload": "/contact_human_agent"}])
            return {"order_email": None}
        if email is None and answered_instead(  # "i want money back not new one": then the email again
                dispatcher, value, tracker, "To look into this order I need the email it was placed with.",
                [{"title": "Talk to a person", "payload": "/contact_human_agent"}]):
            return {"order_email": None}
        if email is None:
            dispatcher.utter_message(response="utter_wrong_order_email")
            return {"order_email": None}
        res = resources.get()
        order = find_order(res.engine, tracker.get_slot("order_id"))
        result = request_code(res.engine, order, tracker.sender_id, email, res.settings.redaction_key)
        res.kick_mail()
        if result.refused:
            dispatcher.utter_message(text=result.refused)
        else:
            # The same words whether or not the address matched: the bot never confirms an email.
            dispatcher.utter_message(text=f"If {email} is the email on order {order.order_id}, I've just sent a "
                                          f"6-digit code to it.")
        return {"order_email": email}

    async def extract_order_new_email(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "order_new_email":
            return {}  # the message that asked for the change: new_email_named
        typed = first_entity(tracker, "email") or find_email(latest_text(tracker))
        if typed or answering_form(tracker, "order_new_email"):
            return {"order_new_email": typed or latest_text(tracker).strip()}
        return {}

    def validate_order_new_email(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        email = normalize_email(value)
        if email is None:
            dispatcher.utter_message(response="utter_wrong_order_new_email")
        return {"order_new_email": email}

    async def extract_order_code(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = latest_text(tracker).strip()
        if tracker.get_slot("requested_slot") != "order_code" or find_email(text) or asks_for_person(text):
            return {}  # (an address typed here is another one for the code: extract_order_email; a person: the hand-off)
        # A code is digits whatever intent the classifier guessed for them; so is asking for another one.
        if normalize_code(text) or asks_for_a_new_code(text) or cannot_use_code(text) or answering_form(tracker, "order_code"):
            return {"order_code": text}
        return {}

    def validate_order_code(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if cannot_use_code(value):  # "i cant get into that email, just send a new one": not to that inbox again
            dispatcher.utter_message(text=NO_MAILBOX_HELP, buttons=_CODE_WAYS_OUT)
            return {"order_code": None}
        res = resources.get()
        order = find_order(res.engine, tracker.get_slot("order_id"))
        if asks_for_a_new_code(value) and tracker.get_slot("order_email"):
            # "i never got the code": another one to the same address, within the same limits
            email = tracker.get_slot("order_email")
            result = request_code(res.engine, order, tracker.sender_id, email, res.settings.redaction_key)
            res.kick_mail()
            dispatcher.utter_message(text=result.refused or (
                f"I've sent a new code. If {email} is the email on order {order.order_id}, it should arrive within "
                "a minute or two (check the spam folder too); the newest code is the one that works."))
            return {"order_code": None}
        check = verify_code(res.engine, order, tracker.sender_id, value, res.settings.redaction_key)
        if check.ok:
            dispatcher.utter_message(text=f"Thanks, that's right: order {order.order_id} is now linked to this chat.")
            return {"order_code": "verified"}  # the code itself is never kept in a slot
        if check.locked:
            return {"order_code": None}  # action_handle_order explains the lock
        if check.malformed and not re.search(r"\d", str(value or "")) and answered_instead(
                dispatcher, value, tracker, "To show or change this order I need the 6-digit code from the email. "
                "If it hasn't come, I can send a new one, or a person from our team can help.", _CODE_WAYS_OUT):
            return {"order_code": None}  # "i'll check my email later", "how long do refunds take?"
        if check.malformed:
            dispatcher.utter_message(text="That doesn't look like the code: it's 6 digits, e.g. 482913.")
        elif check.expired:
            dispatcher.utter_message(text=f"That code has expired ({check.attempts_left} attempts left). "
                                          "Tell me the order's email again for a new one, or type the newest code.")
        else:
            dispatcher.utter_message(text=f"That code isn't right. {check.attempts_left} attempt"
                                          f"{'s' if check.attempts_left != 1 else ''} left.")
        return {"order_code": None}

    async def extract_order_change_confirmed(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "order_change_confirmed":
            return {}
        intent, text = latest_intent(tracker), latest_text(tracker)
        if _NO.match(text) is None and (intent == "affirm" or (
                intent != "deny" and _YES.match(text) and not _ASKS_MORE.search(text))):
            return {"order_change_confirmed": True}
        if intent == "deny" or _NO.match(text):
            return {"order_change_confirmed": False}
        return {}

    def validate_order_change_confirmed(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"order_change_confirmed": bool(value)}


class ActionAskOrderChangeConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_order_change_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        order = find_order(res.engine, tracker.get_slot("order_id"))
        request = tracker.get_slot("order_request")
        if request == "change_address":
            text = address_summary(order, tracker.get_slot("shipping_address"))
        elif request == "change_email":
            text = email_summary(order, tracker.get_slot("order_new_email"))
        else:
            text = cancel_summary(order, res.catalog.currency)
        dispatcher.utter_message(text=text, buttons=[{"title": "Yes", "payload": "/affirm"},
                                                     {"title": "No, keep it", "payload": "/deny"}])
        return []


class ActionHandleOrder(Action):
    def name(self) -> Text:
        return "action_handle_order"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        # Reached straight from the message when it carries the order number (one action call
        # instead of the form's validate + submit), so the number may be unchecked here.
        # (The slot is not filled from the message while another form is active.)
        typed = tracker.get_slot("order_id") or first_entity(tracker, "order_id")
        if typed is None and tracker.get_slot("order_request") is None:
            return []  # order_form left for a cart swap: no order was asked about
        order = find_order(res.engine, typed)
        request = order_request(tracker) or "track"
        if order is None:
            say_not_found(dispatcher, typed)
            # Ask again through order_form, keeping what the shopper wanted done with it.
            return [SlotSet("order_id", None), ActiveLoop("order_form")]
        done = [SlotSet(s, None) for s in REQUEST_SLOTS] + [SlotSet("order_id", order.order_id)]
        access = access_of(res.engine, order, tracker.sender_id)
        if access is Access.LOCKED:
            dispatcher.utter_message(
                text=f"{describe_coarse(order)} Too many wrong codes were entered in this chat, so I can't show or "
                     "change this order here. A person from our team can help.",
                buttons=[{"title": "Talk to a person", "payload": "/contact_human_agent"}])
            return done
        # "change the email on order LFT123456": the form's later turns no longer say "email"
        asked = [SlotSet("order_request", request)] if request != tracker.get_slot("order_request") else []
        if not access.allowed:
            # order_form asks for the email and the code (a fresh start: nothing left from earlier).
            return asked + [SlotSet("order_email", None), SlotSet("order_code", None), SlotSet("order_id", order.order_id),
                            ActiveLoop("order_form")]
        if needs_yes(request, order) and self._unconfirmed(tracker, request):
            # order_form asks for what is missing: the new address or email, then the yes.
            return asked + [SlotSet("order_id", order.order_id), ActiveLoop("order_form")]
        if request in ("refund", "change", "track") and self._problem_answered(dispatcher, tracker, res, order):
            # "the lamp arrived broken, i want a refund": the free return, never the change-of-mind fee;
            # "you sent me the wrong colour" / "one lamp is missing" read as tracking: that, not the status alone
            return done
        try:
            self._serve(dispatcher, tracker, res, order, request)
        except OrderError as err:
            dispatcher.utter_message(text=str(err))
        if request == "change_address":
            done.append(SlotSet("shipping_address", None))
        return done

    @staticmethod
    def _problem_answered(dispatcher: CollectingDispatcher, tracker: Tracker, res, order) -> bool:
        """An item reported damaged, wrong or missing in this order's last few messages (said before
        the email and code were asked): what the owner can do about that. False when none was."""
        said = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"][-PROBLEM_TURNS:]
        if any(says_missing(t) for t in said):
            text = missing_item_options(order)
        elif any(says_faulty(t) for t in said):
            text = faulty_item_options(order, refunds_of(res.engine, order.order_id), dt.date.today(), res.catalog.currency)
        else:
            return False
        if text:
            dispatcher.utter_message(text=text, buttons=[{"title": "Talk to a person", "payload": "/contact_human_agent"}])
        return bool(text)

    @staticmethod
    def _unconfirmed(tracker: Tracker, request: Text) -> bool:
        if request == "change_address" and not tracker.get_slot("shipping_address"):
            return True
        if request == "change_email" and not tracker.get_slot("order_new_email"):
            return True
        return tracker.get_slot("order_change_confirmed") is None

    @staticmethod
    def _serve(dispatcher: CollectingDispatcher, tracker: Tracker, res, order, request: Text) -> None:
        actor = sender_actor(tracker.sender_id)
        if request in ("cancel", "change_address", "change_email") and tracker.get_slot("order_change_confirmed") is False:
            dispatcher.utter_message(text=f"Okay, I haven't changed anything: order {order.order_id} stays as it is.")
        elif request == "cancel":
            done = cancel_order(res.engine, order.order_id, actor=actor, currency=res.catalog.currency)
            res.kick_mail()
            dispatcher.utter_message(
                text=f"Done: order {order.order_id} is cancelled. A refund of {res.catalog.format_price(done.refund_amount)} "
                     f"is recorded (reference R{done.refund_id}) and will reach your original payment method within "
                     "5-10 business days; the confirmation is on its way by email.")
        elif request == "change_address":
            new = change_address(res.engine, order.order_id, tracker.get_slot("shipping_address"), actor=actor)
            res.kick_mail()
            dispatcher.utter_message(text=f"Updated: order {new.order_id} will ship to {new.shipping_address}.")
        elif request == "change_email":
            new = change_email(res.engine, order.order_id, tracker.get_slot("order_new_email"), actor=actor)
            res.kick_mail()
            dispatcher.utter_message(text=f"Updated: emails about order {new.order_id} now go to {new.email}. I've sent a "
                                          "note to the old address too.")
        elif request == "refund":
            buttons = [{"title": "Cancel the order", "payload": "/cancel_order"}] if order.status == "processing" else []
            dispatcher.utter_message(
                text=refund_options(order, refunds_of(res.engine, order.order_id), dt.date.today(), res.catalog.currency),
                buttons=buttons + [{"title": "Talk to a person", "payload": "/contact_human_agent"}])
        elif request == "change":
            if order.status == "processing":
                dispatcher.utter_message(
                    text=f"Order {order.order_id} contains {order_contents(order)}. It hasn't shipped yet, so its items and quantities "
                         "can still change: a person from our team can do that for you here, or you can change the "
                         "delivery address or cancel it yourself.",
                    buttons=[{"title": "Cancel the order", "payload": "/cancel_order"},
                             {"title": "Change address", "payload": "/change_shipping_address"},
                             {"title": "Talk to a person", "payload": "/contact_human_agent"}])
            elif order.status == "cancelled":
                dispatcher.utter_message(text=describe_status(order) + " There is nothing left to change.")
            else:
                dispatcher.utter_message(text=describe_status(order) + " It can no longer be changed; "
                                         "you can return items within 30 days of delivery.")
        else:  # tracking: the status, and what the order holds ("what's in my order?")
            dispatcher.utter_message(text=describe_tracking(order, res.catalog.currency))
