"""Low-confidence turns: offer the likeliest things in plain words, then a person; out-of-scope
turns: the scope statement, unless the product on screen or a mistyped search explains them."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.cart import ActionAddToCart, ActionRemoveFromCart
from actions.cart_lines import retry_refused
from actions.catalog import ActionShowProducts, compare_if_asked, corrects_quantity
from actions.common import answer_in_passing, latest_text
from actions.demo_booking import answer_demo_followup
from actions.knowledge import ActionAnswerQuestion
from actions.order_in_view import answer_about_placed_order
from actions.handoff import accepts_person_offer, hand_off, offer_person_after_support
from actions.swap import swap_line
from lift.commerce.cart import normalize_cart
from lift.commerce.products import asks_about_stock, attribute_asked, stock_answer
from lift.commerce.stock import live
from lift.commerce.validation import asks_something
from lift.nlu.fallback import FIRST_TEXT, SECOND_TEXT, is_repeated_fallback, suggest
from lift.nlu.scope import asks_about
from lift.understanding.language import other_language
from lift.understanding.references import REMOVE, SET, parse_cart_change

# "i wnat to spek to ur maneger NOW": asking for a person with the words misspelt
_WANTS_A_PERSON = re.compile(r"\b(?:sp[ea]+c?k|talk|chat)\w*\s+(?:\w+\s+){0,3}?(?:m[ae]n+[ae]?g[ae]?r|supervis[eo]r|"
                             r"h[uo]+man|person|some(?:one|body|1)|agent|staff|real)\b", re.IGNORECASE)
# "does it mop", "and they charge wirelessly?": a short question pointing at the product on screen
_WANTS_TO_KNOW = re.compile(r"\b(?:want|wanted|need|needed|like)\s+to\s+know\b|\bwonder(?:ing)?\b|\bjust\s+asking\b",
                           re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(?:it|its|it's|this|that|they|them|one)\b", re.IGNORECASE)


# "I think I will have both of those, please.", "Ok I take both, one for mother and one for my aunt",
# "please take the expensive one out" (read as out of scope or nothing in particular): with cards on
# screen or a cart, a pick of one of them to buy or to take out is the cart's work
_TAKES = re.compile(r"\b(?:i'?ll\s+(?:have|take|get|go\s+(?:with|for))|i\s+(?:will\s+|shall\s+)?(?:have|take|get)|"
                    r"(?:could|can|may)\s+i\s+(?:please\s+)?(?:have|get)|i(?:'d|\s+would)\s+(?:like|love)|i\s+want|"
                    r"give\s+me|get\s+me|add|put|buy|order)\b", re.IGNORECASE)
_PICKS = re.compile(r"\b(?:both|all\s+of\s+them|the\s+other(?:\s+one)?|that\s+one|this\s+one|those|these|"
                    r"the\s+(?:first|second|third|last|cheaper|cheapest|expensive|dearer|pricier|bigger|smaller|"
                    r"lighter|heavier)(?:\s+one)?)\b", re.IGNORECASE)


async def cart_pick(dispatcher, tracker: Tracker, domain) -> Optional[List[Dict[Text, Any]]]:
    """The cart's answer to a pick among the cards on screen (to buy) or the cart's lines (to take
    out) that the classifier did not read as one; None when the message is no such pick."""
    text = latest_text(tracker)
    if not _PICKS.search(text) or asks_about(text):
        return None
    if normalize_cart(tracker.get_slot("cart")) and parse_cart_change(text).op == REMOVE:
        return await ActionRemoveFromCart().run(dispatcher, tracker, domain)
    if tracker.get_slot("last_shown") and _TAKES.search(text):
        return await ActionAddToCart().run(dispatcher, tracker, domain)
    return None


class ActionOfferOptions(Action):
    """Runs on ``nlu_fallback`` (rule in data/rules/fallback.yml)."""

    def name(self) -> Text:
        return "action_offer_options"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        compared = compare_if_asked(dispatcher, tracker)  # "aria vs aria pro" reads as nothing in particular
        if compared is not None:
            return compared
        swapped = swap_line(dispatcher, tracker)  # "actually the first one instead"
        if swapped is not None:
            return swapped
        retried = retry_refused(dispatcher, tracker, resources.get().catalog)  # "my bad, make that two mics instead"
        if retried is not None:
            return retried
        picked = await cart_pick(dispatcher, tracker, domain)  # "I think I will have both of those, please."
        if picked is not None:
            return picked
        if normalize_cart(tracker.get_slot("cart")) and parse_cart_change(latest_text(tracker)).op == SET:
            # "pls bump the ergo chairs up to a dozen", "can u make it 12 chairs instead of 10": a new
            # number for a cart line (the line is asked for when it is unclear), not the options
            return await ActionRemoveFromCart().run(dispatcher, tracker, domain)
        followed = answer_demo_followup(dispatcher, tracker)  # "did that go through?" after booking a demo
        if followed is not None:
            return followed
        followed = offer_person_after_support(dispatcher, tracker)  # "still nothing??" after a support answer
        if followed is not None:
            return followed
        if accepts_person_offer(tracker):
            return hand_off(dispatcher, tracker, "user_request")
        if is_repeated_fallback(tracker.events):
            dispatcher.utter_message(text=SECOND_TEXT)
            return hand_off(dispatcher, tracker, "fallback")
        say_english_only(dispatcher, latest_text(tracker))  # "quiero comprar una cafetera"
        offers = suggest((tracker.latest_message or {}).get("intent_ranking"))
        dispatcher.utter_message(text=FIRST_TEXT, buttons=[o.button() for o in offers])
        return []


def say_english_only(dispatcher: CollectingDispatcher, text: Text) -> None:
    """Says the assistant understands English only, for a message clearly written in another language."""
    language = other_language(text)
    if language:
        dispatcher.utter_message(text=f"Sorry, I can only chat in English for now, and your message looks like {language}.")


class ActionReplyOutOfScope(Action):
    """Runs on ``out_of_scope`` (rule in data/rules/chitchat.yml). The classifier reads short
    follow-ups about the product on screen ("how many left", "does it mop") and searches typed
    with typos ("hedphones wireles noise cancel") as out of scope: the first get the product's
    answer, the second the products of the department the corrected words name. Anything else
    gets the scope statement."""

    def name(self) -> Text:
        return "action_reply_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = latest_text(tracker)
        if _WANTS_A_PERSON.search(text) or accepts_person_offer(tracker):  # or "yes ..." to a person offered
            return hand_off(dispatcher, tracker, "user_request")
        followed = answer_demo_followup(dispatcher, tracker)  # "can we move it to tuesday" after booking a demo
        if followed is not None:
            return followed
        if corrects_quantity(tracker):  # "actually only 2, my mum doesnt need one"
            return [FollowupAction("action_remove_from_cart")]
        picked = await cart_pick(dispatcher, tracker, domain)  # "Ok I take both, one for mother and one for my aunt"
        if picked is not None:
            return picked
        res = resources.get()
        sku = tracker.get_slot("last_product")
        product = res.catalog.get(sku) if isinstance(sku, str) and text and len(text.split()) <= 12 else None
        if product is not None and asks_about_stock(text):
            dispatcher.utter_message(text=stock_answer(live(res.engine, product)))
            return []
        if product is not None and (asks_about(text) or text.rstrip().endswith("?")) \
                and (_POINTS_BACK.search(text) or attribute_asked(product, text)):
            return await ActionAnswerQuestion().run(dispatcher, tracker, domain)
        if text and len(text.split()) <= 6 and not asks_about(text) and res.catalog.category_of(text) is not None:
            return await ActionShowProducts().run(dispatcher, tracker, domain)
        followed = answer_about_placed_order(dispatcher, tracker)  # "why is it taking so long" about the order in view
        if followed is not None:
            return followed
        followed = offer_person_after_support(dispatcher, tracker)  # "i tried 3 times already"
        if followed is not None:
            return followed
        if tracker.active_loop_name and (asks_something(text) or _WANTS_TO_KNOW.search(text)):
            # "i just want to know if net 30 is possible" while the lead form asks a name: the
            # knowledge base's answer when it has one (the form asks its question again after)
            answer = answer_in_passing(text, "ask_question")
            if answer:
                dispatcher.utter_message(text=answer)
                return []
        say_english_only(dispatcher, text)  # "meine Bestellung ist nicht angekommen"
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
