"""The metric objects of each process, created once into a registry.

``ChatMetrics`` lives in the Rasa process, ``ActionMetrics`` in the action server. Tests
build them into a fresh :class:`~prometheus_client.CollectorRegistry`; the servers use the
process-wide default (created lazily by :func:`chat_metrics` / :func:`action_metrics`).
"""
from __future__ import annotations

import threading
from typing import Optional

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

# A chat turn is "instant" under ~0.3 s and feels broken past a few seconds.
TURN_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
ACTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
SAVE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
# Purchase probabilities: the training base rate is ~0.16, so the low end is finer.
PROBABILITY_BUCKETS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)

OTHER = "other"


class ChatMetrics:
    """Metrics of the Rasa process (turns, NLU, dialogue, micro-conversions)."""

    def __init__(self, registry: Optional[CollectorRegistry] = REGISTRY) -> None:
        self.turn_duration = Histogram(
            "lift_turn_duration_seconds", "Time from a user message reaching a channel to the bot's answer.",
            ["channel"], buckets=TURN_BUCKETS, registry=registry)
        self.messages = Counter(
            "lift_messages", "User messages by predicted intent (domain intents, else 'other').",
            ["intent"], registry=registry)
        self.nlu_confidence = Histogram(
            "lift_nlu_confidence", "Confidence of the predicted intent of each user message.",
            buckets=CONFIDENCE_BUCKETS, registry=registry)
        self.fallbacks = Counter(
            "lift_fallbacks", "User turns that ended in a fallback (NLU, two-stage or default).",
            registry=registry)
        self.fallback_events = Counter(
            "lift_fallback_events", "Fallback steps by kind (nlu_fallback, two_stage, default).",
            ["kind"], registry=registry)
        self.handoffs = Counter(
            "lift_handoffs", "Conversations handed to a person (ConversationPaused).", registry=registry)
        self.actions = Counter(
            "lift_actions", "Actions run by the dialogue (domain actions, else 'other').",
            ["action"], registry=registry)
        self.micro_conversions = Counter(
            "lift_micro_conversions", "Micro-conversions recorded by the tracker store.",
            ["name", "variant", "channel"], registry=registry)
        self.review_items = Counter(
            "lift_review_items", "User turns queued for review, by reason (fallback, not_sure, handoff, low_confidence).",
            ["reason"], registry=registry)
        self.tracker_save = Histogram(
            "lift_tracker_save_duration_seconds", "Time to store one turn's events and micro-conversions.",
            buckets=SAVE_BUCKETS, registry=registry)
        self.tracker_save_errors = Counter(
            "lift_tracker_save_errors", "Tracker saves that raised.", registry=registry)
        # Gauges: with several workers (multiprocess mode) the worst worker's value is shown.
        self.intent_drift = Gauge(
            "lift_intent_drift", "Jensen-Shannon distance (base 2) of the last window's intents vs the baseline.",
            registry=registry, multiprocess_mode="max")
        # The durable spool of tracker saves made while the database was down
        # (lift.rasa_plugins.tracker_spool): one spool per process, shared by its workers.
        self.tracker_spool_depth = Gauge(
            "lift_tracker_spool_depth", "Tracker saves spooled to disk while the database was down, not replayed yet.",
            registry=registry, multiprocess_mode="max")
        self.tracker_spool_oldest = Gauge(
            "lift_tracker_spool_oldest_timestamp_seconds",
            "Time (Unix) the oldest spooled tracker save was written; the check's time when none waits.",
            registry=registry, multiprocess_mode="min")
        self.intent_drift_threshold = Gauge(
            "lift_intent_drift_threshold", "Drift above which LiftIntentDrift alerts (LIFT_DRIFT_THRESHOLD).",
            registry=registry, multiprocess_mode="max")


class ActionMetrics:
    """Metrics of the action server (custom actions and retrieval)."""

    def __init__(self, registry: Optional[CollectorRegistry] = REGISTRY) -> None:
        self.action_duration = Histogram(
            "lift_action_duration_seconds", "Time the action server took to run one action call.",
            ["action"], buckets=ACTION_BUCKETS, registry=registry)
        self.action_errors = Counter(
            "lift_action_errors", "Action calls answered with an error, by action and HTTP status.",
            ["action", "status"], registry=registry)
        self.retrieval = Counter(
            "lift_retrieval_answers", "Knowledge-base questions by outcome (answered, not_sure).",
            ["outcome"], registry=registry)
        self.retrieval_score = Histogram(
            "lift_retrieval_top_score", "Confidence of the best knowledge-base hit per question.",
            buckets=CONFIDENCE_BUCKETS, registry=registry)
        # The outbox (lift.notify.outbox), as its sender saw it after its last round. Every
        # action server sees the same table: max/min of the workers, never their sum.
        self.outbox_backlog = Gauge(
            "lift_outbox_backlog", "Outbox messages waiting to be delivered (queued or sending).",
            registry=registry, multiprocess_mode="max")
        self.outbox_failed = Gauge(
            "lift_outbox_failed", "Outbox messages given up on after the last attempt (status failed).",
            registry=registry, multiprocess_mode="max")
        self.outbox_oldest = Gauge(
            "lift_outbox_oldest_waiting_timestamp_seconds",
            "Creation time (Unix) of the oldest waiting outbox message; the check's time when none waits.",
            registry=registry, multiprocess_mode="min")
        self.outbox_deliveries = Counter(
            "lift_outbox_deliveries", "Outbox delivery attempts by outcome (sent, failed).",
            ["outcome"], registry=registry)
        self.purchase_probability = Histogram(
            "lift_purchase_probability", "Live purchase probability at each hesitation point scored, by signal "
            "source (chat: conversation only; page: with the web page's session signals).",
            ["source"], buckets=PROBABILITY_BUCKETS, registry=registry)


_lock = threading.Lock()
_chat: Optional[ChatMetrics] = None
_action: Optional[ActionMetrics] = None


def chat_metrics() -> ChatMetrics:
    """The Rasa process's metrics in the default registry (created on first use)."""
    global _chat
    with _lock:
        if _chat is None:
            _chat = ChatMetrics()
        return _chat


def action_metrics() -> ActionMetrics:
    """The action server's metrics in the default registry (created on first use)."""
    global _action
    with _lock:
        if _action is None:
            _action = ActionMetrics()
        return _action
