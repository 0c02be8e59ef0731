"""Rasa tracker store that records micro-conversions in the same transaction as the events.

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
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from lift.measure.detector import ConversionDetector, Detection, KbVersionSource
from lift.measure.redaction import Redactor
from lift.measure.rules import ConversionsConfig, ConversionsConfigError, load_conversions
from lift.observability.drift import drift_from_settings
from lift.observability.metrics import chat_metrics
from lift.observability.server import serve_metrics
from lift.observability.turns import TurnObserver
from lift.store.engine import DatabaseUnavailable, check_connection, make_engine, safe_url
from lift.store.models import MicroConversion
from lift.store.schema import upgrade

if TYPE_CHECKING:
    from lift.config import Settings

logger = logging.getLogger(__name__)

# Keys SQLTrackerStore understands besides `host`; used to build a URL when endpoints.yml
# describes the database the Rasa way instead of with a full URL.
_SQL_KEYS = ("dialect", "port", "db", "username", "password", "query")

# Rasa builds a new tracker store on every `PUT /model` (rasa.core.agent.load_agent), i.e. on
# every `lift model promote|rollback`. Reading the domain files and the NLU drift baseline took
# ~2 s and ~7 s of that on a busy machine, for files that rarely change: they are kept per
# process, keyed by the files' paths, sizes and modification times.
_FILE_MEMO: dict = {}


def _files_signature(path: Path) -> tuple:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _memo(kind: str, path: Path, load, *extra: Any) -> Any:
    key = (kind, str(path), extra, _files_signature(path))
    if key not in _FILE_MEMO:
        for old in [k for k in _FILE_MEMO if k[:3] == key[:3]]:
            del _FILE_MEMO[old]  # the files changed: drop the stale entry
        _FILE_MEMO[key] = load()
    return _FILE_MEMO[key]


class TrackerStoreStartupError(RuntimeError):
    """The conversion tracker store cannot start; the message says why and what to fix."""


def _domain_names(domain: Domain):
    slots = [s.name for s in domain.slots]
    forms = list(domain.form_names)
    actions = list(domain.action_names_or_texts)
    return slots, forms, actions


class ConversionTrackerStore(SQLTrackerStore):
    """SQLTrackerStore + exactly-once micro-conversion rows (see lift.measure)."""

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
        from lift.rasa_plugins import speedups

        speedups.install()  # the tracker store is what every Lift Rasa server loads at start
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
        # Reads the NLU data: servers only, once per process (the same monitor carries on after a model switch).
        drift = (_memo("drift", settings.drift_baseline, lambda: drift_from_settings(settings), settings.drift_window)
                 if serve else None)
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
                    loaded = _memo("domain", path, lambda: Domain.load(str(path)))
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
        self._domain = domain

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store new events and the micro-conversions they complete, in one transaction."""
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
        """The new events and detections once committed, or None when nothing was new."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            events = list(tracker.events)
            if stored >= len(events):
                return None
            for event in events[stored:]:
                session.add(self._event_row(sender_id, event))
            detections = self._detector.detect(events, start=stored)
            if detections:
                self._insert_conversions(session, sender_id, detections)
            session.commit()
        logger.debug("Tracker %s stored (%d new events, %d conversion candidates)", sender_id, len(events) - stored, len(detections))
        return events[stored:], detections

    def _event_row(self, sender_id: str, event: Any) -> "SQLTrackerStore.SQLEvent":
        # Same row shape as SQLTrackerStore.save, so plain SQLTrackerStore reads it back.
        data = event.as_dict()
        if data.get("event") == "user":
            # Rasa stamps each event with its model_id; the knowledge-base version served at
            # this turn goes next to it (the manifest of the served index, re-read when swapped).
            kb_version = self._detector.kb_version_fallback()
            if kb_version:
                data["metadata"] = {**(data.get("metadata") or {}), "kb_version": kb_version}
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _insert_conversions(self, session, sender_id: str, detections: List[Detection]) -> None:
        rows = [d.as_row(sender_id) for d in detections]
        table = MicroConversion.__table__
        dialect = session.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            # A row that already exists (earlier turn, replay, concurrent writer) is skipped
            # by the database itself, without aborting the transaction holding the events.
            stmt = insert(table).on_conflict_do_nothing(index_elements=["sender_id", "name"])
            session.execute(stmt, rows)
            return
        existing = set(
            session.execute(
                sa.select(table.c.name).where(
                    table.c.sender_id == sender_id, table.c.name.in_([r["name"] for r in rows])
                )
            ).scalars()
        )
        for row in rows:
            if row["name"] in existing:
                continue
            try:
                with session.begin_nested():
                    session.execute(table.insert(), [row])
            except sa.exc.IntegrityError:
                logger.debug("micro-conversion %s/%s recorded concurrently", sender_id, row["name"])

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
