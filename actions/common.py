"""Small helpers shared by the action modules (no business logic here), and the knowledge base's
answer given in passing (the lead form's first question)."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions import resources

from lift.commerce.destinations import ask_country, not_shipped_reason, with_country
from lift.commerce.abroad import destination_answer
from lift.commerce.amend import address_in
from lift.commerce.validation import asks_something, normalize_address
from lift.observability.actions import observe_retrieval
from lift.retrieval import IndexNotReady, InvalidQuery, get_retriever
from lift.retrieval.questions import build_query, format_answer, sure_topic_question, topic_question
from lift.understanding.answers import dismisses_then_asks, plain_answer, says_stop

# Intents that mean "not an answer to your question" while a form is asking something: the
# form's extractors leave the turn alone so the digression rules (answer, show cart, stop,
# human) can run and the form resumes afterwards.
DIGRESSION_INTENTS = frozenset({
    "ask_question", "view_cart", "stop", "contact_human_agent", "contact_customer_service", "complaint",
    "bot_challenge", "greet", "goodbye", "thank", "search_product", "ask_price", "add_to_cart",
    "remove_from_cart", "checkout", "request_demo", "start_onboarding", "create_account", "check_refund_policy",
    "delivery_options", "delivery_period", "check_payment_methods", "check_cancellation_fee", "apply_coupon",
})

MAX_USER_TEXT = 2000
# Forms none of whose answers says "stop" (a name, an email, a company, a team size, a time,
# interests): there a message that does is a real stop whatever its intent ("i'd rather not"
# reads as deny), never the answer.
STOPPABLE_FORMS = frozenset({"lead_form", "onboarding_form"})


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def latest_text(tracker: Tracker) -> Text:
    return str((tracker.latest_message or {}).get("text") or "")


def takes_person_offer(tracker: Tracker) -> bool:
    """True for a yes ("yes please") right after the bot's last message offered a person (its
    "Talk to a person" button): the shopper accepts that, not answers the question asked again."""
    if latest_intent(tracker) != "affirm":
        return False
    events = list(tracker.events or [])
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    since = users[-2] if len(users) > 1 else -1  # the bot's reply to the previous message only
    bots = [e for e in events[since + 1:] if e.get("event") == "bot"]
    for event in reversed(bots[-2:]):  # the offer, possibly followed by the form's question again
        buttons = ((event.get("data") or {}).get("buttons")) or []
        if any(b.get("payload") == "/contact_human_agent" for b in buttons):
            return True
        if buttons:  # "Cancel it? [Yes | No, keep it]": the yes answers the latest question
            return False
    return False


def entity_values(tracker: Tracker, entity: Text) -> List[Text]:
    """Values of ``entity`` in the latest message, de-duplicated: several extractors may report one mention."""
    seen: List[Text] = []
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") == entity and e.get("value") not in (None, ""):
            value = str(e["value"])
            if value.lower() not in (s.lower() for s in seen):
                seen.append(value)
    return seen


def first_entity(tracker: Tracker, entity: Text) -> Optional[Text]:
    values = entity_values(tracker, entity)
    return values[0] if values else None


def positioned(tracker: Tracker, *kinds: Text) -> List[Dict[Text, Any]]:
    """The latest message's entities of ``kinds`` that carry their character span, in order."""
    return [e for e in (tracker.latest_message or {}).get("entities") or []
            if e.get("entity") in kinds and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]


def catalog_spans(tracker: Tracker) -> List[Tuple[int, int]]:
    """Where the latest message names a product or category (character spans)."""
    return [(e["start"], e["end"]) for e in positioned(tracker, "product", "category")]


def answering_form(tracker: Tracker, slot: Text) -> bool:
    """True when the latest message is the shopper's answer to the form's question for ``slot``.
    A digression intent is not an answer, unless the message is nothing but this slot's answer:
    the classifier reads "ten" and "Pat" as stop and "Kettle & Co" as a product search, but
    asked for a team size, a name or a company they are the answer. A real stop ("forget it",
    "i'd rather not") is never the answer to a lead or onboarding question, whatever its intent."""
    if tracker.get_slot("requested_slot") != slot:
        return False
    text = latest_text(tracker).strip()
    if not text or len(text) > MAX_USER_TEXT:
        return False
    if tracker.active_loop_name in STOPPABLE_FORMS and says_stop(text):
        return False
    if latest_intent(tracker) in DIGRESSION_INTENTS:
        return plain_answer(slot, text, catalog_spans(tracker)) is not None
    return True


def checked(slot: Text, value: Any, normalize, dispatcher) -> Dict[Text, Any]:
    """A validator's result: the normalised value, or None after asking again with
    ``utter_wrong_<slot>`` so the shopper learns what was wrong."""
    result = normalize(value)
    if result is None:
        dispatcher.utter_message(response=f"utter_wrong_{slot}")
    return {slot: result}


# An address that named no country and is not a US one, kept while its country is asked.
PENDING_ADDRESS = "address_without_country"


class AddressMixin:
    """The shipping address asked by checkout and by changing an order's address."""

    async def extract_shipping_address(self, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        text = latest_text(tracker).strip()
        if with_country(tracker.get_slot(PENDING_ADDRESS), text):  # "france", after "which country is ..."
            return {"shipping_address": with_country(tracker.get_slot(PENDING_ADDRESS), text)}
        if answering_form(tracker, "shipping_address"):
            return {"shipping_address": text}
        if tracker.get_slot("requested_slot") == "shipping_address" and latest_intent(tracker) in DIGRESSION_INTENTS:
            # "Deliver to 8 Rose Court, Bath BA1 2QP, United Kingdom, please." read as a delivery question:
            # answered, and the address it carries taken
            carried = address_in(text) if not asks_something(text) else None  # "do you ship to 12 Main St?": no
            return {"shipping_address": carried} if carried and "," in carried else {}
        return {}

    def validate_shipping_address(self, value: Any, dispatcher, tracker: Tracker, domain) -> Dict[Text, Any]:
        refused = not_shipped_reason(value)
        if refused:  # a country we don't ship to: said why, and the address asked again
            dispatcher.utter_message(text=refused)
            return {"shipping_address": None, PENDING_ADDRESS: None}
        question = ask_country(value)
        if question:  # "12 rue de Rivoli, 75001 Paris": not a US address, and no country named
            dispatcher.utter_message(text=question)
            return {"shipping_address": None, PENDING_ADDRESS: str(value).strip()}
        abroad = destination_answer(value, resources.get().catalog.currency) if normalize_address(value) is None else None
        if abroad:  # "can i send it to my mate in nz instead?": whether we deliver there, then the address again
            dispatcher.utter_message(text=abroad)
            return {"shipping_address": None, PENDING_ADDRESS: None}
        return {**checked("shipping_address", value, normalize_address, dispatcher), PENDING_ADDRESS: None}


def masked_text(tracker: Tracker, names: List[Text] = ()) -> Text:
    """The latest text with other entities' values and ``names`` blanked out (same length), so a
    number inside them ("Nimbus 14", an order number) is not read as a quantity."""
    text = latest_text(tracker)
    values = [str(e.get("value")) for e in (tracker.latest_message or {}).get("entities") or []
              if e.get("entity") not in ("quantity", "date_time") and e.get("value") not in (None, "")]
    for value in sorted({*values, *(n for n in names if n)}, key=len, reverse=True):
        text = re.sub(re.escape(value), lambda m: " " * len(m.group(0)), text, flags=re.I)
    return text


def assess_question(retriever, text: Optional[Text], intent: Optional[Text] = None,
                    confidence: Optional[float] = None, context_product: Optional[Text] = None):
    """The knowledge base's assessment of a shopper's question, observed for the metrics: the query
    built from the text (and the product in view); when that finds no answer and the classifier is
    sure which policy the question is about, that policy's standard question. Raises
    ``InvalidQuery`` for a text that cannot be searched."""
    query = build_query(text, intent, context_product)
    result = retriever.assess(query)
    observe_retrieval(result)
    topic = topic_question(intent, confidence)
    if result.answer is None and topic and topic != query:
        # Worded unlike the KB ("my kettle leaks and i want to send it back" read as get_refund).
        result = retriever.assess(topic)
    sure = sure_topic_question(intent, confidence)
    if sure and sure != query and result.answer is not None:
        # "how do I delete my account" (0.999) found the FAQ on creating one: the intent's own section
        topical = retriever.assess(sure)
        if topical.answer is not None and topical.answer.doc_id != result.answer.doc_id:
            result = topical
    return result


def answered_instead(dispatcher, value: Any, tracker: Tracker, fallback: Text,
                     buttons: Optional[List[Dict[Text, Any]]] = None) -> bool:
    """For a sentence typed where an email is asked ("do i need one to order?", "i want money back
    not new one"): the knowledge base's answer if it has one, else ``fallback``; True when said (the
    form then asks again), False when ``value`` may just be a mistyped address."""
    text = str(value or "")
    # "jane at acme dot com", "jane at acme": an address spelled out; "look at that email account" in a sentence is not
    spelled_address = re.search(r"\bat\b", text, re.IGNORECASE) and (
        re.search(r"\bdot\b", text, re.IGNORECASE) or len(text.split()) <= 4)
    if len(text.split()) < 3 or spelled_address or re.search(r"@|\w\.\w{2,}", text):
        return False  # "jane at acme dot com", "jane.doe gmail.com": an address typed wrong
    answer = answer_in_passing(text, latest_intent(tracker))
    dispatcher.utter_message(text=answer or fallback, buttons=buttons or [])
    return True


def answer_in_passing(text: Text, intent: Optional[Text]) -> Optional[Text]:
    """The knowledge base's answer to ``text`` with its source, for an action that answers a question
    on the way to something else (the lead form's first question); None when the KB is unsure or
    unavailable, or the text is no question it can search."""
    try:
        answer = assess_question(get_retriever(), text, intent).answer
    except (IndexNotReady, InvalidQuery):
        return None
    return format_answer(answer.text, answer.title, answer.doc_id) if answer is not None else None


def leaving_form(tracker: Tracker, events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The events ending the active form after an answer to "ok forget it, how long do refunds take?"
    (the form asked its question again after the answer, turn after turn); [] otherwise, or when the
    answer hands the turn on itself."""
    if not tracker.active_loop_name or not dismisses_then_asks(latest_text(tracker)) \
            or any(e.get("event") == "followup" for e in events):
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]


def called_off(tracker: Tracker, events: List[Dict[Text, Any]], slots) -> List[Dict[Text, Any]]:
    """For a form's validation: the events ending it (``slots`` emptied, nothing more asked) when the
    message its question got calls it off and asks something else ("ok forget it, how long do refunds
    take after cancelling?" at the code step: answered, then the code asked for again, turn after turn)."""
    asked = tracker.get_slot("requested_slot")
    if not asked or not dismisses_then_asks(latest_text(tracker)) or any(
            e.get("event") == "slot" and e.get("name") == asked and e.get("value") is not None for e in events):
        return []
    return [SlotSet(s, None) for s in slots] + [SlotSet("requested_slot", None)]
