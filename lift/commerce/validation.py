"""Parsing and validation of what shoppers type into forms.

Every function returns a normalised value or ``None`` when the input is unusable, so the
form validators can re-ask with a specific message instead of storing garbage.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from lift.commerce import contacts

MAX_FIELD_CHARS = 200

_ORDER_RE = re.compile(r"\b(?:LFT[-\s]?)?(\d{6})\b", re.IGNORECASE)

# The one table of number words in Lift (lift.understanding.numbers builds phrases on it).
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "pair": 2, "couple": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "dozen": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "million": 1_000_000, "zero": 0,
}


def clean_text(value: Any, limit: int = MAX_FIELD_CHARS) -> Optional[str]:
    """Collapse whitespace; ``None`` for empty or non-text input and for over-long text."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    if not text or len(text) > limit:
        return None
    return text


def find_email(text: Any) -> Optional[str]:
    text = clean_text(text, limit=10_000)
    return contacts.find_email(text) if text else None


def normalize_email(value: Any) -> Optional[str]:
    """A syntactically valid address, lower-cased; ``None`` otherwise."""
    text = clean_text(value, limit=320)
    return contacts.parse_email(text) if text else None


def normalize_phone(value: Any) -> Optional[str]:
    """E.164 for an international number, 7 to 15 digits for a national one; else ``None``."""
    text = clean_text(value, limit=40)
    return contacts.parse_phone(text) if text else None


# Words of a sentence that are in no one's name ("can I pay by invoice", "ok get me a quote",
# "next tuesday afternoon" typed where a name is asked). Words that are names too (Will, May, An,
# Do, Don, Bill) are left out.
_NOT_NAME_WORDS = frozenset("""
    i me my mine we us our you your u ur he she they them it its this that these those there here
    can could would should shall must might does did is are was were am be been being have has had
    get got want wanna need pay buy order quote price prices invoice discount please pls plz thanks thank
    how what why when where which who whom whose the a to for by with from about on in at of into
    ok okay yes yeah no not dont just send give tell show help need next tomorrow today tonight
    morning afternoon evening week weekend monday tuesday wednesday thursday friday saturday
""".split())
# A company asked for and a time or a question given ("next tuesday afternoon", "what's the lead time?").
_TIME_WORDS = frozenset("""
    next this coming tomorrow today tonight morning afternoon evening night week weekend monday tuesday
    wednesday thursday friday saturday sunday am pm at noon midday any anytime time after before
""".split())
_QUESTION_START = re.compile(r"^(?:what|what's|whats|how|why|when|where|which|who|can|could|do|does|is|are|will|"
                             r"would|should)\s+\S+\s+\S+", re.IGNORECASE)


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(_QUESTION_START.match(text))


# "Tom Becker, as I wrote", "Becker Logistics GmbH, i already said that": the answer, then an aside
_ASIDE = re.compile(r"\s*[,;(-]+\s*(?:as|like)\s+i\s+(?:said|wrote|mentioned|told\s+you)\b.*$|"
                    r"\s*[,;(-]+\s*i\s+(?:already|just)\s+(?:said|wrote|told\s+you|gave\s+(?:it|you\s+that))\b.*$|"
                    r"\s*[,;(-]+\s*(?:see|read)\s+(?:above|my\s+(?:first|last|previous)\s+message)\b.*$", re.IGNORECASE)


def without_aside(text: str) -> str:
    """The answer without a trailing "…, as I wrote" (the shopper repeating themselves)."""
    return _ASIDE.sub("", text)


def normalize_person_name(value: Any) -> Optional[str]:
    text = clean_text(value, limit=100)
    if not text or _is_question(text):
        return None
    text = without_aside(text)
    text = re.sub(r"^(?:my name is|i am|i'm|im|it's|its|this is|call me|name:)\s+", "", text, flags=re.I)
    text = text.strip(" .,!")
    # "Dr. Sabine Bergmann": the title is kept, the name after it checked
    title = re.match(r"(?:dr|mr|mrs|ms|mx|miss|prof|professor|sir|dame)\.?\s+(?=\S+\s+\S)", text, flags=re.I)
    if title:
        rest = normalize_person_name(text[title.end():])
        word = title.group(0).strip().rstrip(".").capitalize()
        return f"{word}{'.' if word.lower() in ('dr', 'mr', 'mrs', 'ms', 'mx', 'prof') else ''} {rest}" if rest else None
    if any(w.lower() in _NOT_NAME_WORDS for w in text.split()):
        return None
    # Letters (any script), spaces, apostrophes, hyphens and dots; at least 2 letters.
    if not re.fullmatch(r"[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?", text) or sum(c.isalpha() for c in text) < 2:
        return None
    if "@" in text:
        return None
    return " ".join(part[:1].upper() + part[1:] for part in text.split(" "))


# Words of a reply to some other question ("yes", "ok sure", "the first one is fine", "that works"):
# all of a company answer made of them is no company name.
_REPLY_WORDS = frozenset("""
    yes yeah yep yup ya no nope nah ok okay k sure fine good great perfect cool alright right correct
    the a first second third last other one ones is its it s that thats this works work sounds please pls
    thanks thank you either any whichever both none neither same as above just go ahead do book me
""".split())


# A headcount typed where the company is asked ("like 8 of us", "about 20 people", "just me and my
# partner"): the team size (read in passing), never the company's name.
_HEADCOUNT_ANSWER = re.compile(
    r"^(?:(?:like|about|around|roughly|approx(?:imately)?|maybe|only|just|we(?:'re|\s+are)|there(?:'s|\s+are|\s+is)|"
    r"it'?s|its|a\s+team\s+of|team\s+of|~)\s*)*"
    r"(?:(?:\d{1,7}|" + "|".join(w for w in NUMBER_WORDS if len(w) > 2) + r")(?:\s*(?:-|to|or)\s*\d{1,7})?"
    r"(?:\s+(?:of\s+us|people|ppl|persons|staff|employees|users|seats|heads|members|folks|guys|colleagues|"
    r"(?:-\s*)?person\s+team|strong|in\s+(?:the|our)\s+team))?"
    r"|(?:me|myself)(?:\s+(?:and|&|\+)\s+(?:my\s+)?\w+)?|the\s+\w+\s+of\s+us)\W*$", re.IGNORECASE)


_HEADCOUNT_AFTER = re.compile(r"\s*[,(;–-]\s*(?:we(?:'re|\s+are|\s+have)\s+|(?:about|around|roughly|approx\.?|~|with|some)\s+)*"
                              r"\d[\d,]*\+?\s*(?:staff|people|employees|persons|users|seats|members|workers|of\s+us)\b.*$",
                              re.IGNORECASE)


def normalize_company(value: Any) -> Optional[str]:
    text = clean_text(value, limit=120)
    if not text:
        return None
    text = without_aside(text)
    # "As I said, it is Willow Lane Hospice Shop": the shopper repeating themselves, then the name
    text = re.sub(r"^(?:as|like)\s+i\s+(?:said|wrote|mentioned|told\s+you)\s*[,:-]?\s*(?:(?:it\s+is|it's|its)\s+)?", "",
                  text, flags=re.I)
    text = re.sub(r"^(?:i work (?:at|for)|we are|we're|it's|its|company is|my company is|at|for)\s+", "", text, flags=re.I)
    text = _HEADCOUNT_AFTER.sub("", text).strip(" .,!")  # "Northgate Engineering, about 40 staff": the name
    if len(text) < 2 or not re.search(r"[^\W_]", text) or find_email(text) or _is_question(text):
        return None
    if _HEADCOUNT_ANSWER.match(text) or _HEADCOUNT_ANSWER.match(str(value).strip()):
        return None
    words = re.findall(r"[a-z0-9]+", text.lower())
    if all(w in _TIME_WORDS or w.isdigit() for w in words) or all(w in _REPLY_WORDS for w in words):
        return None  # "tomorrow 3pm", "yes", "The first one is fine": an answer to another question
    return text


def parse_int(value: Any) -> Optional[int]:
    """An integer from '40', 'about 40 people', 'two', '1,200'; ``None`` if absent or ambiguous."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else None
    text = clean_text(value, limit=100)
    if not text:
        return None
    text = text.lower().replace(",", "")
    numbers = re.findall(r"-?\d+(?:\.\d+)?", text)
    if len(numbers) == 1:
        num = float(numbers[0])
        return int(num) if num.is_integer() else None
    if len(numbers) > 1:
        return None
    words = [w for w in re.findall(r"[a-z]+", text) if w in NUMBER_WORDS]
    if len(words) == 1:
        return NUMBER_WORDS[words[0]]
    if words == ["a", "dozen"] or words == ["a", "hundred"] or words == ["a", "couple"]:
        return NUMBER_WORDS[words[1]]
    return None


def parse_team_size(value: Any) -> Optional[int]:
    n = parse_int(value)
    if n is None or n < 1 or n > 1_000_000:
        return None
    return n


def normalize_order_id(value: Any) -> Optional[str]:
    """Our order ids are LFT + 6 digits; shoppers type 'lft-100002', '100002', '#100002'."""
    text = clean_text(value, limit=100)
    if not text:
        return None
    m = _ORDER_RE.search(text)
    return f"LFT{m.group(1)}" if m else None


# What only an address has: a street-type word, a PO box, or a US / Canadian / British postcode.
_STREET_SHAPE = re.compile(
    r"\b(?:st|street|ave|avenue|rd|road|ln|lane|blvd|boulevard|dr|drive|way|ct|court|pl|place|ter|terrace|close|"
    r"cres|crescent|sq|square|hwy|highway|pkwy|parkway|cir|circle|trail|trl|row|walk|gardens|grove|hill|park|"
    r"apt|apartment|suite|unit|flat|floor|box)\b|\b\d{5}(?:-\d{4})?\b|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|"
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.IGNORECASE)
# "I already gave it: 17 Cedar Lane ...", "ok. 42 Elm Street ...", "ok then send to my brother in
# London - 221 Baker Street ...": chat before the house number is not the address
_PREAMBLE = re.compile(r"^[^\d:]{1,80}:\s*(?=\d|p\.?\s*o\.?\s*box\b)", re.IGNORECASE)
_CHAT_BEFORE = re.compile(r"^(?P<chat>[^\d]{1,80}?)(?=\b\d{1,6}[A-Za-z]?\s+[^\W\d_]{2,}|\bp\.?\s*o\.?\s*box\b)", re.IGNORECASE)
# ", express please", " and standard delivery pls", " - reception will sign for it", " i think thats right lol":
# what follows an address in the same message is not part of it
_TAIL = re.compile(r"(?:\s*(?:[,;.!\-–…]+|\band\b|\bbut\b)\s*(?:(?:and|but|oh|also|then|so)\s+)?"
                   r"(?:please|pls|thanks?|thank\s+you|cheers|ty|lol|i\s+think|reception|leave|ring|call|sign|deliver|"
                   r"delivery|shipping|ship|express|standard|next[\s-]?day|pickup|asap|make\s+it|via|is\s+that|"
                   r"that'?s|hope|e-?mail|code|coupon|promo|voucher|u|you|forgot)\b"
                   r"|\s+(?:please|pls|thanks|thank\s+you|cheers|lol|i\s+think)\b).*$", re.IGNORECASE)
_CHATTY = re.compile(r"^\W*(?:ok|okay|yes|yeah|yep|sure|fine|right|so|then|actually|sorry|oops|it'?s|its|it\s+is|"
                     r"uh+|um+|erm|hmm+|same(?:\s+as\s+(?:before|last\s+time))?|"
                     r"here|here'?s|use|send|ship|deliver|please|pls|the\s+address|address|my\s+address|to)\b|"
                     r"[.!;\-–]\s*$", re.IGNORECASE)


# "Flat 3, 12 High Street", "apt 4b 55 main st": the flat or unit written before the house number
_UNIT_BEFORE = re.compile(r"(?:\b(?:flat|apt|apartment|unit|suite|ste|room|rm)\.?\s*(?:no\.?\s*)?#?\s*[A-Za-z0-9-]{1,5}"
                          r"|#\s*[A-Za-z0-9-]{1,5})\s*[,/]?\s*$", re.IGNORECASE)


_CHAT_BEFORE_UNIT = re.compile(r"^(?P<chat>[^\d]{1,40}?)(?=\b(?:flat|apt|apartment|unit|suite)\b\.?\s*#?\s*\d)", re.IGNORECASE)


def unit_before(text: str) -> Optional[int]:
    """Where a flat or unit named at the end of ``text`` starts ("send it to flat 2b " -> 11), the
    text before a house number; None when it ends with none."""
    m = _UNIT_BEFORE.search(text or "")
    return m.start() if m else None


def street_shaped(text: Any) -> bool:
    """Whether ``text`` has what only an address has (a street word, a PO box or a postcode), so a
    sentence with a number in it ("only 1 hub pls not 2") is not taken for a new address."""
    return bool(_STREET_SHAPE.search(str(text or "")))


def normalize_address(value: Any) -> Optional[str]:
    """A postal address: at least a house number and a street-like word, 8-200 chars."""
    text = clean_text(value, limit=200)
    if not text or len(text) < 8:
        return None
    text = _PREAMBLE.sub("", text)
    chat = _CHAT_BEFORE.match(text)
    if chat and _CHATTY.search(chat.group("chat")):
        unit = unit_before(chat.group("chat"))  # "ok its Flat 9, 3 Kings Road": from the flat on
        if unit is not None:
            text = text[unit:]
        elif not re.search(r"\b(?:apt|apartment|suite|unit|flat|floor|building|house|c/o)\b", chat.group("chat"), re.I):
            text = text[chat.end("chat"):]
    lead = _CHAT_BEFORE_UNIT.match(text)
    if lead and _CHATTY.search(lead.group("chat")):  # "ok its Flat 9, 3 Kings Road"
        text = text[lead.end("chat"):]
    text = re.sub(r"^(?:ship (?:it )?to|deliver (?:it )?to|send (?:it )?to|(?:my|our|the) address is|address:?|"
                  r"(?:i|we) (?:live|am|are|'m|'re) (?:at|in|on)|i'm at|we're at|(?:my|our) (?:office|house|flat) is at)\s+",
                  "", text, flags=re.I)  # "I live at 14 Elm Street, ...": the address from the number on
    tail = _TAIL.search(text)
    if tail and re.search(r"\d", text[:tail.start()]):
        text = text[:tail.start()]
    if not re.search(r"\d", text) or len(re.findall(r"[^\W\d_]{2,}", text)) < 2:
        return None
    return text.strip(" .,;:?!-–…")


def normalize_coupon(value: Any) -> Optional[str]:
    text = clean_text(value, limit=40)
    if not text:
        return None
    text = re.sub(r"[^A-Za-z0-9]", "", text).upper()
    return text if 3 <= len(text) <= 20 else None


_COUPON_IN_TEXT = re.compile(r"(?<![\w-])(?!lft-?\d{6}(?![\w-]))([a-z]{3,10}\d{1,4})(?![\w-])", re.IGNORECASE)


# "use code welcome 10": the code's letters and digits typed apart, after a word that says it is a code
_SPACED_COUPON = re.compile(r"\b(?:code|coupon|promo|voucher)\s*[:\-,]?\s*(?:(?:it'?s|its|is)\s+)?(?!(?:for|off|the|and|with|over|under|about|"
                            r"that|this|worth|gives?|saves?|was|is|are)\s)([a-z]{3,10})\s+(\d{1,4})(?![\w%-])",
                            re.IGNORECASE)


def find_coupon(text: Any) -> Optional[str]:
    """A coupon-shaped code typed in any case ("use coupon welcome10" -> WELCOME10, "use code welcome 10"
    -> WELCOME10); never an order id."""
    text = contacts.without_emails(clean_text(text, limit=500) or "")  # shopper1@example.com is no SHOPPER1
    m = _COUPON_IN_TEXT.search(text)
    if m:
        return normalize_coupon(m.group(1))
    spaced = _SPACED_COUPON.search(text)
    return normalize_coupon(spaced.group(1) + spaced.group(2)) if spaced else None


_CONFIRM_WORDS = re.compile(r"\b(?:place|confirm|buy|purchase|order\s+it|go\s+ahead|proceed|submit|complete|pay)\b",
                            re.IGNORECASE)
_NEGATION_WORDS = re.compile(r"\b(?:no|not|don'?t|do\s+not|never|cancel|stop|wait|hold|later)\b"
                             # a condition or a change first: "please add the desk before I confirm"
                             r"|\b(?:before|until|till|once|after|first|missing|forgot|add|remove|change|wrong|instead|"
                             r"except|without|but)\b", re.IGNORECASE)


# "can i pay with klarna?", "do you take apple pay": a question, whatever words it shares with a go-ahead
_QUESTION = re.compile(r"\?\s*$|^\W*(?:(?:and|so|ok|okay|um+|hmm+|but|also|wait|oh|quick\s+question)\W+)*"
                       r"(?:can|could|do|does|did|is|are|will|would|what|how|which|when|where|why|who|may|should|shall|"
                       r"any|is\s+there)\b", re.IGNORECASE)


def asks_something(text: Any) -> bool:
    """True for a question ("can i pay by invoice?", "do you take paypal"), never a go-ahead."""
    return bool(_QUESTION.search(clean_text(text, limit=500) or ""))


def says_confirm(text: Any) -> bool:
    """True for a typed go-ahead at a confirmation prompt ("place order", "confirm", "go ahead and
    buy it"); anything negated ("don't place it yet") or asked ("can i pay by invoice?") is not one."""
    text = clean_text(text, limit=200) or ""
    return bool(_CONFIRM_WORDS.search(text)) and not _NEGATION_WORDS.search(text) and not asks_something(text)
