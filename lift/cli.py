"""The ``lift`` console script.

Each capability registers its own subcommand group (``register(subparsers)``) so this file
stays a table of contents; heavy imports happen inside the handlers, not here.
"""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from lift.config import ConfigError
from lift.db import DatabaseUnavailable


def _register_db(sub) -> None:
    p = sub.add_parser("db", help="application database")
    dsub = p.add_subparsers(dest="db_command", required=True)
    init = dsub.add_parser("init", help="create tables and seed coupons and demo orders")
    init.set_defaults(func=_db_init)


def _db_init(args) -> int:
    from lift.db import open_database, safe_url

    engine = open_database()
    print(f"database ready: {safe_url(str(engine.url))}")
    return 0


# Modules exposing ``register(subparsers)``; each must keep heavy imports in its handlers.
GROUPS = [
    "lift.kb_cli",
    "lift.report_cli",
    "lift.web",
]


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="lift", description="Lift conversion assistant tools")
    sub = parser.add_subparsers(dest="command", required=True)
    _register_db(sub)
    for name in GROUPS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"lift: configuration error: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"lift: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
