"""Coupons: apply a code (checked against the database and the cart), say which code a new one
replaces, take a code off again, and answer "is there a discount code?" from the promotions policy."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.catalog import shown_products
from actions.common import answer_in_passing, entity_values, first_entity, latest_intent, latest_text
from lift.commerce.cart import check_coupon
from lift.commerce.validation import find_coupon, normalize_coupon
from lift.retrieval.questions import INTENT_QUESTIONS
from lift.understanding.references import resolve_reference


# "is there a discount code or sale rn", "any promo codes?": asking whether there is one, not giving one.
_ASKS_FOR_DEALS = re.compile(r"\b(?:is\s+there|are\s+there|any|got|do\s+(?:you|u)\s+(?:have|do|offer)|have\s+you\s+got|"
                             r"how\s+(?:do|can)\s+i\s+get|give\s+(?:me|us)|send\s+(?:me|us)|(?:can|could|may)\s+(?:i|we)\s+(?:have|get)|"
                             r"make\s+(?:me|us)|generate|create|(?:i|we)\s+(?:just\s+|only\s+)?(?:want|need|wanted|came\s+for))\b.*\b(?:discounts?|codes?|coupons?|promos?|promotions?|sales?|deals?|"
                             r"offers?|vouchers?)\b", re.IGNORECASE)


# "remove coupon", "take the discount code off", "drop the voucher"
_REMOVE_CODE = re.compile(r"\b(?:remove|delete|drop|cancel|take\s+off|take\s+\w+\s+off|get\s+rid\s+of|without)\b.*"
                          r"\b(?:coupon|code|discount|voucher|promo)\b|\b(?:coupon|code|discount|voucher|promo)\b.*\b(?:off|remove)\b",
                          re.IGNORECASE)
# "use code FREESHIP", "what about BLACKFRIDAY50": the word after a code cue, or a capitalised code
_CODE_AFTER_CUE = re.compile(r"\b(?:code|coupon|voucher|promo)\s*:?\s+([A-Za-z0-9]{3,20})\b|\b([A-Z]{3,14}\d{0,4})\b")
_NOT_CODES = frozenset("""THE AND USE CODE CODES COUPON COUPONS VOUCHER VOUCHERS PROMO PROMOS DISCOUNT DISCOUNTS OFFER
OFFERS DEAL DEALS PLEASE PLS THANKS WHAT ABOUT TRY THIS THAT IT FOR IS ARE DO YOU HAVE ANY OK OKAY WORK WORKS DOES
APPLY ADD REMOVE HOW WHERE""".split())


def _typed_code(text: Text):
    """A code typed in words the coupon parser does not know ("use code freeship", "BLACKFRIDAY50")."""
    for m in _CODE_AFTER_CUE.finditer(text or ""):
        word = m.group(1) or m.group(2)
        if word and word.upper() not in _NOT_CODES:
            return normalize_coupon(word)
    return None


def carried_coupon(tracker: Tracker):
    """The coupon code the latest message carries, normalised; None when it carries none."""
    return normalize_coupon(first_entity(tracker, "coupon_code")) or find_coupon(latest_text(tracker))


def apply_carried_coupon(dispatcher: CollectingDispatcher, tracker: Tracker, cart: Any = None,
                         handed_over: bool = False) -> List[Dict[Text, Any]]:
    """A coupon code inside a checkout message ("... email rick@example.com, code SAVE20"): checked
    and applied as if typed alone, so the summary shows it. [] when the message carries none, the
    code is already on the order, or the message is read as apply_coupon (its own rule applies it)
    and was not ``handed_over`` by that rule's action to the add (:func:`buys_with_code`).
    ``cart``: the cart as this turn left it (the message may have just filled it)."""
    if latest_intent(tracker) == "apply_coupon" and not handed_over:
        return []
    code = carried_coupon(tracker)
    if not code or code == tracker.get_slot("coupon_code"):
        return []
    res = resources.get()
    check = check_coupon(res.engine, code, cart if cart is not None else tracker.get_slot("cart"),
                         currency=res.catalog.currency, email=tracker.get_slot("email"))
    dispatcher.utter_message(text=check.message)
    return [SlotSet("coupon_code", check.code)] if check.ok else []


# "I'd like the Clarity monitor please. Is WELCOME10 valid on it", "ok the lite one pls, and i have code X"
_WANTS = re.compile(r"\b(?:i'?d\s+like|i\s+(?:want|need)|i'?ll\s+(?:take|have|get|buy)|add|buy|pls|please|plz|"
                    r"give\s+me|gimme|get\s+me)\b", re.IGNORECASE)


def buys_with_code(tracker: Tracker) -> bool:
    """With an empty cart, a code given with a product the shopper asks for, named or among the
    cards shown: the product is added first (action_add_to_cart applies the code after it)."""
    text = latest_text(tracker)
    if tracker.get_slot("cart") or not _WANTS.search(text) or _REMOVE_CODE.search(text):
        return False
    if entity_values(tracker, "product"):
        return True
    shown = shown_products(tracker, resources.get().catalog)
    return bool(shown) and bool(resolve_reference(text, shown).skus)


class ActionApplyCoupon(Action):
    def name(self) -> Text:
        return "action_apply_coupon"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        res = resources.get()
        current = tracker.get_slot("coupon_code")
        if _REMOVE_CODE.search(latest_text(tracker)):  # "remove the discount code"
            dispatcher.utter_message(text=f"Done: coupon {current} is off your order." if current else
                                     "There's no coupon on your order.")
            return [SlotSet("coupon_code", None)] if current else []
        code = (normalize_coupon(first_entity(tracker, "coupon_code")) or find_coupon(latest_text(tracker))
                or _typed_code(latest_text(tracker)))
        # "is there a discount code or sale rn": the promotions policy's answer to the standard question
        # (the words themselves find the returns policy's "sale items" section), cited
        answer = answer_in_passing(INTENT_QUESTIONS["apply_coupon"], "apply_coupon") if code is None and \
            _ASKS_FOR_DEALS.search(latest_text(tracker)) else None
        if answer:
            dispatcher.utter_message(text=answer)
            dispatcher.utter_message(text="If you have a code, tell me and I'll apply it.")
            return []
        if buys_with_code(tracker):  # "ok the lite one pls, and i have code WELCOME10": not "your cart is empty"
            return [FollowupAction("action_add_to_cart")]
        if code is None:
            # never a live code as the example: that would hand it out
            dispatcher.utter_message(text="Which coupon code would you like to use? Type it as it appears, e.g. ABC123.")
            return []
        check = check_coupon(res.engine, code, tracker.get_slot("cart"), currency=res.catalog.currency,
                             email=tracker.get_slot("email"))
        replaced = f" It replaces {current}: one coupon per order." if check.ok and current and current != check.code else ""
        dispatcher.utter_message(text=check.message + replaced)
        return [SlotSet("coupon_code", check.code)] if check.ok else []
