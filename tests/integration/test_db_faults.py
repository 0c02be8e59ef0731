"""The tracker store while its PostgreSQL is stopped mid-turn and started again.

Each test runs its own throwaway PostgreSQL cluster (scripts/pg.sh with a private
LIFT_PG_DIR), so stopping it never disturbs the shared test cluster. Trackers are loaded,
updated and saved the way Rasa's MessageProcessor does it.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from lift.config import Settings
from lift.observability.server import serve_metrics
from lift.rasa_plugins.tracker_store import ConversionTrackerStore
from lift.store.engine import DatabaseUnavailable
from tests.integration.test_metrics_stack import scrape
from tests.integration.test_tracker_store import DOMAIN_DICT, EMAIL, KEY, SHIPPED, T0, lead_turns
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


class PrivatePostgres:
    """scripts/pg.sh on a data directory of its own; stop/start keep the port (and URL)."""

    def __init__(self, directory: Path) -> None:
        self.env = {**os.environ, "LIFT_PG_DIR": str(directory)}

    def _run(self, cmd: str) -> str:
        out = subprocess.run([str(ROOT / "scripts" / "pg.sh"), cmd], env=self.env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""

    def start(self) -> str:
        return self._run("start")

    def stop(self) -> None:
        self._run("stop")

    def purge(self) -> None:
        self._run("purge")


@pytest.fixture
def private_pg():
    # Directly under /tmp: as root, pg.sh runs the server as `postgres`, which cannot enter
    # pytest's private tmp directories.
    pg = PrivatePostgres(Path("/tmp") / f"lift-pg-fault-{uuid.uuid4().hex[:10]}")
    url = pg.start()
    yield pg, url
    pg.purge()


def stored(url: str, sender: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            events = [r[0] for r in conn.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})]
            names = [r[0] for r in conn.execute(
                sa.text("SELECT name FROM micro_conversions WHERE sender_id = :s ORDER BY name"), {"s": sender})]
    finally:
        engine.dispose()
    return [json.loads(e) for e in events], names


def make_store(url: str, tmp_path: Path) -> ConversionTrackerStore:
    settings = Settings(root=ROOT, conversions_file=SHIPPED, redaction_key=KEY, index_dir=tmp_path / "index",
                        spool_dir=tmp_path / "spool")
    return ConversionTrackerStore(host=url, domain=Domain.from_dict(DOMAIN_DICT), settings=settings)


def spool_gauges(port: int):
    """(depth, oldest timestamp) as the process's /metrics endpoint reports them."""
    samples, _ = scrape(port)
    return samples[("lift_tracker_spool_depth", ())], samples[("lift_tracker_spool_oldest_timestamp_seconds", ())]


async def test_turn_saved_while_postgres_is_down_is_spooled_and_replayed_exactly_once(private_pg, tmp_path):
    pg, url = private_pg
    store = make_store(url, tmp_path)
    # The endpoint `rasa run` serves (LIFT_METRICS_PORT), here for this process's default registry.
    metrics_port = free_port()
    assert serve_metrics(metrics_port, "test tracker store", addr="127.0.0.1")
    depth, oldest = spool_gauges(metrics_port)
    assert depth == 0 and oldest == pytest.approx(time.time(), abs=120)
    turns = lead_turns(T0)
    for events in turns[:3]:  # session start, "I want a demo", name
        tracker = await store.get_or_create_tracker("shopper")
        for ev in events:
            tracker.update(ev)
        await store.save(tracker)
    events_before, names_before = stored(url, "shopper")
    assert "lead_started" in names_before and "email_captured" not in names_before

    # The turn that gives the email: loaded while the database is up, saved after it stopped.
    tracker = await store.get_or_create_tracker("shopper")
    pg.stop()
    for ev in turns[3]:
        tracker.update(ev)
    await store.save(tracker)  # no exception: the turn is on disk
    spool_file = store.spool.spool.path
    assert spool_file.exists()
    assert store.spool.health() == {"ok": False, "database": "down", "spool_depth": 1, "rejected": 0}
    spooled_at = json.loads(spool_file.read_text())["spooled_at"]
    assert spool_gauges(metrics_port) == (1, spooled_at)
    with pytest.raises(DatabaseUnavailable):  # the next turn is refused, not started on an empty tracker
        await store.get_or_create_tracker("shopper")

    assert pg.start() == url  # same port, same URL
    tracker = await store.get_or_create_tracker("shopper")  # replays the spool first
    assert not spool_file.exists()
    assert store.spool.health() == {"ok": True, "database": "up", "spool_depth": 0, "rejected": 0}
    depth, oldest = spool_gauges(metrics_port)
    assert depth == 0 and oldest > spooled_at
    assert tracker.get_slot("email") == EMAIL
    events_after, names_after = stored(url, "shopper")
    assert len(events_after) == len(events_before) + len(turns[3])
    assert [e["event"] for e in events_after[len(events_before):]] == [e.type_name for e in turns[3]]
    assert sorted(set(names_before) | {"email_captured"}) == names_after

    # The conversation goes on and completes the lead; every conversion once.
    for ev in turns[4]:
        tracker.update(ev)
    await store.save(tracker)
    _, names_done = stored(url, "shopper")
    assert "demo_booked" in names_done and len(names_done) == len(set(names_done))
    store.engine.dispose()


async def test_replaying_a_turn_twice_stores_nothing_twice(private_pg, tmp_path):
    """A crash after the replay committed but before the spool was rewritten replays again."""
    pg, url = private_pg
    store = make_store(url, tmp_path)
    turns = lead_turns(T0)
    tracker = await store.get_or_create_tracker("again")
    for events in turns[:2]:
        for ev in events:
            tracker.update(ev)
    await store.save(tracker)
    tracker = await store.get_or_create_tracker("again")
    pg.stop()
    for events in turns[2:4]:
        for ev in events:
            tracker.update(ev)
    await store.save(tracker)
    record = store.spool.spool.path.read_text()
    pg.start()
    assert store.spool.drain() == 1
    once = stored(url, "again")
    store.spool.spool.path.write_text(record)  # the same record, as if never removed
    assert store.spool.drain() == 1
    assert stored(url, "again") == once
    assert "email_captured" in once[1]
    store.engine.dispose()


async def test_a_restarted_store_replays_what_the_previous_process_spooled(private_pg, tmp_path):
    pg, url = private_pg
    store = make_store(url, tmp_path)
    tracker = await store.get_or_create_tracker("crash")
    pg.stop()
    for events in lead_turns(T0)[:3]:
        for ev in events:
            tracker.update(ev)
    await store.save(tracker)
    store.engine.dispose()
    pg.start()
    restarted = make_store(url, tmp_path)  # start-up replays the spool
    assert not restarted.spool.spool.path.exists()
    events, names = stored(url, "crash")
    assert [e["event"] for e in events] == [e.type_name for e in tracker.events]
    assert "lead_started" in names
    restarted.engine.dispose()
