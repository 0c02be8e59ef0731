"""Quoting and placing orders (servicing them afterwards: :mod:`lift.commerce.servicing`).

Placing an order is one transaction: stock is reserved (:func:`lift.commerce.stock.reserve`),
the order row and its confirmation email (outbox) are written; if any line can't be had,
nothing is.
""" 
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from lift.commerce import emails, stock
from lift.commerce.cart import CartError, check_coupon, normalize_cart
from lift.commerce.destinations import INTERNATIONAL_DAYS, destination, not_shipped_reason
from lift.commerce.money import format_price, money
from lift.commerce.pricing import best_discount, volume_discount
from lift.commerce.validation import normalize_order_id
from lift.notify.outbox import enqueue
from lift.store.engine import session_scope
from lift.store.models import Order


# Dispatch cut-off and working days of kb/policies/shipping.md ("Processing time"): an order
# placed before 2 pm on a weekday leaves that day, later ones the next business day.
DISPATCH_CUTOFF_HOUR = 14


@dataclass(frozen=True)
class ShippingMethod:
    """One delivery option; cost, threshold and business days are the shipping policy's
    (kb/policies/shipping.md, checked against this table by tests/unit/test_shipping_policy.py)."""
    key: str
    title: str
    cost: Decimal
    days: int  # business days after dispatch, at most
    free_over: Optional[Decimal] = None

    def cost_for(self, amount: Decimal) -> Decimal:
        if self.free_over is not None and amount >= self.free_over:
            return Decimal("0.00")
        return self.cost

    def arrives_by(self, placed: dt.datetime, address: Optional[str] = None) -> dt.date:
        """Latest delivery date for an order placed at ``placed`` (store time): dispatched that
        day before the cut-off on a weekday, else the next business day, then ``days`` business
        days (10 abroad: the policy's international 5-10). Public holidays are not modelled."""
        day = placed.date()
        if day.weekday() >= 5 or placed.hour >= DISPATCH_CUTOFF_HOUR:
            day = _next_business_day(day)
        abroad = self.key != "pickup" and (dest := destination(address)) is not None and dest.international
        for _ in range(INTERNATIONAL_DAYS if abroad else self.days):
            day = _next_business_day(day)
        return day


def _next_business_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


SHIPPING_METHODS: Dict[str, ShippingMethod] = {
    m.key: m
    for m in (
        ShippingMethod("standard", "Standard (3-5 business days)", Decimal("4.99"), 5, free_over=Decimal("50.00")),
        ShippingMethod("express", "Express (1-2 business days)", Decimal("14.99"), 2),
        ShippingMethod("next_day", "Next-day (1 business day)", Decimal("24.99"), 1),
        ShippingMethod("pickup", "Store pickup (ready the next business day)", Decimal("0.00"), 1),
    )
}

_METHOD_WORDS = {
    "standard": ("standard", "regular", "normal", "cheapest", "slow", "ground"),
    "express": ("express", "fast", "quick", "priority", "rush"),
    # the fastest option is next-day, not express ("fast" alone still means express)
    "next_day": ("next day", "next-day", "nextday", "overnight", "tomorrow", "fastest", "quickest", "soonest"),
    "pickup": ("pickup", "pick up", "pick-up", "pick it up", "pick them up", "pick this up", "collect", "collection",
               "in store", "in-store", "store"),
}
# Whole words: "fastest" is not "fast", "restore" is not "store".
_METHOD_RES = {key: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b") for key, words in _METHOD_WORDS.items()}
_NO_HURRY = re.compile(r"\b(?:no|not\s+(?:in\s+)?a|in\s+no)\s+(?:rush|hurry)\b|\bnot\s+urgent\b|\bno\s+need\s+to\s+rush\b")
CHOOSE_METHOD = "Please choose standard, express, next-day or store pickup."
# Shipping policy ("Delivery addresses and PO boxes"): these need a street address (signature).
STREET_ONLY = ("express", "next_day")
_PO_BOX = re.compile(r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box)\b", re.IGNORECASE)


def is_po_box(address: Optional[str]) -> bool:
    """Whether ``address`` is a PO box (standard delivery only: no courier signature)."""
    return bool(address and _PO_BOX.search(address))


def method_problem(method: Optional[str], address: Optional[str]) -> Optional[str]:
    """Why ``method`` can't deliver to ``address`` (a country we don't ship to; express or
    next-day abroad or to a PO box), else None."""
    if method == "pickup":
        return None
    refused = not_shipped_reason(address)
    if refused:
        return refused
    dest = destination(address)
    if method in STREET_ONLY and dest is not None and dest.international:
        return (f"Express and next-day delivery are for US addresses; to {dest.name} we send standard delivery, "
                f"which usually takes 5-{INTERNATIONAL_DAYS} business days.")
    if method in STREET_ONLY and is_po_box(address):
        return ("Express and next-day delivery need a street address, because the courier needs a signature; "
                "a PO box can get standard delivery.")
    return None


_SHIPPING_TALK = re.compile(r"\b(?:shipping|delivery|deliver|postage|courier|express|next[- ]?day|overnight|"
                            r"standard|pick[- ]?up)\b", re.IGNORECASE)


def about_shipping(text: Any) -> bool:
    """True when ``text`` names a delivery option or talks about shipping ("how much is standard?")."""
    return bool(parse_shipping_method(text) or _SHIPPING_TALK.search(str(text or "")))


def shipping_answer(text: Any, current: Optional[str], at_summary: bool, currency: str) -> Tuple[str, Optional[str]]:
    """A question about the delivery options during checkout: every option's price, and at the
    order summary an offer to switch to the one asked about ("how much would express be?").
    Returns (reply, the option offered or None)."""
    reply = describe_shipping_methods(currency)
    asked = parse_shipping_method(text)
    if at_summary and asked and asked != current:
        return f"{reply} Say yes to switch to {SHIPPING_METHODS[asked].title}.", asked
    return reply, None


# A question about the options where one is asked for ("which is quickest?", "what are the options"),
# never a choice; "fastest please", "how about express" or "can i get express" still choose.
_ASKS_WHICH = re.compile(r"^\W*(?:(?:so|ok|okay|and|um+|hmm+|sorry|wait)\W+)*(?:what(?!\s+about)|what'?s|whats|which|"
                         r"how(?!\s+about)|is\s+there|are\s+there)\b", re.IGNORECASE)
_FASTEST = re.compile(r"\b(?:fastest|quickest|soonest)\b", re.IGNORECASE)


def asks_which_option(text: Any) -> bool:
    """True for "whats the fastest option", "which one is cheapest", "how much is each"."""
    return bool(_ASKS_WHICH.search(str(text or "")))


def options_answer(text: Any, currency: str) -> str:
    """The answer to such a question while the delivery is being chosen: every option's price, led
    by the fastest one when that is what was asked."""
    return ("Next-day is the fastest. " if _FASTEST.search(str(text or "")) else "") + describe_shipping_methods(currency)


def method_title(method: str, address: Optional[str] = None) -> str:
    """The option's name as the summary shows it; standard delivery abroad has its own days."""
    dest = destination(address) if method == "standard" else None
    if dest is not None and dest.international:
        return f"Standard international (5-{INTERNATIONAL_DAYS} business days)"
    return SHIPPING_METHODS[method].title


def arrival_sentence(method: str, now: dt.datetime, address: Optional[str] = None, asked: bool = False) -> str:
    """When an order placed at ``now`` with ``method`` arrives (or can be collected): the order
    summary's line, or with ``asked`` the answer to "when will it arrive?"."""
    day = f"{SHIPPING_METHODS[method].arrives_by(now, address):%a %d %b}"
    if method == "pickup":
        return f"Ordered now, it's ready to collect from {day}." if asked else f"Ready to collect from: {day}."
    return (f"Ordered now with {method_title(method, address)}, it should arrive by {day}." if asked
            else f"Estimated delivery: {day}.")


def deadline_verdict(methods: List[str], now: dt.datetime, deadline: dt.date, address: Optional[str] = None) -> str:
    """"will it arrive by friday?": which of ``methods`` get an order placed at ``now`` there by
    ``deadline``, and which do not."""
    due = f"{deadline:%a %d %b}"
    fits = [m for m in methods if SHIPPING_METHODS[m].arrives_by(now, address) <= deadline]
    names = lambda keys: " and ".join(SHIPPING_METHODS[k].title.split(" (")[0] for k in keys)  # noqa: E731
    if not fits:
        return f"Ordered now, none of the delivery options gets there by {due}."
    if len(fits) == len(methods):
        return f"Yes: ordered now, it gets there by {due}."
    missing = [m for m in methods if m not in fits]
    return f"By {due}: {names(fits)} {'makes' if len(fits) == 1 else 'make'} it; {names(missing)} would not."


def describe_shipping_methods(currency: str) -> str:
    """Every delivery option with its price, from :data:`SHIPPING_METHODS`."""
    parts = []
    for m in SHIPPING_METHODS.values():
        price = "free" if m.cost == 0 else format_price(m.cost, currency)
        free = f", free from {format_price(m.free_over, currency)}" if m.free_over is not None else ""
        parts.append(f"{m.title}: {price}{free}")
    return "; ".join(parts) + "."


def parse_shipping_method(value: Any) -> Optional[str]:
    text = " ".join(str(value or "").lower().split())
    if not text:
        return None
    if text in SHIPPING_METHODS:
        return text
    text = _NO_HURRY.sub(" standard ", text)  # "change to standard, no rush": not express
    found = {key for key, pattern in _METHOD_RES.items() if pattern.search(text)}
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
    discount_kind: str = "none"  # 'volume', 'coupon' or 'none'
    coupon_problem: Optional[str] = None  # why the coupon asked for does not apply


def quote(engine: Engine, catalog, cart: Any, shipping_method: Optional[str], coupon_code: Optional[str],
          email: Optional[str] = None) -> Quote:
    """Price the cart from the catalog (not from the slot, which a client could have edited),
    checking every line against the stock the database has now, and the coupon against ``email``."""
    items = normalize_cart(cart)
    if not items:
        raise OrderError("Your cart is empty.")
    on_hand = stock.levels(engine, [i["sku"] for i in items])
    lines = []
    for item in items:
        product = catalog.get(item["sku"])
        if product is None:
            raise OrderError(f"An item in your cart ({item['sku']}) is no longer sold; please remove it.")
        if item["qty"] > on_hand[product.sku]:
            raise stock.OutOfStock(product.sku, product.name, on_hand[product.sku])
        lines.append({"sku": product.sku, "name": product.name, "qty": item["qty"], "unit_price": str(money(product.price))})
    sub = sum((money(line["unit_price"]) * line["qty"] for line in lines), Decimal("0.00"))
    coupon_saving, code, problem = Decimal("0.00"), None, None
    if coupon_code:
        check = check_coupon(engine, coupon_code, lines, currency=catalog.currency, email=email)
        if check.ok:
            coupon_saving, code = check.discount, check.code
        else:
            problem = check.message
    kind, discount = best_discount(volume_discount(lines), coupon_saving)
    if kind != "coupon":
        code = None
    method = SHIPPING_METHODS.get(shipping_method or "standard", SHIPPING_METHODS["standard"])
    shipping = method.cost_for(sub - discount)
    return Quote(lines, sub, discount, shipping, money(sub - discount + shipping), code, kind, problem)


def _new_order_id() -> str:
    return f"LFT{secrets.randbelow(900_000) + 100_000}"


def create_order(engine: Engine, catalog, *, sender_id: str, cart: Any, email: str, shipping_address: str,
                 shipping_method: str, coupon_code: Optional[str] = None) -> Order:
    """Reserve stock, write the order and queue its confirmation email, all or nothing.
    Raises :class:`OrderError`, or :class:`~lift.commerce.stock.OutOfStock` when another
    order took the last units first."""
    if shipping_method not in SHIPPING_METHODS:
        raise OrderError(CHOOSE_METHOD)
    problem = method_problem(shipping_method, shipping_address)
    if problem:
        raise OrderError(problem)
    q = quote(engine, catalog, cart, shipping_method, coupon_code, email=email)
    arrives = SHIPPING_METHODS[shipping_method].arrives_by(dt.datetime.now(dt.timezone.utc), shipping_address)
    for _ in range(20):
        order = Order(
            order_id=_new_order_id(), sender_id=sender_id, email=email, items=q.lines,
            subtotal=q.subtotal, discount=q.discount, shipping_cost=q.shipping, total=q.total,
            coupon_code=q.coupon_code, shipping_address=shipping_address, shipping_method=shipping_method,
            status="processing", estimated_delivery=arrives,
        )
        try:
            with session_scope(engine) as s:
                stock.reserve(s, q.lines)  # first: a write takes SQLite's lock before any read
                s.add(order)
                s.flush()
                subject, body = emails.order_confirmation(
                    order, catalog.currency, method_title(order.shipping_method, order.shipping_address))
                enqueue(s, kind="order_confirmation", recipient=email, subject=subject, body=body)
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


def describe_status(order: Order) -> str:
    if order.status == "processing" and order.shipping_method == "pickup":
        ready = f" It should be ready by {order.estimated_delivery:%a %d %b}." if order.estimated_delivery else ""
        return f"Order {order.order_id} is being prepared for store pickup.{ready}"
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


def order_contents(order: Order) -> str:
    """ "1 × Nimbus 14 Laptop, 2 × USB-C Cable": what an order holds, for its owner only."""
    return ", ".join(f"{i['qty']} × {i['name']}" for i in order.items or [])


def describe_tracking(order: Order, currency: Optional[str] = None) -> str:
    """What the order's owner is told about it: status and arrival date, what it holds, total."""
    return f"{describe_status(order)} It contains {order_contents(order)}, total {format_price(order.total, currency)}."


# "when will it arrive", "has it shipped", "where is my order": a pointer to the order, and what
# becomes of it. Said right after placing an order, that order is what "it" means.
_ORDER_POINTER = re.compile(r"\b(?:it|its|it's|they|them|my\s+(?:order|package|parcel|stuff|things|items?|purchase|"
                            r"delivery|shipment)|the\s+(?:order|package|parcel|delivery|shipment))\b", re.IGNORECASE)
_ORDER_FATE = re.compile(r"\b(?:arriv\w*|ship|shipped|shipping|dispatch\w*|deliver\w*|track\w*|where|status|"
                         r"on\s+(?:its|the)\s+way|get\s+(?:here|to\s+me)|com(?:e|es|ing)|reach\w*|expect\w*|"
                         r"(?:in|out\s+of)\s+stock|sent|posted|leave|leaving|"
                         r"tak(?:ing|es?)\s+(?:so\s+|this\s+|too\s+)?long|delayed|stuck)\b", re.IGNORECASE)
ORDER_INTENTS = ("delivery_period", "track_order")


def asks_about_order(text: Any, intent: Optional[str] = None) -> bool:
    """True when ``text`` asks what becomes of an order it points at ("when will it arrive?",
    "has it shipped", "where is it", "is my order on its way"); the caller knows which order."""
    text = str(text or "")
    return bool(_ORDER_POINTER.search(text)) and (intent in ORDER_INTENTS or bool(_ORDER_FATE.search(text)))


def describe_coarse(order: Order) -> str:
    """All a conversation that hasn't proven the order is theirs may learn: it exists, and
    whether it has shipped. No items, address, email, amount, dates or tracking."""
    coarse = {"processing": "hasn't shipped yet", "shipped": "has shipped", "delivered": "has been delivered",
              "cancelled": "was cancelled"}.get(order.status, "is being handled")
    return f"Order {order.order_id} exists and {coarse}."


__all__ = ["CartError", "OrderError", "SHIPPING_METHODS", "asks_about_order", "asks_which_option",
           "options_answer", "create_order", "describe_shipping_methods",
           "get_order", "describe_coarse", "describe_status", "describe_tracking", "order_contents", "parse_shipping_method", "quote"]
