"""Refunds of one order, in the shopper's words: what they can do to get their money back, and
where a refund already recorded stands. Facts and numbers are the returns policy's
(``kb/policies/returns.md``: 30 days from delivery, Order History -> Return items, 5-10
business days to the original payment method)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import List, NamedTuple, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.commerce.money import format_price
from lift.store.engine import session_scope
from lift.store.models import Order, Refund

RETURN_DAYS = 30
CHANGE_OF_MIND_FEE = Decimal("5.95")
HOW_TO_RETURN = ("sign in, open Order History, choose the order and select Return items (guest shoppers: the "
                 "Returns page with the order number and email)")


class RefundRecord(NamedTuple):
    refund_id: int
    amount: Decimal
    status: str
    created: dt.datetime


def refunds_of(engine: Engine, order_id: str) -> List[RefundRecord]:
    """The refunds recorded for ``order_id``, oldest first."""
    with session_scope(engine) as s:
        rows = s.execute(sa.select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)).scalars()
        return [RefundRecord(int(r.id), Decimal(r.amount), str(r.status), r.created_at) for r in rows]


def _recorded(refunds: List[RefundRecord], currency: str) -> Optional[str]:
    parts = []
    for r in refunds:
        if r.status == "voided":
            continue
        if r.status == "pending":
            state = f"is on its way to your original payment method (5-10 business days from {r.created:%a %d %b})"
        elif r.status == "completed":
            state = "has been paid back to your original payment method"
        else:
            state = f"is {r.status}"
        parts.append(f"refund R{r.refund_id} of {format_price(r.amount, currency)} {state}")
    return "; ".join(parts) or None


def refund_options(order: Order, refunds: List[RefundRecord], today: dt.date, currency: str) -> str:
    """What the owner of ``order`` can do to get money back, given its status and refunds."""
    recorded = _recorded(refunds, currency)
    oid = order.order_id
    if recorded:
        return f"For order {oid}: {recorded}."
    if order.status == "cancelled":
        return f"Order {oid} was cancelled and no refund is recorded for it; a person from our team can check."
    if order.status == "processing":
        return (f"Order {oid} hasn't shipped yet, so there is nothing to send back: if you cancel it, the full "
                "amount is refunded to your original payment method.")
    if order.status == "shipped":
        return (f"Order {oid} is on its way. Once it's delivered you have {RETURN_DAYS} days to return items: "
                f"{HOW_TO_RETURN}.")
    if order.status == "delivered":
        delivered = order.estimated_delivery
        if delivered is not None and today > delivered + dt.timedelta(days=RETURN_DAYS):
            return (f"Order {oid} was delivered around {delivered:%d %b}, more than {RETURN_DAYS} days ago, so the "
                    "return window has closed; a faulty item is still covered by the warranty.")
        until = f" (until about {delivered + dt.timedelta(days=RETURN_DAYS):%a %d %b})" if delivered else ""
        return (f"You can return items from order {oid} within {RETURN_DAYS} days of delivery{until}: "
                f"{HOW_TO_RETURN}. The refund goes back to your original payment method within 5-10 business days "
                f"of the return being approved; a change-of-mind return costs a {format_price(CHANGE_OF_MIND_FEE, currency)} "
                "return shipping fee.")
    return f"Order {oid} is {order.status}; a person from our team can help with a refund."
