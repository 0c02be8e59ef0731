"""``lift privacy erase|purge``."""
from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("privacy", help="erase a person's data; apply the retention policy")
    psub = p.add_subparsers(dest="privacy_command", required=True)
    e = psub.add_parser("erase", help="erase or anonymise every record of one person or one conversation",
                        description="Erase a person (by email: every conversation linked to it) or one "
                        "conversation (by its sender id) from every table and Lift's log files.")
    who = e.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", metavar="ADDR", help="the person's email address")
    who.add_argument("--sender", metavar="ID", help="one conversation (Rasa sender id)")
    e.add_argument("--reason", default="", help="why (recorded in the audit log; e.g. a ticket number)")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=_erase)
    g = psub.add_parser("purge", help="apply governance.yml retention (idempotent)")
    g.add_argument("--older-than", type=_days, metavar="DAYS",
                   help="anonymise conversations older than DAYS now (overrides the policy's anonymise age)")
    g.add_argument("--reason", default="", help="why (recorded in the audit log)")
    g.add_argument("--json", action="store_true", help="machine-readable output")
    g.add_argument("--schedule", action="store_true",
                   help="keep running: purge now and every LIFT_PURGE_INTERVAL seconds (make run starts this)")
    g.set_defaults(func=_purge)


def _days(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"DAYS must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("DAYS must be 0 or more")
    return value


def print_counts(title: str, counts: dict, as_json: bool, payload: dict) -> None:
    if as_json:
        print(json.dumps(payload, indent=2))
        return
    print(title)
    if not counts:
        print("  (no rows changed)")
        return
    width = max([len(t) for t in counts] + [5])
    for table, n in counts.items():
        print(f"  {table:<{width}}  {n}")


def _erase(args) -> int:
    from lift.config import get_settings
    from lift.cli.audit import open_engine
    from lift.governance.erasure import ErasureInputError, erase

    settings = get_settings()
    engine = open_engine()
    try:
        result = erase(engine, email=args.email, sender=args.sender, key=settings.redaction_key,
                       reason=args.reason, log_dirs=[settings.log_dir])
    except ErasureInputError as exc:
        print(f"lift privacy erase: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    payload = result.as_dict()
    print_counts(f"erased {result.subject}: {result.conversations} conversation(s), "
                 f"{result.log_files} log file(s) rewritten; rows changed per table:",
                 result.tables, args.json, payload)
    return 0


def _purge(args) -> int:
    from lift.config import get_settings
    from lift.governance.policy import PolicyError, load_policy

    settings = get_settings()
    try:
        policy = load_policy(settings.governance_file)
    except PolicyError as exc:
        print(f"lift privacy purge: {exc}", file=sys.stderr)
        return 2
    if not args.schedule:
        return _purge_once(args, settings, policy)
    import logging
    import time

    from lift.store.engine import DatabaseUnavailable

    if settings.purge_interval < 1:
        print("lift privacy purge: LIFT_PURGE_INTERVAL must be at least 1 second", file=sys.stderr)
        return 2
    args.reason = args.reason or "scheduled retention"
    while True:
        try:
            _purge_once(args, settings, policy)
        except DatabaseUnavailable as exc:  # keep the schedule; the next run retries
            logging.getLogger(__name__).error("scheduled purge skipped: %s", exc)
        sys.stdout.flush()
        time.sleep(settings.purge_interval)


def _purge_once(args, settings, policy) -> int:
    from lift.cli.audit import open_engine
    from lift.governance.policy import PolicyError
    from lift.governance.retention import purge

    engine = open_engine()
    try:
        result = purge(engine, policy, key=settings.redaction_key, older_than_days=args.older_than,
                       reason=args.reason, log_dirs=[settings.log_dir])
    except PolicyError as exc:
        print(f"lift privacy purge: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print_counts(f"retention applied: {result['conversations_anonymised']} conversation(s) anonymised, "
                 f"{result['log_files_deleted']} log file(s) deleted; rows changed per table:",
                 result["tables"], args.json, result)
    return 0
