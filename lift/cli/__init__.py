"""The ``lift`` console script (entry point ``lift.cli:main``).

One module per command group, each exposing ``register(subparsers)`` (``agent``, ``db``, ``kb``,
``outbox``, ``report``, ``web``), so this file stays a table of contents; heavy imports happen inside
the handlers, not at import time.

Exit codes: 0 ok, 2 usage or bad input, 3 environment or database (see the README).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional

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
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lift", description="Lift conversion assistant tools")
    sub = parser.add_subparsers(dest="command", required=True)
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
