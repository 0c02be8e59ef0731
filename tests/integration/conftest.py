"""Real databases for integration tests: every `db_url` test runs on SQLite and PostgreSQL.

PostgreSQL comes from scripts/pg.sh (installs it from apt when missing, starts a throwaway
cluster on a free loopback port). It is never skipped: if it cannot start, the tests fail.
Each test gets its own fresh schema (PostgreSQL) or database file (SQLite).
"""
from __future__ import annotations

import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pg_server_url():
    proc = subprocess.run(
        [str(ROOT / "scripts" / "pg.sh"), "start"], capture_output=True, text=True, timeout=900
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        pytest.fail(f"scripts/pg.sh could not start PostgreSQL:\n{proc.stderr}", pytrace=False)
    url = proc.stdout.strip().splitlines()[-1]
    started_here = "started" in proc.stderr
    yield url
    if started_here:
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop"], capture_output=True, timeout=120)


def _autocommit_engine(url) -> sa.engine.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", future=True)


@pytest.fixture(scope="session")
def pg_test_database(pg_server_url):
    """One database per test session (CREATE DATABASE costs ~1 s here, a schema ~10 ms)."""
    server = sa.engine.make_url(pg_server_url)
    name = f"lift_test_{uuid.uuid4().hex[:12]}"
    admin = _autocommit_engine(server.set(database="postgres"))
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_schema(pg_test_database, prefix: str = "t"):
    """A new, empty schema, first on the search_path of every connection made with the URL."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _autocommit_engine(pg_test_database)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = pg_test_database.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_database_url(pg_test_database):
    with fresh_schema(pg_test_database) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lift.db'}"
    return request.getfixturevalue("pg_database_url")



@pytest.fixture
def lift(request, tmp_path_factory):
    """Rasa + action server with Slack and Messenger configured (tests/integration/channel_support.py)."""
    from tests.integration.channel_support import stack_with_channels

    return stack_with_channels(request, tmp_path_factory)
