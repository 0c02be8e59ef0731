"""Spending limits in a message: "laptops under 1000", "headphones below $150", "up to 1.5k",
"my budget is £80". :func:`price_cap` reads the amount; :func:`cap_spans` tells the quantity
parser which numbers are money, so "a laptop under 1000" never asks for 1,000 laptops."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import List, Optional, Tuple

from lift.understanding.spelled import NUMBER_WORD, SPELLED, words_to_int

_CURRENCY = r"(?:[$£€]|usd\s*|eur\s*|gbp\s*)"
_AMOUNT = r"(?P<amount>\d[\d,]*(?:\.\d{1,2})?)\s*(?P<k>k\b)?"
_UNIT = r"(?:\s*(?:dollars|bucks|usd|euros?|eur|pounds|quid|gbp))?"
_LIMIT = (r"(?:\b(?:under|below|beneath|less\s+than|cheaper\s+than|up\s+to|no\s+more\s+than|not\s+more\s+than|"
          r"at\s+most|max(?:imum)?(?:\s+of)?|within|for\s+less\s+than|budget(?:\s+(?:is|of))?(?:\s+(?:around|about))?|"
          # "I cannot spend more than about 800 dollars", "nothing over 150 dollars though", "not above $60"
          r"(?:can'?t|cannot|can\s+not|won'?t|don'?t\s+want\s+to|do\s+not\s+want\s+to|shouldn'?t|not\s+(?:looking\s+)?to)"
          r"\s+(?:spend|pay)\s+(?:more|over|above)(?:\s+than)?(?:\s+(?:about|around|roughly))?|"
          r"nothing\s+(?:over|above|more\s+than|pricier\s+than|dearer\s+than)|not\s+(?:over|above))"
          r"|(?<![\w$£€])<)\s*")
# "around 50 dollars", "about $50", "~50": a budget near the amount (in money: a currency or "~"), so up
# to this much more; "about 50 staff" is no money
APPROX_MARGIN = Decimal("1.2")
# In words: "under fifty dollars", "less than a hundred quid", "chairs under three hundred". Without
# the currency only from twenty and not before a unit ("under two", "under thirty inches" are not money).
_NOT_MONEY_AFTER = (r"(?:inch(?:es)?|cm|mm|kg|lbs?|hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|"
                    r"people|persons|items|units|pieces|gb|tb|watts?|w|percent|%)\b")
_CAP_RE = re.compile(
    rf"{_LIMIT}(?:{_CURRENCY}?{_AMOUNT}{_UNIT}"
    rf"|(?P<words>(?:an?\s+)?{SPELLED})(?:\s+(?P<wunit>dollars|bucks|euros?|pounds|quid)\b|(?![\s-]*(?:(?:{NUMBER_WORD})\b|{_NOT_MONEY_AFTER}))))",
    re.IGNORECASE)


_APPROX_RE = re.compile(
    r"(?:\b(?:around|about|roughly|approx(?:imately|\.)?|circa|something\s+like)\s*(?:[$£€]\s*(?P<a1>\d[\d,]*(?:\.\d{1,2})?)|"
    r"(?P<a2>\d[\d,]*(?:\.\d{1,2})?)\s*(?:dollars|bucks|usd|euros?|eur|pounds|quid|gbp)\b)"
    rf"|~\s*[$£€]?\s*(?P<a3>\d[\d,]*(?:\.\d{{1,2}})?)(?!\s*{_NOT_MONEY_AFTER}))", re.IGNORECASE)


# "for $50 or less", "fifty bucks or less", "100 dollars max": the amount, then the limit (money only:
# a currency or a unit, so "2 or less" is no budget)
_OR_LESS_RE = re.compile(
    rf"(?:[$£€]\s*(?P<b1>\d[\d,]*(?:\.\d{{1,2}})?)|(?P<b2>\d[\d,]*(?:\.\d{{1,2}})?)\s*(?:dollars|bucks|usd|euros?|pounds|quid)"
    rf"|(?P<bw>{SPELLED})\s+(?:dollars|bucks|euros?|pounds|quid))\s+(?:or\s+(?:less|under|below|cheaper)|max(?:imum)?|tops|"
    r"at\s+(?:the\s+)?most)\b", re.IGNORECASE)


# "gift for my mom she loves coffee, like 100 max": a bare amount, hedged, then its limit
_HEDGED_MAX_RE = re.compile(r"\b(?:like|about|around|roughly|maybe)\s+(?P<b2>\d[\d,]*(?:\.\d{1,2})?)\s*"
                            r"(?:max(?:imum)?|tops|or\s+(?:less|under|below)|at\s+(?:the\s+)?most)\b", re.IGNORECASE)


def _or_less(text: str) -> Optional[Tuple[Decimal, Tuple[int, int]]]:
    m = _OR_LESS_RE.search(text or "") or _HEDGED_MAX_RE.search(text or "")
    if not m:
        return None
    if "bw" in m.re.groupindex and m.group("bw"):
        value = words_to_int(m.group("bw"))
        return (Decimal(value), m.span()) if value else None
    try:
        return Decimal(m.group("b2" if "b1" not in m.re.groupindex or not m.group("b1") else "b1").replace(",", "")), m.span()
    except InvalidOperation:
        return None


def _approx(text: str) -> Optional[Tuple[Decimal, Tuple[int, int]]]:
    m = _APPROX_RE.search(text or "")
    if not m:
        return None
    try:
        value = Decimal((m.group("a1") or m.group("a2") or m.group("a3")).replace(",", ""))
    except InvalidOperation:
        return None
    return (value * APPROX_MARGIN).quantize(Decimal("1")), m.span()


def _amount(m: "re.Match[str]") -> Optional[Decimal]:
    if m.group("words"):
        value = words_to_int(m.group("words"))
        if not value or (not m.group("wunit") and value < 20):
            return None
        return Decimal(value)
    try:
        value = Decimal(m.group("amount").replace(",", ""))
    except InvalidOperation:
        return None
    return value * 1000 if m.group("k") else value


def price_cap(text: str) -> Optional[Decimal]:
    """The most the shopper wants to pay per item, when the message says so ("around 50": 20 % over
    it, :data:`APPROX_MARGIN`); else None."""
    for m in _CAP_RE.finditer(text or ""):
        value = _amount(m)
        if value is not None and value > 0:
            return value
    near = _or_less(text) or _approx(text)
    return near[0] if near and near[0] > 0 else None


def cap_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans of the spending limits in ``text`` (amounts the quantity parser must skip)."""
    near = [found[1] for found in (_or_less(text), _approx(text)) if found]
    return [m.span() for m in _CAP_RE.finditer(text or "") if _amount(m) is not None] + near


# "which ones r under my budget", "r any of those in my budget?", "anything within budget": the
# spending limit said earlier (the ``budget`` slot), not one in this message
_MY_BUDGET = re.compile(r"\b(?:my|our|the|that|his|her|their|in|within|under|over|on|inside|of)\s+budget\b|"
                        r"\bbudget\s+i\s+(?:said|gave|mentioned)\b|\bi\s+said\s+(?:[$£€]\s?)?\d", re.IGNORECASE)


def refers_to_budget(text: str) -> bool:
    """Whether ``text`` points back to a budget without giving one."""
    return bool(_MY_BUDGET.search(text or "")) and price_cap(text) is None



# "which of these is under 100?", "any of those below $50", "are those under 80?": a limit asked of the
# products on screen. A plain pointer only: "any laptops under 500" is a new search.
_OF_SHOWN = re.compile(r"\b(?:of|in|from|among)\s+(?:these|those|them|the\s+ones?\s+(?:you\s+)?(?:showed|shown|sent))\b|"
                       r"\b(?:which|what)\s+(?:ones?|is|are|one)\b|\b(?:these|those|they)\s+(?:are\s+|r\s+)?"
                       r"(?:under|below|less|cheaper|within)\b|"
                       # "ngl thats kinda pricey, anything under 300??" after the phones: phones under 300
                       r"\b(?:anything|something|any\s+ones?)\s+(?:(?:a\s+)?(?:bit|little)\s+)?(?:cheaper\s+)?"
                       r"(?:under|below|less\s+than|within|for\s+(?:under|less\s+than))\b", re.IGNORECASE)


def limit_of_shown(text: str) -> Optional[Decimal]:
    """The price limit of a question about the products shown ("which of these is under 100?"), else None."""
    cap = price_cap(text)
    return cap if cap is not None and _OF_SHOWN.search(text or "") else None
