"""Readings the message's own words settle, whatever the classifier's first guess: a few of a kind
for an office is shopping, not a lead; an add carrying a coupon code is the add; a count written
"x15" is an order; an explicit request for a person, or for a phone call, is a hand-off; "do you sell staplers" is a
catalog question; paying by invoice is the business-account question; an order for products not
yet bought is the cart; an order number is about an order. Each returns the intent to use instead, or None to keep the reading."""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, Optional

from lift.commerce.returns import received_other_item
from lift.commerce.validation import find_coupon
from lift.nlu.intents import NLU_FALLBACK, OUT_OF_SCOPE
from lift.nlu.takeover import as_intent
from lift.understanding.followups import demo_followup

# "a dozen cordless mouses for our office, ~$25 a pop" (request_demo 0.51): a few of one thing the
# catalog sells, bought for an office, is a purchase the cart takes; the lead form asked for a name.
# Bulk (more than a dozen), a quote, a demo or talk with sales stays a lead (SPEC: request_demo).
FEW_ITEMS = 12
_LEAD_TALK = re.compile(r"demo|quot(?:e|ation)|bulk|wholesale|volume|business\s+account|\bsales\b|resell|\btrade\b|"
                        r"invoic|net.?30|price\s+list|discount|\bcall\b|meeting|talk|speak|contact|account\s+manager|"
                        r"procure|partner", re.IGNORECASE)
_FOR_PLACE = re.compile(r"\b(?:for|in|at)\s+(?:our|the|my|a|an|a\s+new|our\s+new)\s+$", re.IGNORECASE)


def few_items_not_lead(intent: Optional[Dict[str, Any]], text: Optional[str],
                       entities: Iterable[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """``search_product`` instead of ``request_demo`` for up to a dozen of a product or kind the
    catalog sells, with no word for a demo, a quote, bulk or sales talk ("for our office" names
    where, not what: a category read there is no purchase); None to keep ``intent``."""
    if (intent or {}).get("name") != "request_demo" or not text or _LEAD_TALK.search(text):
        return None
    entities = list(entities or [])
    kinds = [e for e in entities if e.get("entity") in ("product", "category")
             and not (isinstance(e.get("start"), int) and _FOR_PLACE.search(text[:e["start"]]))]
    numbers = [e.get("value") for e in entities if e.get("entity") == "quantity"]
    counts = [int(v) for v in numbers if str(v).isdigit()]
    if (kinds or _YOU_SELL.search(text)) and not numbers and not FOR_WORK.search(text):
        # "you sell coffee machines. I would like a simple one, nothing with too many buttons": one shopper
        return as_intent(intent, "search_product")
    if not kinds or not counts or len(counts) != len(numbers) or max(counts) > FEW_ITEMS:
        return None
    return as_intent(intent, "search_product")


_YOU_SELL = re.compile(r"\b(?:you|u)\s+(?:sell|carry|stock|have)\s+[^\W\d_]{3,}", re.IGNORECASE)
# Who a purchase is for when it is for work: the lead form's business (a shopper alone names none)
FOR_WORK = re.compile(r"\b(?:company|business|office|offices|team|staff|employees|colleagues|coworkers|school|"
                       r"organi[sz]ation|org|clients?|firm|department|workplace|we|we'?re|our|us)\b", re.IGNORECASE)


_ADD_VERB = re.compile(r"\b(?:add|put|throw|chuck|pop|stick|buy|order|get\s+me|gimme|i'?ll\s+(?:take|have))\b", re.IGNORECASE)


def add_with_code(intent: Optional[Dict[str, Any]], text: Optional[str],
                  entities: Iterable[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """``add_to_cart`` for "add 3 pulse earbuds and use WELCOME10 pls" read as apply_coupon: a product
    named with a verb of adding is added first (the add applies the code after it); it said "Your
    cart is empty: add something first"). None to keep ``intent``."""
    if (intent or {}).get("name") != "apply_coupon" or not text or not _ADD_VERB.search(text):
        return None
    if not any(e.get("entity") == "product" for e in entities or []) and not _ADD_IT.search(text) \
            and not (_STARTS_WITH_ADD.match(text) and _TWO_PARTS.search(text)):  # ("put VIP15 on my order": the code)
        return None  # "add it w code SAVEBIG lol", "ok add a pair of the true wireless ones and use WELCOME10"
    return as_intent(intent, "add_to_cart", floor=0.5)


_TWO_PARTS = re.compile(r"\b(?:and|plus|with|w)\b|[,&+/]", re.IGNORECASE)
_STARTS_WITH_ADD = re.compile(r"^\W*(?:(?:ok|okay|yes|yeah|sure|pls|please|so|and|then)\W+)*(?:add|put|throw|chuck|get\s+me|gimme)\b",
                              re.IGNORECASE)
_ADD_IT = re.compile(r"\b(?:add|put|buy|get\s+me|gimme)\s+(?:it|that(?:\s+one)?|this(?:\s+one)?|both|them|those|these)\b",
                     re.IGNORECASE)


# "the cheapest one x15 pls" (ask_price 0.40): a count written "x15" / "15x" is an order
_TIMES = re.compile(r"(?<![\w.])(?:x\s?\d{1,3}|\d{1,3}\s?x(?!\s*(?:zoom|optical|digital|magnif\w*|speed|faster|slower)))"
                    r"(?![\w.])", re.IGNORECASE)
_PRICE_WORDS = re.compile(r"\b(?:how\s+much|price\w*|cost\w*|total|bucks|dollars|quid|cheaper|match)\b|\?|^\W*(?:is|are|does|do|can|will|what|which|how)\b",
                          re.IGNORECASE)


_SHOWN_PICK = re.compile(r"\b(?:first|second|third|fourth|last|1st|2nd|3rd|4th|it|that|this|those|these|them|"
                         r"(?:that|this|the)\s+\w+\s+one|one)\b", re.IGNORECASE)


def times_count_is_add(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``add_to_cart`` for a pick with a count written "x15" read as a price question or a search;
    None to keep ``intent``."""
    name = (intent or {}).get("name")
    if name not in ("ask_price", "search_product", "inform", "ask_question", "out_of_scope", "nlu_fallback") or not text:
        return None
    if not _TIMES.search(text) or _PRICE_WORDS.search(text):
        return None
    if name in ("out_of_scope", "nlu_fallback") and not _SHOWN_PICK.search(text):  # "x2 of the first one"
        return None
    return as_intent(intent, "add_to_cart", floor=0.5)


# "can i talk to an actual human pls, got a billing q" (payment_issue 0.41): asking for a person in
# so many words is the hand-off, whatever else the message says (the person gets the transcript).
_ASKS_FOR_PERSON = re.compile(
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|some|the|your)?\s*(?:actual|real|live)?\s*"
    r"(?:human|person|agent|someone|somebody|representative|rep|manager|supervisor)\b|"
    r"\b(?:actual|real|live)\s+(?:human|person|agent)\b|\bhuman\s+(?:agent|being|please|pls)\b|"
    r"\bwho\s+(?:do|can|should|could)\s+(?:i|we)\s+(?:talk|speak|complain)\s+to\b", re.IGNORECASE)
_PERSON_INTENTS = ("contact_human_agent", "contact_customer_service", "complaint", "request_demo")  # sales: the lead form
_NOT_A_REQUEST = re.compile(r"\b(?:are|r)\s+(?:you|u)\s+(?:a\s+)?(?:real|human|bot|person)|\bam\s+i\s+talking\b", re.IGNORECASE)


def asks_for_person(text: Optional[str]) -> bool:
    """Whether ``text`` asks for a person in so many words ("Can I just talk to someone please?")."""
    return bool(_ASKS_FOR_PERSON.search(text or "")) and not _NOT_A_REQUEST.search(text or "")


def person_asked_for(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``contact_human_agent`` for a message that asks for a person in words; None to keep ``intent``
    (a complaint or a customer-service reading hands off already; "are you a real person?" is a
    question about the bot)."""
    if not intent or not text or intent.get("name") in _PERSON_INTENTS or intent.get("name") == "bot_challenge":
        return None
    if not _ASKS_FOR_PERSON.search(text) or _NOT_A_REQUEST.search(text) or re.search(r"\bsales\b|\bdemo", text, re.I):
        return None
    return as_intent(intent, "contact_human_agent", floor=0.5)


# "do u sell office supplies like staplers" (request_demo 0.36, "office" being a business word):
# whether we sell a thing is a catalog question, whoever asks it
_ASKS_IF_SOLD = re.compile(r"\b(?:do|does)\s+(?:you|u|ya|y'?all|the\s+store)\s+(?:guys\s+)?(?:sell|carry|stock|have)\b|"
                           r"\bhave\s+you\s+got\b", re.IGNORECASE)


def sold_here_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``search_product`` for "do you sell X" read as a lead, without a word for a demo, a quote,
    bulk or an account; None to keep ``intent``."""
    if (intent or {}).get("name") != "request_demo" or not text or not _ASKS_IF_SOLD.search(text):
        return None
    if _LEAD_TALK.search(text) or re.search(r"\b(?:demos?|accounts?|business\s+pricing)\b", text, re.IGNORECASE):
        return None
    return as_intent(intent, "search_product")


# "can i pay w/ invoice, we're a business" (get_invoice 0.50): paying on invoice is the business
# account's net-30 terms (kb/policies/wholesale.md), not downloading an invoice
_PAY_BY_INVOICE = re.compile(r"\bpay\w*\s+(?:by|with|w/|via|on|using|through|against)\s+(?:an?\s+)?invoice|"
                             r"\binvoic(?:e|ing)\s+(?:terms|payment)|\bnet.?30\b|\bpayment\s+terms\b", re.IGNORECASE)
_INVOICE_READINGS = ("get_invoice", "check_invoice", "check_payment_methods", "payment_issue", "inform", "out_of_scope",
                     "nlu_fallback", "request_demo")  # the answer is followed by the demo offer


def pays_by_invoice(text: Optional[str]) -> bool:
    """True for "can i pay w/ invoice", "do you do net 30", "what are your payment terms"."""
    return bool(_PAY_BY_INVOICE.search(text or ""))


def pay_by_invoice(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``ask_question`` for paying by invoice, so the knowledge base answers it (and offers the
    demo after a wholesale answer); None to keep ``intent``."""
    if (intent or {}).get("name") not in _INVOICE_READINGS or not text or not _PAY_BY_INVOICE.search(text):
        return None
    return as_intent(intent, "ask_question", floor=0.5)


# "can u add a swift kettle and the drip coffee maker, then check me out, ship to 88 elm ave ..."
# (change_order 0.43): products named with a verb of buying, and no order placed named, are the cart
_BUY_VERB = re.compile(r"\b(?:add|buy|purchase|put|get\s+me|i'?ll\s+take|i\s+want\s+to\s+buy)\b", re.IGNORECASE)
_CHECKOUT_WORDS = re.compile(r"\bcheck\s*(?:me\s+)?out\b|\bcheckout\b|\bpay\s+now\b|\bplace\s+(?:the|my|an?)\s+order\b",
                             re.IGNORECASE)
_PLACED_ORDER = re.compile(r"\bLFT[-\s]?\d+|\b(?:my|the|this|that|last|previous|existing|recent)\s+order\b|"
                           r"\bi\s+(?:already\s+)?(?:ordered|bought|purchased)\b|\border\s+(?:number|no|#)", re.IGNORECASE)
_ORDER_READINGS = ("change_order", "track_order", "cancel_order", "place_order", "change_shipping_address",
                   "set_up_shipping_address")


def buying_not_an_order(intent: Optional[Dict[str, Any]], text: Optional[str],
                        entities: Iterable[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """``checkout`` (or ``add_to_cart`` without a word for checking out) for products named with a
    verb of buying, read as an order's request with no order placed named; None to keep ``intent``."""
    if (intent or {}).get("name") not in _ORDER_READINGS or not text or not _BUY_VERB.search(text):
        return None
    if not any(e.get("entity") == "product" for e in entities or []) or _PLACED_ORDER.search(text):
        return None
    return as_intent(intent, "checkout" if _CHECKOUT_WORDS.search(text) else "add_to_cart", floor=0.5)


# "the coffee machine I ordered came yesterday but the glass jug was cracked in the box. It was order
# LFT100004. What should I do?" (cancel_order 0.32): damage to what arrived is a complaint (the free
# return or the warranty, and a person), never a cancellation nobody asked for
_DAMAGE = re.compile(r"\b(?:cracked|broken|broke|smashed|shattered|damaged|dented|scratched|faulty|defective|"
                     r"(?:stopped|not|isn'?t|doesn'?t|won'?t)\s+(?:working|work|turn(?:ing)?\s+on)|dead\s+on\s+arrival)\b",
                     re.IGNORECASE)
_CANCEL_WORD = re.compile(r"\bcancel\w*|\bdon'?t\s+want\s+(?:it|the\s+order)\b", re.IGNORECASE)


def says_damage(text: Optional[str]) -> bool:
    """True for a word of damage to an item ("cracked", "stopped working", "dead on arrival")."""
    return bool(_DAMAGE.search(text or ""))


def damage_not_cancel(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``complaint`` for damage to an item that arrived, read as an order's cancellation, change or
    tracking without a word for those; None to keep ``intent``."""
    if (intent or {}).get("name") not in ("cancel_order", "change_order", "track_order") or not text:
        return None
    if not (_DAMAGE.search(text) or received_other_item(text)) or _CANCEL_WORD.search(text):
        return None  # ("I received a kettle but I ordered a lamp", change_order 0.23: a wrong item is one too)
    return as_intent(intent, "complaint", floor=0.5)


# "Is there a telephone number I could ring instead?" (nlu_fallback), "can someone just call me":
# reaching the store by phone is reaching a person, as lift.nlu.takeover.contact_details_not_products
# reads "what's your phone number"; the hand-off says first that there is no phone line
# (a call that is a call: "i'd like to call you alex", "what do you call someone who…" are not)
_PHONE = re.compile(r"\b(?:phone\s*(?:number|line|no\.?)|telephone|hotline|helpline|"
                    # (not "ring me up", the till's checkout)
                    r"(?:call|ring)\s+(?:you|u|us|me)(?:\s+(?:back|please|pls|now|today|tomorrow|later|instead|"
                    r"directly))?\s*(?:[?.!]|$)|(?:call|ring)\s+(?:you|u|us|me)\s+(?:back|on\s+the\s+phone|by\s+phone)\b|"
                    r"number\s+(?:to|i\s+(?:can|could))\s+(?:call|ring)|"
                    r"(?:talk|speak)\s+(?:to\s+\w+\s+)?(?:on|over|by)\s+the\s+phone)", re.IGNORECASE)
_PHONE_READINGS = ("nlu_fallback", "out_of_scope", "inform", "ask_question")


def asks_for_phone(text: Optional[str]) -> bool:
    """True for a question or request about phoning the store ("can someone just call me")."""
    return bool(_PHONE.search(text or ""))


def phone_is_contact(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``contact_customer_service`` for asking to phone the store or be phoned; None to keep ``intent``."""
    if (intent or {}).get("name") not in _PHONE_READINGS or not asks_for_phone(text):
        return None
    return as_intent(intent, "contact_customer_service", floor=0.5)


# "sorry typo LFT10006": an order number, mistyped or not, is about an order, never a product search
_ORDER_LIKE = re.compile(r"\bLFT-?\d{3,9}\b", re.IGNORECASE)
_NOT_ABOUT_ORDERS = ("search_product", "ask_price", "add_to_cart", "view_cart", "remove_from_cart", OUT_OF_SCOPE,
                     NLU_FALLBACK)


def order_number_not_shopping(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``track_order`` for a message with an order number read as shopping or out of scope, so the order
    form checks the number (and says what ours look like); None to keep ``intent``."""
    if (intent or {}).get("name") not in _NOT_ABOUT_ORDERS or not text or not _ORDER_LIKE.search(text):
        return None
    return as_intent(intent, "track_order", floor=0.5)


# "ok go back to welcome10" (goodbye 0.45), "switch to SAVE20": a code with a verb of using it
_USE_CODE = re.compile(r"\b(?:use|try|apply|back\s+to|switch\s+to|change\s+(?:it\s+)?to|put|instead|redeem|enter)\b",
                       re.IGNORECASE)


def code_to_use(intent: Optional[Dict[str, Any]], text: Optional[str],
                entities: Iterable[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """``apply_coupon`` for a coupon code with a verb of using it, naming no product or order;
    None to keep ``intent``."""
    if (intent or {}).get("name") in ("apply_coupon", "add_to_cart", "checkout") or not text or not _USE_CODE.search(text):
        return None
    if any(e.get("entity") in ("product", "order_id") for e in entities or []) or not find_coupon(text):
        return None
    return as_intent(intent, "apply_coupon", floor=0.5)


# "Could you arrange a product demonstration of your laptops for our school's IT committee?" (a
# product search: cards, then "Sorry, I can't help" to the name and email): asking for a demo of a
# product is asking for the demo
_DEMO_WORD = re.compile(r"\bdemo(?:nstration)?s?\b", re.IGNORECASE)
_ARRANGE = re.compile(r"\b(?:arrange|book|schedule|set\s+up|organi[sz]e|request|would\s+like|we'?d\s+like|i'?d\s+like|"
                      r"want|need|interested\s+in|(?:can|could|may)\s+(?:we|i)\s+(?:have|get|book|see))\b", re.IGNORECASE)
_NOT_ASKING_FOR = re.compile(r"\b(?:do\s*n'?t|do\s+not|no|without|cancel|no\s+longer)\b|^\W*(?:what|how|is|are|does)\b|"
                             r"\b(?:know|understand|learn|tell\s+me|explain|wondering|what\s+(?:a|the|is|does|happens))\b",
                             re.IGNORECASE)  # "i'd like to know what a demo includes": a question about it
_DEMO_READINGS = ("search_product", "ask_question", "inform", "out_of_scope", "nlu_fallback", "ask_complements",
                  "ask_alternatives", "ask_price")


def demo_of_products(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``request_demo`` for asking to arrange a demonstration (of a product or range); None to keep
    ``intent`` (a question about the demo, or declining one, is not a request)."""
    if (intent or {}).get("name") not in _DEMO_READINGS or not text or not _DEMO_WORD.search(text):
        return None
    if not _ARRANGE.search(text) or _NOT_ASKING_FOR.search(text):
        return None
    return as_intent(intent, "request_demo", floor=0.5)


# "hmm nah swap it for the other one" (deny 0.88: "No problem.", nothing changed), "yeah ok swap the lite
# for the X" (affirm 0.41: "Sorry, I can't help with that one"): a swap
_SWAP_WORDS = re.compile(r"\b(?:swap|switch|exchange|replace)\b|\binstead\b", re.IGNORECASE)


def swap_not_no(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """Not ``deny`` or ``affirm`` for a "no" or "yes" that asks for a swap: ``add_to_cart`` (a swap word is a word for adding;
    "instead" alone is not, and leaves it to the fallback); both actions swap the cart line first. None
    to keep ``intent``."""
    if (intent or {}).get("name") not in ("deny", "affirm") or not text or not _SWAP_WORDS.search(text):
        return None
    return as_intent(intent, "add_to_cart", floor=0.5)


# "How do we open a business account for the school?" (create_account: the shop's own sign-up asked
# for an email and interests): a business account is the sales team's (SPEC: request_demo), with
# net-30 invoicing (kb/policies/wholesale.md)
_BUSINESS_ACCOUNT = re.compile(r"\b(?:business|company|corporate|trade|school|charity)\s+accounts?\b", re.IGNORECASE)


def business_account(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``request_demo`` for opening a business account read as the shop's sign-up; None to keep ``intent``."""
    if (intent or {}).get("name") not in ("create_account", "start_onboarding", "registration_problems"):
        return None  # (Bitext's switch_account: "move over to the business account" is a plan of the shop account)
    opens = re.search(r"\b(?:open|create|set\s*up|apply|get|make|register|sign\s+up)\b", text or "", re.IGNORECASE)
    return as_intent(intent, "request_demo", floor=0.5) if opens and _BUSINESS_ACCOUNT.search(text or "") else None


# "ugh wait no, I do want it. place the order" (cancel_order 0.46 at the order summary: the checkout
# ended and the order form asked for an order number): placing it, with no word for cancelling
_PLACE_IT = re.compile(r"\b(?:place\s+(?:the|my|it|this)(?:\s+order)?|go\s+ahead|confirm(?:ed)?|i\s+(?:do|still)\s+want\s+(?:it|them|the\s+order)|"
                       r"buy\s+it|order\s+it)\b", re.IGNORECASE)
_CALLING_OFF = re.compile(r"\b(?:cancel\w*|nvm|never\s*mind|forget|stop|no\s+longer|do\s*n'?t\s+want|refund|not\s+yet|"
                          r"(?:do\s*n'?t|do\s+not|not|never)\s+(?:\w+\s+)?(?:place|go|confirm|buy|order))\b", re.IGNORECASE)


def placing_not_cancelling(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``affirm`` for "place the order" / "go ahead" read as a cancellation, with no word for calling
    anything off (the order summary takes a yes); None to keep ``intent``."""
    if (intent or {}).get("name") != "cancel_order" or not text or not _PLACE_IT.search(text) or _CALLING_OFF.search(text):
        return None
    return as_intent(intent, "affirm", floor=0.5)


# "when are your support people online? I'm in Madrid" (contact_customer_service: a ticket, then every
# question after it held for the team): the support hours are an answer (kb/policies/contact.md)
_HOURS = re.compile(r"\b(?:(?:opening|office|support|service|care|business|working|contact)\s+hours|hours\s+of\s+"
                    r"(?:business|operation)|what\s+(?:hours|times?)\b(?!\s+is\s+it)|"
                    r"wh?en\s+(?:are|r|is|do|does)\b"
                    r"[^?.!]{0,40}\b(?:online|open|available|around|there|working|answer|reply)|which\s+hours|"
                    r"(?:open|available)\s+on\s+(?:weekends?|saturdays?|sundays?))", re.IGNORECASE)


# ...of this store's people ("what time does the louvre open" is not about us)
_US = re.compile(r"\b(?:you|u|ya|your|ur|yours|team|support|staff|agents?|people|someone|somebody|anyone|store|shop|"
                 r"customer\s+(?:service|care)|chat)\b", re.IGNORECASE)


_ASKS_WHEN = re.compile(r"^\W*(?:(?:hi|hello|hey|excuse\s+me|dear|please|so|ok)\W+)*(?:what|when|wh?en|which|at\s+what)\b",
                        re.IGNORECASE)


def asks_when(text: Optional[str]) -> bool:
    """True for a message opening with a question of time ("what times…", "when are you…")."""
    return bool(_ASKS_WHEN.match(text or ""))


def asks_hours(text: Optional[str]) -> bool:
    """True for a question about when the team is there, without asking for a person in words."""
    text = text or ""
    # ("what times of day can I reach a real person on your help line?" asks when, not for one now)
    return bool(_HOURS.search(text)) and bool(_US.search(text)) and (not _ASKS_FOR_PERSON.search(text)
                                                                     or asks_when(text))


def hours_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """``ask_question`` for when the team is there, read as out of scope; None to keep ``intent``.
    (Bitext labels "what hours can I call customer support" contact_customer_service: that reading
    stays, and the hand-off answers it instead of opening a ticket, actions/handoff.py.)"""
    if (intent or {}).get("name") not in ("out_of_scope", "nlu_fallback") or not asks_hours(text):
        return None
    return as_intent(intent, "ask_question", floor=0.5)


# "is my demo still on?", "can we move the demo to wed", "ok cancel my demo pls": about a demo booked
# earlier, whatever the classifier read (the cart, an order). A move or a check is request_demo, whose
# first action answers about the booking; a cancel is stop, which cancels it (or ends the lead form).
_DEMO_NAMED = re.compile(r"\bdemo\b", re.IGNORECASE)


def demo_booking_talk(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    kind = demo_followup(text) if text and _DEMO_NAMED.search(text) else None
    wanted = {"status": "request_demo", "move": "request_demo", "cancel": "stop"}.get(kind or "")
    if wanted is None or (intent or {}).get("name") in (wanted, "ask_question" if wanted == "request_demo" else wanted):
        return None  # a question about it is answered about it too (action_answer_question)
    return as_intent(intent, wanted, floor=0.5)
