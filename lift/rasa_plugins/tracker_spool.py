"""The conversion tracker store's answer to a database that fails mid-turn.

Rasa wraps every tracker store in ``FailSafeTrackerStore``, which keeps a failed save in
memory (lost at the next restart, invisible to every other process) and turns a failed load
into a brand-new conversation. Lift's store is not wrapped (:mod:`.resilience`) and instead:

* **save** while the database is unreachable: the turn's new events and the
  micro-conversions they complete go to a durable spool on disk (:class:`lift.store.spool.
  Spool`, fsync'd before the save returns), so what the shopper was told is kept;
* **load** while the database is unreachable, or while older spooled turns cannot be
  replayed yet: raises :class:`~lift.store.engine.DatabaseUnavailable`; the processor
  (:mod:`.resilience`) answers the shopper with an apology before anything else is said;
* **replay**: every load and save first replays the spool, oldest first; a background task
  retries every ``LIFT_SPOOL_RETRY`` seconds until it is empty. Replay is idempotent: an
  event already stored (same conversation, type and timestamp) is skipped, and
  micro-conversions keep their unique ``(sender_id, name)`` index, so a replay repeated after
  a crash, or of a commit whose acknowledgement was lost, stores nothing twice.

A record the database rejects for another reason than being unreachable (it would block
the spool forever) is moved to ``<spool>/tracker-<db>-rejected.jsonl`` and logged as critical. Each database
has its own spool file (``tracker-<hash of its URL>.jsonl``).

Its depth and the time of its oldest record are exported as ``lift_tracker_spool_depth`` and
``lift_tracker_spool_oldest_timestamp_seconds`` (:mod:`lift.observability.metrics`), refreshed
whenever a turn is spooled, a replay is tried and ``/health`` is asked.
"""
from __future__ import annotations

import asyncio
import hashlib
import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from lift.observability.metrics import ChatMetrics
from lift.store.spool import Spool

logger = logging.getLogger(__name__)


# SQLite reports schema mistakes as OperationalError too; those are bugs, not outages.
_NOT_OUTAGES = ("no such table", "no such column", "syntax error", "has no column")


def database_unreachable(exc: BaseException) -> bool:
    """True for errors that mean "the database cannot be reached right now" (connection
    refused or lost, pool exhausted, SQLite file locked or unreadable)."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True
    if isinstance(exc, sa.exc.OperationalError):
        message = str(exc.orig if exc.orig is not None else exc).lower()
        return not any(s in message for s in _NOT_OUTAGES)
    return False


def event_row(model: Any, sender_id: str, data: Dict[str, Any]) -> Any:
    """Rasa's ``events`` row for one serialised event (same shape as SQLTrackerStore.save)."""
    return model(
        sender_id=sender_id,
        type_name=data.get("event"),
        timestamp=data.get("timestamp"),
        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
        action_name=data.get("name"),
        data=json.dumps(data),
    )


def _conversion_row(row: Dict[str, Any]) -> Dict[str, Any]:
    row = dict(row)
    when = row.get("occurred_at")
    if isinstance(when, str):
        row["occurred_at"] = dt.datetime.fromisoformat(when)
    return row


class TrackerSpool:
    """The spool half of :class:`~lift.rasa_plugins.tracker_store.ConversionTrackerStore`.

    ``store`` provides ``session_scope()``, ``SQLEvent``, ``insert_conversions(session,
    sender_id, rows)`` and ``insert_reviews(session, sender_id, event_dicts, start)``.
    """

    def __init__(self, store: Any, directory: Path, retry_seconds: int, database: str,
                 metrics: Optional[ChatMetrics] = None) -> None:
        self.store = store
        self.metrics = metrics
        # one spool per database: a record is only ever replayed into the database it missed
        key = hashlib.sha256(database.encode()).hexdigest()[:12]
        self.spool = Spool(directory, f"tracker-{key}")
        self.rejected = Spool(directory, f"tracker-{key}-rejected")
        self.retry_seconds = retry_seconds
        self.database_up = True
        self.down_since: Optional[float] = None
        self._drainer: Optional[asyncio.Task] = None

    # -- state ---------------------------------------------------------------------
    @staticmethod
    def known(tracker: Any) -> int:
        """Events of this tracker object known to be kept (loaded, saved or spooled); 0 if
        unknown (then all are spooled, and replay skips those already stored)."""
        return getattr(tracker, "_lift_kept_events", 0)

    @staticmethod
    def remember(tracker: Any, count: int) -> None:
        tracker._lift_kept_events = count

    def pending(self) -> bool:
        return self.spool.path.exists()

    def mark(self, up: bool) -> None:
        if up and not self.database_up:
            logger.warning("tracker store: database reachable again after %.1f s", time.monotonic() - (self.down_since or 0))
        if not up and self.database_up:
            self.down_since = time.monotonic()
        self.database_up = up
        if up:
            self.down_since = None

    def observe(self) -> int:
        """Spooled turns waiting to be replayed; sets the spool gauges too."""
        records = self.spool.records() if self.pending() else []
        if self.metrics is not None:
            now = time.time()
            self.metrics.tracker_spool_depth.set(len(records))
            self.metrics.tracker_spool_oldest.set(min((float(r.get("spooled_at") or now) for r in records), default=now))
        return len(records)

    def health(self) -> Dict[str, Any]:
        depth = self.observe()
        return {
            "ok": self.database_up and depth == 0,
            "database": "up" if self.database_up else "down",
            "spool_depth": depth,
            "rejected": self.rejected.depth(),
        }

    # -- writing -------------------------------------------------------------------
    def spool_turn(self, sender_id: str, events: List[Any], detections: List[Any]) -> None:
        """Keep a turn the database could not take; fsync'd before this returns."""
        self.spool.append({
            "sender_id": sender_id,
            "spooled_at": time.time(),
            "events": [e.as_dict() for e in events],
            "conversions": [d.as_row(sender_id) for d in detections],
        })
        self.observe()
        logger.error(
            "tracker store: database unreachable, %d events and %d micro-conversion candidates of a turn "
            "spooled to %s (replayed when it is back)", len(events), len(detections), self.spool.path,
        )
        self.ensure_drainer()

    # -- replaying -----------------------------------------------------------------
    def drain(self) -> int:
        """Replay everything spooled; raises the database error when it is still down."""
        try:
            done = self.spool.drain(self._apply)
        except Exception as exc:
            if database_unreachable(exc):
                self.mark(False)
            raise
        finally:
            self.observe()
        if done:
            logger.warning("tracker store: replayed %d spooled turns", done)
        self.mark(True)
        return done

    def _apply(self, rec: Dict[str, Any]) -> None:
        try:
            self._replay(rec)
        except Exception as exc:  # noqa: BLE001 - classified below
            if database_unreachable(exc):
                raise
            logger.critical(
                "tracker store: spooled turn %s rejected by the database (%s: %s); moved to %s",
                rec.get("id"), exc.__class__.__name__, str(exc).splitlines()[0] if str(exc) else "", self.rejected.path,
            )
            self.rejected.append({"record": rec, "error": f"{exc.__class__.__name__}: {exc}"[:2000]})

    def _replay(self, rec: Dict[str, Any]) -> None:
        sender_id = rec["sender_id"]
        events: List[Dict[str, Any]] = rec.get("events") or []
        model = self.store.SQLEvent
        with self.store.session_scope() as session:
            if events:
                first = min(float(e.get("timestamp") or 0) for e in events)
                stored = {
                    (t, ts)
                    for t, ts in session.query(model.type_name, model.timestamp).filter(
                        model.sender_id == sender_id, model.timestamp >= first
                    )
                }
                for data in events:
                    if (data.get("event"), data.get("timestamp")) not in stored:
                        session.add(event_row(model, sender_id, data))
            rows = [_conversion_row(r) for r in rec.get("conversions") or []]
            if rows:
                self.store.insert_conversions(session, sender_id, rows)
            self.store.insert_reviews(session, sender_id, events, 0)
            session.commit()

    def ensure_drainer(self) -> None:
        """Start the background retry loop (needs a running event loop; a no-op otherwise)."""
        if self._drainer is not None and not self._drainer.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._drainer = loop.create_task(self._drain_loop())

    async def _drain_loop(self) -> None:
        while self.pending():
            await asyncio.sleep(self.retry_seconds)
            try:
                await asyncio.to_thread(self.drain)
            except Exception as exc:  # noqa: BLE001 - retried; anything else is logged
                if not database_unreachable(exc):
                    logger.exception("tracker store: replaying the spool failed")
        self.observe()
