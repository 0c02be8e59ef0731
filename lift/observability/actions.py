"""Action-server observations: action calls by name, knowledge-base outcomes, the outbox,
purchase probabilities."""
from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any, FrozenSet, Iterable, Optional

import yaml

from lift.observability.metrics import OTHER, ActionMetrics, action_metrics

logger = logging.getLogger(__name__)


def domain_action_names(domain_dir: Path) -> FrozenSet[str]:
    """Custom action names a domain declares (``actions:`` plus ``validate_<form>``)."""
    names = set()
    files = sorted(domain_dir.glob("*.yml")) if domain_dir.is_dir() else [domain_dir]
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            logger.warning("metrics: cannot read action names from %s: %s", path, exc)
            continue
        for name in data.get("actions") or []:
            names.add(name if isinstance(name, str) else next(iter(name)))
        for form in data.get("forms") or {}:
            names.add(f"validate_{form}")
    return frozenset(names)


class ActionObserver:
    """Records action calls on ``metrics``; action labels limited to ``known`` names."""

    def __init__(self, metrics: ActionMetrics, known: Iterable[str]) -> None:
        self.metrics = metrics
        self.known = frozenset(known)

    def label(self, action: Optional[str]) -> str:
        return action if action in self.known else OTHER

    def observe_call(self, action: Optional[str], status: int, seconds: float) -> None:
        label = self.label(action)
        self.metrics.action_duration.labels(label).observe(seconds)
        if status >= 400:
            self.metrics.action_errors.labels(label, str(status)).inc()


def observe_retrieval(assessment: Any, metrics: Optional[ActionMetrics] = None) -> None:
    """One knowledge-base question: answered or not sure, and the top hit's confidence."""
    m = metrics or action_metrics()
    try:
        m.retrieval.labels("answered" if assessment.answer is not None else "not_sure").inc()
        m.retrieval_score.observe(float(assessment.confidence))
    except Exception:  # noqa: BLE001 - metrics must not cost an answer
        logger.exception("metrics: could not record a retrieval")


def observe_outbox(report: Any, backlog: Any, metrics: Optional[ActionMetrics] = None,
                   now: Optional[float] = None) -> None:
    """One outbox round (``OutboxWorker(on_round=...)``): attempts by outcome, what still waits.

    ``report`` has ``sent``/``failed``, ``backlog`` ``waiting``/``failed``/``oldest_waiting``
    (lift.notify.outbox). With nothing waiting the oldest-waiting time is ``now`` (age 0)."""
    m = metrics or action_metrics()
    m.outbox_deliveries.labels("sent").inc(report.sent)
    m.outbox_deliveries.labels("failed").inc(report.failed)
    m.outbox_backlog.set(backlog.waiting)
    m.outbox_failed.set(backlog.failed)
    oldest = backlog.oldest_waiting
    m.outbox_oldest.set(oldest.replace(tzinfo=dt.timezone.utc).timestamp() if oldest is not None
                        else (time.time() if now is None else now))
def observe_purchase_probability(probability: float, with_page_session: bool,
                                 metrics: Optional[ActionMetrics] = None) -> None:
    """One turn's live purchase probability (label ``source``: ``page`` or ``chat``)."""
    m = metrics or action_metrics()
    try:
        m.purchase_probability.labels("page" if with_page_session else "chat").observe(float(probability))
    except Exception:  # noqa: BLE001 - metrics must not cost a reply
        logger.exception("metrics: could not record a purchase probability")
