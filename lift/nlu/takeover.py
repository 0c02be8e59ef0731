"""Readings that would take the conversation somewhere it should not go: too weak to act on (a
form opens or closes, the checkout starts, the chat ends, a person is called in; the fallback asks
instead), or an order's form for the account's saved address."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional

from lift.commerce.destinations import (CITY_MIN_POPULATION, CITY_UNCUED_POPULATION, DELIVERY_WORDS, place_by_name,
                                       place_named)
from lift.understanding.references import ADD, REMOVE, SET, parse_cart_change

BYE_CUE = re.compile(r"\b(?:bye+|goodbye|see\s+(?:you|ya|u)|later|cya|ttyl|night|ciao|cheerio|farewell|adios|"
                      r"gotta\s+go|have\s+to\s+go|signing\s+off)\b", re.IGNORECASE)


def as_intent(intent: Optional[Dict[str, Any]], name: str, floor: Optional[float] = None) -> Dict[str, Any]:
    """``intent`` re-read as ``name``: its confidence kept, or raised to ``floor``."""
    confidence = (intent or {}).get("confidence")
    if floor is not None:
        confidence = max(float(confidence or 0.0), floor)
    return {"name": name, "confidence": confidence}


# Intents whose action takes the conversation somewhere (a form opens or closes, the checkout
# starts, the chat ends, a person is called in). Read weakly and with none of their own words, they were wrong on the dev
# split every time ("how many in stock" -> request_demo 0.28, "notify me pls" -> checkout 0.20,
# "the first, 1x pls" -> start_onboarding 0.25): the fallback's likeliest offers are asked instead.
TAKEOVER_FLOOR = 0.4
def _cue(words: str) -> "re.Pattern[str]":
    """A pattern for any of the space-separated ``words`` (each a regex, "_" for a space) as a word."""
    return re.compile(r"\b(?:" + "|".join(w.replace("_", r"\s+") for w in words.split()) + r")\b", re.IGNORECASE)


_TAKEOVER_CUES = {
    "checkout": _cue(r"ch\w{0,3}k\s*-?\s*(?:me\s+)?out pay paid payment buy purchase order proceed take_my_money "
                     r"done_shopping ring_(?:me\s+|it\s+)?up finali[sz]e settle finish_up ship_my"),
    "request_demo": _cue(r"demo\w* sales business compan\w+ team bulk quote call meeting wholesale volume units resell\w* "
                         r"partner\w* corporate enterprise b2b procurement distributor trade invoic\w* "
                         r"walk\s*(?:me\s+|us\s+)?through walkthrough firm office school\w* outfit large_orders? discount\w* "
                         r"pricing price_list \d{2,}"),
    "start_onboarding": _cue(r"account sign\s*-?\s*up register join new newbie get(?:ting)?_started onboard\w* first_time "
                             r"set\s*-?\s*(?:me\s+|things\s+)?up setup setting_up profile preferences personali[sz]\w* "
                             r"tailor tour show_me_around walk_me_through how_does_(?:this|it)_work member\w* interests "
                             r"remember_what_i_like welcome start begin landed"),
    "stop": _cue(r"stop stahp cancel quit forget never\s*mind nvm enough leave exit skip don'?t no not abort "
                 r"changed?_my_mind drop out back start_over restart something_else halt end give_up scrap scratch "
                 r"abandon later rather bail done_with terminate shut_up quiet mute pause undo discontinue negate"),
    "goodbye": re.compile(BYE_CUE.pattern + "|" + _cue(
        r"laters? laterz nice_day good_one take_care off leaving gn next_time all_for_today peace out weekend going "
        r"run talk_(?:soon|again) evening enjoy head(?:ing)? logging cheers leave_it catch_ya another_time signing "
        r"revoir tsch\w+ ttfn closing buh?bye fa\w*well gonna_go ta_ra speak_soon").pattern, re.IGNORECASE),
    # a ticket opens and the chat waits for a person ("where is your company located" -> 0.19)
    "contact_customer_service": _cue(r"contact reach touch call phone ring email e-mail write speak talk chat support "
                                     r"service help\s*desk helpline toll number care team staff someone somebody person "
                                     r"human agent operator colleague assist\w* representative rep complain\w*"),
}
_TAKEOVER_CUES["contact_human_agent"] = _TAKEOVER_CUES["contact_customer_service"]


# "ok continue", "where was i", "carry on": back to what was under way, never a goodbye (which ends a form)
_CONTINUE = re.compile(r"\b(?:continue|carry\s+on|go\s+on|keep\s+going|proceed|resume|where\s+(?:was\s+i|were\s+we)|"
                       r"let'?s\s+(?:go\s+on|finish)|back\s+to\s+(?:it|checkout|the\s+order|my\s+order))\b", re.IGNORECASE)


def continue_not_goodbye(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """goodbye for "ok continue" (no word of leaving): inform, same confidence, which a form takes as
    an attempt at its question (and asks it again) instead of ending."""
    if (intent or {}).get("name") != "goodbye" or not _CONTINUE.search(text or "") or \
            _TAKEOVER_CUES["goodbye"].search(_CONTINUE.sub(" ", text or "")):
        return None
    return as_intent(intent, "inform")


def weak_takeover(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """A weak reading (< :data:`TAKEOVER_FLOOR`) of an intent in :data:`_TAKEOVER_CUES` whose
    message has none of its words: confidence 0, so FallbackClassifier offers the likeliest things."""
    name = (intent or {}).get("name")
    cue = _TAKEOVER_CUES.get(name or "")
    if cue is None or float((intent or {}).get("confidence") or 0.0) >= TAKEOVER_FLOOR or cue.search(text or ""):
        return None
    return {"name": name, "confidence": 0.0}


# "change the delivery address saved in my account ... for future orders": the account's saved
# addresses (set_up_shipping_address, a policy answer), not an order's (change_shipping_address
# opens the order form and asks for an order number the shopper does not have).
_ACCOUNT_ADDRESS = re.compile(r"\b(?:my\s+account|in\s+(?:my\s+)?(?:account|profile|settings)|account'?s|saved|default|"
                              r"future\s+orders?|next\s+orders?|from\s+now\s+on|address\s+book|on\s+file)\b", re.IGNORECASE)
_AN_ORDER = re.compile(r"\b(?:this|that|the|my\s+(?:last|recent|current))\s+order\b|\bLFT[-\s]?\d{6}\b|\bshipped\b|"
                       r"\bparcel\b|\bpackage\b", re.IGNORECASE)


def account_not_order(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """change_shipping_address about the account's saved address, naming no order:
    set_up_shipping_address, same confidence."""
    if (intent or {}).get("name") != "change_shipping_address" or not _ACCOUNT_ADDRESS.search(text or "") \
            or _AN_ORDER.search(text or ""):
        return None
    return as_intent(intent, "set_up_shipping_address")


# "whats ur phone number i'd rather call", "is there a telephone number for support": the store's
# contact details (a hand-off trigger), never the phones we sell.
_CONTACT_DETAILS = re.compile(
    r"\b(?:your|ur|yr|ya|you\s+guys'?|the\s+store'?s?|customer\s+(?:service|care|support)|support|helpline)\s+"
    r"(?:tele)?(?:phone|contact|hotline|mobile)\s*(?:number|no\.?|nr|line|#)|\b(?:tele)?phone\s+(?:number|line)\s+(?:for|to)\s+"
    r"(?:support|customer|you|reach|call|contact)|\bnumber\s+(?:to|i\s+can)\s+(?:call|ring|phone)\b|\b(?:call|ring|phone)\s+"
    r"(?:you|u|ya|your\s+(?:team|store|support))\s+(?:up|directly|instead|on\s+the\s+phone|by\s+phone)\b|"
    r"\b(?:can|could)\s+i\s+(?:call|ring|phone)\s+(?:you|u|ya)\s*\??$", re.IGNORECASE)
CONTACT = "contact_customer_service"


def contact_details_not_products(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """Any other reading of a request for the store's phone number: contact_customer_service."""
    name = (intent or {}).get("name")
    if name in (CONTACT, "contact_human_agent") or not _CONTACT_DETAILS.search(text or ""):
        return None
    return as_intent(intent, CONTACT, 0.5)


# "what about UK", "and germany?", "japan?": a place alone, after a delivery answer (read as out of
# scope or a product search); the delivery question for that country, which the policy answers
_PLACE_ONLY = re.compile(r"^\W*(?:(?:and|so|ok|okay|hmm+)\W+)*(?:(?:what|how)\s+about\s+|and\s+)?(?:to\s+)?(?:the\s+)?"
                         r"(?P<place>[^\W\d_][^\W\d_ .'-]*?(?:[ .'-]+[^\W\d_]+){0,2}?)"
                         # "what about germany, and how much": the same question about cost or time
                         r"(?:\s+then)?(?:\W+(?:(?:and|n|&)\s+)?(?:how\s+(?:much|long|many\s+days)|what\s+(?:does\s+it\s+)?costs?|the\s+(?:price|cost))"
                         r"(?:\s+(?:and|n|&)\s+how\s+(?:much|long))?"
                         r"(?:\s+(?:is\s+it|would\s+it\s+be|does\s+it\s+take|there))?)?\W*$", re.IGNORECASE)
DELIVERY = "delivery_options"


def place_only_is_delivery(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """A message that is only a country or city outside the US: delivery_options."""
    m = _PLACE_ONLY.match(text or "")
    if (intent or {}).get("name") in (DELIVERY, "delivery_period") or not m:
        return None
    lead_in = m.start("place") > len(re.match(r"\W*", text or "").group(0))
    # "nada" alone is no city: a bare word needs a country or a city of a million; "what about lisbon" less
    dest = place_by_name(m.group("place"), CITY_MIN_POPULATION if lead_in else CITY_UNCUED_POPULATION)
    if dest is None or not dest.international:
        return None
    return as_intent(intent, DELIVERY, 0.5)


# "do you ship to Canada?" (ask_question), "how long for express to reach ireland" (out of scope):
# a shipping word and a place abroad is a delivery question, however the classifier read it
_WHEN = re.compile(r"\b(?:how\s+(?:long|soon|fast|quick(?:ly)?|many\s+(?:working\s+|business\s+)?days)|when|lead\s+time|"
                   r"(?:business|working)\s+days|eta)\b", re.IGNORECASE)
_NOT_A_QUESTION_ABOUT_US = frozenset({"out_of_scope", "nlu_fallback", "ask_question", "inform", "search_product", None})


def destination_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """A question read as out of scope or as a product question that asks about shipping to a
    place abroad: delivery_period when it asks how long, else delivery_options."""
    if (intent or {}).get("name") not in _NOT_A_QUESTION_ABOUT_US or not DELIVERY_WORDS.search(text or ""):
        return None
    dest = place_named(text)
    if dest is None or not dest.international:
        return None
    return as_intent(intent, "delivery_period" if _WHEN.search(text or "") else DELIVERY, 0.5)


# "set the quantity of Nimbus 14 laptops to 3", "make the chairs 4": the cart's line, not a placed order (change_order asked
# for an order number, a dead end); an order named ("my order", "LFT…", "purchase") keeps change_order
_CART_QUANTITY = re.compile(r"\b(?:quantity|qty|amount|number)\s+(?:of\s+\w|to\s+\d)|\b(?:set|change|make|update|bump|"
                            r"reduce|increase)\b[^.?!]*\bto\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b",
                            re.IGNORECASE)
_SWAP = re.compile(r"\b(?:swap|switch|exchange|replace)\b[^.?!]*\b(?:for|with)\b", re.IGNORECASE)
_ORDER_NAMED = re.compile(r"\b(?:orders?|ordered|purchases?|purchased|shipment|delivery|LFT[-\s]?\d+)\b|\b\d{6,}\b",
                          re.IGNORECASE)


def cart_quantity_not_order(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """change_order for a quantity change that names no order: remove_from_cart, whose action changes a
    cart line (up or down; "make it 3" is read the same by both cart actions); a swap: add_to_cart."""
    if (intent or {}).get("name") != "change_order" or _ORDER_NAMED.search(text or ""):
        return None
    if _CART_QUANTITY.search(text or ""):
        return as_intent(intent, "remove_from_cart")
    change = parse_cart_change(text or "", ADD)  # "make the chairs 4": a new number, as the cart reads it
    if change.op == SET and 0 < (change.qty or 0) < 100:
        return as_intent(intent, "remove_from_cart")
    # "swap it for the Orbit Lite": the cart's swap (the new one added, the old line dropped)
    return as_intent(intent, "add_to_cart") if _SWAP.search(text or "") else None


# "hmm get rid of the less expensive laptop": a removal ("less expensive" made it ask_alternatives);
# "i dont want the expensive one, got anything cheaper?" still asks for an alternative
_WANTS_ANOTHER = re.compile(r"\b(?:show|got|have|any\w*|something|alternatives?|instead|other|else|swap|replace|"
                            r"recommend|suggest)\b", re.IGNORECASE)


_LESS_PRICEY = re.compile(r"\bless\s+(?:expensive|pricey|costly|dear)\b", re.IGNORECASE)


def removal_not_alternatives(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """ask_alternatives for a removal that asks for nothing else: remove_from_cart."""
    plain = _LESS_PRICEY.sub("cheaper", text or "")  # "less" alone is a removal word ("2 less")
    if (intent or {}).get("name") != "ask_alternatives" or _WANTS_ANOTHER.search(plain) \
            or parse_cart_change(plain, ADD).op != REMOVE:
        return None
    return as_intent(intent, "remove_from_cart")


# "forget it, I'm not buying anything today, stop the checkout" read as checkout: stop
_STOP_BUYING = re.compile(r"\b(?:stop|cancel|quit|abort|exit|end|leave)\s+(?:the\s+|this\s+|my\s+)?check\s*-?\s*out\b|"
                          r"\bforget\s+(?:it|about\s+it|the\s+check\s*-?\s*out)\b|\bnot\s+(?:buying|ordering|checking\s+out)\b|"
                          r"\b(?:don'?t|do\s+not|no\s+longer)\s+want\s+to\s+(?:buy|order|check\s*-?\s*out|pay)\b|"
                          r"\b(?:nvm|never\s*mind)\b", re.IGNORECASE)


def stop_not_checkout(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """checkout for a message that calls the checkout off: stop."""
    if (intent or {}).get("name") not in ("checkout", "place_order") or not _STOP_BUYING.search(text or ""):
        return None
    return as_intent(intent, "stop", 0.5)


# "what exactly comes in the box with it", "is a charger included": what the product comes with, a
# question about its page, not a request for accessories that go with it (ask_complements)
_IN_THE_BOX = re.compile(r"\b(?:in\s+the\s+box|box\s+contents|included|include[sd]?\b(?!\s+(?:a|an)\s+\w+\s+(?:for|with))|"
                         r"what\s+(?:do\s+(?:i|you)\s+get|(?:exactly\s+)?comes?\s+with\s+(?:it|this|that|them))|"
                         r"comes?\s+with\s+(?:a|an|the|its)\s+\w+\s*\??$|need\s+to\s+buy\s+(?:a|an|the)\s+\w+\s+separately)",
                         re.IGNORECASE)


def contents_not_complements(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """ask_complements for "what comes in the box": ask_question, same confidence."""
    if (intent or {}).get("name") != "ask_complements" or not _IN_THE_BOX.search(text or ""):
        return None
    return as_intent(intent, "ask_question")


# "I'd like a thermostat but I'm not sure it'll work in an old house": a doubt to answer first, not an add
_HEDGE = re.compile(r"\b(?:not\s+sure|unsure|wonder(?:ing)?|whether|worried|concerned|doubt|no\s+idea\s+if|don'?t\s+know\s+if|"
                    r"(?:would|will|does|can|could)\s+(?:it|they|that|this)\b[^?.!]*\?|suitable|compatible|work\s+(?:with|in|for))",
                    re.IGNORECASE)
_ADD_WORDS = re.compile(r"\b(?:add|put|buy|order|purchase|take|cart|basket|bag|get\s+me|gimme|i'?ll\s+have)\b", re.IGNORECASE)


def doubts(text: Optional[str]) -> bool:
    """A wish with a doubt and no word of adding ("I'd like X but I'm not sure it'll work in ...")."""
    return bool(_HEDGE.search(text or "")) and not _ADD_WORDS.search(text or "")


def doubt_not_add(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """add_to_cart for a wish with a doubt and no word of adding: ask_question, same confidence."""
    if (intent or {}).get("name") != "add_to_cart" or not doubts(text):
        return None
    return as_intent(intent, "ask_question")


# "what data do you actually keep about me?", "do you store my full card number", "is this chat safe?",
# "I got an email asking to confirm my card details, is that real?": the privacy and security policies
# answer these (read as bot_challenge or out of scope, they got "I'm a bot" or the scope statement)
_PRIVACY = re.compile(
    r"\b(?:my|our)\s+(?:personal\s+)?(?:data|information|info|details|card\s+(?:number|details|info))\b|"
    r"\b(?:do|does|will|would)\s+(?:you|u|ya|the\s+store|lift)\s+(?:keep|store|save|sell|share|hold|collect)\b|"
    r"\bwhat\s+(?:data|information|info)\s+(?:do|does|will)\s+(?:you|u)\b|"
    r"\bis\s+(?:this|the|that|it)\s+(?:chat|site|website|email|e-mail|message|text|call|link|page)\s+"
    r"(?:safe|secure|real|legit|genuine|from\s+you)\b|\b(?:phishing|scam+(?:er|ed)?|fraudster)\b|"
    r"\b(?:email|e-mail|message|text|call)\s+(?:from\s+you\s+)?asking\s+(?:me\s+)?(?:to\s+)?(?:confirm|verify|for)\b|"
    # "what personal data you hold about me", "how long do you retain this chat conversation", "sold to
    # third parties", "a copy of all the personal data you hold"
    r"\bpersonal\s+(?:data|information|details)\b|\b(?:data|information)\s+(?:that\s+)?(?:you|u)\s+(?:hold|keep|have)\b|"
    r"\b(?:retain|retention)\b|\btranscripts?\b|\bthird[\s-]+part(?:y|ies)\b|\bmarketing\s+compan\w+|"
    r"\bstore\s+(?:my|our)\s+card\b",
    re.IGNORECASE)
_NOT_ANSWERED = ("bot_challenge", "out_of_scope", "greet", "inform", "nlu_fallback")


def privacy_question(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """A question about the shopper's data or a suspicious message, read as a bot question, chat or
    out of scope: ask_question, at least 0.5."""
    if (intent or {}).get("name") not in _NOT_ANSWERED or not _PRIVACY.search(text or ""):
        return None
    return as_intent(intent, "ask_question", 0.5)


# "I'll take the less expensive of the two", "get me the cheaper one": a pick to buy among those shown
# (read as a request for alternatives or a price question, nothing was added)
# ("I think I shall go with the one at the top of the list after all", read as thanks)
_TAKE_PICK = re.compile(r"\b(?:i'?ll\s+(?:take|have|get|go\s+(?:with|for))|i\s+(?:shall|will)\s+(?:take|have|go\s+(?:with|for))|"
                        r"get\s+me|give\s+me|buy|add|i\s+(?:want|choose|pick))\s+"
                        r"the\s+(?:(?:\w+\s+){0,2}?(?:cheaper|cheapest|less\s+expensive|least\s+expensive|lower[-\s]priced|"
                        r"pricier|more\s+expensive|dearer|other|first|second|last|former|latter)\b|one\s+(?:at\s+the\s+top|on\s+top)\b)",
                        re.IGNORECASE)
_PICK_READINGS = ("ask_alternatives", "ask_price", "ask_question", "search_product", "inform", "compare", "thank")


def pick_to_buy(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """A pick of a shown product with a verb of taking, read otherwise: add_to_cart, at least 0.5."""
    if (intent or {}).get("name") not in _PICK_READINGS or not _TAKE_PICK.search(text or "") or "?" in (text or ""):
        return None
    return as_intent(intent, "add_to_cart", 0.5)


# "sorry, make that two, not three" read as a no: a new number for what was just added
_NEW_NUMBER = re.compile(r"\b(?:make|change)\s+(?:it|that|them|this)\s+(?:to\s+)?(?:\d+|one|two|three|four|five|six|seven|"
                         r"eight|nine|ten)\b", re.IGNORECASE)


def new_number_not_no(intent: Optional[Dict[str, Any]], text: Optional[str]) -> Optional[Dict[str, Any]]:
    """deny for "make that two, not three": inform, same confidence (the cart change reads the number)."""
    if (intent or {}).get("name") != "deny" or not _NEW_NUMBER.search(text or ""):
        return None
    return as_intent(intent, "inform")

