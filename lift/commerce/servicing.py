"""Changing an order after it was placed: cancel, change the delivery address or the email, and an
agent's revert of any of them. Every change is one transaction that also writes an ``order_changes`` row
(who, when, old -> new), and for a cancel the stock returned, a ``refunds`` row and the
confirmation email; the conditional updates make a double cancel or a cancel racing the
warehouse's "shipped" impossible. Ownership and the shopper's "yes" are checked by the caller
(:mod:`lift.commerce.ownership`, the dialogue) before these run.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lift.commerce import emails, stock
from lift.commerce.money import format_price, money
from lift.commerce.orders import OrderError
from lift.notify.outbox import enqueue
from lift.store.engine import session_scope
from lift.store.models import Order, OrderChange, Refund, utcnow

CANCELLABLE = ("processing",)


def sender_actor(sender_id: str) -> str:
    return f"sender:{sender_id}"


def agent_actor(name: str) -> str:
    return f"agent:{name}"


def cancel_summary(order: Order, currency: str = "USD") -> str:
    items = ", ".join(f"{i['qty']} × {i['name']}" for i in order.items)
    return (f"You're about to cancel order {order.order_id} ({items}; total {format_price(order.total, currency)}). "
            f"The full amount is refunded to your original payment method. Cancel it?")


def address_summary(order: Order, new_address: str) -> str:
    return (f"You're about to change the delivery address of order {order.order_id}\n"
            f"from: {order.shipping_address}\nto: {new_address}\nChange it?")


def email_summary(order: Order, new_email: str) -> str:
    return (f"You're about to change the email on order {order.order_id}\nfrom: {order.email}\nto: {new_email}\n"
            "Updates about the order will go to the new address (the old one gets a note). Change it?")


def check_email_changeable(order: Order) -> None:
    if order.status == "cancelled":
        raise OrderError(f"Order {order.order_id} is cancelled, so there are no more emails about it to redirect.")


def check_cancellable(order: Order) -> None:
    if order.status == "cancelled":
        raise OrderError(f"Order {order.order_id} is already cancelled.")
    if order.status not in CANCELLABLE:
        raise OrderError(f"Order {order.order_id} has already {order.status} and can't be cancelled; "
                         "you can return it within 30 days of delivery instead.")


def check_address_changeable(order: Order) -> None:
    if order.status != "processing":
        raise OrderError(f"Order {order.order_id} is {order.status}, so its address can't be changed any more.")
    if order.shipping_method == "pickup":
        raise OrderError(f"Order {order.order_id} is for store pickup, so there is no address to change.")


@dataclass(frozen=True)
class Cancellation:
    order: Order
    refund_id: int
    refund_amount: Decimal
    change_id: int


def cancel_order(engine: Engine, order_id: str, *, actor: str, currency: str = "USD") -> Cancellation:
    """Cancel a not-yet-shipped order: status, stock back, a pending refund, the record and the
    email, together."""
    with session_scope(engine) as s:
        done = s.execute(sa.update(Order).where(Order.order_id == order_id, Order.status.in_(CANCELLABLE))
                         .values(status="cancelled", updated_at=utcnow()))
        order = s.get(Order, order_id)
        if order is None:
            raise OrderError(f"I couldn't find order {order_id}.")
        if done.rowcount != 1:
            check_cancellable(order)
        stock.restore(s, order.items)
        refund = Refund(order_id=order_id, amount=money(order.total), status="pending", reason="cancelled")
        change = OrderChange(order_id=order_id, kind="cancel", actor=actor,
                             old_value={"status": "processing"}, new_value={"status": "cancelled"})
        s.add_all([refund, change])
        s.flush()
        subject, body = emails.cancellation(order, refund.amount, currency)
        enqueue(s, kind="cancellation", recipient=order.email, subject=subject, body=body)
        return Cancellation(order, int(refund.id), money(refund.amount), int(change.id))


def change_address(engine: Engine, order_id: str, address: str, *, actor: str) -> Order:
    with session_scope(engine) as s:
        order = s.get(Order, order_id)
        if order is None:
            raise OrderError(f"I couldn't find order {order_id}.")
        old = order.shipping_address
        done = s.execute(sa.update(Order).where(Order.order_id == order_id, Order.status == "processing",
                                                Order.shipping_method != "pickup",
                                                Order.shipping_address == old)
                         .values(shipping_address=address, updated_at=utcnow()))
        if done.rowcount != 1:
            s.refresh(order)
            check_address_changeable(order)
            raise OrderError(f"Order {order_id} was changed meanwhile; please ask again.")
        s.add(OrderChange(order_id=order_id, kind="change_address", actor=actor,
                          old_value={"shipping_address": old}, new_value={"shipping_address": address}))
        s.refresh(order)
        subject, body = emails.address_change(order)
        enqueue(s, kind="address_change", recipient=order.email, subject=subject, body=body)
        return order


def change_email(engine: Engine, order_id: str, email: str, *, actor: str) -> Order:
    """Point the order's emails at ``email``: the record, a note to the old address and a first email
    to the new one, together. The old address stops proving the order (ownership codes go to the new)."""
    with session_scope(engine) as s:
        order = s.get(Order, order_id)
        if order is None:
            raise OrderError(f"I couldn't find order {order_id}.")
        old = order.email
        check_email_changeable(order)
        done = s.execute(sa.update(Order).where(Order.order_id == order_id, Order.email == old,
                                                Order.status != "cancelled")
                         .values(email=email, updated_at=utcnow()))
        if done.rowcount != 1:
            raise OrderError(f"Order {order_id} was changed meanwhile; please ask again.")
        s.add(OrderChange(order_id=order_id, kind="change_email", actor=actor,
                          old_value={"email": old}, new_value={"email": email}))
        s.refresh(order)
        for kind, recipient, (subject, body) in (("email_change", email, emails.email_change_new(order)),
                                                 ("email_change_notice", old, emails.email_change_old(order))):
            enqueue(s, kind=kind, recipient=recipient, subject=subject, body=body)
        return order


def changes_of(engine: Engine, order_id: Optional[str] = None, limit: int = 50) -> List[OrderChange]:
    with session_scope(engine) as s:
        q = sa.select(OrderChange).order_by(OrderChange.id.desc()).limit(limit)
        if order_id:
            q = q.where(OrderChange.order_id == order_id)
        return list(s.execute(q).scalars())


def revert_change(engine: Engine, change_id: int, *, actor: str,
                  record: Optional[Callable[[Session, OrderChange, OrderChange], None]] = None) -> OrderChange:
    """Undo a cancel (stock reserved again, pending refund voided) or an address change, if the
    order is still as that change left it. Recorded as a ``revert`` change; ``record(session,
    change, revert)`` runs in the same transaction (the CLI writes its audit-log row there)."""
    with session_scope(engine) as s:
        change = s.get(OrderChange, change_id)
        if change is None:
            raise OrderError(f"There is no order change {change_id}.")
        if change.kind == "revert":
            raise OrderError(f"Change {change_id} is itself a revert; revert the original change instead.")
        if change.reverted_by_id is not None:
            raise OrderError(f"Change {change_id} was already reverted by change {change.reverted_by_id}.")
        order = s.get(Order, change.order_id)
        if change.kind == "cancel":
            refund = s.execute(sa.select(Refund).where(Refund.order_id == order.order_id, Refund.status == "pending")
                               .order_by(Refund.id.desc())).scalars().first()
            if order.status != "cancelled" or refund is None:
                raise OrderError(f"Order {order.order_id} is {order.status} and its refund is no longer pending; "
                                 "it can't be un-cancelled.")
            try:
                stock.reserve(s, order.items)
            except stock.OutOfStock as err:
                raise OrderError(f"Can't un-cancel {order.order_id}: {err}") from None
            order.status = "processing"
            refund.status = "voided"
        elif change.kind == "change_address":
            if order.status != "processing" or order.shipping_address != change.new_value["shipping_address"]:
                raise OrderError(f"Order {order.order_id} changed since; its address can't be put back safely.")
            order.shipping_address = change.old_value["shipping_address"]
        elif change.kind == "change_email":
            if order.email != change.new_value["email"]:
                raise OrderError(f"Order {order.order_id} changed since; its email can't be put back safely.")
            order.email = change.old_value["email"]
        else:
            raise OrderError(f"Changes of kind {change.kind!r} can't be reverted.")
        revert = OrderChange(order_id=order.order_id, kind="revert", actor=actor, reverts_id=change.id,
                             old_value=change.new_value, new_value=change.old_value)
        s.add(revert)
        s.flush()
        change.reverted_by_id = revert.id
        if record is not None:
            record(s, change, revert)
        return revert
