"""Forget a person: every conversation and record of theirs, in every table Lift and Rasa write,
and in Lift's own log files.

:func:`erase` finds the person's conversations (by email: leads, orders, profiles, Rasa events,
handoff summaries, the keyed email token in ``micro_conversions``, and conversations that mention
one of their order ids; or by one conversation id), then in one transaction:

* ``events``: each event keeps its type, intent/action name, time and ``model_id``; texts,
  entities, metadata and personal slot values are removed (:func:`.scrub.scrub_event`);
* every ``sender_id`` of theirs becomes ``erased-<keyed hash>`` in every table that has one, so
  per-conversation counts (the funnel) are unchanged but nothing links back to the person;
* ``micro_conversions.value`` is cleared (name, time, channel, variant stay);
* ``leads``/``orders``: name, email, company, address become ``[erased]`` (totals, items, dates
  stay); ``customer_profiles`` rows are deleted; handoff ticket summaries and the texts of
  review-queue items (``review_items``: what the person typed) are erased, labels stay;
* any other table (outbox, experiment assignments, ...) has its rows of those conversations
  renamed and masked, and every text column of every table is swept for the person's email and
  phone numbers. ``audit_log`` is never touched; the erasure is appended to it with a keyed
  reference and counts only.

Log files under ``LIFT_LOG_DIR`` are rewritten with the person's identifiers masked.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lift.governance import audit
from lift.governance.scrub import (ERASED, digits_variants, identifiers_in_event, mask_identifiers,
                                   scrub_event, sweepable)

SKIP_TABLES = frozenset({"audit_log", "audit_head", "alembic_version", "model_registry", "coupons"})
_KNOWN = ("events", "micro_conversions", "leads", "orders", "customer_profiles", "handoff_tickets", "review_items")
_ORDER_ID_RE = re.compile(r"^[A-Z]{2,5}\d{4,10}$")


class ErasureInputError(ValueError):
    """The email or conversation id given is malformed; the message says how."""


@dataclass
class ErasureResult:
    subject: str
    conversations: int = 0
    tables: Dict[str, int] = field(default_factory=dict)
    log_files: int = 0

    def as_dict(self) -> Dict[str, Any]:
        return {"subject": self.subject, "conversations": self.conversations,
                "tables": dict(sorted(self.tables.items())), "log_files": self.log_files}


def normalize_email(addr: Any) -> str:
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(addr, str) or not addr.strip():
        raise ErasureInputError("an email address is required")
    try:
        return validate_email(addr.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ErasureInputError(f"not a valid email address: {exc}") from None


def check_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 255 or any(ord(c) < 32 for c in sender):
        raise ErasureInputError("a conversation id must be 1-255 printable characters")
    return sender


def pseudonym(sender_id: str, key: str) -> str:
    if sender_id.startswith("erased-"):
        return sender_id
    return "erased-" + hmac.new(key.encode(), f"sender:{sender_id}".encode(), hashlib.sha256).hexdigest()[:20]


def _like(value: str) -> str:
    return "%" + value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains(col, value: str):
    return sa.func.lower(sa.cast(col, sa.Text)).like(_like(value), escape="\\")


class Eraser:
    """Erases a set of conversations inside one transaction (used by erasure and retention)."""

    def __init__(self, conn: Connection, key: str):
        self.conn = conn
        self.key = key
        self.meta = sa.MetaData()
        self.meta.reflect(bind=conn)
        self.tables = {n: t for n, t in self.meta.tables.items() if n not in SKIP_TABLES}
        self.changed: Dict[str, Set[Any]] = {}
        self.identifiers: Set[str] = set()
        self.strong: Set[str] = set()  # emails and phone numbers: swept in every table

    def _mark(self, table: str, pk: Any) -> None:
        self.changed.setdefault(table, set()).add(pk)

    def _select(self, table: str, *cols, where) -> List[Any]:
        t = self.tables.get(table)
        if t is None:
            return []
        return self.conn.execute(sa.select(*[t.c[c] for c in cols]).where(where(t))).all()

    # -- finding -------------------------------------------------------------------
    def senders_for_email(self, email: str) -> Set[str]:
        from lift.measure.redaction import Redactor

        found: Set[str] = set()
        eq = lambda t: sa.func.lower(t.c.email) == email  # noqa: E731
        for table in ("leads", "customer_profiles"):
            found.update(r[0] for r in self._select(table, "sender_id", where=eq))
        orders = self._select("orders", "sender_id", "order_id", where=eq)
        # An order whose email was changed from or to this address (order_changes keeps both).
        moved = {r[0] for r in self._select("order_changes", "order_id", where=lambda t: sa.or_(
            _contains(t.c.old_value, email), _contains(t.c.new_value, email)))}
        if moved:
            orders = list(orders) + self._select("orders", "sender_id", "order_id", where=lambda t: t.c.order_id.in_(moved))
        found.update(r[0] for r in orders if r[0])
        token = Redactor(self.key).email(email)
        found.update(r[0] for r in self._select("micro_conversions", "sender_id", where=lambda t: t.c.value == token))
        found.update(r[0] for r in self._select("events", "sender_id", where=lambda t: _contains(t.c.data, email)))
        found.update(r[0] for r in self._select("handoff_tickets", "sender_id", where=lambda t: _contains(t.c.summary, email)))
        found.update(r[0] for r in self._select("review_items", "sender_id", where=lambda t: _contains(t.c.text, email)))
        # Conversations linked through one of the person's orders (e.g. tracking it later).
        for _, order_id in orders:
            if _ORDER_ID_RE.match(order_id or ""):
                found.update(r[0] for r in self._select("events", "sender_id", where=lambda t, o=order_id: _contains(t.c.data, o)))
        return {s for s in found if s}

    def collect_identifiers(self, senders: Set[str], email: Optional[str]) -> None:
        if email:
            self.strong.add(email)
        ids: Set[str] = set()
        for (data,) in self._select("events", "data", where=lambda t: t.c.sender_id.in_(senders)):
            try:
                ids |= identifiers_in_event(json.loads(data))
            except (TypeError, ValueError):
                continue
        in_s = lambda t: t.c.sender_id.in_(senders)  # noqa: E731
        by_email = (lambda t: sa.or_(in_s(t), sa.func.lower(t.c.email) == email)) if email else in_s
        personal = lambda values: (v for v in values if isinstance(v, str) and v.strip() and v != ERASED)  # noqa: E731
        for table, cols in (("leads", ("person_name", "email", "company")), ("customer_profiles", ("email", "person_name"))):
            for row in self._select(table, *cols, where=by_email):
                ids.update(personal(row))
        orders = self._select("orders", "order_id", "email", "shipping_address", where=by_email)
        for _, email_, address in orders:
            ids.update(personal((email_, address)))
        # What their orders held before a change: the old email or address.
        order_ids = [r[0] for r in orders]
        for old, new in self._select("order_changes", "old_value", "new_value",
                                     where=lambda t: t.c.order_id.in_(order_ids)) if order_ids else []:
            for value in (old, new):
                values = (json.loads(value) if isinstance(value, str) else value) or {}
                ids.update(personal(values.get(k) for k in ("email", "shipping_address")))
        for ident in ids:
            if "@" in ident:
                self.strong.add(ident.lower())
            elif len(re.sub(r"\D", "", ident)) >= 7 and not re.search(r"[A-Za-z]", ident):
                self.strong.update(digits_variants(ident))
        self.identifiers = ids | self.strong

    # -- erasing -------------------------------------------------------------------
    def _update(self, table: str, pk_col: str, pk: Any, values: Dict[str, Any]) -> None:
        t = self.tables[table]
        self.conn.execute(sa.update(t).where(t.c[pk_col] == pk).values(**values))
        self._mark(table, pk)

    def erase_known(self, senders: Set[str], email: Optional[str]) -> None:
        names = {s: pseudonym(s, self.key) for s in senders}
        if "events" in self.tables:
            for pk, sid, data in self._select("events", "id", "sender_id", "data", where=lambda t: t.c.sender_id.in_(senders)):
                try:
                    clean = json.dumps(scrub_event(json.loads(data)))
                except (TypeError, ValueError):
                    clean = json.dumps({"event": None})
                self._update("events", "id", pk, {"data": clean, "sender_id": names[sid]})
        for pk, sid in self._select("micro_conversions", "id", "sender_id", where=lambda t: t.c.sender_id.in_(senders)):
            self._update("micro_conversions", "id", pk, {"sender_id": names[sid], "value": None})
        for table, pk_col, personal in (("leads", "id", ("person_name", "email", "company")),
                                         ("orders", "order_id", ("email", "shipping_address"))):
            def where(t):
                cond = t.c.sender_id.in_(senders)
                return sa.or_(cond, sa.func.lower(t.c.email) == email) if email else cond
            for pk, sid in self._select(table, pk_col, "sender_id", where=where):
                values = {c: ERASED for c in personal}
                if sid:
                    values["sender_id"] = names.get(sid) or pseudonym(sid, self.key)
                self._update(table, pk_col, pk, values)
        if "customer_profiles" in self.tables:
            t = self.tables["customer_profiles"]
            cond = t.c.sender_id.in_(senders)
            if email:
                cond = sa.or_(cond, sa.func.lower(t.c.email) == email)
            for (pk,) in self.conn.execute(sa.select(t.c.sender_id).where(cond)).all():
                self._mark("customer_profiles", pk)
            self.conn.execute(sa.delete(t).where(cond))
        for pk, sid in self._select("handoff_tickets", "id", "sender_id", where=lambda t: t.c.sender_id.in_(senders)):
            self._update("handoff_tickets", "id", pk, {"summary": ERASED, "sender_id": names[sid]})
        for pk, sid in self._select("review_items", "id", "sender_id", where=lambda t: t.c.sender_id.in_(senders)):
            self._update("review_items", "id", pk, {"text": ERASED, "sender_id": names[sid]})

    def run(self, senders: Set[str], email: Optional[str] = None) -> None:
        self.collect_identifiers(senders, email)
        self.erase_known(senders, email)
        self.erase_other_tables(senders)
        self.sweep()

    def counts(self) -> Dict[str, int]:
        names = (set(_KNOWN) & set(self.tables)) | set(self.changed)
        return {t: len(self.changed.get(t, ())) for t in sorted(names)}

    def _text_columns(self, t: sa.Table) -> List[sa.Column]:
        return [c for c in t.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON)) and not c.primary_key]

    def _mask_row(self, t: sa.Table, row: Any, identifiers: Iterable[str], extra: Dict[str, Any]) -> None:
        pk_cols = list(t.primary_key.columns)
        values = dict(extra)
        for c in self._text_columns(t):
            v = row._mapping[c.name]
            if v is None or c.name in values:
                continue
            if isinstance(c.type, sa.JSON) or not isinstance(v, str):
                new = json.loads(mask_identifiers(json.dumps(v), identifiers))
            else:
                new = mask_identifiers(v, identifiers)
            if new != v:
                values[c.name] = new
        if values:
            cond = sa.and_(*[pc == row._mapping[pc.name] for pc in pk_cols])
            self.conn.execute(sa.update(t).where(cond).values(**values))
            self._mark(t.name, tuple(row._mapping[pc.name] for pc in pk_cols))

    def erase_other_tables(self, senders: Set[str]) -> None:
        for name, t in self.tables.items():
            if name in _KNOWN or "sender_id" not in t.c or not t.primary_key.columns:
                continue
            for row in self.conn.execute(sa.select(t).where(t.c.sender_id.in_(senders))).all():
                sid = row._mapping["sender_id"]
                self._mask_row(t, row, self.identifiers, {"sender_id": pseudonym(sid, self.key)})

    def sweep(self) -> None:
        strong = sweepable(self.strong)
        if not strong:
            return
        for name, t in self.tables.items():
            if not t.primary_key.columns:
                continue
            for c in self._text_columns(t):
                cond = sa.or_(*[_contains(c, s) for s in strong])
                # A row that carries their email or phone is about them: mask every identifier
                # of theirs in it (a mail body's greeting names them too).
                for row in self.conn.execute(sa.select(t).where(cond)).all():
                    self._mask_row(t, row, self.identifiers, {})


def log_files(log_dirs: Iterable[Path]) -> List[Path]:
    files: List[Path] = []
    for d in log_dirs:
        d = Path(d)
        if d.is_dir():
            files.extend(p for p in sorted(d.rglob("*")) if p.is_file() and ".log" in p.name)
    return files


def scrub_log_files(paths: Iterable[Path], identifiers: Iterable[str]) -> int:
    """Rewrite each file in place with the identifiers masked; returns how many files changed.

    In place (not a new file renamed over it) so processes appending to the log keep writing
    into the file that is on disk.
    """
    idents = sweepable(identifiers)
    changed = 0
    for path in paths:
        try:
            with open(path, "r+", encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
                new = mask_identifiers(text, idents)
                if new != text:
                    f.seek(0)
                    f.write(new)
                    f.truncate()
                    changed += 1
        except OSError:
            continue
    return changed


def erase(engine: Engine, *, email: Optional[str] = None, sender: Optional[str] = None, key: str,
          actor: Optional[str] = None, reason: str = "", log_dirs: Iterable[Path] = ()) -> ErasureResult:
    """Erase by email (every conversation of the person) or by one conversation id.

    Raises :class:`ErasureInputError` on a malformed email/id. An unknown person is not an
    error: zero counts (and still an audit entry, so the request is on record).
    """
    if (email is None) == (sender is None):
        raise ErasureInputError("give exactly one of an email address or a conversation id")
    email = normalize_email(email) if email is not None else None
    sender = check_sender(sender) if sender is not None else None
    subject = audit.subject_ref("email", email, key) if email else audit.subject_ref("sender", sender, key)
    audit.ensure_tables(engine)
    with engine.begin() as conn:
        audit.lock_chain(conn)  # serialise with other governance writes; SQLite: take the write lock first
        er = Eraser(conn, key)
        senders = er.senders_for_email(email) if email else {sender}
        er.run(senders, email)
        result = ErasureResult(subject, conversations=len({s for s in senders if not s.startswith("erased-")}),
                               tables=er.counts())
        log_idents = er.identifiers | {s for s in senders if len(s) >= 5}
        audit.append_audit(conn, actor, "privacy.erase", subject, mask_identifiers(reason, er.identifiers),
                           result.as_dict())
    result.log_files = scrub_log_files(log_files(log_dirs), log_idents)
    return result
