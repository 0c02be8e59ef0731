"""Lift's schema under Alembic: migrating a database to the current revision, and opening a
ready one.

:func:`upgrade` is the one path that creates or changes Lift's tables: ``lift db upgrade``,
``lift db init`` (plus seed data), the action server (:func:`open_database`) and Rasa's
tracker store all run it. A database made by the first release (tables from
``Base.metadata.create_all``, no ``alembic_version``) is adopted by the baseline revision,
which creates only the tables it lacks. Rasa's ``events`` table is never touched.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from lift.config import get_settings
from lift.store.engine import check_connection, make_engine
from lift.store.seed import seed_stock, seed_store_data

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
# Alembic's `context`/`op` are module-level proxies: one migration at a time per process.
_alembic_lock = threading.Lock()


def _config(connection: Optional[Connection] = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The revision the code expects (the newest migration)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> Optional[str]:
    """The revision ``engine``'s database is at; ``None`` when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, attempts: int = 5) -> None:
    """Migrate Lift's tables to ``revision`` (idempotent; raises DatabaseUnavailable when the
    server cannot be reached)."""
    check_connection(engine)
    for attempt in range(1, attempts + 1):
        try:
            with _alembic_lock, engine.begin() as conn:
                command.upgrade(_config(conn), revision)
            return
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
            # Rasa, the action server and the CLI may start together on a new database: the
            # one that lost the race to create a table sees "already exists". Once the winner
            # is done there is nothing left to do; until then, try again (the baseline only
            # creates what is missing, later revisions are skipped once recorded).
            if revision == "head" and current_revision(engine) == head_revision():
                return
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


def init_db(engine: Engine, *, seed: bool = True) -> None:
    """Migrate Lift's tables to the current revision, seed coupons and demo orders when missing
    and give catalog products without a stock row their catalog stock."""
    upgrade(engine)
    if seed:
        seed_store_data(engine)
        seed_stock(engine, get_settings().catalog_path)


def open_database(url: Optional[str] = None, *, seed: bool = True) -> Engine:
    """The engine for ``url`` (default: LIFT_DB_URL), migrated (and seeded)."""
    engine = make_engine(url or get_settings().db_url)
    init_db(engine, seed=seed)
    return engine
