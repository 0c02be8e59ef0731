"""Handing a conversation to a human: a ticket with a transcript summary, and its life cycle
``queued -> claimed -> closed`` as agents drive it (``lift agent queue|claim|reply|close``).

A shopper who changes their mind while still queued withdraws the ticket (``queued ->
withdrawn``) and gets the assistant back. A shopper's queue position is the number of tickets still ``queued`` up to and including
theirs, so it shrinks as agents claim tickets.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.store.engine import session_scope
from lift.store.models import HandoffTicket, utcnow

REASONS = ("user_request", "complaint", "fallback", "low_confidence")
# When people answer tickets (UTC): weekdays 8:00-20:00.
OPEN_HOUR, CLOSE_HOUR = 8, 20


def when_answered(now: dt.datetime) -> str:
    """When a person will reply to a ticket queued at ``now`` (UTC), as the shopper is told it:
    soon during opening hours, else the next opening ("Mon 08:00 UTC") — never a promise of
    minutes on a Saturday night."""
    if now.weekday() < 5 and OPEN_HOUR <= now.hour < CLOSE_HOUR:
        return "A person will reply here, usually within 15 minutes"
    day = now.date() if now.weekday() < 5 and now.hour < OPEN_HOUR else now.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    opens = "today" if day == now.date() else "tomorrow" if day == now.date() + dt.timedelta(days=1) else day.strftime("%A")
    return (f"Our team is offline now (Mon-Fri {OPEN_HOUR:02d}:00-{CLOSE_HOUR}:00 UTC); a person will reply here "
            f"when we open, {opens} at {OPEN_HOUR:02d}:00 UTC")
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



class TicketError(ValueError):
    """A life-cycle step was refused; the message says why (shown by the CLI)."""


@dataclass(frozen=True)
class QueuedTicket:
    id: int
    position: int
    sender_id: str
    channel: Optional[str]
    reason: str
    created_at: Any
    summary: str


def queue(engine: Engine) -> List[QueuedTicket]:
    """Queued tickets, oldest first, with the position each shopper was (or would be) told."""
    with session_scope(engine) as s:
        rows = s.execute(sa.select(HandoffTicket).where(HandoffTicket.status == "queued")
                         .order_by(HandoffTicket.id)).scalars().all()
        return [QueuedTicket(t.id, i, t.sender_id, t.channel, t.reason, t.created_at, t.summary)
                for i, t in enumerate(rows, 1)]


def get_ticket(engine: Engine, ticket_id: int) -> HandoffTicket:
    with session_scope(engine) as s:
        ticket = s.get(HandoffTicket, ticket_id)
        if ticket is None:
            raise TicketError(f"there is no ticket {ticket_id}")
        return ticket


def claim(engine: Engine, ticket_id: int, agent: str) -> HandoffTicket:
    """queued -> claimed, by one agent only (a conditional update: two agents can't both win)."""
    with session_scope(engine) as s:
        done = s.execute(sa.update(HandoffTicket).where(HandoffTicket.id == ticket_id, HandoffTicket.status == "queued")
                         .values(status="claimed", claimed_by=agent, claimed_at=utcnow()))
        ticket = s.get(HandoffTicket, ticket_id)
        if ticket is None:
            raise TicketError(f"there is no ticket {ticket_id}")
        if done.rowcount != 1:
            who = f" by {ticket.claimed_by}" if ticket.claimed_by else ""
            raise TicketError(f"ticket {ticket_id} is already {ticket.status}{who}")
        return ticket


def check_reply(engine: Engine, ticket_id: int, agent: str) -> HandoffTicket:
    """An agent may reply only on a ticket they claimed and that is still open."""
    ticket = get_ticket(engine, ticket_id)
    if ticket.status != "claimed":
        raise TicketError(f"ticket {ticket_id} is {ticket.status}; claim it first" if ticket.status == "queued"
                          else f"ticket {ticket_id} is {ticket.status}")
    if ticket.claimed_by != agent:
        raise TicketError(f"ticket {ticket_id} is claimed by {ticket.claimed_by}, not {agent}")
    return ticket


def withdraw(engine: Engine, ticket_id: int, sender_id: str) -> Optional[HandoffTicket]:
    """queued -> withdrawn, by the shopper who asked for a person ("Back to the assistant"). A
    conditional update, so an agent who claimed it first keeps it: None then, or when the
    ticket is not this shopper's or is already closed."""
    with session_scope(engine) as s:
        done = s.execute(sa.update(HandoffTicket).where(HandoffTicket.id == ticket_id, HandoffTicket.status == "queued",
                                                        HandoffTicket.sender_id == sender_id)
                         .values(status="withdrawn", closed_at=utcnow()))
        return s.get(HandoffTicket, ticket_id) if done.rowcount == 1 else None


def close(engine: Engine, ticket_id: int, agent: str) -> HandoffTicket:
    """claimed -> closed, by the agent who claimed it."""
    check_reply(engine, ticket_id, agent)
    with session_scope(engine) as s:
        done = s.execute(sa.update(HandoffTicket).where(HandoffTicket.id == ticket_id, HandoffTicket.status == "claimed",
                                                        HandoffTicket.claimed_by == agent)
                         .values(status="closed", closed_at=utcnow()))
        if done.rowcount != 1:
            raise TicketError(f"ticket {ticket_id} changed meanwhile; look at it again")
        return s.get(HandoffTicket, ticket_id)
