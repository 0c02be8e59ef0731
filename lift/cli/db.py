"""``lift db ...``: the application database (Lift's tables, migrated with Alembic)."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("db", help="application database")
    dsub = p.add_subparsers(dest="db_command", required=True)
    up = dsub.add_parser("upgrade", help="migrate Lift's tables to the current schema (adopts databases "
                                         "made before migrations existed)")
    up.set_defaults(func=_db_upgrade)
    init = dsub.add_parser("init", help="`db upgrade`, then seed coupons and demo orders")
    init.set_defaults(func=_db_init)


def _db_upgrade(args) -> int:
    return _ready(seed=False)


def _db_init(args) -> int:
    return _ready(seed=True)


def _ready(seed: bool) -> int:
    from lift.store.engine import safe_url
    from lift.store.schema import current_revision, open_database

    engine = open_database(seed=seed)
    try:
        print(f"database ready: {safe_url(str(engine.url))} (schema {current_revision(engine)})")
    finally:
        engine.dispose()
    return 0
