"""Money: exact amounts and how they are shown.

Amounts are :class:`~decimal.Decimal` everywhere (the ``cart`` slot and order lines keep them
as strings); :func:`money` quantizes to cents, :func:`format_price` is the one way a price is
written for a shopper, in the store's currency (LIFT_CURRENCY unless a currency is given; the
action server refuses a catalog priced in another currency).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional, Union

from lift.config import get_settings

CENT = Decimal("0.01")
_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def format_price(amount: Union[Decimal, int, float, str], currency: Optional[str] = None) -> str:
    """``Decimal("129")`` -> ``"$129.00"``; thousands are separated (``"$1,599.00"``)."""
    code = (currency or get_settings().currency).upper()
    value = money(amount)
    symbol = _CURRENCY_SYMBOLS.get(code)
    sign = "-" if value < 0 else ""
    body = f"{abs(value):,.2f}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {code}"
