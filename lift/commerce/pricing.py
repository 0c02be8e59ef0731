"""Automatic price rules of the cart: volume discounts (``kb/policies/wholesale.md``).

10 or more units of one product get 5 % off that line, 50 or more 10 %; a volume discount is
not combined with a promo code: the shopper gets whichever saves more.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable, Mapping, Tuple

from lift.commerce.money import money

# (minimum units of one product, percent off that line), largest first
VOLUME_TIERS: Tuple[Tuple[int, Decimal], ...] = ((50, Decimal("10")), (10, Decimal("5")))


_ASKS_PRICE_BREAK = re.compile(r"\b(?:discounts?|bulk\s+(?:price|pricing|rates?|deal)|volume\s+(?:price|pricing)|"
                               r"cheaper\s+in\s+bulk|better\s+price|any\s+deals?|money\s+off|"
                               r"cheaper\s+(?:price\s+)?(?:if|when|for)\b.*\b(?:buy|order|get)\s+\d+|"
                               r"price\s+break|reduction)\b|"
                               r"\b\d{1,2}\s*(?:%|percent\b)\s*(?:off\b|come\s+off|discount|apply|applied|automatic)|"
                               r"\bthe\s+\d{1,2}\s*(?:%|percent\b)", re.IGNORECASE)


def asks_about_volume_price(text: str) -> bool:
    """Whether a message asks what a larger order saves ("30 tablets, is there a discount?")."""
    return bool(_ASKS_PRICE_BREAK.search(text or ""))


_NAMES_VOLUME_TERMS = re.compile(r"\b(?:volume|bulk|wholesale|quantity|multi-?buy)\s+(?:discounts?|pricing|prices?|deals?|rates?)\b|"
                                 r"\bprice\s+breaks?\b|\bdiscounts?\s+for\s+(?:buying\s+)?(?:more|bulk|several|\d+)\b",
                                 re.IGNORECASE)


def names_volume_terms(text: str) -> bool:
    """Whether a message asks for the volume terms by name ("What's the volume discount on that?"),
    narrower than :func:`asks_about_volume_price` (which a bare "any deals?" also meets)."""
    return bool(_NAMES_VOLUME_TERMS.search(text or ""))


def describe_volume_discounts() -> str:
    """The volume tiers in a sentence, from :data:`VOLUME_TIERS` (the one place they are set)."""
    tiers = sorted(VOLUME_TIERS)
    parts = [f"{tiers[0][0]} or more of one product get {tiers[0][1]}% off that line"]
    parts += [f"{minimum} or more {percent}%" for minimum, percent in tiers[1:]]
    return (f"Orders of {', '.join(parts)}, and larger volumes are quoted individually. The discount is taken "
            "off automatically in the basket and is not combined with a promo code (the larger saving applies).")


def line_volume_percent(qty: int) -> Decimal:
    for minimum, percent in VOLUME_TIERS:
        if qty >= minimum:
            return percent
    return Decimal("0")


def volume_discount(lines: Iterable[Mapping[str, Any]]) -> Decimal:
    """Total volume discount of priced lines (``qty``, ``unit_price``), rounded per line."""
    total = Decimal("0.00")
    for line in lines:
        percent = line_volume_percent(int(line["qty"]))
        if percent:
            total += money(money(line["unit_price"]) * int(line["qty"]) * percent / 100)
    return total


def quote(lines: Iterable[Tuple[Any, int]]) -> Tuple[Decimal, Decimal]:
    """(subtotal, volume discount) of (unit price, quantity) lines, priced as the basket prices them."""
    priced = [{"unit_price": money(price), "qty": int(qty)} for price, qty in lines]
    return sum((money(line["unit_price"]) * line["qty"] for line in priced), Decimal("0.00")), volume_discount(priced)


def best_discount(volume: Decimal, coupon: Decimal) -> Tuple[str, Decimal]:
    """Which discount applies ('volume', 'coupon' or 'none') and how much: never both."""
    if volume <= 0 and coupon <= 0:
        return "none", Decimal("0.00")
    return ("volume", volume) if volume >= coupon and volume > 0 else ("coupon", coupon)
