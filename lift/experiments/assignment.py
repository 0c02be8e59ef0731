"""Sticky, deterministic assignment of conversations to variants, and feature-flag checks.

The variant is a hash of (experiment, salt, sender id) cut by the variant weights
(:func:`lift.measure.variants.variant_for`), so every process computes the same answer; the first
exposure writes it to ``experiment_assignments`` with insert-or-ignore on the unique
(sender_id, experiment) index, then reads back the stored row. Whatever is stored wins, so a
conversation keeps its variant even if weights change later or two processes race.

What ``variant`` (the slot, and so ``micro_conversions.variant``) holds: the conversation's
variant in the *first running experiment listed in experiments.yml*, or ``control`` when
none is running. Every experiment still has its own row; the report reads the rows.

Cost per turn: assignments already seen are cached per process (a dictionary lookup); a
returning conversation new to this process costs one indexed SELECT (is it assigned
already?; skipped for a conversation whose tracker has no earlier session), and a
first exposure is written by :class:`AssignmentWriter`, a background thread that batches
insert-or-ignore statements, so no commit (fsync) happens on the turn's path. Rollout state
(``lift experiment start|stop|ship``, ``lift flag set``) is re-read at most every
``state_ttl`` seconds.
"""
from __future__ import annotations

import atexit
import datetime as dt
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.experiments import canary
from lift.experiments.config import Experiment, ExperimentsConfig
from lift.store.engine import insert_ignoring_duplicates
from lift.store.models import ExperimentAssignment, ExperimentState, FlagState
from lift.store.schema import upgrade
from lift.measure.variants import DEFAULT_VARIANT, bucket, variant_for

_TABLE = ExperimentAssignment.__table__
# Surfaces assigned only where the behaviour is actually decided, not at session start: the model
# canary (lift.channels.canary routes and records), so a conversation is never recorded on the
# candidate while no canary process serves it.
EXPOSURE_ONLY_SURFACES = frozenset({canary.SURFACE})
logger = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass
class RolloutState:
    """Database overrides of experiments.yml (status, shipped variant, flag percent)."""

    status: Dict[str, str] = field(default_factory=dict)
    shipped: Dict[str, Optional[str]] = field(default_factory=dict)
    flag_percent: Dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, conn) -> "RolloutState":
        state = cls()
        for name, status, shipped in conn.execute(
            sa.select(ExperimentState.experiment, ExperimentState.status, ExperimentState.shipped_variant)
        ):
            state.status[name] = status
            state.shipped[name] = shipped
        for name, percent in conn.execute(sa.select(FlagState.flag, FlagState.percent)):
            state.flag_percent[name] = percent
        return state

    def status_of(self, exp: Experiment) -> str:
        return self.status.get(exp.name, exp.status)

    def shipped_of(self, exp: Experiment) -> Optional[str]:
        if exp.name in self.status:
            return self.shipped.get(exp.name)
        return exp.shipped_variant


def insert_ignore(conn, rows: List[dict]) -> None:
    """INSERT the assignment rows, skipping those whose (sender_id, experiment) exists."""
    insert_ignoring_duplicates(conn, _TABLE, rows, ["sender_id", "experiment"])


class AssignmentWriter:
    """Writes assignment rows off the turn path: one daemon thread, batched insert-or-ignore.

    A failed batch (database briefly unavailable) is retried with back-off; :meth:`flush`
    waits until everything queued so far is stored (tests, CLI, process exit)."""

    def __init__(self, engine: Engine, *, max_batch: int = 500, retries: int = 20, gather_s: float = 0.05):
        self.engine = engine
        self.gather_s = gather_s
        self.max_batch = max_batch
        self.retries = retries
        self._queue: "queue.Queue[dict]" = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="lift-assignment-writer", daemon=True)
        self._thread.start()
        atexit.register(self.flush, 10.0)

    def put(self, rows: List[dict]) -> None:
        for row in rows:
            self._queue.put(row)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until the queued rows are written; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            # Gather for a moment: one commit per burst instead of per row keeps this thread
            # (and its share of the GIL) out of the way of the turns being served.
            time.sleep(self.gather_s)
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)
            for _ in batch:
                self._queue.task_done()

    def _write(self, batch: List[dict]) -> None:
        for attempt in range(self.retries):
            try:
                with self.engine.begin() as conn:
                    insert_ignore(conn, batch)
                return
            except sa.exc.SQLAlchemyError as exc:
                logger.warning("writing %d experiment assignments failed (attempt %d): %s", len(batch), attempt + 1, exc)
                time.sleep(min(0.05 * 2**attempt, 2.0))
        logger.error("dropped %d experiment assignments after %d attempts", len(batch), self.retries)


class Assigner:
    """Assignment, behaviour lookup and flags for one process (created once, passed in)."""

    def __init__(
        self,
        engine: Engine,
        config: ExperimentsConfig,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        state_ttl: float = 2.0,
        cache_size: int = 200_000,
    ):
        self.engine = engine
        self.config = config
        self.clock = clock
        self.state_ttl = state_ttl
        self.cache_size = cache_size
        self._cache: Dict[tuple, str] = {}
        self._state: Optional[RolloutState] = None
        self._state_read_at = 0.0
        upgrade(engine)
        self.writer = AssignmentWriter(engine)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every first exposure seen so far is stored."""
        return self.writer.flush(timeout)

    # ----------------------------------------------------------------- rollout state
    def state(self) -> RolloutState:
        if self._state is None or time.monotonic() - self._state_read_at > self.state_ttl:
            with self.engine.connect() as conn:
                self._state = RolloutState.load(conn)
            self._state_read_at = time.monotonic()
        return self._state

    def refresh(self) -> None:
        """Forget the cached rollout state (after a change made in this process)."""
        self._state = None

    def running(self, now: Optional[dt.datetime] = None) -> List[Experiment]:
        now = now or self.clock()
        state = self.state()
        return [e for e in self.config.experiments if state.status_of(e) == "running" and e.in_window(now)]

    # ----------------------------------------------------------------- assignment
    def assign(self, sender_id: str, experiments: Optional[List[Experiment]] = None, *,
               new_conversation: bool = False) -> Dict[str, str]:
        """Variants of ``sender_id`` in every running experiment but those of
        :data:`EXPOSURE_ONLY_SURFACES` (or in ``experiments``), recording first exposures;
        ordered like experiments.yml.

        ``new_conversation``: the caller knows the sender has no earlier session (its tracker
        holds none), so nothing can be stored for it yet and the SELECT is skipped; the
        insert-or-ignore still lets an existing row win in the database."""
        now = self.clock()
        if experiments is None:
            experiments = [e for e in self.running(now) if e.surface not in EXPOSURE_ONLY_SURFACES]
        result: Dict[str, str] = {}
        missing: List[Experiment] = []
        for exp in experiments:
            known = self._cache.get((sender_id, exp.name))
            if known is None:
                missing.append(exp)
            else:
                result[exp.name] = known
        if missing:
            stored: Dict[str, str] = {}
            if not new_conversation:
                with self.engine.connect() as conn:
                    stored = dict(conn.execute(
                        sa.select(_TABLE.c.experiment, _TABLE.c.variant).where(
                            _TABLE.c.sender_id == sender_id, _TABLE.c.experiment.in_([e.name for e in missing])
                        )
                    ).all())
            new_rows = []
            for exp in missing:
                if exp.name not in stored:
                    stored[exp.name] = variant_for(sender_id, exp.weights, salt=exp.hash_salt)
                    new_rows.append({"sender_id": sender_id, "experiment": exp.name,
                                     "variant": stored[exp.name], "assigned_at": now})
            if new_rows:
                self.writer.put(new_rows)
            if len(self._cache) + len(stored) > self.cache_size:
                self._cache.clear()
            for name, variant in stored.items():
                self._cache[(sender_id, name)] = variant
            result.update(stored)
        return {e.name: result[e.name] for e in experiments if e.name in result}

    def slot_value(self, assignments: Dict[str, str]) -> str:
        """What the ``variant`` slot holds (see the module docstring)."""
        for exp in self.config.experiments:
            if exp.name in assignments:
                return assignments[exp.name]
        return DEFAULT_VARIANT

    def variant(self, sender_id: str, experiment: str) -> str:
        """The behaviour ``sender_id`` gets from ``experiment``: the shipped variant once
        shipped, the (sticky) assigned variant while running, else the baseline."""
        exp = self.config.experiment(experiment)
        state = self.state()
        status = state.status_of(exp)
        if status == "shipped":
            return state.shipped_of(exp) or exp.baseline
        if status == "running" and exp.in_window(self.clock()):
            return self.assign(sender_id, [exp])[exp.name]
        return exp.baseline

    def surface_experiment(self, surface: str) -> Optional[Experiment]:
        """The live (running in its window, or shipped) experiment on ``surface``, if any;
        experiments.yml allows at most one."""
        state, now = self.state(), self.clock()
        for exp in self.config.experiments:
            status = state.status_of(exp)
            if exp.surface == surface and (status == "shipped" or (status == "running" and exp.in_window(now))):
                return exp
        return None

    def surface_variant(self, sender_id: str, surface: str) -> Optional[str]:
        """The variant this conversation gets on ``surface`` (e.g. ``cross_sell``) from the
        live experiment there, or None when no experiment is live on it (default behaviour)."""
        exp = self.surface_experiment(surface)
        return None if exp is None else self.variant(sender_id, exp.name)

    def stored_variant(self, sender_id: str, experiment: str) -> Optional[str]:
        """The variant recorded for ``sender_id`` in ``experiment`` (any status), or None;
        nothing is written."""
        known = self._cache.get((sender_id, experiment))
        if known is not None:
            return known
        with self.engine.connect() as conn:
            return conn.execute(sa.select(_TABLE.c.variant).where(
                _TABLE.c.sender_id == sender_id, _TABLE.c.experiment == experiment)).scalar()

    # ----------------------------------------------------------------- flags
    def flag_on(self, name: str, sender_id: str, channel: Optional[str] = None, *, default: bool = True) -> bool:
        """Whether feature flag ``name`` is on for this conversation (sticky per sender);
        ``default`` when experiments.yml does not declare the flag."""
        try:
            flag = self.config.flag(name)
        except KeyError:
            return default
        if not flag.enabled:
            return False
        if flag.channels and channel not in flag.channels:
            return False
        percent = self.state().flag_percent.get(name, flag.percent)
        return bucket(sender_id, flag.hash_salt) * 100.0 < percent
