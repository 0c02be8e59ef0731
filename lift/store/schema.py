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
from lift.store.models import Base, MicroConversion
from lift.store.seed import seed_stock, seed_store_data


def create_conversions_table(engine: Engine) -> None:
    """Create ``micro_conversions`` if missing (idempotent, safe with parallel starters)."""
    try:
        Base.metadata.create_all(engine, tables=[MicroConversion.__table__])
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        # Rasa and the CLI may race to create it; the loser sees "already exists".
        if not sa.inspect(engine).has_table(MicroConversion.__tablename__):
            raise


def init_db(engine: Engine, *, seed: bool = True) -> None:
    """Create Lift's tables (idempotent), seed coupons and demo orders when missing and give
    catalog products without a stock row their catalog stock."""
    check_connection(engine)
    Base.metadata.create_all(engine)
    if seed:
        seed_store_data(engine)
        seed_stock(engine, get_settings().catalog_path)


def open_database(url: Optional[str] = None, *, seed: bool = True) -> Engine:
    """The engine for ``url`` (default: LIFT_DB_URL), with tables created."""
    engine = make_engine(url or get_settings().db_url)
    init_db(engine, seed=seed)
    return engine
