"""Rasa tracker store that records micro-conversions and the turns to review (issue 14's review
queue, lift.observability.review) in the same transaction as the events.

endpoints.yml::

    tracker_store:
      type: lift.rasa_plugins.tracker_store.ConversionTrackerStore
      # optional: url (a full SQLAlchemy URL; default LIFT_DB_URL via lift.config),
      # conversions (path, default LIFT_CONVERSIONS), domain_path, connect_timeout (s)

Start-up is deliberately loud. Rasa falls back to an in-memory store when a custom store
raises ``ImportError``/``AttributeError``, and retries a down database forever; a tracker
store that silently loses conversations or hangs at boot is worse than one that refuses
to start, so every start-up problem is raised as :class:`TrackerStoreStartupError` (or
:class:`~lift.store.engine.DatabaseUnavailable` /
:class:`~lift.measure.rules.ConversionsConfigError`),
which stops ``rasa run`` with the message.

Once running, a database that fails never loses a turn silently: saves go to a durable
spool and loads refuse the turn (see :mod:`.tracker_spool`); the store is not wrapped in
Rasa's in-memory ``FailSafeTrackerStore`` (:mod:`.resilience`).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from lift.measure.detector import ConversionDetector, KbVersionSource
from lift.measure.redaction import Redactor
from lift.measure.rules import ConversionsConfig, ConversionsConfigError, load_conversions
from lift.observability import health
from lift.observability.drift import drift_from_settings
from lift.observability.heap import freeze_startup_heap
from lift.observability.metrics import chat_metrics
from lift.observability.review import owning_user_index, review_candidates
from lift.observability.server import serve_metrics
from lift.observability.turns import TurnObserver
from lift.store.engine import (DatabaseUnavailable, check_connection, insert_ignoring_duplicates, make_engine,
                               safe_url)
from lift.store.files import FileMemo
from lift.store.models import MicroConversion, ReviewItem
from lift.store.schema import upgrade

from lift.rasa_plugins.tracker_spool import TrackerSpool, database_unreachable, event_row
from lift.rasa_plugins.tracker_window import load_events

if TYPE_CHECKING:
    from lift.config import Settings

logger = logging.getLogger(__name__)

# Keys SQLTrackerStore understands besides `host`; used to build a URL when endpoints.yml
# describes the database the Rasa way instead of with a full URL.
_SQL_KEYS = ("dialect", "port", "db", "username", "password", "query")

# Rasa builds a new tracker store on every `PUT /model` (rasa.core.agent.load_agent), i.e. on
# every `lift model promote|rollback`. Reading the domain files and the NLU drift baseline took
# ~2 s and ~7 s of that on a busy machine, for files that rarely change: they are kept per
# process and read again only when the files change (lift.store.files).
_FILE_MEMO = FileMemo()


class TrackerStoreStartupError(RuntimeError):
    """The conversion tracker store cannot start; the message says why and what to fix."""


def _domain_names(domain: Domain):
    slots = [s.name for s in domain.slots]
    forms = list(domain.form_names)
    actions = list(domain.action_names_or_texts)
    return slots, forms, actions


class ConversionTrackerStore(SQLTrackerStore):
    """SQLTrackerStore + exactly-once micro-conversion rows (see lift.measure)."""

    # Read by lift.rasa_plugins.resilience: never wrap this store in FailSafeTrackerStore.
    lift_handles_failures = True

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        conversions: Optional[Text] = None,
        domain_path: Optional[Text] = None,
        connect_timeout: Any = 5,
        settings: Optional["Settings"] = None,
        **kwargs: Any,
    ) -> None:
        from lift.governance import redaction
        from lift.rasa_plugins import resilience, speedups

        speedups.install()
        resilience.install()  # no in-memory fall-back; apologies when the DB / action server fail  # the tracker store is what every Lift Rasa server loads at start
        redaction.install()  # so from here on every log line of the Rasa process is masked
        sql_kwargs = {k: kwargs.pop(k) for k in _SQL_KEYS if k in kwargs}
        try:
            self._start(domain, host, event_broker, conversions, domain_path, connect_timeout, settings, sql_kwargs, kwargs)
        except (ConversionsConfigError, DatabaseUnavailable, TrackerStoreStartupError) as exc:
            logger.critical("Lift tracker store cannot start: %s", exc)
            raise
        except (AttributeError, ImportError) as exc:
            # Rasa would swallow these and silently keep conversations in memory.
            logger.critical("Lift tracker store cannot start: %r", exc)
            raise TrackerStoreStartupError(f"tracker store failed to start: {exc!r}") from exc

    def _start(self, domain, host, event_broker, conversions, domain_path, connect_timeout, settings, sql_kwargs, kwargs):
        from lift.config import _resolve_sqlite, get_settings

        # `settings` is for programmatic construction (tests, benchmarks); Rasa passes none,
        # and only a store Rasa built serves /metrics (LIFT_METRICS_PORT).
        serve = settings is None
        settings = settings or get_settings()
        conv_path = Path(conversions) if conversions else settings.conversions_file
        if not conv_path.is_absolute():
            conv_path = settings.root / conv_path
        config = load_conversions(conv_path)

        if domain is not None and not domain.is_empty():
            self._check_domain(config, domain, f"the domain given to {type(self).__name__}")
            known = domain
        else:
            known = files_domain = self._load_domain_files(settings.root, domain_path)
            if files_domain is not None:
                self._check_domain(config, files_domain, "the domain files")

        url = self._database_url(host, sql_kwargs, settings.db_url)
        url = _resolve_sqlite(url, settings.root)
        try:
            timeout = int(connect_timeout)
        except (TypeError, ValueError):
            raise TrackerStoreStartupError(f"connect_timeout must be a number of seconds, got {connect_timeout!r}") from None
        try:
            engine = make_engine(url, connect_timeout=timeout)
        except (sa.exc.ArgumentError, ValueError) as exc:
            raise TrackerStoreStartupError(f"invalid database URL {safe_url(url)}: {exc}") from None
        check_connection(engine)  # DatabaseUnavailable, within connect_timeout
        try:
            SQLTrackerStore.Base.metadata.create_all(engine)  # Rasa's events table
            upgrade(engine)  # Lift's tables, micro_conversions included
        except sa.exc.SQLAlchemyError as exc:
            raise TrackerStoreStartupError(
                f"cannot create tables in {safe_url(url)}: {exc.__class__.__name__}: {exc}"
            ) from exc

        self.engine = engine
        self.sessionmaker = sa.orm.sessionmaker(bind=engine)
        self.conversions: ConversionsConfig = config
        self._detector = ConversionDetector(
            config,
            Redactor(settings.redaction_key),
            KbVersionSource(settings.index_dir / "manifest.json"),
        )
        self._domain_checked = domain is not None and not domain.is_empty()
        self._review_confidence = settings.review_confidence  # review queue (lift.observability.review)
        # Reads the NLU data: servers only, once per process (the same monitor carries on after a model switch).
        drift = (_FILE_MEMO.get(settings.drift_baseline, lambda: drift_from_settings(settings),
                                ("drift", settings.drift_window)) if serve else None)
        self._observer = TurnObserver(chat_metrics(), conversions=config.names, drift=drift)
        self._observer.metrics.intent_drift_threshold.set(settings.drift_threshold)
        if known is not None:  # label names until the model's domain arrives (setter)
            self._observer.set_domain(known.intents, known.action_names_or_texts)
        if serve:
            # once per process; a busy port is only logged
            serve_metrics(settings.metrics_port, "Rasa", multiproc_dir=settings.prometheus_multiproc_dir)
        # SQLTrackerStore.__init__ would build its own engine and retry a dead database
        # forever; everything it sets up is done above, so go straight to TrackerStore.
        TrackerStore.__init__(self, domain, event_broker, **kwargs)
        self.window = settings.tracker_window
        self.spool = TrackerSpool(self, settings.spool_dir, settings.spool_retry, url, self._observer.metrics)
        self.spool.drain()  # turns a previous run spooled (the database answered just above)
        if serve:
            health.register("tracker_store", self.spool.health)
        logger.info(
            "Lift tracker store on %s: %d micro-conversion rules from %s",
            safe_url(url), len(config.rules), conv_path,
        )

    @staticmethod
    def _database_url(host: Optional[str], sql_kwargs: dict, default: str) -> str:
        if host and "://" in host:
            return host
        if host or sql_kwargs:
            port = sql_kwargs.get("port")
            return str(
                SQLTrackerStore.get_db_url(
                    dialect=sql_kwargs.get("dialect", "sqlite"),
                    host=host,
                    port=int(port) if port not in (None, "") else None,
                    db=sql_kwargs.get("db", "rasa.db"),
                    username=sql_kwargs.get("username"),
                    password=sql_kwargs.get("password"),
                    query=sql_kwargs.get("query"),
                ).render_as_string(hide_password=False)
            )
        return default

    @staticmethod
    def _load_domain_files(root: Path, domain_path: Optional[str]) -> Optional[Domain]:
        if domain_path:
            candidates = [Path(domain_path) if Path(domain_path).is_absolute() else root / domain_path]
        else:
            candidates = [root / "domain", root / "domain.yml"]
        for path in candidates:
            if path.exists():
                try:
                    loaded = _FILE_MEMO.get(path, lambda: Domain.load(str(path)), "domain")
                except Exception as exc:  # noqa: BLE001 - any Rasa domain error, reported as ours
                    raise TrackerStoreStartupError(f"cannot read the domain at {path}: {exc}") from exc
                return None if loaded.is_empty() else loaded
        if domain_path:
            raise TrackerStoreStartupError(f"domain_path {domain_path} does not exist")
        return None

    @staticmethod
    def _check_domain(config: ConversionsConfig, domain: Domain, what: str) -> None:
        slots, forms, actions = _domain_names(domain)
        try:
            config.validate_against(slots, forms, actions)
        except ConversionsConfigError as exc:
            raise ConversionsConfigError(f"{exc}\n(checked against {what})") from None

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        domain = domain or Domain.empty()
        if not domain.is_empty():
            try:
                self._check_domain(self.conversions, domain, "the loaded model's domain")
            except ConversionsConfigError as exc:
                logger.critical("Lift tracker store: %s", exc)
                if not self._domain_checked:
                    # Rasa calls this setter inside a `except Exception` that only logs
                    # (Agent.load_model); at start-up the server must not run half-broken.
                    raise SystemExit(f"Lift tracker store cannot start: {exc}") from None
                raise
            self._domain_checked = True
            self._observer.set_domain(domain.intents, domain.action_names_or_texts)
            # Rasa sets the domain right after loading the model: start-up is done (once per process).
            freeze_startup_heap()
        self._domain = domain

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._load(sender_id, full=False)

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._load(sender_id, full=True)

    async def _load(self, sender_id: Text, full: bool) -> Optional[DialogueStateTracker]:
        """The stored tracker, after replaying the spool; DatabaseUnavailable when either
        cannot be done (the caller must not go on with an empty or stale conversation)."""
        try:
            if self.spool.pending():
                self.spool.drain()
            if full:
                tracker = await SQLTrackerStore._retrieve(self, sender_id, fetch_events_from_all_sessions=True)
            else:
                with self.session_scope() as session:
                    events, windowed = load_events(self, session, sender_id, self.window)  # .tracker_window
                tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots) if events else None
                if windowed:  # its state prefix is not in the database: count it as stored
                    tracker._lift_window_base = len(tracker.events)
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            self.spool.mark(False)
            raise DatabaseUnavailable(f"cannot load conversation: {exc.__class__.__name__}") from exc
        self.spool.mark(True)
        if tracker is not None:
            self.spool.remember(tracker, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store new events, the micro-conversions they complete and the turns to review, in one
        transaction (or, when the database is unreachable, in the durable spool)."""
        start = time.perf_counter()
        try:
            observed = await self._save(tracker)
        except Exception:
            self._observer.metrics.tracker_save_errors.inc()
            raise
        self._observer.metrics.tracker_save.observe(time.perf_counter() - start)
        if observed:
            self._observer.observe(*observed)

    async def _save(self, tracker: DialogueStateTracker):
        """The new events, detections and review items once committed, or None when nothing was new."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        events = list(tracker.events)
        review: list = []
        try:
            if self.spool.pending():
                self.spool.drain()  # older turns first; still down: this one is spooled too
            with self.session_scope() as session:
                stored = getattr(tracker, "_lift_window_base", None)
                if stored is None and self.spool.known(tracker):
                    # loaded or saved by this store: that many of its events are in the database
                    # (the lock store serialises turns), so no COUNT query per turn
                    stored = self.spool.known(tracker)
                if stored is None:
                    stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
                if stored >= len(events):
                    return None
                owner = owning_user_index(events, stored)  # the turn's user message may be stored already
                dicts = [e.as_dict() for e in events[owner:]]
                for data in dicts[stored - owner:]:
                    session.add(event_row(self.SQLEvent, sender_id, self._stamp_kb_version(data)))
                detections = self._detector.detect(events, start=stored)
                if detections:
                    self.insert_conversions(session, sender_id, [d.as_row(sender_id) for d in detections])
                review = self.insert_reviews(session, sender_id, dicts, stored - owner)
                session.commit()
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            self.spool.mark(False)
            # What was loaded (or last saved) is stored; unknown: all of it (replay skips
            # events already stored).
            stored = min(self.spool.known(tracker), len(events))
            if stored >= len(events):
                return None
            detections = self._detector.detect(events, start=stored)
            self.spool.spool_turn(sender_id, events[stored:], detections)  # review items: on replay
        self.spool.remember(tracker, len(events))
        if getattr(tracker, "_lift_window_base", None) is not None:
            tracker._lift_window_base = len(events)
        logger.debug("Tracker %s stored (%d new events, %d conversion candidates)", sender_id, len(events) - stored, len(detections))
        return events[stored:], detections, review

    def insert_conversions(self, session, sender_id: str, rows: List[dict]) -> None:
        """Insert micro-conversion rows; a (sender_id, name) already recorded (earlier turn,
        replay, concurrent writer) is skipped by the database without aborting the transaction."""
        insert_ignoring_duplicates(session, MicroConversion.__table__, rows, ["sender_id", "name"])

    def _stamp_kb_version(self, data: dict) -> dict:
        """Rasa stamps each event with its model_id; the knowledge-base version served at this
        turn goes next to it on the user event (the served index's manifest, re-read when swapped)."""
        if data.get("event") == "user":
            kb_version = self._detector.kb_version_fallback()
            if kb_version:
                data["metadata"] = {**(data.get("metadata") or {}), "kb_version": kb_version}
        return data

    def insert_reviews(self, session, sender_id: str, dicts: List[dict], start: int) -> list:
        """Queue the turns among ``dicts[start:]`` a person should review (once per message)."""
        review = review_candidates(dicts, start, self._review_confidence)
        if review:
            insert_ignoring_duplicates(session, ReviewItem.__table__, [c.as_row(sender_id) for c in review],
                                       ["sender_id", "turn_key"])
        return review

    def recorded(self, sender_id: str) -> Iterable[str]:
        """Names recorded for a conversation (for tools and tests)."""
        table = MicroConversion.__table__
        with self.engine.connect() as conn:
            return [
                r[0]
                for r in conn.execute(
                    sa.select(table.c.name).where(table.c.sender_id == sender_id).order_by(table.c.id)
                )
            ]
