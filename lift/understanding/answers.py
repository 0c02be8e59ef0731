"""A message that is simply the answer to the question a form just asked.

The intent classifier reads a short answer without the question it answers: "ten" (to "How
many people are on your team?") and "Pat" (to "What's your name?") come out as ``stop``, "Kettle
& Co" (to "Which company are you with?") as a product search. :func:`plain_answer` says whether
a message has the shape of the answer to the slot asked (a headcount, a bare name, a company
name), so the form can take it whatever the intent; :func:`says_stop` recognises a real "stop"
("forget it", "never mind", "I'd rather not", "cancel"), which is never an answer.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from lift.commerce.validation import clean_text, find_email, normalize_company, normalize_person_name, parse_team_size
from lift.understanding.numbers import find_quantities
from lift.understanding.people import COMPANY_SUFFIX, NON_NAME_WORDS

Span = Tuple[int, int]

_STOP_RE = re.compile(
    r"\b(?:stop|cancel|quit|exit|abort|halt|terminate|enough|nvm|never\s*mind|forget|rather\s+not|"
    r"no\s+thanks?|not\s+now|not\s+interested|drop\s+it|leave\s+(?:it|this|that)|changed?\s+my\s+mind|"
    r"(?:don'?t|do\s+not|doesn'?t)\s+want|start\s+over|restart|get\s+me\s+out|shut\s+up|be\s+quiet|mute|pause|"
    r"undo|skip\s+(?:it|this|that|all)|not\s+doing\s+this|go\s+back|take\s+me\s+back)\b",
    re.IGNORECASE)

# Words around a headcount that still leave the message a plain answer ("about 25", "we're 12 people").
_HEADCOUNT_FILLER = frozenset("""about around roughly approximately approx nearly almost maybe perhaps probably like
just only some over under exactly close to circa ish or so people persons person staff employees users seats members
team colleagues folks heads strong of us we we're were are re is it's its it in total all the our my there
currently now""".split())

# Everyday chat words that are never a name or a company on their own.
_CHAT_WORDS = frozenset("""yes yeah yep yup no nope nah ok okay k sure fine hi hello hey hiya howdy bye goodbye cya
later thanks thank thx cheers welcome help human agent person someone somebody bot robot cart basket checkout order
orders menu options price prices search show find buy add remove what why how who when where which idk dunno
anything nothing none whatever maybe again back next previous continue""".split())
_NOT_A_NAME = NON_NAME_WORDS | _CHAT_WORDS
# A company may be "The Kettle Shop" or "New Leaf Ltd"; a request or a question is not one.
_NOT_A_COMPANY = _CHAT_WORDS | frozenset("""i me my mine you your we our us it this that these those is are am was
do does did can could would will should want need like have has had please show find get give tell looking
any much many""".split())

MAX_NAME_WORDS = 4
MAX_COMPANY_WORDS = 6


def says_stop(text: Any) -> bool:
    """True for a message that asks to stop ("stop", "forget it", "never mind", "I'd rather not",
    "cancel", "I don't want to continue"); never for one carrying an email address."""
    text = clean_text(text, limit=500) or ""
    return bool(_STOP_RE.search(text)) and not find_email(text)


# "ok forget it, how long do refunds take after cancelling?", "I said forget it. show me smart plugs": a form
# called off at the start of a message that then asks something else
_DISMISSAL = re.compile(r"^\W*(?:(?!(?:never|not|won'?t|don'?t|didn'?t|can'?t)\b)[\w']+\W+){0,4}?"  # "meh", "Oh, actually,"
                        r"(?:forget\s+(?:it|that|about\s+it|the\s+code|this)|never\s*mind(?:\s+that)?|nvm|scrap\s+that|"
                        r"(?:let'?s\s+)?leave\s+it(?:\s+be)?|drop\s+it|skip\s+(?:it|that|this))\b\W*(?P<rest>.*)$",
                        re.IGNORECASE | re.DOTALL)


def dismisses_then_asks(text: Any) -> bool:
    """True for a message opening by calling off what was going on and then asking something else
    (at least two more words)."""
    m = _DISMISSAL.match(clean_text(text, limit=500) or "")
    return bool(m) and len(re.findall(r"[^\W\d_]+", m.group("rest"))) >= 2


def _blank(text: str, spans: Sequence[Span]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _words(text: str):
    return [w.strip(".,!;:'\"()").lower() for w in text.split()]


def headcount_answer(text: Any) -> Optional[int]:
    """A team size typed as the whole answer: "10", "ten", "about 25", "a dozen", "we're 12
    people". None when the message says anything else ("one moment", "I'd rather not")."""
    text = clean_text(text, limit=100)
    if not text or says_stop(text):
        return None
    mentions = [m for m in find_quantities(text) if m.value is not None]
    if len(mentions) != 1:
        return None
    m = mentions[0]
    rest = re.sub(r"[~+≈]", " ", _blank(text, [(m.start, m.end)]))
    if any(w and w not in _HEADCOUNT_FILLER for w in re.findall(r"[^\W\d_][\w'’]*", rest.lower())):
        return None
    if re.search(r"\d", rest):
        return None
    return parse_team_size(m.value)


def _plain_words(text: str, limit: int, excluded: frozenset, skip: Sequence[Span]) -> Optional[str]:
    """``text`` when it is a few words with no question, no stop and none of the ``excluded``
    words, and is not wholly covered by ``skip`` (a product or category the message names); else None."""
    text = clean_text(text, limit=120)
    if not text or "?" in text or says_stop(text):
        return None
    words = _words(text)
    if not 1 <= len(words) <= limit or any(w in excluded for w in words):
        return None
    if not re.search(r"[^\W\d_]", _blank(text, skip)):
        return None
    return text


def name_answer(text: Any, skip: Sequence[Span] = ()) -> Optional[str]:
    """A bare name typed as the whole answer ("Pat", "Kim Lee", "jane doe"), normalised; None for
    anything else ("forget it", "bye", "what's in my cart")."""
    plain = _plain_words(str(text or ""), MAX_NAME_WORDS, _NOT_A_NAME, skip)
    return normalize_person_name(plain) if plain else None


def company_answer(text: Any, skip: Sequence[Span] = ()) -> Optional[str]:
    """A bare company name typed as the whole answer: "Kettle & Co", "Kim LLC", "Whitfield
    Interiors" (a legal suffix or "&", or every word capitalised); None for a sentence ("show me
    kettles"), a stop, or a product name alone ("Swift Electric Kettle")."""
    plain = _plain_words(str(text or ""), MAX_COMPANY_WORDS, _NOT_A_COMPANY, skip)
    if not plain:
        return None
    suffixed = "&" in plain or re.search(rf"\b{COMPANY_SUFFIX}\.?$", plain, re.IGNORECASE)
    capitalised = all(w[:1].isupper() or w[:1].isdigit() or w == "&" for w in plain.split())
    return normalize_company(plain) if suffixed or capitalised else None


_SHAPES: Dict[str, Callable[..., Any]] = {
    "team_size": lambda text, skip: headcount_answer(text),
    "person_name": name_answer,
    "company": company_answer,
}


def plain_answer(slot: str, text: Any, skip: Sequence[Span] = ()) -> Optional[Any]:
    """The answer to the form's question for ``slot`` when ``text`` is nothing but that answer,
    normalised; None when it is not, or when ``slot`` has no recognisable shape. ``skip``: spans of
    products or categories the message names (a name or company must be more than those)."""
    shape = _SHAPES.get(slot)
    return shape(text, skip) if shape else None
