"""The hash-chained audit log on SQLite and PostgreSQL: appends from many writers at once
form one unbroken chain; a row altered or deleted directly in SQL is named by `lift audit verify`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from lift.store.engine import make_engine
from lift.governance.audit import append_audit, ensure_tables, entries, verify

ROOT = Path(__file__).resolve().parents[2]


def lift_cli(db_url, *args, operator="ops-alice"):
    env = {**os.environ, "LIFT_DB_URL": db_url, "LIFT_OPERATOR": operator, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lift.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def test_concurrent_appends_form_one_chain(engine, db_url):
    # As in production, the database is migrated before the writers start (Rasa, the action
    # server and `lift db upgrade` migrate at start-up): the race under test is the appends',
    # not four threads creating a brand-new SQLite file and its schema at once.
    ensure_tables(engine)
    errors = []

    def writer(n):
        eng = make_engine(db_url)
        try:
            for i in range(8):
                append_audit(eng, f"w{n}", "test.append", f"item:{n}-{i}", "concurrency", {"i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    rows = entries(engine)
    assert [r["seq"] for r in rows] == list(range(1, 33))
    assert len({r["target"] for r in rows}) == 32
    assert verify(engine).ok


def test_session_append_rolls_back_with_the_caller(engine):
    from lift.store.engine import session_scope

    append_audit(engine, "a", "first", "x")
    with pytest.raises(RuntimeError):
        with session_scope(engine) as s:
            append_audit(s, "a", "second", "y")
            raise RuntimeError("caller failed")
    append_audit(engine, "a", "third", "z")
    assert [r["action"] for r in entries(engine)] == ["first", "third"]
    assert verify(engine).ok


@pytest.mark.parametrize("tamper,named", [
    ("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 2", "row 2 was altered"),
    ("DELETE FROM audit_log WHERE seq = 2", "row 2 is missing"),
    ("DELETE FROM audit_log WHERE seq = 3", "row 3 is missing"),
])
def test_verify_names_the_tampered_row(engine, db_url, tamper, named):
    for i in range(3):
        append_audit(engine, None, "test.entry", f"t{i}", "because", {"n": i})
    ok = lift_cli(db_url, "audit", "verify")
    assert ok.returncode == 0 and "3 rows" in ok.stdout, ok.stderr
    with engine.begin() as conn:
        conn.execute(sa.text(tamper))
    bad = lift_cli(db_url, "audit", "verify")
    assert bad.returncode == 1
    assert named in bad.stderr


def test_audit_log_json_records_the_operator(engine, db_url):
    append_audit(engine, None, "test.entry", "thing", "why")  # actor from this process's settings
    out = lift_cli(db_url, "audit", "log", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows[0]["action"] == "test.entry" and rows[0]["reason"] == "why"
    assert rows[0]["at"].endswith("Z") and len(rows[0]["hash"]) == 64 and rows[0]["prev_hash"] == "0" * 64


def test_flag_changes_are_audited(engine, db_url):
    out = lift_cli(db_url, "flag", "set", "cross_sell_offer", "--percent", "25", "--reason", "ramp up", "--actor", "pm-kim")
    assert out.returncode == 0, out.stderr
    rows = entries(engine)
    assert [(r["action"], r["target"], r["actor"], r["reason"]) for r in rows] == [
        ("flag.set", "flag:cross_sell_offer", "pm-kim", "ramp up")]
    assert json.loads(rows[0]["details"])["after"]["percent"] == 25 and verify(engine).ok
