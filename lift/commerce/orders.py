"""Placing and servicing orders."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from lift.commerce.cart import CartError, check_coupon, normalize_cart
from lift.commerce.money import money
from lift.commerce.validation import normalize_order_id
from lift.store.engine import session_scope
from lift.store.models import Order


@dataclass(frozen=True)
class ShippingMethod:
    key: str
    title: str
    cost: Decimal
    days: int
    free_over: Optional[Decimal] = None

    def cost_for(self, amount: Decimal) -> Decimal:
        if self.free_over is not None and amount >= self.free_over:
            return Decimal("0.00")
        return self.cost


SHIPPING_METHODS: Dict[str, ShippingMethod] = {
    m.key: m
    for m in (
        ShippingMethod("standard", "Standard (3-5 business days)", Decimal("5.99"), 5, free_over=Decimal("100.00")),
        ShippingMethod("express", "Express (1-2 business days)", Decimal("14.99"), 2),
        ShippingMethod("pickup", "Store pickup (next day)", Decimal("0.00"), 1),
    )
}

_METHOD_WORDS = {
    "standard": ("standard", "regular", "normal", "cheapest", "slow", "ground"),
    "express": ("express", "fast", "fastest", "quick", "next-day", "overnight", "priority", "rush"),
    "pickup": ("pickup", "pick up", "pick-up", "collect", "in store", "in-store", "store"),
}


def parse_shipping_method(value: Any) -> Optional[str]:
    text = " ".join(str(value or "").lower().split())
    if not text:
        return None
    if text in SHIPPING_METHODS:
        return text
    found = {key for key, words in _METHOD_WORDS.items() if any(w in text for w in words)}
    return found.pop() if len(found) == 1 else None


class OrderError(ValueError):
    """Refused; ``str(err)`` is safe to show to the shopper."""


@dataclass(frozen=True)
class Quote:
    lines: List[Dict[str, Any]]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    total: Decimal
    coupon_code: Optional[str]


def quote(engine: Engine, catalog, cart: Any, shipping_method: Optional[str], coupon_code: Optional[str]) -> Quote:
    """Price the cart from the catalog (not from the slot, which a client could have edited)."""
    items = normalize_cart(cart)
    if not items:
        raise OrderError("Your cart is empty.")
    lines = []
    for item in items:
        product = catalog.get(item["sku"])
        if product is None:
            raise OrderError(f"An item in your cart ({item['sku']}) is no longer sold; please remove it.")
        if item["qty"] > product.stock:
            raise OrderError(f"Only {product.stock} of {product.name} left in stock; please update your cart.")
        lines.append({"sku": product.sku, "name": product.name, "qty": item["qty"], "unit_price": str(money(product.price))})
    sub = sum((money(line["unit_price"]) * line["qty"] for line in lines), Decimal("0.00"))
    discount = Decimal("0.00")
    code = None
    if coupon_code:
        check = check_coupon(engine, coupon_code, lines, currency=catalog.currency)
        if check.ok:
            discount, code = check.discount, check.code
    method = SHIPPING_METHODS.get(shipping_method or "standard", SHIPPING_METHODS["standard"])
    shipping = method.cost_for(sub - discount)
    return Quote(lines, sub, discount, shipping, money(sub - discount + shipping), code)


def _new_order_id() -> str:
    return f"LFT{secrets.randbelow(900_000) + 100_000}"


def create_order(engine: Engine, catalog, *, sender_id: str, cart: Any, email: str, shipping_address: str,
                 shipping_method: str, coupon_code: Optional[str] = None) -> Order:
    if shipping_method not in SHIPPING_METHODS:
        raise OrderError("Please choose standard, express or pickup shipping.")
    q = quote(engine, catalog, cart, shipping_method, coupon_code)
    days = SHIPPING_METHODS[shipping_method].days
    for _ in range(20):
        order = Order(
            order_id=_new_order_id(), sender_id=sender_id, email=email, items=q.lines,
            subtotal=q.subtotal, discount=q.discount, shipping_cost=q.shipping, total=q.total,
            coupon_code=q.coupon_code, shipping_address=shipping_address, shipping_method=shipping_method,
            status="processing", estimated_delivery=dt.date.today() + dt.timedelta(days=days),
        )
        try:
            with session_scope(engine) as s:
                s.add(order)
            return order
        except IntegrityError:
            continue  # id collision: draw again
    raise OrderError("We couldn't create your order right now; please try again in a moment.")


def get_order(engine: Engine, order_id: str) -> Optional[Order]:
    with session_scope(engine) as s:
        return s.get(Order, order_id)


def find_order(engine: Engine, typed: object) -> Optional[Order]:
    """The order a shopper's text names ('lft-100002', '#100002'), or None when there is none."""
    order_id = normalize_order_id(typed)
    return get_order(engine, order_id) if order_id else None


def _existing(session, order_id: str) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise OrderError(f"I couldn't find order {order_id}.")
    return order


def cancel_order(engine: Engine, order_id: str) -> Order:
    with session_scope(engine) as s:
        order = _existing(s, order_id)
        if order.status == "cancelled":
            raise OrderError(f"Order {order_id} is already cancelled.")
        if order.status != "processing":
            raise OrderError(f"Order {order_id} has already {order.status} and can't be cancelled; "
                             "you can return it within 30 days of delivery instead.")
        order.status = "cancelled"
        return order


def change_address(engine: Engine, order_id: str, address: str) -> Order:
    with session_scope(engine) as s:
        order = _existing(s, order_id)
        if order.status != "processing":
            raise OrderError(f"Order {order_id} is {order.status}, so its address can't be changed any more.")
        if order.shipping_method == "pickup":
            raise OrderError(f"Order {order_id} is for store pickup, so there is no address to change.")
        order.shipping_address = address
        return order


def describe_status(order: Order) -> str:
    if order.status == "processing":
        eta = f" It should arrive by {order.estimated_delivery:%a %d %b}." if order.estimated_delivery else ""
        return f"Order {order.order_id} is being prepared for shipping.{eta}"
    if order.status == "shipped":
        track = f" with {order.carrier}, tracking number {order.tracking_number}" if order.tracking_number else ""
        eta = f"; expected by {order.estimated_delivery:%a %d %b}" if order.estimated_delivery else ""
        return f"Order {order.order_id} has shipped{track}{eta}."
    if order.status == "delivered":
        return f"Order {order.order_id} was delivered."
    if order.status == "cancelled":
        return f"Order {order.order_id} was cancelled."
    return f"Order {order.order_id} is {order.status}."


__all__ = ["CartError", "OrderError", "SHIPPING_METHODS", "create_order", "get_order", "cancel_order",
           "change_address", "describe_status", "parse_shipping_method", "quote"]
