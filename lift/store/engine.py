"""Database engine and sessions.

One engine per process, created by whoever owns the process (action server start-up, the
CLI, a test fixture) and passed in; one session per call through :func:`session_scope`.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

# Money columns are Numeric: exact on PostgreSQL; on SQLite values are quantized to cents on
# the way out (lift.commerce.money), so SQLAlchemy's float warning there is noise.
warnings.filterwarnings("ignore", message="Dialect sqlite\\+pysqlite does \\*not\\* support Decimal")


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached; the message names the URL (without password)."""


def safe_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def make_engine(url: str, *, connect_timeout: int = 5) -> Engine:
    """Create an engine; PostgreSQL gets a connect timeout so a dead server fails fast."""
    u = sa.engine.make_url(url)
    kwargs = {"future": True, "pool_pre_ping": True}
    if u.get_backend_name() == "sqlite":
        db = u.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        # Rasa, the action server and the CLI write the same file from several threads.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        # SQLAlchemy 1.4 opens a new connection per checkout for SQLite files (NullPool); the
        # last close checkpoints the WAL with an fsync (~20 ms here). Keep connections pooled.
        if db and db != ":memory:":
            kwargs["poolclass"] = sa.pool.QueuePool
    elif u.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": connect_timeout}
    engine = sa.create_engine(url, **kwargs)
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the action server read while Rasa writes, and synchronous=NORMAL drops the
    # fsync per commit (still durable across process crashes), which dominated turn latency.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable"
        raise DatabaseUnavailable(
            f"cannot connect to database {safe_url(str(engine.url))}: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}. Check LIFT_DB_URL and that the server is running."
        ) from exc


_sessionmakers: dict = {}


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on any exception."""
    maker = _sessionmakers.get(engine)
    if maker is None:
        maker = _sessionmakers[engine] = sessionmaker(bind=engine, future=True, expire_on_commit=False)
    session = maker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()



def insert_ignoring_duplicates(conn, table: sa.Table, rows: list, unique: list) -> None:
    """INSERT ``rows`` into ``table`` (in the caller's transaction: a Session or Connection),
    skipping any whose ``unique`` columns match an existing row, without aborting the
    transaction: ``ON CONFLICT DO NOTHING`` on PostgreSQL/SQLite, a savepoint per row elsewhere."""
    if not rows:
        return
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    dialect = bind.dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        conn.execute(insert(table).on_conflict_do_nothing(index_elements=unique), rows)
        return
    for row in rows:
        try:
            with conn.begin_nested():
                conn.execute(table.insert(), [row])
        except sa.exc.IntegrityError:
            pass
