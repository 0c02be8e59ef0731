"""Spending limits in a message: "laptops under 1000", "headphones below $150", "up to 1.5k",
"my budget is £80". :func:`price_cap` reads the amount; :func:`cap_spans` tells the quantity
parser which numbers are money, so "a laptop under 1000" never asks for 1,000 laptops."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import List, Optional, Tuple

_CURRENCY = r"(?:[$£€]|usd\s*|eur\s*|gbp\s*)"
_AMOUNT = r"(?P<amount>\d[\d,]*(?:\.\d{1,2})?)\s*(?P<k>k\b)?"
_UNIT = r"(?:\s*(?:dollars|bucks|usd|euros?|eur|pounds|quid|gbp))?"
_CAP_RE = re.compile(
    r"(?:\b(?:under|below|beneath|less\s+than|cheaper\s+than|up\s+to|no\s+more\s+than|not\s+more\s+than|"
    r"at\s+most|max(?:imum)?(?:\s+of)?|within|for\s+less\s+than|budget(?:\s+(?:is|of))?(?:\s+(?:around|about))?)"
    r"|(?<![\w$£€])<)\s*"
    rf"{_CURRENCY}?{_AMOUNT}{_UNIT}",
    re.IGNORECASE)


def _amount(m: "re.Match[str]") -> Optional[Decimal]:
    try:
        value = Decimal(m.group("amount").replace(",", ""))
    except InvalidOperation:
        return None
    return value * 1000 if m.group("k") else value


def price_cap(text: str) -> Optional[Decimal]:
    """The most the shopper wants to pay per item, when the message says so; else None."""
    for m in _CAP_RE.finditer(text or ""):
        value = _amount(m)
        if value is not None and value > 0:
            return value
    return None


def cap_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans of the spending limits in ``text`` (amounts the quantity parser must skip)."""
    return [m.span() for m in _CAP_RE.finditer(text or "")]
