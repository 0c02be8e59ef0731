"""Readings of shopping messages the words settle, whatever the classifier's first guess: "no thanks
to the mouse. checkout" and a message opening with "checkout" go to the checkout; a gift with a budget,
or what its recipient likes, is a product search; "actually just 1" is the cart's quantity; "ok go" a
yes; "I don't want an account" a stop; "add two of them" an add; "notify me when it's back" a store
question; "which of these is under 100?" and "espresso machines or grinders?" a product search; an
unsure complaint with no grievance naming a kind of product a search (:func:`shopping_not_complaint`). Each
returns the intent to use instead, or None to keep the reading; :func:`shopping_reading` (in
:func:`lift.nlu.scope.guarded_intent`) takes the first that applies."""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

from lift.nlu.intents import NLU_FALLBACK, OUT_OF_SCOPE
from lift.commerce.returns import reports_faulty_item
from lift.nlu.readings import FOR_WORK, says_damage
from lift.nlu.takeover import as_intent
from lift.understanding.followups import awaits_refund, reports_missing_delivery
from lift.understanding.gifts import describes_recipient
from lift.understanding.prices import limit_of_shown, refers_to_budget
from lift.understanding.references import SET, names_a_position, parse_cart_change

Reading = Callable[[Optional[Dict[str, Any]], Optional[str]], Optional[Dict[str, Any]]]


def _worded(read_as: Tuple[str, ...], words: "re.Pattern[str]", target: str, doc: str) -> Reading:
    """A reading: ``target`` for a message read as one of ``read_as`` whose text has ``words``."""
    def reading(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
        if (intent or {}).get("name") not in read_as or not words.search(text or ""):
            return None
        return as_intent(intent, target, floor=0.5)
    reading.__doc__ = doc
    return reading

# "no thanks to the mouse. checkout", "nah im good, lets check out", "no. checkout pls": the last
# thing asked for is the checkout (never "no i don't want to check out yet")
_THEN_CHECKOUT = re.compile(r"(?:[.,;!]|\b(?:just|then|now|so))\s*(?:(?:ok|okay|lets|let'?s|let\s+me|i'?ll|i\s+want\s+to|"
                            r"take\s+me\s+to|go\s+to|proceed\s+to|straight\s+to|pls|please)\s+)*"
                            r"(?:check\s*out|checkout|pay)(?:\s+(?:now|pls|please|then))?\W*$", re.IGNORECASE)
_NOT_CHECKOUT = re.compile(r"\b(?:not|don'?t|dont|do\s+not|never|no)\s+(?:\w+\s+){0,3}(?:check\s*out|checkout|pay)\b|"
                           r"\b(?:before|later|yet)\b", re.IGNORECASE)


def checkout_after_no(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``checkout`` for a no (to an offer) that ends by asking for the checkout; None to keep ``intent``."""
    if (intent or {}).get("name") not in ("deny", "affirm", "stop", OUT_OF_SCOPE, NLU_FALLBACK) or not text:
        return None
    if not _THEN_CHECKOUT.search(text) or _NOT_CHECKOUT.search(text):
        return None
    return as_intent(intent, "checkout", floor=0.5)


# "hiya need xmas gift for my 15yo son, budget is like 100 max" (out of scope), "hi my budget is 150
# total for 2 presents, twins age 13" (inform): a present with a sum to spend is a product search
_GIFT = re.compile(r"\b(?:gifts?|presents?|birthday|b-?day|xmas|christmas|stocking\s+stuffers?|secret\s+santa)\b", re.IGNORECASE)
_BUDGET = re.compile(r"\b(?:budget|max(?:imum)?|under|below|up\s+to|less\s+than|around|about|spend)\b[^.?!]{0,25}?\d|"
                     r"[$£€]\s?\d|\b\d+\s*(?:dollars?|bucks|usd|quid|pounds?|euros?)\b|\b\d+\s*(?:max|tops|or\s+less)\b",
                     re.IGNORECASE)


def gift_with_budget(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``search_product`` for a gift and a budget read as out of scope, a bare answer or unsure;
    None to keep ``intent``."""
    if (intent or {}).get("name") not in (OUT_OF_SCOPE, NLU_FALLBACK, "inform") or not text:
        return None
    if not _GIFT.search(text) or not _BUDGET.search(text):
        return None
    return as_intent(intent, "search_product", floor=0.5)


def recipient_likes(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``search_product`` for "he likes gaming n music" (unsure, out of scope or a bare answer): what
    the person a present is for likes; None to keep ``intent``."""
    if (intent or {}).get("name") not in (OUT_OF_SCOPE, NLU_FALLBACK, "inform") or not describes_recipient(text or ""):
        return None
    return as_intent(intent, "search_product", floor=0.5)


# "actually just 1 pack of bulbs", "only 2 then": a new number for what is in the
# cart (read as a bare answer or unsure, the order summary's "yes" later placed the old quantity)
_JUST_N = re.compile(r"^\W*(?:(?:actually|sorry|oh|wait|no|nah|hmm+|ok|okay|oops|err?|um+)\W+)*"
                     r"(?:just|only)\s+"
                     r"(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a\s+single|a\s+couple)\b", re.IGNORECASE)
# "yes", "ok go", "go ahead", "do it": going ahead (read as a goodbye, the order was never placed)
_GO_AHEAD = re.compile(r"^\W*(?:(?:ok(?:ay)?|yes|yep|yeah|sure|right|alright|fine|good)\W+)*"
                       r"(?:go|go\s+ahead|go\s+for\s+it|let'?s\s+go|do\s+it|send\s+it|place\s+it)\W*(?:pls|please|now|then)?\W*$",
                       re.IGNORECASE)


def number_is_quantity(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``remove_from_cart`` (the cart's quantity change) for "actually just 1 pack of bulbs"; None to keep ``intent``."""
    if (intent or {}).get("name") not in ("inform", OUT_OF_SCOPE, NLU_FALLBACK, "deny") or not _JUST_N.search(text or ""):
        return None
    return as_intent(intent, "remove_from_cart", floor=0.5)


def go_is_yes(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``affirm`` for "ok go" read otherwise (a goodbye); None to keep ``intent``."""
    if (intent or {}).get("name") in (None, "affirm") or not _GO_AHEAD.match(text or ""):
        return None
    return as_intent(intent, "affirm", floor=0.5)


# "I don't want account, only see the telephones", "I don't want to create an account right now, just
# answer the tax question" (read as an account request, the sign-up form started again): a stop
_NO_ACCOUNT = re.compile(r"\b(?:don'?t|do\s+not|dont|doesn'?t|no)\s+(?:really\s+)?(?:want|need|wanna)\s+(?:an?\s+|any\s+|to\s+(?:create|make|open|"
                         r"set\s+up|sign\s+up\s+for|register)\s+(?:an?\s+)?)?(?:new\s+)?(?:account|sign\s*-?up|register|registration)\b|"
                         r"\b(?:without|no)\s+(?:an?\s+)?account\b|\b(?:forget|skip|never\s*mind)\s+(?:the|an?|my)\s+(?:account|sign\s*-?up|"
                         r"registration)|\brather\s+not\s+(?:register|sign\s+up|make\s+an\s+account|create\s+an\s+account)", re.IGNORECASE)
_ACCOUNT_READINGS = ("create_account", "start_onboarding", "delete_account", "edit_account", "registration_problems",
                     "switch_account", "deny", "inform", NLU_FALLBACK)


def no_account_wanted(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``stop`` for a refusal of an account read as an account request; None to keep ``intent``."""
    if (intent or {}).get("name") not in _ACCOUNT_READINGS or not _NO_ACCOUNT.search(text or ""):
        return None
    return as_intent(intent, "stop", floor=0.5)


# "do i need to make an account to buy it", "I can buy as guest or must make account?" (create_account:
# the sign-up form asked for an email every turn): whether an account is needed is the FAQ's question
_ACCOUNT_WORD = re.compile(r"\b(?:accounts?|sign(?:ing)?\s*-?\s*up|regist\w*|log\s*-?\s*ins?)\b", re.IGNORECASE)
_BUY_WORD = re.compile(r"\b(?:buy\w*|order\w*|check\w*\s*out|purchas\w*|shop|shopping|pay)\b", re.IGNORECASE)
# asked, not stated ("need a business account for our office purchases" asks for one)
_NEEDED = re.compile(r"\b(?:do|does|will|would)\s+(?:i|we|you|u|one)\s+(?:really\s+|still\s+)?(?:need|have\s+to|hafta|gotta)\b|"
                     r"\b(?:must|should)\s+(?:i|we|u)\b|\bhafta\b|\bgotta\b|\b(?:is|are)\s+(?:[\w-]+\s+){0,3}?(?:required|"
                     r"necessary|needed|mandatory|compulsory|obligatory)\b|\bmust\s+(?:make|have|create|open|register)\b",
                     re.IGNORECASE)
_WITHOUT_ONE = re.compile(r"\bwithout\s+(?:[\w-]+\s+){0,5}?(?:accounts?|sign(?:ing)?\s*-?\s*up|regist\w*|password)\b|"
                          r"\b(?:buy|order|check\s*-?\s*out|purchase|shop|pay)\s+as\s+(?:a\s+)?guest\b|\bguest\s+check\s*-?\s*out\b",
                          re.IGNORECASE)  # ("checked out as a guest last time, now I want a proper account": one wanted)
_HOW_TO_MAKE = re.compile(r"\bhow\b", re.IGNORECASE)  # "do i need an account before i buy, if so how": how to make one


def account_needed_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``ask_question`` for whether buying needs an account (a need, an account and buying named, or buying
    without one), read as an account request or an order; None to keep the reading."""
    text = text or ""
    if (intent or {}).get("name") not in ("create_account", "start_onboarding", "registration_problems", "place_order"):
        return None
    needed = _NEEDED.search(text) and _ACCOUNT_WORD.search(text) and _BUY_WORD.search(text) and not _HOW_TO_MAKE.search(text)
    return as_intent(intent, "ask_question", floor=0.5) if needed or _WITHOUT_ONE.search(text) else None


# "is that actually the lowest price? i saw it cheaper on amazon. do u price match" (ask_price: "I only showed
# you one product … Did you mean that one?"): the price-match policy's question
_PRICE_MATCH = re.compile(r"\bprice[-\s]?match\w*|\bmatch\s+(?:the|their|a|that|competitors?'?)\s+(?:[\w']+\s+)?prices?\b|"
                          r"\bcheaper\s+(?:on|at|from|in)\s+(?:amazon|ebay|walmart|best\s*buy|argos|another|other|a\s+different)\b|"
                          r"\bcheaper\s+elsewhere\b|\bprice\s+adjust\w*|"
                          # "saw the orbit x 80 bucks cheaper at another shop, can u match that" (read as adding 80)
                          r"\b(?:can|could|will|would|do)\s+(?:u|you|ya|y'?all)\s+(?:\w+\s+)?match\s+(?:that|it|this|them)\b",
                          re.IGNORECASE)


price_match_question = _worded(("ask_price", "search_product", "ask_alternatives", "add_to_cart", "inform", OUT_OF_SCOPE,
                                NLU_FALLBACK),
                               _PRICE_MATCH, "ask_question", "``ask_question`` for a price-match question read as a "
                               "price question or a search.")


# "Lovely. Please add two of them, one for him and one for my sister" (out of scope): an add of the
# cards shown, by a word that points at them
_ADD_SHOWN = re.compile(r"\b(?:add|put|buy|order|get\s+me|gimme|i'?ll\s+take)\s+(?:(?:\d{1,3}|one|two|three|four|five|six|"
                        r"a\s+couple|a\s+pair|both|all)\s+of\s+)?(?:it|them|those|these|both|that\s+one|this\s+one|the\s+(?:first|"
                        r"second|third|last|cheaper|cheapest)(?:\s+one)?)\b"
                        # somewhere else than the cart: "put it into my emergency savings account"
                        r"(?!\s+(?:in|into|on|onto|to|towards?)\s+(?!(?:my|the|your)\s+(?:cart|basket|bag|order|trolley)\b))",
                        re.IGNORECASE)


def add_of_shown(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``add_to_cart`` for an add of the cards shown read as out of scope, unsure or a bare answer."""
    if (intent or {}).get("name") not in (OUT_OF_SCOPE, NLU_FALLBACK, "inform") or not _ADD_SHOWN.search(text or ""):
        return None
    return as_intent(intent, "add_to_cart", floor=0.5)


# "checkout, email maria.g@yahoo.com, address 12 Pine Ave #5, Seattle WA 98101" (a bare answer): a
# message that starts by asking for the checkout is the checkout (the form takes the rest)
_STARTS_WITH_CHECKOUT = re.compile(r"^\W*(?:(?:ok|okay|so|right|alright|great|now|pls|please)\W+)*(?:check\s*out|checkout)"
                                   r"(?:\s*[,:;.!-]|\s+(?:now|pls|please|with|w/?|to|then|using)(?:\b|\s)|\s*$)", re.IGNORECASE)


# ("checkout w/ code WELCOME10", read as apply_coupon: the checkout applies it)
checkout_first = _worded(("inform", OUT_OF_SCOPE, NLU_FALLBACK, "apply_coupon"), _STARTS_WITH_CHECKOUT, "checkout",
                         "``checkout`` for a message that opens with it, read as a bare answer or unsure.")


# "ok can i get notified when its back" (out of scope): the store's answer on restock alerts
_NOTIFY_BACK = re.compile(r"\b(?:notif\w*|let\s+(?:me|us)\s+know|alert\w*|e-?mail\s+me|tell\s+me|ping\s+me|heads\s+up)\b.*"
                          r"\b(?:back|in\s+stock|restock\w*|available|availability)\b|"
                          r"\b(?:restock|stock|back\s*-?\s*in\s*-?\s*stock)\s+(?:alert|notification|email)s?\b", re.IGNORECASE)


restock_alert_question = _worded((OUT_OF_SCOPE, NLU_FALLBACK), _NOTIFY_BACK, "ask_question",
                                 "``ask_question`` for asking to be told when a product is back, read as out of scope or unsure.")


# "Good evening. My son tells me you sell coffee machines. I would like a simple one" (out of scope, a
# demo, alternatives): told we sell a thing and wanting one is a product search (for work, the lead's)
_YOU_SELL = re.compile(r"\b(?:you|u)\s+(?:sell|carry|stock)\s+[^\W\d_]{3,}", re.IGNORECASE)  # ("you have hobbies": no)
_WANTS_ONE = re.compile(r"\b(?:i'?d\s+like|i\s+would\s+like|i\s+want|i'?m\s+looking\s+for|i\s+am\s+looking\s+for|i\s+need)\b",
                        re.IGNORECASE)


def told_we_sell_it(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``search_product`` for a shopper wanting a thing they say we sell; None to keep ``intent``."""
    if (intent or {}).get("name") not in (OUT_OF_SCOPE, NLU_FALLBACK, "request_demo", "ask_alternatives", "inform"):
        return None
    if not _YOU_SELL.search(text or "") or not _WANTS_ONE.search(text or "") or FOR_WORK.search(text or ""):
        return None
    return as_intent(intent, "search_product", floor=0.5)


# "wait drop that to 2 please" (read as a stop: "No problem." and the cart kept 3), "bring it down to one":
# a new number for a cart line, as the cart's own parser reads it
def quantity_change(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``remove_from_cart`` (which sets a line's quantity) for a new number (under 100) read as a stop,
    a no or unsure; None to keep ``intent``."""
    if (intent or {}).get("name") not in ("stop", "deny", NLU_FALLBACK) or not text:
        return None  # (out of scope keeps its reading: "set up a new pin ... and make it be 1234")
    change = parse_cart_change(text)
    return as_intent(intent, "remove_from_cart", floor=0.5) if change.op == SET and 0 < (change.qty or 0) < 100 else None


# "u got any codes rn?" (out of scope): whether there is a code is the coupons' question
_ANY_CODES = re.compile(r"\b(?:any|got|have|get)\b.*\b(?:promo\s+)?(?:codes?|coupons?|promos?|vouchers?|discount\s+codes?)\b",
                        re.IGNORECASE)


def any_codes(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``apply_coupon`` for asking whether there is a code, read as out of scope or unsure."""
    if (intent or {}).get("name") not in (OUT_OF_SCOPE, NLU_FALLBACK) or not _ANY_CODES.search(text or ""):
        return None
    return as_intent(intent, "apply_coupon", floor=0.5)


def budget_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``search_product`` for "which of those are under my budget?" (out of scope, a store question):
    the cards within the budget said before (actions/budget.py)."""
    if (intent or {}).get("name") not in (OUT_OF_SCOPE, NLU_FALLBACK, "ask_question", "inform") or not refers_to_budget(text or ""):
        return None
    return as_intent(intent, "search_product", floor=0.5)


def limit_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``search_product`` for "which of these is under 100?" (read out of scope): the cards shown
    within that limit (actions/budget.py)."""
    if (intent or {}).get("name") not in (OUT_OF_SCOPE, NLU_FALLBACK, "ask_question", "inform") or limit_of_shown(text or "") is None:
        return None
    return as_intent(intent, "search_product", floor=0.5)


# "espresso machines or grinders?": two kinds to choose from, no question of what goes with a product
_ONE_OR_OTHER = re.compile(r"\w\s+or\s+\w", re.IGNORECASE)
_GOES_WITH = re.compile(r"\b(?:go(?:es)?|with|accessor\w*|need|match\w*|compatible|pair\w*|extras?|add\w*|complement\w*|"
                        r"also|else|bundle|recommend\w*|plus|along\w*|together|fits?|suit\w*|complete|protect\w*|for)\b",
                        re.IGNORECASE)


def kinds_not_complements(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``search_product`` for "espresso machines or grinders?" read as a what-goes-with question: one
    thing or another, and no word of going with anything; None to keep ``intent``."""
    if (intent or {}).get("name") != "ask_complements" or not _ONE_OR_OTHER.search(text or "") \
            or _GOES_WITH.search(text or ""):
        return None
    return as_intent(intent, "search_product", floor=0.5)


# "I returned the Aria headphones three weeks ago and haven't seen a penny back" (get_refund 0.45: the
# headphones' page), "sent back the earbuds, still no money on my card": that refund's state
def refund_not_seen(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``track_refund`` for a return sent whose money has not come, read otherwise; None to keep it."""
    if (intent or {}).get("name") in ("track_refund", "cancel_order", "check_refund_policy") or not awaits_refund(text):
        return None
    return as_intent(intent, "track_refund", floor=0.5)


def delivered_not_received(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``ask_question`` for a parcel shown as delivered that is not there ("Tracking says my parcel was
    delivered yesterday but there's nothing here"): the delivery-problems answer, not a tracking
    request that would only repeat "delivered"; None to keep ``intent``."""
    if (intent or {}).get("name") not in ("track_order", "complaint", "delivery_period", "delivery_options", OUT_OF_SCOPE,
                                          NLU_FALLBACK, "inform") or not reports_missing_delivery(text or ""):
        return None
    return as_intent(intent, "ask_question", floor=0.5)


# "stop asking my name" (inside the lead form, read as an answer: the name asked again): a stop
_STOP_ASKING = re.compile(r"\b(?:stop|quit|enough)\s+(?:with\s+)?(?:asking|bugging|pestering|hassling|nagging)\b|"
                          r"\b(?:don'?t|do\s+not|won'?t|will\s+not)\s+(?:want\s+to\s+)?(?:give|tell|share)\s+(?:you\s+)?"
                          r"my\s+(?:name|e-?mail|details|company)\b", re.IGNORECASE)
stop_asking = _worded(("inform", "deny", "affirm", OUT_OF_SCOPE, NLU_FALLBACK, "complaint", "bot_challenge", "request_demo",
                       "greet"), _STOP_ASKING, "stop", "``stop`` for being asked again, read as an answer or unsure.")


# "the second one, it have a pen support?" (contact_customer_service 0.31: a ticket): a question about a card
# picked by its place; the answer is that card's page. A person asked for, or an order, is not that.
_ASKS_FEATURE = re.compile(r"\?|\b(?:does|do|has|have|is|are|can|will|got)\s+(?:it|they|that|this|one)\b|\b(?:it|they)\s+"
                           r"(?:have|has|got|come|support|work|fit)\w*\b", re.IGNORECASE)
_NOT_A_CARD = re.compile(r"\b(?:human|person|people|some(?:one|body)|agent|rep|representative|staff|manager|"
                         r"talk|speak|call|customer\s+service|orders?|parcel|package|delivery|refund|payment)\b", re.IGNORECASE)


def card_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``ask_question`` for a feature question about a card picked by its place, read (unsure) as a
    request for a person; None to keep ``intent``."""
    if (intent or {}).get("name") not in ("contact_customer_service", "contact_human_agent", "complaint") \
            or float((intent or {}).get("confidence") or 0.0) >= 0.6 or not names_a_position(text or ""):
        return None
    if not _ASKS_FEATURE.search(text or "") or _NOT_A_CARD.search(text or ""):
        return None
    return as_intent(intent, "ask_question", floor=0.5)


_READINGS = (checkout_after_no, card_question, gift_with_budget, recipient_likes, number_is_quantity, go_is_yes, account_needed_question,
             price_match_question, no_account_wanted, add_of_shown, checkout_first, restock_alert_question,
             told_we_sell_it, quantity_change, any_codes, budget_question, limit_question, kinds_not_complements,
             refund_not_seen, delivered_not_received, stop_asking)


def shopping_reading(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """The first of these readings that applies, or None to keep ``intent``."""
    for reading in _READINGS:
        replacement = reading(intent, text)
        if replacement is not None:
            return replacement
    return None


# "g'day mate, after some earbuds that'll cop a beating on site, nothin too dear" (complaint 0.44: an apology
# and a ticket for the team, every later message held for them): a kind of product named, with no word of
# a grievance, is shopping when the classifier is unsure
_GRIEVANCE = re.compile(r"\b(?:complain\w*|terrible|awful|horrible|worst|disappoint\w*|unhappy|not\s+(?:happy|acceptable|ok(?:ay)?|"
                        r"good\s+enough|on)|shocking|appalling|"
                        r"disgust\w*|gross|dirty|stain\w*|someone\s+else'?s|used|angry|"
                        r"furious|fed\s+up|ridiculous|unacceptable|rude|late|delay\w*|never\s+(?:came|arrived|got)|poor|"
                        r"useless|rubbish|garbage|scam|refund\w*|return\w*|sorry|problem|issue|wrong|still\s+waiting)\b",
                        re.IGNORECASE)


def shopping_not_complaint(intent: Optional[Dict[str, Any]], text: Optional[str],
                           entities: Iterable[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """``search_product`` for an unsure ``complaint`` (under 0.6) naming a product or kind without a grievance;
    the fallback's options for a very unsure one (under 0.3) naming none ("sparky here, after some buds that
    can cop a beating on the job site", 0.25: a ticket for the team); None to keep ``intent``."""
    confidence = float((intent or {}).get("confidence") or 0.0)
    if (intent or {}).get("name") != "complaint" or confidence >= 0.6 or not text \
            or _GRIEVANCE.search(text) or reports_faulty_item(text) or says_damage(text):
        return None
    if any(e.get("entity") in ("product", "category") for e in entities or []):
        return as_intent(intent, "search_product", floor=0.5)
    return {"name": NLU_FALLBACK, "confidence": confidence} if confidence < 0.3 else None
