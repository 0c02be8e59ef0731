"""Retention: anonymise old conversations, delete older ones, expire tickets, extra tables and logs.

:func:`purge` is idempotent: an anonymised conversation's sender id starts with ``erased-`` and is
skipped, and deletions leave nothing to delete on the next run. A conversation's age is the time
of its latest event. Micro-conversion rows are never deleted (they are anonymous after the first
step), so funnel totals for past periods do not change.
"""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any, Dict, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.governance import audit
from lift.governance.erasure import Eraser
from lift.governance.policy import Policy, PolicyError


def _cutoff(days: int, now: float) -> float:
    return now - days * 86400


def _naive_utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).replace(tzinfo=None)


def purge(engine: Engine, policy: Policy, *, key: str, older_than_days: Optional[int] = None,
          now: Optional[float] = None, actor: Optional[str] = None, reason: str = "",
          log_dirs: Iterable[Path] = ()) -> Dict[str, Any]:
    """Apply the policy; returns ``{"tables": {table: rows changed}, "log_files_deleted": n, ...}``."""
    now = time.time() if now is None else now
    anon_days = older_than_days if older_than_days is not None else policy.anonymise_after_days
    audit.ensure_tables(engine)
    with engine.begin() as conn:
        audit.lock_chain(conn)
        er = Eraser(conn, key)
        tables: Dict[str, int] = {}
        events = er.tables.get("events")
        anonymised = 0
        if events is not None and anon_days is not None:
            last = sa.func.max(events.c.timestamp)
            old = {r[0] for r in conn.execute(
                sa.select(events.c.sender_id).group_by(events.c.sender_id).having(last < _cutoff(anon_days, now)))
                if not r[0].startswith("erased-")}
            if old:
                er.run(old)
                anonymised = len(old)
        tables.update({t: n for t, n in er.counts().items() if n})
        if events is not None and policy.delete_after_days is not None:
            last = sa.func.max(events.c.timestamp)
            old = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(last < _cutoff(policy.delete_after_days, now))
            n = conn.execute(sa.delete(events).where(events.c.sender_id.in_(old))).rowcount
            if n:
                tables["events (deleted)"] = n
        deletions = [("handoff_tickets", "created_at", policy.handoff_delete_after_days)]
        deletions += [(name, spec["column"], spec["delete_after_days"]) for name, spec in policy.tables.items()]
        for name, column, days in deletions:
            t = er.tables.get(name)
            if t is None or days is None:
                continue
            if column not in t.c:
                raise PolicyError(f"{policy.source}: table {name} has no column {column!r}")
            n = conn.execute(sa.delete(t).where(t.c[column] < _naive_utc(_cutoff(days, now)))).rowcount
            if n:
                tables[f"{name} (deleted)"] = n
        logs_deleted = 0
        if policy.logs_delete_after_days is not None:
            for d in log_dirs:
                for p in Path(d).rglob("*") if Path(d).is_dir() else ():
                    if p.is_file() and ".log" in p.name and p.stat().st_mtime < _cutoff(policy.logs_delete_after_days, now):
                        p.unlink()
                        logs_deleted += 1
        result = {"conversations_anonymised": anonymised, "tables": tables, "log_files_deleted": logs_deleted,
                  "anonymise_after_days": anon_days, "delete_after_days": policy.delete_after_days}
        audit.append_audit(conn, actor, "privacy.purge", "retention", reason, result)
    return result
