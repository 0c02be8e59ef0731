"""Alembic environment: Lift's tables only (Base.metadata), on the connection Lift passes in
(:func:`lift.store.schema.upgrade`) or, from the alembic command line, on LIFT_DB_URL."""
from __future__ import annotations

from alembic import context

from lift.store.models import Base

config = context.config


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # Rasa's `events` table (and anything else not ours) shares the database: leave it alone.
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line
        from lift.config import get_settings
        from lift.store.engine import make_engine

        engine = make_engine(get_settings().db_url)
        with engine.begin() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE support on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `lift db upgrade`")
run_migrations_online()
