"""The outbox backlog as the action server exports it: the real OutboxWorker delivering over a
real transport (a local maildir, or SMTP to a closed port), reporting each round to metrics."""
from __future__ import annotations

import datetime as dt
import socket
import threading

import sqlalchemy as sa
from prometheus_client import CollectorRegistry

from lift.notify.outbox import MAX_ATTEMPTS, OutboxWorker, backlog, enqueue
from lift.notify.transport import transport_for
from lift.observability.actions import observe_outbox
from lift.observability.metrics import ActionMetrics
from lift.store.engine import session_scope
from lift.store.models import OutboxMessage
from lift.store.schema import open_database

NOW = dt.datetime(2026, 12, 4, 12, 0)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(engine, created: list, attempts: int = 0) -> None:
    with session_scope(engine) as s:
        for when in created:
            msg = enqueue(s, kind="order_confirmation", recipient="a@example.com", subject="s", body="b")
            msg.created_at, msg.attempts = when, attempts
        s.commit()


def one_round(engine, url: str, registry: CollectorRegistry):
    """Start the real worker, wait for its first round's report, stop it."""
    metrics, done, seen = ActionMetrics(registry), threading.Event(), []

    def on_round(report, left):
        observe_outbox(report, left, metrics, now=1234.0)
        seen.append((report, left))
        done.set()

    worker = OutboxWorker(engine, transport_for(url), "Lift <x@example.com>", interval=3600, on_round=on_round).start()
    assert done.wait(30), "the outbox worker never finished a round"
    worker.stop()
    return seen[0]


def value(registry, name, **labels):
    return registry.get_sample_value(name, labels)


def test_undeliverable_mail_is_the_backlog_with_its_age_and_the_given_up_ones(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'lift.db'}", seed=False)
    seed(engine, [NOW - dt.timedelta(minutes=20), NOW - dt.timedelta(minutes=5), NOW])
    seed(engine, [NOW - dt.timedelta(hours=2)], attempts=MAX_ATTEMPTS - 1)  # its last chance
    with session_scope(engine) as s:  # delivered long ago: not waiting
        s.execute(sa.update(OutboxMessage).where(OutboxMessage.id == 3).values(status="sent"))
        s.commit()
    registry = CollectorRegistry()
    report, left = one_round(engine, f"smtp://127.0.0.1:{closed_port()}", registry)
    assert (report.sent, report.failed) == (0, 3)
    assert (left.waiting, left.failed, left.oldest_waiting) == (2, 1, NOW - dt.timedelta(minutes=20))
    assert value(registry, "lift_outbox_backlog") == 2
    assert value(registry, "lift_outbox_failed") == 1
    oldest = (NOW - dt.timedelta(minutes=20)).replace(tzinfo=dt.timezone.utc).timestamp()
    assert value(registry, "lift_outbox_oldest_waiting_timestamp_seconds") == oldest
    assert value(registry, "lift_outbox_deliveries_total", outcome="failed") == 3
    assert value(registry, "lift_outbox_deliveries_total", outcome="sent") == 0


def test_delivered_mail_empties_the_backlog(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'lift.db'}", seed=False)
    seed(engine, [NOW, NOW])
    registry = CollectorRegistry()
    report, left = one_round(engine, f"maildir:{tmp_path / 'mail'}", registry)
    assert (report.sent, left.waiting, left.oldest_waiting) == (2, 0, None)
    assert value(registry, "lift_outbox_backlog") == 0
    assert value(registry, "lift_outbox_oldest_waiting_timestamp_seconds") == 1234.0  # nothing waits: age 0
    assert value(registry, "lift_outbox_deliveries_total", outcome="sent") == 2
    assert backlog(engine).waiting == 0
