"""Handing a conversation to a human: a ticket with a transcript summary."""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from sqlalchemy.engine import Engine

from lift.store.engine import session_scope
from lift.store.models import HandoffTicket

REASONS = ("user_request", "complaint", "fallback", "low_confidence")
MAX_SUMMARY_TURNS = 12


def summarize(events: Iterable[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None) -> str:
    """The last turns as 'Shopper:/Lift:' lines plus the facts an agent needs first."""
    lines = []
    for e in events:
        if e.get("event") == "user" and e.get("text"):
            intent = (e.get("parse_data") or {}).get("intent", {}).get("name")
            lines.append(f"Shopper: {str(e['text'])[:300]}" + (f"  [{intent}]" if intent else ""))
        elif e.get("event") == "bot" and e.get("text"):
            lines.append(f"Lift: {str(e['text'])[:300]}")
    lines = lines[-MAX_SUMMARY_TURNS:]
    facts = []
    slots = slots or {}
    cart = slots.get("cart") or []
    if cart:
        facts.append("cart: " + ", ".join(f"{i.get('qty')}x {i.get('sku')}" for i in cart if isinstance(i, dict)))
    for key in ("order_id", "placed_order_id", "email"):
        if slots.get(key):
            facts.append(f"{key}: {slots[key]}")
    head = ("Facts: " + "; ".join(facts) + "\n") if facts else ""
    return head + ("\n".join(lines) if lines else "(no messages)")


def queue_ticket(engine: Engine, *, sender_id: str, channel: Optional[str], reason: str, summary: str) -> int:
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    with session_scope(engine) as s:
        ticket = HandoffTicket(sender_id=sender_id, channel=channel, reason=reason, summary=summary)
        s.add(ticket)
        s.flush()
        return int(ticket.id)


def queue_position(engine: Engine, ticket_id: int) -> int:
    with session_scope(engine) as s:
        return s.query(HandoffTicket).filter(HandoffTicket.status == "queued", HandoffTicket.id <= ticket_id).count()
