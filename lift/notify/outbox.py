"""The outbox: write messages inside business transactions, deliver them afterwards.

Delivery claims a row with a conditional update (``queued`` -> ``sending``), so several
processes can run the sender without sending a message twice; a failed send goes back to
``queued`` until :data:`MAX_ATTEMPTS`, then ``failed`` (visible in ``lift outbox list``).

:func:`backlog` says what is still waiting (queued or stuck in ``sending``) and since when;
:class:`OutboxWorker` reports it after every round to an ``on_round`` callback (the action
server exports it as ``lift_outbox_*`` metrics, lift.observability.actions).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
import datetime as dt
from typing import Callable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lift.notify.transport import MailTransport, build_message
from lift.store.engine import session_scope
from lift.store.models import OutboxMessage, utcnow

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
KINDS = ("order_confirmation", "verification_code", "cancellation", "demo_booking", "address_change", "email_change",
         "email_change_notice")


def enqueue(session: Session, *, kind: str, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add a message to the caller's transaction (it is only sent if that transaction commits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    msg = OutboxMessage(kind=kind, recipient=recipient, subject=subject, body=body, status="queued", attempts=0)
    session.add(msg)
    return msg


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int


def _claim(engine: Engine, msg_id: int) -> bool:
    with session_scope(engine) as s:
        res = s.execute(sa.update(OutboxMessage)
                        .where(OutboxMessage.id == msg_id, OutboxMessage.status == "queued")
                        .values(status="sending", attempts=OutboxMessage.attempts + 1))
        return res.rowcount == 1


def deliver_pending(engine: Engine, transport: MailTransport, sender: str, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` queued messages, oldest first."""
    with session_scope(engine) as s:
        ids = list(s.execute(sa.select(OutboxMessage.id).where(OutboxMessage.status == "queued")
                             .order_by(OutboxMessage.id).limit(limit)).scalars())
    sent = failed = 0
    for msg_id in ids:
        if not _claim(engine, msg_id):
            continue  # another sender took it
        with session_scope(engine) as s:
            row = s.get(OutboxMessage, msg_id)
            email = build_message(sender, row.recipient, row.subject, row.body, row.id)
            attempts = row.attempts
        try:
            transport.send(email)
        except Exception as exc:  # noqa: BLE001 - any transport error: retry later
            failed += 1
            status = "failed" if attempts >= MAX_ATTEMPTS else "queued"
            logger.warning("outbox %s: delivery attempt %d failed: %s", msg_id, attempts, exc)
            with session_scope(engine) as s:
                s.execute(sa.update(OutboxMessage).where(OutboxMessage.id == msg_id)
                          .values(status=status, last_error=f"{exc.__class__.__name__}: {exc}"[:500]))
            continue
        sent += 1
        with session_scope(engine) as s:
            s.execute(sa.update(OutboxMessage).where(OutboxMessage.id == msg_id)
                      .values(status="sent", sent_at=utcnow(), last_error=None))
    return DeliveryReport(sent, failed)


@dataclass(frozen=True)
class Backlog:
    waiting: int  # queued or sending: not delivered, not given up
    failed: int  # given up after MAX_ATTEMPTS
    oldest_waiting: Optional[dt.datetime]  # created_at (UTC, naive) of the oldest waiting message


def backlog(engine: Engine) -> Backlog:
    with session_scope(engine) as s:
        by_status = dict(s.execute(sa.select(OutboxMessage.status, sa.func.count())
                                   .group_by(OutboxMessage.status)).all())
        oldest = s.execute(sa.select(sa.func.min(OutboxMessage.created_at))
                           .where(OutboxMessage.status.in_(("queued", "sending")))).scalar()
    return Backlog(by_status.get("queued", 0) + by_status.get("sending", 0), by_status.get("failed", 0), oldest)


def list_messages(engine: Engine, status: Optional[str] = None, limit: int = 50) -> List[OutboxMessage]:
    with session_scope(engine) as s:
        q = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if status:
            q = q.where(OutboxMessage.status == status)
        return list(s.execute(q).scalars())


class OutboxWorker:
    """A daemon thread that delivers queued mail: woken by :meth:`kick` after a commit that
    enqueued something, and every ``interval`` seconds for retries."""

    def __init__(self, engine: Engine, transport: MailTransport, sender: str, interval: float = 30.0,
                 on_round: Optional[Callable[[DeliveryReport, Backlog], None]] = None):
        self.engine, self.transport, self.sender, self.interval = engine, transport, sender, interval
        self.on_round = on_round
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="lift-outbox", daemon=True)

    def start(self) -> "OutboxWorker":
        self._thread.start()
        return self

    def kick(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = deliver_pending(self.engine, self.transport, self.sender)
                if self.on_round is not None:
                    self.on_round(report, backlog(self.engine))
            except Exception:  # noqa: BLE001 - keep the worker alive (database blips)
                logger.exception("outbox delivery round failed")
            self._wake.wait(self.interval)
            self._wake.clear()
