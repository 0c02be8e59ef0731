"""Alembic migrations of Lift's tables, on SQLite and on a real PostgreSQL (``db_url``).

"Previous release" databases have the baseline revision's tables (what that release's
``create_all`` made) or, when Rasa's tracker store started first, only ``micro_conversions``;
neither has an ``alembic_version`` table. Later revisions also change baseline tables, so
those databases are built with the baseline revision and its ``alembic_version`` dropped.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lift.store.engine import make_engine, session_scope
from lift.store.models import Base, Coupon, MicroConversion, Order
from lift.store.schema import current_revision, head_revision, init_db, upgrade
from lift.store.seed import DEMO_ORDER_IDS, _insert_missing, coupon_rows, order_rows

ROOT = Path(__file__).resolve().parents[2]
LIFT_TABLES = {t.name for t in Base.metadata.sorted_tables}


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def schema_diff(engine):
    """What differs between the database and the models (Rasa's tables ignored)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, Base.metadata)
    return [d for d in diffs if not (d[0] == "remove_table" and d[1].name not in LIFT_TABLES)]


def tables(engine):
    return set(sa.inspect(engine).get_table_names())


def add_rasa_events_table(engine):
    """Rasa's own table, which shares the database and must survive every migration."""
    events = sa.Table("events", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("sender_id", sa.String(255)), sa.Column("data", sa.Text))
    events.create(engine)
    with engine.begin() as conn:
        conn.execute(events.insert(), [{"sender_id": "rasa-user", "data": "{}"}])


PREVIOUS_RELEASE_TABLES = ("leads", "coupons", "orders", "handoff_tickets", "customer_profiles", "micro_conversions")


def make_previous_release(engine):
    """The previous release's tables as it made them: the baseline revision's shapes (later
    revisions also change those tables, e.g. handoff_tickets columns), without alembic_version."""
    upgrade(engine, "0001_baseline")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    assert tables(engine) == set(PREVIOUS_RELEASE_TABLES)


def test_empty_database_migrates_to_head_matching_the_models(engine):
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert LIFT_TABLES | {"alembic_version"} == tables(engine)
    assert schema_diff(engine) == []
    upgrade(engine)  # idempotent
    assert current_revision(engine) == head_revision()


def seed_previous_release(engine):
    """The previous release's rows in its own table shapes: its coupons (without the columns later
    revisions add, e.g. first_order_only) and its demo orders."""
    now = dt.datetime(2024, 5, 1)
    with engine.begin() as conn:
        table = sa.Table("coupons", sa.MetaData(), autoload_with=conn)  # its columns then, with their types
        conn.execute(table.insert(), [{k: v for k, v in row.items() if k in table.c} for row in coupon_rows(now)])
    _insert_missing(engine, Order, "order_id", order_rows(now))


def test_previous_release_database_is_adopted_with_its_rows(engine):
    make_previous_release(engine)
    seed_previous_release(engine)
    add_rasa_events_table(engine)
    with session_scope(engine) as s:
        s.add(MicroConversion(sender_id="u1", name="lead_started", occurred_at=dt.datetime(2024, 5, 1),
                              event_type="slot", value="x"))
    assert "alembic_version" not in tables(engine)

    init_db(engine)  # what every process runs at start

    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []
    with session_scope(engine) as s:
        assert {o.order_id for o in s.query(Order)} == set(DEMO_ORDER_IDS)
        assert s.get(Order, "LFT100002").total == Decimal("844.20")
        # migration 0007 marks the first-order coupon of an adopted database
        assert s.get(Coupon, "WELCOME10").first_order_only and not s.get(Coupon, "SAVE20").first_order_only
        assert [m.name for m in s.query(MicroConversion)] == ["lead_started"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sender_id FROM events")).scalars().all() == ["rasa-user"]


def test_tracker_store_only_database_gets_the_missing_tables(engine):
    MicroConversion.__table__.create(engine)  # Rasa started before `lift db init` ever ran
    with session_scope(engine) as s:
        s.add(MicroConversion(sender_id="u1", name="email_captured", occurred_at=dt.datetime(2024, 5, 1),
                              event_type="slot", value="email:abc"))
    upgrade(engine)
    assert LIFT_TABLES <= tables(engine)
    assert schema_diff(engine) == []
    with session_scope(engine) as s:
        assert [(m.name, m.value) for m in s.query(MicroConversion)] == [("email_captured", "email:abc")]


def test_downgrade_removes_only_lift_tables(engine):
    add_rasa_events_table(engine)
    upgrade(engine)
    from alembic import command

    from lift.store.schema import _config

    with engine.begin() as conn:
        command.downgrade(_config(conn), "base")
    assert tables(engine) == {"events", "alembic_version"}


def _lift(args, db_url):
    env = {**os.environ, "LIFT_DB_URL": db_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lift.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_lift_db_upgrade_and_init_cli(db_url, engine):
    make_previous_release(engine)
    out = _lift(["db", "upgrade"], db_url)
    assert out.returncode == 0, out.stderr
    assert f"schema {head_revision()}" in out.stdout
    with session_scope(engine) as s:
        assert s.query(Order).count() == 0  # upgrade migrates only
    out = _lift(["db", "init"], db_url)
    assert out.returncode == 0, out.stderr
    with session_scope(engine) as s:
        assert s.query(Order).count() == len(DEMO_ORDER_IDS)


def test_lift_db_upgrade_on_an_unreachable_database_exits_3():
    out = _lift(["db", "upgrade"], "postgresql://lift:pw@127.0.0.1:9/lift")
    assert out.returncode == 3
    assert "cannot connect to database" in out.stderr and "pw" not in out.stderr


def test_processes_starting_together_all_end_at_head(db_url, engine):
    """Rasa, the action server and the CLI may migrate a new database at the same moment."""
    env = {**os.environ, "LIFT_DB_URL": db_url, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "lift.cli", "db", "init"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [err for _, err in outs]
    assert current_revision(engine) == head_revision() and schema_diff(engine) == []
    with session_scope(engine) as s:
        assert s.query(Order).count() == len(DEMO_ORDER_IDS)


def test_double_booked_demo_slots_keep_every_lead_and_the_first_booking(engine):
    make_previous_release(engine)
    slot = dt.datetime(2026, 12, 7, 10, 0)
    with engine.begin() as conn:
        for i in (1, 2, 3):
            conn.execute(sa.text("INSERT INTO leads (id, sender_id, person_name, email, company, team_size, demo_time, "
                                 "created_at) VALUES (:i, :s, 'Jo', 'j@x.io', 'Acme', 3, :t, :c)"),
                         {"i": i, "s": f"s{i}", "t": slot, "c": dt.datetime(2026, 12, 1)})
    init_db(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, demo_time FROM leads ORDER BY id")).all()
    assert [r[0] for r in rows] == [1, 2, 3] and [r[1] is not None for r in rows] == [True, False, False]
    assert schema_diff(engine) == []
