"""Delivery questions about places abroad: "do you ship to australia", "how long to Germany
please", "I'm in Toronto, with express when would it arrive", "canada, germany and japan?"; the
answers come from the shipping policy's table (lift.commerce.destinations), never a general FAQ's
"select countries"."""
from __future__ import annotations

import re
from typing import Any, List, Optional

from lift.commerce.destinations import (DELIVERY_WORDS, INTERNATIONAL_DAYS, POLICY_COUNTRIES, Destination, destination,
                                       duties_note, not_shipped_reason, place_named, places_named)
from lift.commerce.money import format_price
from lift.commerce.orders import SHIPPING_METHODS

_ABOUT_DELIVERY = re.compile(DELIVERY_WORDS.pattern + r"|\b(?:how\s+long|how\s+much|cost\w*|get\s+to|faster|quicker|sooner|fastest|quickest)\b",
                             re.IGNORECASE)
_PLACE_AFTER = re.compile(r"\b(?:to|about|in|for)\s+(?:the\s+)?([a-z][a-z .'-]{1,40}?)"
                          r"(?=\s*(?:$|[?!.,]|\s+(?:please|pls|thanks|then|cost|costs|from|and|how|too|as\s+well|instead)\b))",
                          re.IGNORECASE)


_LEAD_IN = re.compile(r"^(?:(?:ok(?:ay)?|and|so|then|what\s+about|how\s+about|hmm+|well)\s+)+", re.IGNORECASE)


def destination_answer(text: Any, currency: str) -> Optional[str]:
    """"do you ship to australia", "how long to Germany please", "what about new zealand": whether
    and how we deliver to the country named, from the shipping policy's table (never a general
    FAQ's "select countries"); None when no country outside the US is named."""
    text = " ".join(str(text or "").split())
    if not text:
        return None
    parts = [_LEAD_IN.sub("", c.strip()) for c in re.split(r"[,;?!]", text)]
    chunks = ([m.group(1) for m in _PLACE_AFTER.finditer(text)] + parts + [text]
              + [" ".join(p.split()[:n]) for p in parts for n in (2, 1)])  # "ok uk then, how long": "uk"
    dest = next((d for d in (destination(c) for c in chunks if c) if d is not None), None) or place_named(text)
    if dest is None or not dest.international or not (_ABOUT_DELIVERY.search(text) or len(text.split()) <= 4):
        return None
    several = [d for d in places_named(text) if d.international]
    if len(several) > 1 and dest.name in {d.name for d in several}:
        return _several_answer(several, currency)
    if not dest.shipped_to:
        return not_shipped_reason(dest.name)
    return f"Yes, we deliver to {dest.name} by {_standard_abroad(currency)}. {_US_ONLY} {duties_note(dest.name)}"


_US_ONLY = "Express and next-day delivery are for US addresses only."


def _standard_abroad(currency: str) -> str:
    standard = SHIPPING_METHODS["standard"]
    return (f"standard international shipping: 5-{INTERNATIONAL_DAYS} business days, "
            f"{format_price(standard.cost, currency)} (free from {format_price(standard.free_over, currency)})")


def _joined(names: List[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _several_answer(places: List[Destination], currency: str) -> str:
    """"do you ship to canada, germany and japan?": each country answered, in one reply."""
    yes = [d.name for d in places if d.shipped_to]
    no = [d.name for d in places if not d.shipped_to]
    parts = []
    if yes:
        parts.append(f"Yes, we deliver to {_joined(yes)} by {_standard_abroad(currency)}. {_US_ONLY} "
                     f"{duties_note('the destination country')}")
    if no:
        parts.append(f"{'But we' if yes else 'Sorry, we'} don't deliver to {_joined(no)}: we ship to {POLICY_COUNTRIES}.")
    return " ".join(parts)
