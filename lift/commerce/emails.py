"""The words of every transactional email (what the outbox sends), in one place."""
from __future__ import annotations

from typing import Tuple

from lift.commerce.money import format_price

SIGNATURE = "\n\n-- \nLift Store customer care. Reply to this email or chat with us on the website."


def order_confirmation(order, currency: str = "USD", delivery: str = "") -> Tuple[str, str]:
    """``delivery``: the option's name as the order summary showed it ("Next-day (1 business day)")."""
    lines = "\n".join(f"  {i['qty']} x {i['name']}  {format_price(i['unit_price'], currency)} each" for i in order.items)
    parts = [f"Thank you for your order {order.order_id}.", "", lines, "",
             f"Subtotal: {format_price(order.subtotal, currency)}"]
    if order.discount:
        parts.append(f"Discount: -{format_price(order.discount, currency)}")
    parts += [f"Shipping ({delivery or order.shipping_method}): {format_price(order.shipping_cost, currency)}",
              f"Total: {format_price(order.total, currency)}", "",
              f"Shipping to: {order.shipping_address}"]
    if order.estimated_delivery:
        parts.append(f"Estimated delivery: {order.estimated_delivery:%a %d %b %Y}")
    return f"Your Lift order {order.order_id}", "\n".join(parts) + SIGNATURE


def verification_code(order_id: str, code: str, minutes: int) -> Tuple[str, str]:
    body = (f"Someone asked to see or change order {order_id} in a chat with Lift.\n\n"
            f"Your one-time code is: {code}\n\nIt expires in {minutes} minutes. If this wasn't you, ignore this "
            "email: nobody can see or change the order without the code.")
    return f"Your code for order {order_id}", body + SIGNATURE


def cancellation(order, refund_amount, currency: str = "USD") -> Tuple[str, str]:
    body = (f"Order {order.order_id} is cancelled.\n\nA refund of {format_price(refund_amount, currency)} has been "
            "recorded and will reach your original payment method within 5-10 business days.")
    return f"Order {order.order_id} cancelled: refund {format_price(refund_amount, currency)}", body + SIGNATURE


def address_change(order) -> Tuple[str, str]:
    body = f"Order {order.order_id} will now ship to:\n  {order.shipping_address}"
    return f"New delivery address for order {order.order_id}", body + SIGNATURE


def email_change_new(order) -> Tuple[str, str]:
    body = (f"Emails about order {order.order_id} (dispatch, delivery, refunds) will now come to this address, "
            "as asked in a chat with Lift.")
    return f"Order {order.order_id}: emails now come here", body + SIGNATURE


def email_change_old(order) -> Tuple[str, str]:
    body = (f"The email address on order {order.order_id} was changed in a chat with Lift by someone who proved the "
            "order with a code sent here, or in the chat that placed it. Emails about the order now go to the new "
            "address. If this wasn't you, reply to this email and our team will put it back.")
    return f"Order {order.order_id}: email address changed", body + SIGNATURE


def _to_demo_lead(person_name: str, subject: str, news: str, after: str) -> Tuple[str, str]:
    first = (person_name or "").split(" ")[0] or "there"
    return subject, f"Hi {first},\n\nyour {news}. {after}" + SIGNATURE


_LINK_LATER = "We'll send the meeting link a day before."


def demo_booking(person_name: str, when_label: str) -> Tuple[str, str]:
    return _to_demo_lead(person_name, f"Your Lift demo: {when_label}", f"30-minute Lift demo is booked for {when_label}",
                         _LINK_LATER)


def demo_moved(person_name: str, old_label: str, new_label: str) -> Tuple[str, str]:
    return _to_demo_lead(person_name, f"Your Lift demo has moved: {new_label}",
                         f"30-minute Lift demo has moved from {old_label} to {new_label}", _LINK_LATER)


def demo_cancelled(person_name: str, when_label: str) -> Tuple[str, str]:
    return _to_demo_lead(person_name, f"Your Lift demo on {when_label} is cancelled", f"Lift demo on {when_label} is cancelled",
                         "Reply to this email or ask the assistant on our website whenever you'd like to book another.")
