"""The cart-idle nudge: experiment surface ``cart_idle``.

When a shopper has items in the cart and goes quiet for ``idle_seconds``, the bot speaks first:
variant ``control`` (or ``none``) says nothing, ``reminder`` sends a plain "your cart is saved"
reminder, ``coupon`` offers the coupon ``params.coupon`` with a one-tap button to apply it.
Every variant records *that the shopper went idle* (slot ``cart_nudge`` = the nudge given:
micro-conversion ``cart_idle_detected``), so the variants are compared on the same trigger; the
coupon variant also records ``coupon_offered`` (slot ``offered_coupon``), and ``coupon_applied``
follows if the shopper uses it.

How the idle clock works (Rasa 3.6 reminders, ``rasa/core/processor.py``): every cart action
that leaves items in the cart returns a ``ReminderScheduled`` for :data:`INTENT` due in
``idle_seconds`` with ``kill_on_user_message`` — any later shopper message cancels it, the next
cart action starts it again. Rasa keys its scheduler jobs by the reminder *name alone*
(``add_job(id=e.name, replace_existing=True)``), so the name must be unique per conversation
(:func:`reminder_name`), or one shopper's reminder would replace another's. The reminder fires
under the conversation's lock and is answered on the output channel of the message that
scheduled it: socket.io pushes it to the open chat; the REST channel keeps it for the sender's
next response (``lift.channels.pending``), because a webhook reply cannot be pushed later.

Plain Python: the action (``actions/cart_idle.py``) turns this into events.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

SURFACE = "cart_idle"
INTENT = "EXTERNAL_cart_idle"  # domain/cart.yml; the rule runs action_offer_cart_coupon
NONE, REMINDER, COUPON = "none", "reminder", "coupon"
VARIANT_NUDGE = {"control": NONE, "none": NONE, "reminder": REMINDER, "coupon": COUPON}
DEFAULT_IDLE_SECONDS = 120.0
MAX_IDLE_SECONDS = 86400.0


@dataclass(frozen=True)
class IdleNudge:
    """What the bot does when the reminder fires."""

    nudge: str  # none | reminder | coupon
    text: Optional[str] = None
    buttons: Sequence[Dict[str, str]] = ()
    coupon: Optional[str] = None  # the code offered (only for ``coupon``)


def check_params(params: Dict[str, Any], variants: List[str]) -> List[str]:
    """Problems with a cart_idle experiment's ``params`` and variant names (experiments.yml)."""
    problems = []
    unknown = [v for v in variants if v not in VARIANT_NUDGE]
    if unknown:
        problems.append(f"surface '{SURFACE}' variants must be named from {', '.join(VARIANT_NUDGE)}, got {', '.join(unknown)}")
    seconds = params.get("idle_seconds", DEFAULT_IDLE_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= MAX_IDLE_SECONDS:
        problems.append(f"params.idle_seconds must be a number of seconds in (0, {MAX_IDLE_SECONDS:g}], got {seconds!r}")
    coupon = params.get("coupon")
    if COUPON in variants and (not isinstance(coupon, str) or not coupon.strip()):
        problems.append("variant 'coupon' needs params.coupon (a code from the coupons table, e.g. WELCOME10)")
    for key in sorted(set(params) - {"idle_seconds", "coupon"}):
        problems.append(f"unknown params key '{key}' for surface '{SURFACE}' (allowed: idle_seconds, coupon)")
    return problems


def idle_seconds(params: Dict[str, Any]) -> float:
    return float(params.get("idle_seconds", DEFAULT_IDLE_SECONDS))


def reminder_name(sender_id: str) -> str:
    """A reminder name unique to the conversation (Rasa's job id), short whatever the sender id."""
    return "cart_idle_" + hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:20]


def should_schedule(cart_items: int, already_nudged: bool) -> bool:
    """Start (or restart) the idle clock: items in the cart and no nudge given yet."""
    return cart_items > 0 and not already_nudged


def plan(variant: str, *, item_count: int, subtotal: str, coupon: Optional[str], saving: Optional[str],
         coupon_already_applied: bool) -> IdleNudge:
    """The nudge for ``variant``. ``coupon``/``saving``: the code and what it takes off this cart
    (None when the coupon does not apply to it: then a plain reminder)."""
    nudge = VARIANT_NUDGE.get(variant, NONE)
    if nudge == NONE:
        return IdleNudge(NONE)
    items = f"{item_count} item{'s' if item_count != 1 else ''}"
    buttons = [{"title": "Check out", "payload": "/checkout"}, {"title": "View cart", "payload": "/view_cart"}]
    if nudge == COUPON and coupon and saving and not coupon_already_applied:
        return IdleNudge(
            COUPON,
            text=f"Still deciding? Here's a little help: coupon {coupon} takes {saving} off the "
                 f"{items} in your cart ({subtotal}).",
            buttons=[{"title": f"Apply {coupon}", "payload": f'/apply_coupon{{"coupon_code":"{coupon}"}}'}, *buttons],
            coupon=coupon,
        )
    return IdleNudge(REMINDER, text=f"Still there? Your cart is saved: {items} ({subtotal}). Ready when you are.",
                     buttons=buttons)
