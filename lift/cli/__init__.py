"""The ``lift`` console script (entry point ``lift.cli:main``).

One module per command group, each exposing ``register(subparsers)`` (``agent``, ``db``,
``kb``, ``outbox``, ``report``, ``web``, ``experiments``: ``lift experiment`` and ``lift flag``,
``forecast``, ``graph``, ``review``; ``audit``, ``privacy``, ``model``: governance; ``ops``: the
process supervisor), so this file stays a table of contents; heavy imports happen inside the
handlers, not at import time.

Exit codes (the README lists them): 0 ok; 1 a check failed or the index is not built (``kb
status``, ``kb search``/``kb build``); 2 usage or bad input (arguments, dates, queries,
``conversions.yml``, a malformed setting); 3 environment: the database is unreachable or failed.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional

from sqlalchemy.exc import SQLAlchemyError

from lift.config import ConfigError
from lift.store.engine import DatabaseUnavailable

# Modules exposing ``register(subparsers)``; each must keep heavy imports in its handlers.
GROUPS = [
    "lift.cli.agent",
    "lift.cli.db",
    "lift.cli.kb",
    "lift.cli.outbox",
    "lift.cli.report",
    "lift.cli.web",
    "lift.cli.experiments",
    "lift.cli.forecast",
    "lift.cli.graph",
    "lift.cli.audit",
    "lift.cli.privacy",
    "lift.cli.model",
    "lift.cli.review",
    "lift.cli.ops",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lift", description="Lift conversion assistant tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in GROUPS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    from lift.governance import redaction

    redaction.install()  # every log line of every lift command is masked
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
    except SQLAlchemyError as exc:
        # Reachable but failing (locked, missing table, permissions): the error's first line only,
        # never the SQL and its parameters (personal data) and never a traceback.
        print(f"lift: database error: {exc.__class__.__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
