"""``lift audit log|verify``: the hash-chained audit log (lift.governance.audit)."""
from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    a = subparsers.add_parser("audit", help="the hash-chained audit log")
    asub = a.add_subparsers(dest="audit_command", required=True)
    log = asub.add_parser("log", help="list audit entries, oldest first")
    log.add_argument("--json", action="store_true", help="one JSON array")
    log.set_defaults(func=_audit_log)
    ver = asub.add_parser("verify", help="check the chain; exit 1 naming the first altered or missing row")
    ver.set_defaults(func=_audit_verify)


def open_engine():
    """The database engine for a governance command (``lift audit|privacy|model``); an
    unreachable database raises DatabaseUnavailable (exit 3)."""
    from lift.config import get_settings
    from lift.store.engine import check_connection, make_engine

    engine = make_engine(get_settings().db_url)
    check_connection(engine)
    return engine


def _audit_log(args) -> int:
    from lift.governance.audit import entries

    engine = open_engine()
    try:
        rows = entries(engine)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("audit log is empty")
    for r in rows:
        reason = f"  reason: {r['reason']}" if r["reason"] else ""
        print(f"#{r['seq']:<5} {r['at']}  {r['actor']:<12} {r['action']:<18} {r['target']}{reason}")
        if r["details"] not in ("{}", ""):
            print(f"       {r['details']}")
    return 0


def _audit_verify(args) -> int:
    from lift.governance.audit import verify

    engine = open_engine()
    try:
        result = verify(engine)
    finally:
        engine.dispose()
    if result.ok:
        print(f"audit log intact: {result.rows} rows, chain verified")
        return 0
    print(f"audit log TAMPERED: {result.problem}", file=sys.stderr)
    return 1
