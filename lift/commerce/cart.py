"""Cart arithmetic and coupons.

The cart lives in the Rasa slot ``cart`` as a list of ``{sku, qty, unit_price}`` so the
conversation is the source of truth; prices are re-read from the catalog at checkout.
Money is Decimal throughout; the slot stores unit prices as strings to keep them exact.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.commerce.money import format_price, money
from lift.store.engine import session_scope
from lift.store.models import Coupon, Order

MAX_QTY_PER_LINE = 20


class CartError(ValueError):
    """A cart operation was refused; ``str(err)`` is safe to show to the shopper."""


def normalize_cart(raw: Any) -> List[Dict[str, Any]]:
    """The slot value as a clean list; anything malformed is dropped rather than crashing a turn."""
    items: List[Dict[str, Any]] = []
    if not isinstance(raw, list):
        return items
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        try:
            sku = str(entry["sku"])
            qty = int(entry["qty"])
            price = money(entry["unit_price"])
        except (KeyError, TypeError, ValueError, ArithmeticError):
            continue
        if qty > 0:
            items.append({"sku": sku, "qty": qty, "unit_price": str(price)})
    return items


def quantity_of(cart: Iterable[Dict[str, Any]], sku: str) -> int:
    return sum(int(i["qty"]) for i in cart if i["sku"] == sku)


def add_item(cart: Any, product, qty: int) -> List[Dict[str, Any]]:
    """A new cart with ``qty`` more of ``product``; raises CartError on a bad quantity or stock."""
    items = normalize_cart(cart)
    if qty is None or qty < 1:
        raise CartError("The quantity has to be at least 1.")
    if product.stock <= 0:
        raise CartError(f"Sorry, {product.name} is out of stock right now.")
    already = quantity_of(items, product.sku)
    wanted = already + qty
    if wanted > MAX_QTY_PER_LINE:
        raise CartError(f"You can order at most {MAX_QTY_PER_LINE} of one product per order.")
    if wanted > product.stock:
        left = product.stock - already
        if left <= 0:
            raise CartError(f"You already have all {product.stock} we have of {product.name} in your cart.")
        raise CartError(f"We only have {product.stock} of {product.name} in stock"
                        + (f" ({already} already in your cart)." if already else ".")
                        + f" You can add up to {left}.")
    for item in items:
        if item["sku"] == product.sku:
            item["qty"] = wanted
            item["unit_price"] = str(money(product.price))
            return items
    items.append({"sku": product.sku, "qty": qty, "unit_price": str(money(product.price))})
    return items


def set_quantity(cart: Any, product, qty: int) -> List[Dict[str, Any]]:
    """A new cart with exactly ``qty`` of ``product`` (same checks as :func:`add_item`), the line
    kept where it was."""
    items = normalize_cart(cart)
    order = [i["sku"] for i in items]
    updated = add_item([i for i in items if i["sku"] != product.sku], product, qty)
    if product.sku in order:
        updated.sort(key=lambda i: order.index(i["sku"]) if i["sku"] in order else len(order))
    return updated


def remove_item(cart: Any, sku: str, qty: Optional[int] = None) -> List[Dict[str, Any]]:
    """Remove ``qty`` (default: all) of ``sku``; raises CartError when it isn't in the cart."""
    items = normalize_cart(cart)
    if quantity_of(items, sku) == 0:
        raise CartError("That item isn't in your cart.")
    if qty is not None and qty < 1:
        raise CartError("The quantity to remove has to be at least 1.")
    out = []
    for item in items:
        if item["sku"] == sku and qty is not None and item["qty"] > qty:
            out.append({**item, "qty": item["qty"] - qty})
        elif item["sku"] != sku:
            out.append(item)
    return out


def last_added(history: Iterable[Tuple[bool, Any]]) -> Optional[str]:
    """The SKU the shopper added last: ``history`` is the cart slot's successive values, each
    flagged True when the shopper's own add set it (not a carried-over or restored cart). The
    line whose quantity grew in the latest such step; None when no add is on record."""
    previous: Dict[str, int] = {}
    found: Optional[str] = None
    for by_add, value in history:
        cart = normalize_cart(value)
        now: Dict[str, int] = {}
        for item in cart:
            now[item["sku"]] = now.get(item["sku"], 0) + item["qty"]
        grown = [sku for sku, qty in now.items() if qty > previous.get(sku, 0)]
        if by_add and grown:
            found = grown[-1]
        elif found is not None and found not in now:
            found = None  # removed since: no longer something to have more of
        previous = now
    return found


def subtotal(cart: Any) -> Decimal:
    return sum((money(i["unit_price"]) * i["qty"] for i in normalize_cart(cart)), Decimal("0.00"))


@dataclass(frozen=True)
class CouponCheck:
    ok: bool
    code: str
    discount: Decimal
    message: str


def coupon_discount(coupon: Coupon, amount: Decimal) -> Decimal:
    if coupon.percent_off is not None:
        return min(amount, money(amount * Decimal(coupon.percent_off) / 100))
    return min(amount, money(coupon.amount_off or 0))


def check_coupon(engine: Engine, code: Optional[str], cart: Any, now: Optional[dt.datetime] = None,
                 currency: Optional[str] = None, email: Optional[str] = None) -> CouponCheck:
    """Whether ``code`` applies to ``cart`` now, with the discount and a message for the shopper
    (amounts in ``currency``, default LIFT_CURRENCY). A first-order coupon is refused when
    ``email`` already has an order; without an email it applies until the checkout knows one."""
    code = (code or "").upper()
    now = now or dt.datetime.utcnow()
    amount = subtotal(cart)
    with session_scope(engine) as s:
        coupon = s.get(Coupon, code) if code else None
        if coupon is None:
            return CouponCheck(False, code, Decimal("0.00"), f"I couldn't find a coupon called {code or 'that'}.")
        if not coupon.active:
            return CouponCheck(False, code, Decimal("0.00"), f"The coupon {code} is no longer active.")
        if coupon.expires_at is not None and coupon.expires_at < now:
            return CouponCheck(False, code, Decimal("0.00"), f"The coupon {code} has expired.")
        if amount <= 0:
            return CouponCheck(False, code, Decimal("0.00"), "Your cart is empty: add something first, then apply the coupon.")
        minimum = money(coupon.min_subtotal or 0)
        if amount < minimum:
            return CouponCheck(False, code, Decimal("0.00"),
                               f"{code} needs a subtotal of at least {format_price(minimum, currency)}; "
                               f"your cart is at {format_price(amount, currency)}.")
        if coupon.first_order_only and email and _has_ordered(s, email):
            return CouponCheck(False, code, Decimal("0.00"),
                               f"{code} is for a first order only, and {email} has ordered with us before.")
        discount = coupon_discount(coupon, amount)
        first = " It's for a first order: I'll check that against your email at checkout." \
            if coupon.first_order_only and not email else ""
        return CouponCheck(True, code, discount, f"Coupon {code} applied: you save {format_price(discount, currency)}.{first}")


def _has_ordered(s, email: str) -> bool:
    """Whether an order was placed with ``email`` (any letter case)."""
    return s.query(Order.order_id).filter(sa.func.lower(Order.email) == email.strip().lower()).first() is not None
