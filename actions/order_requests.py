"""What a shopper asks of an order (track, cancel, change the address or the email) and whether
it needs their explicit yes; the order form and action_handle_order share these. Also the order
form's questions for the number and the code (``action_ask_order_id``, ``action_ask_order_code``), and
what it says of a number not on record."""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import first_entity, latest_intent, latest_text
from actions.demo_booking import RECENT_TURNS as DEMO_RECENT_TURNS
from actions.history import last_booked_or_placed
from lift.commerce.orders import OrderError
from lift.commerce.servicing import check_address_changeable, check_cancellable, check_email_changeable
from lift.commerce.amend import carried_answers
from lift.commerce.contacts import current_email_mention
from lift.commerce.destinations import ask_country, not_shipped_reason
from lift.commerce.ownership import CODE_TTL, normalize_code
from lift.commerce.validation import find_email, normalize_address, normalize_email, normalize_order_id
from lift.understanding.followups import bare_cancel

# Slots of one order request, cleared when it is done so the next request starts clean.
REQUEST_SLOTS = ("order_request", "order_email", "order_code", "order_change_confirmed", "order_coarse", "order_new_email")
# "change the email on my order", "my order confirmation should go to another address": read as
# change_order or (for "email address") change_shipping_address, the shopper means the order's email.
_EMAIL_WORDS = {"change_order": re.compile(r"\b(?:e-?mails?|inbox)\b", re.IGNORECASE),
                # "i never got the email, change the address" is still an address change
                "change_shipping_address": re.compile(r"\be-?mail\s+address\b", re.IGNORECASE)}


def order_request(tracker: Tracker) -> Optional[Text]:
    """What the shopper wants done with the order: the slot (from the intent), except that a change
    or an address change whose message is about the email is a change of the order's email."""
    request = tracker.get_slot("order_request")
    words = _EMAIL_WORDS.get(latest_intent(tracker) or "")
    text = latest_text(tracker)
    mention = current_email_mention(text)
    if mention:  # "... the email on the order is jo@example.com" names the order's email, asks no change of it
        text = mention[1]
    if request in ("change", "change_address") and words is not None and words.search(text):
        return "change_email"
    return request


def new_email_named(tracker: Tracker) -> List[Dict[Text, Any]]:
    """"change the email on my order to jo@example.com": the address the request names is the new
    one, kept even before the form knows which order (rasa_sdk only extracts required slots), so
    it is never asked for again."""
    if tracker.get_slot("requested_slot") is not None or tracker.get_slot("order_new_email") \
            or order_request(tracker) != "change_email":
        return []
    named = [normalize_email(e.get("value")) for e in (tracker.latest_message or {}).get("entities") or []
             if e.get("entity") == "email"]
    mention = current_email_mention(latest_text(tracker))
    # "change the email on my order, my email is jo@x.com", "... to new@x.org, old one is jo@x.com":
    # the address said to be the current one is not the new one
    new = [e for e in named if e and not (mention and e == mention[0])]
    return [SlotSet("order_new_email", new[-1])] if new else []


def email_already_given(tracker: Tracker, events: List[Dict[Text, Any]],
                        validate: Callable[[Text], Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """"Please cancel LFT100002. The email on the order is jo@example.com": when the form is about to
    ask for the order's email (``events``, the form's run), the message already named it, so the code
    goes there now (``validate``: the form's own email check, which sends it) and the next question is
    the code (the events' requested_slot is what Rasa asks next)."""
    asks = [e for e in events if e.get("event") == "slot" and e.get("name") == "requested_slot"]
    if not asks or asks[0].get("value") != "order_email" or tracker.get_slot("order_email"):
        return events
    mention = current_email_mention(latest_text(tracker))
    if not mention or not validate(mention[0]).get("order_email"):
        return events
    return [e for e in events if e is not asks[0]] + [SlotSet("order_email", mention[0]), SlotSet("requested_slot", "order_code")]


def new_address_named(tracker: Tracker) -> List[Dict[Text, Any]]:
    """"can i change the address to my work? 1 Capitol Sq, Madison WI 53703": the address the request
    names is the new one, so the form does not ask for it (refused or foreign ones are asked, where
    the form says why)."""
    if tracker.get_slot("requested_slot") is not None or tracker.get_slot("shipping_address") \
            or order_request(tracker) != "change_address":
        return []
    carried = carried_answers(latest_text(tracker)).get("shipping_address")
    address = normalize_address(carried) if carried else None
    if address is None or not_shipped_reason(address) or ask_country(address):
        return []
    return [SlotSet("shipping_address", address)]


def needs_yes(request: Optional[Text], order) -> bool:
    """Whether ``request`` on ``order`` is allowed and must be confirmed with a yes first."""
    try:
        if request == "cancel":
            check_cancellable(order)
            return True
        if request == "change_address":
            check_address_changeable(order)
            return True
        if request == "change_email":
            check_email_changeable(order)
            return True
    except OrderError:
        return False  # action_handle_order says why
    return False


# Shopping, not an answer to the order form's question; and the actions a form's own turn runs.
SHOPPING_INTENTS = frozenset({"add_to_cart", "view_cart", "search_product", "ask_price", "remove_from_cart",
                              "ask_alternatives", "ask_complements", "checkout"})
_FORM_STEPS = frozenset({"action_listen", "order_form", "validate_order_form", "action_extract_slots"})


def pending_request(tracker: Tracker) -> List[Dict[Text, Any]]:
    """While the form waits for a yes or no to a request ("Cancel it?"), or for the email or the code
    and the message gives it, the request stays what was asked: "no keep it, but can i change to
    express?" is read as change_order and "The code which I received is 566986" as track_order,
    whose slot mappings would turn the pending cancel into a plain change or a tracking, and the
    request would be lost. The SlotSet that puts the asked request back, or nothing."""
    requested, text = tracker.get_slot("requested_slot"), latest_text(tracker)
    # "The code which I received is 566986" read as track_order, "my email is jo@x.com" as change_order:
    # the answer to the question asked, not a new request
    answers = requested == "order_change_confirmed" or (requested == "order_code" and normalize_code(text)) or \
        (requested == "order_email" and find_email(text))
    if not answers:
        return []
    seen_user, asked = False, None
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "order_request":
            asked = event.get("value")
            break
    if asked is None or asked == tracker.get_slot("order_request"):
        return []
    return [SlotSet("order_request", asked)]


def answered_since_message(tracker: Tracker) -> bool:
    """Whether an action other than the form has answered the latest message (a digression's rule)."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in _FORM_STEPS:
            return True
    return False


def cancels_the_demo(tracker: Tracker) -> bool:
    """"cancel it" read as cancel_order just after this chat booked a demo, naming no order."""
    last, _, since = last_booked_or_placed(tracker)
    return (latest_intent(tracker) == "cancel_order" and last == "demo" and since <= DEMO_RECENT_TURNS
            and tracker.get_slot("requested_slot") in (None, "order_id") and not first_entity(tracker, "order_id")
            and bare_cancel(latest_text(tracker)))


class ActionAskOrderId(Action):
    """The order form's question for the number, unless the message just gave one of the right form that
    is not on record: "I couldn't find order LFT482913 … send it again" has asked already (the form
    then added "What's your order number? It looks like LFT123456" to a shopper who had typed just that)."""

    def name(self) -> Text:
        return "action_ask_order_id"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        typed = first_entity(tracker, "order_id") or latest_text(tracker)
        if not normalize_order_id(typed) or tracker.get_slot("order_id"):
            dispatcher.utter_message(response="utter_ask_order_id")
        return []


def say_not_found(dispatcher: CollectingDispatcher, typed: Any) -> None:
    """A number of our form not on record is said back (with a way to a person); any other, our form."""
    number = normalize_order_id(typed)
    dispatcher.utter_message(response="utter_wrong_order_id" if number else "utter_order_id_format", order_number=number)


class ActionAskOrderCode(Action):
    def name(self) -> Text:
        return "action_ask_order_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        minutes = int(CODE_TTL.total_seconds() // 60)
        dispatcher.utter_message(text=f"Please type the code from that email (it's valid for {minutes} minutes).")
        return []
