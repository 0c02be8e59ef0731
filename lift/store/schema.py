"""Creating Lift's tables and opening a ready database.

:func:`init_db` is what every process runs at start (Rasa's tracker store only needs
``micro_conversions``, see :func:`create_conversions_table`).
"""
from __future__ import annotations

from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.config import get_settings
from lift.store.engine import check_connection, make_engine
from lift.store.models import (
    Base,
    ExperimentAssignment,
    ExperimentChange,
    ExperimentState,
    FlagState,
    MicroConversion,
)
from lift.store.seed import seed_store_data


def create_tables(engine: Engine, models) -> None:
    """Create the tables of ``models`` if missing (idempotent, safe with parallel starters)."""
    tables = [m.__table__ for m in models]
    try:
        Base.metadata.create_all(engine, tables=tables)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        # Rasa and the CLI may race to create them; the loser sees "already exists".
        inspector = sa.inspect(engine)
        if not all(inspector.has_table(t.name) for t in tables):
            raise


def create_conversions_table(engine: Engine) -> None:
    """Create ``micro_conversions`` if missing."""
    create_tables(engine, [MicroConversion])


def create_experiment_tables(engine: Engine) -> None:
    """Create the experiment tables if missing (lift.experiments)."""
    create_tables(engine, [ExperimentAssignment, ExperimentChange, ExperimentState, FlagState])


def init_db(engine: Engine, *, seed: bool = True) -> None:
    """Create Lift's tables (idempotent) and seed coupons and demo orders when empty."""
    check_connection(engine)
    Base.metadata.create_all(engine)
    if seed:
        seed_store_data(engine)


def open_database(url: Optional[str] = None, *, seed: bool = True) -> Engine:
    """The engine for ``url`` (default: LIFT_DB_URL), with tables created."""
    engine = make_engine(url or get_settings().db_url)
    init_db(engine, seed=seed)
    return engine
