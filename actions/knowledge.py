"""Answers from the knowledge base, with the source cited, or an honest "not sure".

The retriever is a process-wide resource: :func:`actions.resources.warm_up` loads it when the
action server starts (a missing or stale index stops the server with "run `lift kb build`"), and tests
install their own with ``lift.retrieval.set_retriever``. Passage text is only ever quoted
back to the shopper: nothing here reads it for instructions, slots or events.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.common import assess_question, entity_values, latest_intent, latest_text, leaving_form, positioned
from actions.catalog import ActionShowProducts, compare_if_asked, shown_products, without_spans, shown_events
from actions.history import shown_before
from actions.mentions import kind_in_view, named_products
from actions.swap import swap_in_cart
from actions.arrival import cart_arrival, checkout_arrival
from actions.checkout import amendment_events
from actions.demo_booking import answer_demo_followup
from actions.handoff import PERSON_OFFER, after_support_answer, hand_off, offer_person_after_support, stuck_after_support
from actions.order_in_view import answer_about_placed_order, answer_refund_in_view
from actions.quotes import answer_cart_total, asks_total_with_shipping
from lift.commerce.cards import cards_message
from lift.commerce.cart import normalize_cart
from lift.commerce.destinations import INTERNATIONAL_DOC, INTERNATIONAL_SOURCE
from lift.commerce.leads import offer_demo_after
from lift.commerce.matching import content_tokens, shares_name_word
from lift.commerce.abroad import destination_answer
from lift.commerce.orders import about_shipping, shipping_answer
from lift.commerce.returns import NON_RETURNABLE_SOURCE, WARRANTY_SOURCE, in_ear_return_verdict, warranty_verdict
from lift.nlu.readings import pays_by_invoice
from lift.commerce.products import asks_about_stock, attribute_asked, colour_reply, feature_not_mentioned, stock_label
from lift.commerce.stock import live
from lift.nlu.scope import demo_question
from lift.retrieval import IndexNotReady, InvalidQuery, get_retriever
from lift.retrieval.questions import format_answer
from lift.understanding.charges import unknown_charge
from lift.understanding.erasure import asks_erasure
from lift.understanding.followups import asks_own_order_arrival, asks_own_refund, reports_missing_delivery
from lift.understanding.references import names_a_position, resolve_reference

BUSINESS_ACCOUNTS_DOC = "policy:wholesale#business-accounts"  # kb/policies/wholesale.md
_POINTS_BACK = re.compile(r"\b(?:it|its|this|that|they|them|these|those|one)\b", re.IGNORECASE)

logger = logging.getLogger(__name__)


def _context_product(tracker: Tracker, retriever) -> Optional[Text]:
    sku = tracker.get_slot("last_product")
    doc = retriever.doc(f"product:{sku}") if isinstance(sku, str) and sku else None
    return doc.title.rsplit(" (", 1)[0] if doc else None


def _named_product(tracker: Tracker) -> Optional[Text]:
    """The SKU of the one product the message names ("is the aria pro in stock?"), else None."""
    names = entity_values(tracker, "product")
    if not names:
        return None
    try:
        catalog = resources.get().catalog
    except Exception:  # no catalog: answer from the knowledge base alone
        logger.exception("catalog unavailable for the product named in a question")
        return None
    products = named_products(tracker, catalog)
    return products[0].sku if len(products) == 1 else None


def _kind_in_view(tracker: Tracker) -> Optional[Text]:
    """"is the camera waterproof tho?" about the camera in the cart, not the SD card offered since."""
    if _POLICY_TALK.search(latest_text(tracker)):
        return None
    recent = [i["sku"] for i in reversed(normalize_cart(tracker.get_slot("cart")))] + \
        list(tracker.get_slot("last_shown") or []) + shown_before(tracker)
    return kind_in_view(tracker, resources.get().catalog, recent)


_RETURN_INTENTS = ("get_refund", "check_refund_policy", "track_refund")
DELIVERY_PROBLEMS_DOC = "policy:shipping#delivery-problems"
# paying for it over time, whichever product is named: "can i pay the nimbus 16 off bit by bit like over 6 months"
_PAY_OVER_TIME = (r"instal+ments?|bit\s+by\s+bit|pay\s+(?:\w+\s+){0,3}?off|(?:over|across)\s+(?:\w+\s+)?months|"
                  r"monthly\s+payments?|spread\s+(?:out\s+)?(?:the\s+)?(?:cost|payments?)|buy\s+now\s+pay\s+later|financ\w*|"
                  r"klarna|afterpay")
# The store's terms asked about a product in view ("do you charge vat on that", "will it get here b4
# xmas", "if it breaks after a year", "can I collect it from a store?"): the policies answer
_STORE_TERMS = (r"vat|sales\s+tax|tax(?:es)?|duty|duties|customs|get\s+here|reach\s+(?:me|us)|collect\w*|pick\s*-?up|"
                r"(?:in|from|at)\s+(?:a\s+|the\s+|your\s+)?(?:store|shop)|manufacturer|match\w*\s+(?:the\s+)?(?:prices?|that|it)|repair\w*|(?:if|when)\s+(?:it|they)\s+(?:breaks?|break|stops?|dies|die)|"
                r"price\s+(?:drops?|match\w*|goes\s+down)|gift\s*-?wrap\w*|" + _PAY_OVER_TIME)
_POLICY_TALK = re.compile(r"\b(?:(?:give|send|take)\s+(?:\w+\s+){0,3}?back|return|refund|warrant|guarantee|deliver|ship|cancel|order|pay|price|cost|discount|"
                          rf"exchange|replace|{_STORE_TERMS})\w*", re.IGNORECASE)


_RETURNING = re.compile(r"\b(?:return\w*|send\w*\s+(?:it|them|\w+)\s+back|refund\w*)\b", re.IGNORECASE)
_SHIPPING_COST = re.compile(r"\b(?:how\s+much|cost|costs|price|prices|fee|fees|charge|who\s+pays|pay\s+for)\b", re.IGNORECASE)
# A question about the store's terms, whatever product it mentions by "it".
# The store's terms for any product, whichever one is named: warranty, the return window, fees.
_TERMS = re.compile(r"\b(?:warrant\w*|guarantee\w*|garantie|return\s+(?:window|period|policy)|restocking|price\s+match\w*|"
                    r"match\w*\s+(?:the\s+)?(?:prices?|that|it)|" + _PAY_OVER_TIME + "|"
                    r"price\s+drop\w*|gift\s*-?wrap\w*|"
                    r"how\s+(?:long|many\s+days)\s+(?:do\s+i\s+have\s+)?to\s+return)\b", re.IGNORECASE)
_ABOUT_POLICY = re.compile(r"\b(?:return\w*|refund\w*|(?:give|send|take)\s+(?:\w+\s+){0,3}?back|warrant\w*|guarantee\w*|deliver\w*|ship(?:s|ping|ped)?|arriv\w*|"
                           r"dispatch\w*|postage|cancel\w*|exchange\w*|instal+ments?|receipt|invoice|pay(?:ing|ment)?|"
                           r"charged|charge\s+(?:me|my|card|now|when|extra)|(?:extra|delivery)\s+charge|"
                           rf"{_STORE_TERMS})\b", re.IGNORECASE)


def _asked_about_in_view(tracker: Tracker) -> Optional[Text]:
    """The SKU of the one product on screen when the question asks about one of its attributes by
    name and names no product ("how long does the battery last" after the speaker's card)."""
    sku = tracker.get_slot("last_product")
    shown = tracker.get_slot("last_shown") or []
    text = latest_text(tracker)
    if not isinstance(sku, str) or shown != [sku] or text.startswith("/") or _POLICY_TALK.search(text):
        return None  # "can i return it if the battery dies" is still the returns policy's
    product = resources.get().catalog.get(sku)
    return sku if product is not None and attribute_asked(product, text) else None


def _placed(tracker: Tracker) -> Optional[Text]:
    """The SKU of the shown product a question picks by its place ("the 2nd one, is it waterproof?") or
    by a word of its name no other card shown has ("is the sport one in stock", "The Mini is in stock?")."""
    text = latest_text(tracker)
    shown = shown_products(tracker, resources.get().catalog)
    if len(shown) < 2 or text.startswith("/"):
        return None
    if names_a_position(text):
        picked = resolve_reference(text, shown)
        return picked.skus[0] if len(picked.skus) == 1 else None
    words = set(content_tokens(text))
    own = [s.sku for s in shown if words & (set(content_tokens(s.name)) - {t for o in shown if o is not s
                                                                           for t in content_tokens(o.name)})]
    return own[0] if len(own) == 1 else None


def _product_reply(sku: Text, question: Text) -> Tuple[Optional[Text], Optional[Dict[str, Any]]]:
    """(a stock line when the question asks about stock, the product's card), both with the stock
    the database has now."""
    try:
        res = resources.get()
        product = live(res.engine, res.catalog.get(sku))
    except Exception:  # a card is a bonus; the cited answer stands without it
        logger.exception("catalog or stock unavailable for the product card of %s", sku)
        return None, None
    if product is None:
        return None, None
    line = f"{product.name}: {stock_label(product.stock)}." if asks_about_stock(question or "") else None
    return line, cards_message([product], res.catalog.currency)


# A question re-sent by a button must fit the channels' payload limits (Messenger: 1,000 characters).
MAX_BUTTON_QUESTION = 300
# "anything with a long battery?", "do you have one for kids": looking for another product.
_SEEKING = re.compile(r"\b(?:something|anything|any\s+other|another|others|do\s+you\s+(?:have|sell|carry|stock|do)|"
                      r"looking\s+for|recommend|suggest|need\s+an?)\b", re.IGNORECASE)


# "do you have the ps5", "do u sell airpods", "got any kindles?", "looking for a dyson v15": a question
# the catalog answers when the knowledge base has no page for it.
_ASKS_WHAT_WE_SELL = re.compile(r"\b(?:do|does)\s+(?:you|u|ya|the\s+store)\s+(?:guys\s+)?(?:have|sell|carry|stock)\b|"
                                r"\bhave\s+you\s+got\b|^\W*(?:got|any)\s+(?:any\s+)?\w|\blooking\s+for\b", re.IGNORECASE)


def _shown_instead(tracker: Tracker, answer) -> List[Any]:
    """The products just shown that a product answer should be about instead: the question names
    no product and looks for none ("how long is the battery?" after three laptop cards), and the
    best product page is none of them and shares no word of its name with the question."""
    sku = str(answer.meta.get("sku") or "")
    shown = [s for s in (tracker.get_slot("last_shown") or []) if isinstance(s, str)]
    text = latest_text(tracker)
    if answer.kind != "product" or not shown or sku in shown or text.startswith("/") or _SEEKING.search(text) \
            or len(text) > MAX_BUTTON_QUESTION:
        return []
    catalog = resources.get().catalog
    product = catalog.get(sku)
    if product is None or shares_name_word(text, product.name):
        return []
    return [p for p in (catalog.get(s) for s in shown) if p is not None]


def _ask_which_shown(dispatcher: CollectingDispatcher, tracker: Tracker, shown) -> List[Dict[Text, Any]]:
    text = latest_text(tracker).strip().rstrip("?")
    # Each button asks the same question about one product, by name: a fresh, answerable turn.
    dispatcher.utter_message(text="Which of these do you mean?",
                             buttons=[{"title": p.name, "payload": f"{text} ({p.name})?"} for p in shown])
    return [SlotSet("kb_doc_id", None)]


ERASURE_TAKEN = ("I can't delete data myself, so I'm passing your request to our team: they confirm it's you by "
                 "email and complete it within 30 days. Order records that tax law requires are kept for 7 years, "
                 "with your other personal data removed.")


UNKNOWN_CHARGE = ("A charge you don't recognise needs a person to look into it: I'm passing this to our team now. "
                  "If you think your card was used by someone else, call your bank as well to block it.")


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events = swap_in_cart(dispatcher, tracker)  # "could you exchange those for the Aria Pro" (read as a refund)
        events = await self._answer(dispatcher, tracker, domain) if events is None else events
        return events + leaving_form(tracker, events)  # "ok forget it, how long do refunds take?": the form ends

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        compared = compare_if_asked(dispatcher, tracker)  # "difference between the aria and the aria pro"
        if compared is not None:
            return compared
        followed = answer_demo_followup(dispatcher, tracker)  # "what time is our demo again"
        if followed is None and stuck_after_support(tracker):  # "ok what now" after the declined-payment answer
            followed = offer_person_after_support(dispatcher, tracker)
        if followed is not None:
            return followed
        verdict = warranty_verdict(latest_text(tracker))
        if verdict:  # "stopped working after like 3 months, is there warranty??": covered or not, for that age
            dispatcher.utter_message(text=f"{verdict}\n\nSource: {WARRANTY_SOURCE}")
            return [SlotSet("kb_doc_id", "policy:warranty#warranty-coverage")]
        # the one product the message names, or picks among the cards shown, for the whole answer
        named = _named_product(tracker) or _placed(tracker)
        about = resources.get().catalog.get(named or str(tracker.get_slot("last_product") or ""))
        # (a return already sent whose money has not come is that order's refund, below, not whether it can go back)
        verdict = None if asks_own_refund(latest_text(tracker)) else in_ear_return_verdict(
            latest_text(tracker), about.name if about is not None else None)
        if verdict:  # "bought the pulse earbuds 3 weeks ago, used them a few times, can i send them back?"
            dispatcher.utter_message(text=f"{verdict}\n\nSource: {NON_RETURNABLE_SOURCE}")
            return [SlotSet("kb_doc_id", "policy:returns#non-returnable-items")]
        if unknown_charge(latest_text(tracker)) and not tracker.active_loop_name:
            # "theres a charge from you on my card, i never ordered anything": a person looks into it
            dispatcher.utter_message(text=UNKNOWN_CHARGE)
            return hand_off(dispatcher, tracker, "user_request")
        if asks_erasure(latest_text(tracker)) and not tracker.active_loop_name:
            # "please delete all my data": the privacy policy says it can be asked here; a person
            # confirms it's them by email and erases it (``lift privacy erase``)
            dispatcher.utter_message(text=ERASURE_TAKEN)
            return hand_off(dispatcher, tracker, "user_request")
        if latest_intent(tracker) in ("get_refund", "track_refund") and entity_values(tracker, "order_id") \
                and not tracker.active_loop_name:
            # "i want a refund for LFT100002, the blender arrived cracked": the rule for a named order
            # needs the order number alone among the entities (Rasa's rules match entity sets exactly),
            # so with a product named too it lands here; it is still that order's refund
            return [SlotSet("order_request", "refund"), FollowupAction("action_handle_order")]
        # At checkout "can I change to next-day delivery" reads as a delivery question but
        # changes the order; the form asks its next question after this action.
        amended = amendment_events(dispatcher, tracker)
        if amended or checkout_arrival(dispatcher, tracker):
            return amended
        placed = answer_about_placed_order(dispatcher, tracker)  # "when will it arrive?" after ordering
        if placed is None:
            placed = answer_refund_in_view(dispatcher, tracker)  # "where's my refund?" after cancelling
        if placed is not None:
            return placed
        # a return's postage from Leeds is a returns question, not one about delivering to the UK
        abroad = destination_answer(latest_text(tracker), resources.get().catalog.currency) \
            if latest_intent(tracker) not in _RETURN_INTENTS + ("complaint",) else None
        if abroad:  # "do you ship to australia", "I'm in Toronto, with express when would it arrive": the
            # shipping policy's countries and times (not the US options' dates or an FAQ's "select countries")
            dispatcher.utter_message(text=f"{abroad}\n\nSource: {INTERNATIONAL_SOURCE}")
            return [SlotSet("kb_doc_id", INTERNATIONAL_DOC)]
        if cart_arrival(dispatcher, tracker):  # "when would it get here if i pick express", cart in hand
            # ("if i order the vortex today will it get here by friday?", then "ok add it": the Vortex)
            named = named_products(tracker, resources.get().catalog)
            return [SlotSet("kb_doc_id", None)] + (shown_events(named) if named else [])
        if latest_intent(tracker) == "track_refund" and not tracker.active_loop_name and asks_own_refund(latest_text(tracker)):
            # "two weeks and still no refund, where's my money?": that order's refund (the form asks
            # which order and for the proof), not the policy's general refund times
            return [SlotSet("kb_doc_id", None), SlotSet("order_request", "refund"), FollowupAction("order_form")]
        if latest_intent(tracker) in ("delivery_period", "delivery_options") and not tracker.active_loop_name \
                and asks_own_order_arrival(latest_text(tracker)):
            # "when will my package arrive": that order's own date, from tracking it (the form asks
            # which order), not the policy's general delivery times
            return [SlotSet("kb_doc_id", None), SlotSet("order_request", "track"), FollowupAction("order_form")]
        res = resources.get()
        if asks_total_with_shipping(latest_text(tracker)) and answer_cart_total(dispatcher, tracker, res.catalog, res.engine):
            return [SlotSet("kb_doc_id", None)]  # "whats the total with shipping": the cart, priced
        if _SHIPPING_COST.search(latest_text(tracker)) and about_shipping(latest_text(tracker)) \
                and not entity_values(tracker, "product") and not _RETURNING.search(latest_text(tracker)):
            # "how much is shipping", "who pays the shipping on this": every option's price, as the
            # price question and checkout give it (the shipping policy's figures, one table)
            dispatcher.utter_message(text=shipping_answer(latest_text(tracker), tracker.get_slot("shipping_method"), False,
                                                          res.catalog.currency)[0])
            return [SlotSet("kb_doc_id", None)]
        try:
            retriever = get_retriever()
        except IndexNotReady:
            logger.exception("knowledge base unavailable")
            dispatcher.utter_message(response="utter_kb_unavailable")
            return [SlotSet("kb_doc_id", None)]
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        try:
            result = assess_question(retriever, message.get("text"), intent.get("name"), intent.get("confidence"),
                                     _context_product(tracker, retriever))
        except InvalidQuery as exc:
            too_long = exc.reason == "too_long"
            dispatcher.utter_message(response="utter_kb_question_too_long" if too_long else "utter_kb_ask_question")
            return [SlotSet("kb_doc_id", None)]
        answer = result.answer
        about = res.catalog.get(named) if named else res.catalog.get(str(tracker.get_slot("last_product") or "")) \
            if _POINTS_BACK.search(str(message.get("text") or "")) else None  # "does it come in other colors"
        colours = colour_reply(about, str(message.get("text") or "")) if about is not None else None
        if colours:  # "do the aria headphones come in different colours?": its one colour, not its whole page
            dispatcher.utter_message(text=colours)
            return [SlotSet("kb_doc_id", f"product:{about.sku}"), SlotSet("kb_version", retriever.kb_version),
                    SlotSet("kb_score", result.confidence)] + shown_events([about])  # "ok put 2 in my cart" next
        text = str(message.get("text") or "")
        # "I would like to give back the desk lamps, how do I proceed?", "what's your return window for the
        # espresso machine", "warranty on the orbit x phone. how long": the policy, not the product's page
        # (also when the product's name kept the search below the threshold: "can i pay the nimbus 16 off
        # bit by bit" fell back to the payment methods)
        terms = bool(named and (intent.get("name") in _RETURN_INTENTS and _ABOUT_POLICY.search(text) or _TERMS.search(text)))
        named = None if terms else named
        if (terms or answer is not None and answer.kind == "product") and not named and _ABOUT_POLICY.search(text):
            # "can i return it?", "is it charged now or when it ships?" with a product in view: the
            # policy answers, not that product's page (when the question alone finds a policy; the
            # product's name left out, which found its page)
            plain = assess_question(retriever, without_spans(text, [(e["start"], e["end"]) for e in positioned(
                tracker, "product", "category")]), intent.get("name"), intent.get("confidence")).answer
            answer = plain if plain is not None and plain.kind != "product" else answer
        if named and (answer is not None and answer.kind == "product" and answer.meta.get("sku") != named
                      or asks_about_stock(text) and (answer is None or answer.meta.get("sku") != named)):
            # "is the aria pro in stock?" is about the Aria Pro, whatever page mentions it most ("The Mini
            # is in stock?" found the FAQ on reserving out-of-stock items)
            answer = retriever.answer_about(f"product:{named}", result.confidence) or answer
        if reports_missing_delivery(text):  # "says delivered / left on the doorstep but it's not there"
            answer = retriever.answer_about(DELIVERY_PROBLEMS_DOC, result.confidence) or answer
        if pays_by_invoice(message.get("text")) and not named:
            # "can i pay w/ invoice, we're a business": the business account's net-30 terms, not the
            # FAQ on getting an order's invoice (which the words find first)
            answer = retriever.answer_about(BUSINESS_ACCOUNTS_DOC, result.confidence) or answer
        in_view = (_placed(tracker) or _asked_about_in_view(tracker) or _kind_in_view(tracker)) if not named else None
        if in_view and (answer is None or answer.meta.get("sku") != in_view):
            # "ok how long does the battery last" about the speaker just shown, not the warranty policy
            answer = retriever.answer_about(f"product:{in_view}", result.confidence) or answer
        shown = _shown_instead(tracker, answer) if answer is not None and not named else []
        if len(shown) > 1:
            return _ask_which_shown(dispatcher, tracker, shown)
        if shown:  # the one product on screen, not another page that mentions the same thing
            answer = retriever.answer_about(f"product:{shown[0].sku}", result.confidence) or answer
        if answer is None and _ASKS_WHAT_WE_SELL.search(str(message.get("text") or "")):
            # "do you have the ps5": the catalog knows what we carry (answered here: no rule follows
            # a knowledge-base answer with a search)
            return [SlotSet("kb_doc_id", None), SlotSet("kb_version", retriever.kb_version),
                    SlotSet("kb_score", result.confidence)] + await ActionShowProducts().run(dispatcher, tracker, domain)
        if answer is None:
            dispatcher.utter_message(response="utter_kb_not_sure")
            return [SlotSet("kb_doc_id", None), SlotSet("kb_version", retriever.kb_version),
                    SlotSet("kb_score", result.confidence)] + _demo_offer(tracker, None)
        extra: Dict[str, Any] = {}
        if answer.kind == "product" and answer.meta.get("sku"):
            stock_line, cards = _product_reply(str(answer.meta["sku"]), str(message.get("text") or ""))
            if stock_line:
                dispatcher.utter_message(text=stock_line)
            _say_if_not_on_page(dispatcher, answer, str(message.get("text") or ""))
            if cards:
                extra["json_message"] = cards
        dispatcher.utter_message(text=format_answer(answer.text, answer.title, answer.doc_id), **extra)
        if answer.doc_id == tracker.get_slot("kb_doc_id") and after_support_answer(tracker):
            # the same answer as to the question before ("can i get an invoice?" asked again): it didn't help
            dispatcher.utter_message(text="That's all I have on it. Would you like me to pass this to a person from our team?",
                                     buttons=PERSON_OFFER)
        events = [SlotSet("kb_doc_id", answer.doc_id), SlotSet("kb_version", answer.kb_version),
                  SlotSet("kb_score", answer.score)]
        if "json_message" in extra:  # the product answered about is the one "add it" / "add two" now means
            sku = str(answer.meta["sku"])
            events += [SlotSet("last_shown", [sku]), SlotSet("last_product", sku)]
        return events + _demo_offer(tracker, answer.doc_id)


def _say_if_not_on_page(dispatcher: CollectingDispatcher, answer, question: Text) -> None:
    """"does it have a backlit keyboard" when the product's page says nothing of one: said plainly
    (with a person to ask) before the page, which is all we know about it."""
    product = resources.get().catalog.get(str(answer.meta.get("sku") or ""))
    if product is None:
        return
    feature = feature_not_mentioned(answer.text, question, re.findall(r"[a-z0-9]+", product.name.lower()))
    if feature:
        dispatcher.utter_message(text=f"The {product.name}'s page doesn't mention {feature}, so I can't confirm it. "
                                      f"Here is everything it lists; our team can check anything else.",
                                 buttons=[{"title": "Ask our team", "payload": "/contact_human_agent"}])


def _demo_offer(tracker: Tracker, doc_id: Optional[Text]) -> List[Dict[Text, Any]]:
    """``utter_offer_demo`` next ("Book a demo" / "No, thanks"; a typed yes or no works too, see
    data/rules/lead.yml) after an answer about business buying or to a question about the demo."""
    message = tracker.latest_message or {}
    asked = demo_question(message.get("intent_ranking") or [], message.get("text"))
    return [FollowupAction("utter_offer_demo")] if offer_demo_after(doc_id, asked, bool(tracker.active_loop_name)) else []
