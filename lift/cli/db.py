"""``lift db ...``: the application database."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("db", help="application database")
    dsub = p.add_subparsers(dest="db_command", required=True)
    init = dsub.add_parser("init", help="create tables and seed coupons and demo orders")
    init.set_defaults(func=_db_init)


def _db_init(args) -> int:
    from lift.store.engine import safe_url
    from lift.store.schema import open_database

    engine = open_database()
    print(f"database ready: {safe_url(str(engine.url))}")
    return 0
