"""The append-only, hash-chained ``audit_log``.

Each row stores ``prev_hash`` (the hash of the row before it) and ``hash`` = SHA-256 of the
canonical JSON of its own fields including ``prev_hash``. Changing any stored field breaks that
row's hash; deleting a row leaves a gap in ``seq`` (or, for the newest rows, disagrees with the
chain head in ``audit_head``). :func:`verify` walks the chain and names the first bad row.

Appends are serialised on the one-row ``audit_head`` table: the first statement of every append
is an ``UPDATE`` of that row, which takes PostgreSQL's row lock and SQLite's write lock, so two
writers can never read the same head and fork the chain. Use :func:`append_audit` with an engine
(own transaction) or with a session (the entry commits or rolls back with the caller's change).

Never put personal data in ``target``/``details``: pass :func:`subject_ref` of an email or id.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Union

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from lift.governance.redaction import mask
from lift.store.engine import session_scope
from lift.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(fields: Mapping[str, Any]) -> str:
    keys = ("seq", "at", "actor", "action", "target", "reason", "details", "prev_hash")
    return hashlib.sha256(canonical({k: fields[k] for k in keys}).encode("utf-8")).hexdigest()


def current_actor(operator: Optional[str] = None) -> str:
    """``LIFT_OPERATOR`` (via lift.config) or the OS user."""
    if operator is None:
        from lift.config import get_settings

        operator = get_settings().operator
    if operator:
        return operator
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry (containers)
        return "unknown"


def subject_ref(kind: str, value: str, key: Optional[str] = None) -> str:
    """A keyed, irreversible reference to a person (``email:1a2b...``) for audit targets."""
    if key is None:
        from lift.config import get_settings

        key = get_settings().redaction_key
    digest = hmac.new(key.encode(), f"{kind}:{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:16]}"


def ensure_tables(engine: Engine) -> None:
    """Migrate the database to the current schema when the audit tables are missing
    (Alembic revision ``0003_governance`` creates them and the chain head's genesis row)."""
    if not sa.inspect(engine).has_table("audit_head"):
        from lift.store.schema import upgrade

        upgrade(engine)


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lock_chain(session: Union[Session, Connection]) -> None:
    """Take the chain-head lock now (a no-op UPDATE) for a transaction that appends later."""
    session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))


def _append(session: Union[Session, Connection], actor: str, action: str, target: str, reason: str, details: Mapping[str, Any]) -> Dict[str, Any]:
    # The UPDATE is the lock: later appends wait here until this transaction ends.
    session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = session.execute(sa.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    fields = {
        "seq": int(head.seq), "at": _utc_now(), "actor": actor, "action": action, "target": target,
        "reason": reason, "details": canonical(dict(details)), "prev_hash": head.hash,
    }
    fields["hash"] = entry_hash(fields)
    session.execute(sa.insert(AuditEntry).values(**fields))
    session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(hash=fields["hash"]))
    return fields


def append_audit(
    engine_or_session: Union[Engine, Session, Connection],
    actor: Optional[str],
    action: str,
    target: str,
    reason: Optional[str] = None,
    details: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """Append one entry and return it (as stored). ``actor=None`` means :func:`current_actor`.

    With an engine the entry is committed before returning; with a session or connection it is
    part of the caller's transaction (and the chain head stays locked until that transaction ends).
    """
    if not action:
        raise ValueError("audit action must be non-empty")
    actor = actor or current_actor()
    # A reason is typed by people ("as asked by jane@..."): contact details never get in.
    reason = mask(reason or "")
    details = details or {}
    if isinstance(engine_or_session, (Session, Connection)):
        return _append(engine_or_session, actor, action, target, reason, details)
    ensure_tables(engine_or_session)
    with session_scope(engine_or_session) as s:
        return _append(s, actor, action, target, reason, details)


def record_rollout_change(conn: Connection, change: Mapping[str, Any]) -> None:
    """``lift.experiments.rollout.RECORDERS`` hook: an experiment or flag change, in its transaction."""
    try:
        detail = json.loads(change["detail"])
    except (TypeError, ValueError):
        detail = {"detail": str(change.get("detail"))}
    append_audit(conn, change["actor"], f"{change['kind']}.{change['action']}", f"{change['kind']}:{change['target']}",
                 change.get("reason") or "", detail)


def entries(engine: Engine) -> List[Dict[str, Any]]:
    ensure_tables(engine)
    cols = [c.name for c in AuditEntry.__table__.columns]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(AuditEntry).order_by(AuditEntry.seq)).mappings().all()
    return [{c: r[c] for c in cols} for r in rows]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    problem: Optional[str] = None
    bad_seq: Optional[int] = None


def verify(engine: Engine) -> VerifyResult:
    """Walk the chain; the first altered or missing row makes the result not ok and names it."""
    rows = entries(engine)
    prev = GENESIS
    expected_seq = 1
    for row in rows:
        if row["seq"] != expected_seq:
            missing = expected_seq if row["seq"] > expected_seq else row["seq"]
            return VerifyResult(False, len(rows), f"row {missing} is missing (found row {row['seq']} after row {expected_seq - 1})", missing)
        if row["prev_hash"] != prev:
            return VerifyResult(False, len(rows), f"row {row['seq']} does not link to row {row['seq'] - 1} (prev_hash altered or a row replaced)", row["seq"])
        if entry_hash(row) != row["hash"]:
            return VerifyResult(False, len(rows), f"row {row['seq']} was altered (its contents do not match its hash)", row["seq"])
        prev = row["hash"]
        expected_seq += 1
    with engine.connect() as conn:
        head = conn.execute(sa.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    last = expected_seq - 1
    if head is None:
        return VerifyResult(False, len(rows), "the chain head (audit_head) is missing", None)
    if head.seq != last or head.hash != prev:
        if head.seq > last:
            return VerifyResult(False, len(rows), f"row {last + 1} is missing (the chain head says the last row is {head.seq})", last + 1)
        return VerifyResult(False, len(rows), f"the chain head does not match row {last}", last)
    return VerifyResult(True, len(rows))

