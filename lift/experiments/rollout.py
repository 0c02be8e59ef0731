"""Rollout decisions: ``lift experiment start|stop|ship`` and ``lift flag set``.

Each decision updates ``experiment_state`` / ``flag_state`` (which override experiments.yml
for every process within ``Assigner.state_ttl`` seconds) and appends who/what/why to
``experiment_changes`` in the same transaction. ``RECORDERS`` is the hook for the audit log
(issue 12): every callable in it gets the change dict inside that transaction.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Callable, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.experiments.assignment import RolloutState, utcnow
from lift.experiments.config import ExperimentsConfig, overlaps, validate_percent
from lift.store.models import ExperimentChange, ExperimentState, FlagState
from lift.store.schema import upgrade

# Extra recorders called as f(connection, change_dict) inside the transaction (audit log hook).
RECORDERS: List[Callable] = []


class RolloutError(ValueError):
    """The change is not allowed (unknown name, overlap, bad variant or percent)."""


def _record(conn, *, actor: str, kind: str, target: str, action: str, before: dict, after: dict, reason: str,
            now: dt.datetime) -> dict:
    change = {"at": now, "actor": actor, "kind": kind, "target": target, "action": action,
              "detail": json.dumps({"before": before, "after": after}, sort_keys=True), "reason": reason}
    conn.execute(sa.insert(ExperimentChange.__table__), [change])
    for recorder in RECORDERS:
        recorder(conn, change)
    return change


def _upsert(conn, table, key: str, values: dict) -> None:
    updated = conn.execute(sa.update(table).where(table.c[key] == values[key]).values(**values)).rowcount
    if not updated:
        conn.execute(sa.insert(table), [values])


def set_experiment_status(engine: Engine, config: ExperimentsConfig, name: str, action: str, *,
                          actor: str, reason: str, variant: Optional[str] = None,
                          now: Optional[dt.datetime] = None) -> dict:
    """``action``: start | stop | ship (``variant`` required for ship)."""
    if not reason or not reason.strip():
        raise RolloutError("a --reason is required (it is recorded with the change)")
    try:
        exp = config.experiment(name)
    except KeyError:
        raise RolloutError(f"unknown experiment {name!r}; valid: {', '.join(config.experiment_names) or 'none configured'}") from None
    if action == "ship":
        if variant not in exp.variant_names:
            raise RolloutError(f"ship needs one of {exp.name}'s variants: {', '.join(exp.variant_names)} (got {variant!r})")
    elif variant is not None:
        raise RolloutError(f"{action} takes no variant")
    new_status = {"start": "running", "stop": "stopped", "ship": "shipped"}[action]
    now = now or utcnow()
    upgrade(engine)
    with engine.begin() as conn:
        state = RolloutState.load(conn)
        before = {"status": state.status_of(exp), "shipped_variant": state.shipped_of(exp)}
        statuses = {e.name: state.status_of(e) for e in config.experiments}
        statuses[exp.name] = new_status
        problems = [p for p in overlaps(config.experiments, statuses) if f"'{exp.name}'" in p]
        if problems:
            raise RolloutError("; ".join(problems))
        after = {"status": new_status, "shipped_variant": variant if action == "ship" else None}
        _upsert(conn, ExperimentState.__table__, "experiment",
                {"experiment": exp.name, "status": new_status, "shipped_variant": after["shipped_variant"], "updated_at": now})
        return _record(conn, actor=actor, kind="experiment", target=exp.name, action=action,
                       before=before, after=after, reason=reason.strip(), now=now)


def set_flag_percent(engine: Engine, config: ExperimentsConfig, name: str, percent: float, *,
                     actor: str, reason: str, now: Optional[dt.datetime] = None) -> dict:
    if not reason or not reason.strip():
        raise RolloutError("a --reason is required (it is recorded with the change)")
    try:
        flag = config.flag(name)
    except KeyError:
        raise RolloutError(f"unknown flag {name!r}; valid: {', '.join(config.flag_names) or 'none configured'}") from None
    try:
        validate_percent(percent)
    except ValueError as exc:
        raise RolloutError(str(exc)) from None
    now = now or utcnow()
    upgrade(engine)
    with engine.begin() as conn:
        state = RolloutState.load(conn)
        before = {"percent": state.flag_percent.get(name, flag.percent)}
        _upsert(conn, FlagState.__table__, "flag", {"flag": name, "percent": float(percent), "updated_at": now})
        return _record(conn, actor=actor, kind="flag", target=name, action="set",
                       before=before, after={"percent": float(percent)}, reason=reason.strip(), now=now)


def changes(engine: Engine, limit: int = 50) -> List[dict]:
    """Most recent rollout changes first."""
    upgrade(engine)
    t = ExperimentChange.__table__
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(t).order_by(t.c.id.desc()).limit(limit))]
