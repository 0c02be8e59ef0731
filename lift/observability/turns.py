"""What one saved turn's events say, as metric observations (Rasa process).

:class:`TurnObserver` reads the events a tracker save adds (Rasa event objects, or anything
with the same ``type_name``/``intent``/``action_name`` attributes) and the micro-conversions
the detector found in them. :func:`timed_turns` wraps a channel's ``on_new_message`` so the
whole turn (NLU, policies, actions, save) is timed where the message arrives.
"""
from __future__ import annotations

import functools
import logging
import time
from typing import Any, Awaitable, Callable, Iterable, Optional, Sequence

from lift.observability.drift import IntentDrift
from lift.observability.metrics import OTHER, ChatMetrics, chat_metrics
from lift.store.models import DEFAULT_VARIANT

logger = logging.getLogger(__name__)

NLU_FALLBACK = "nlu_fallback"
NOT_SURE_RESPONSE = "utter_kb_not_sure"  # the knowledge base had no good-enough answer
FALLBACK_ACTIONS = {"action_offer_options": "offer_options", "action_two_stage_fallback": "two_stage",
                    "action_default_fallback": "default"}
CHANNELS = frozenset({"rest", "socketio", "slack", "facebook", "cmdline"})


def channel_label(channel: Optional[str]) -> str:
    return channel if channel in CHANNELS else OTHER


def fallback_kind(type_name: Optional[str], intent: Optional[str], action: Optional[str]) -> Optional[str]:
    """Which fallback step an event is (``nlu_fallback``, ``offer_options``, ``two_stage``,
    ``default``), or None. A user turn with at least one such step is a fallback turn; the
    metrics here and the dashboard's history (:mod:`.history`) both count turns this way."""
    if type_name == "user" and intent == NLU_FALLBACK:
        return NLU_FALLBACK
    if type_name == "action" and action in FALLBACK_ACTIONS:
        return FALLBACK_ACTIONS[action]
    return None


class TurnObserver:
    """Turns events into observations on ``metrics``; labels limited to the given names."""

    def __init__(self, metrics: ChatMetrics, intents: Iterable[str] = (), actions: Iterable[str] = (),
                 conversions: Iterable[str] = (), variants: Iterable[str] = (),
                 drift: Optional[IntentDrift] = None) -> None:
        self.metrics = metrics
        self.drift = drift
        self.set_domain(intents, actions)
        self.conversions = frozenset(conversions)
        self.variants = frozenset(variants)

    def set_domain(self, intents: Iterable[str], actions: Iterable[str]) -> None:
        self.intents = frozenset(intents) | {NLU_FALLBACK}
        self.actions = frozenset(actions) | set(FALLBACK_ACTIONS)

    def observe(self, new_events: Sequence[Any], detections: Sequence[Any] = (), review: Sequence[Any] = ()) -> None:
        """Record one save's new events (and the turns it queued for review, lift.observability.review);
        a metrics problem is logged, never raised to Rasa."""
        try:
            self._observe(new_events, detections)
            for item in review:
                self.metrics.review_items.labels(item.reason).inc()
        except Exception:  # noqa: BLE001 - metrics must not cost a conversation
            logger.exception("metrics: could not record a turn")

    def _observe(self, new_events: Sequence[Any], detections: Sequence[Any]) -> None:
        m = self.metrics
        fell_back = False  # per user turn: several fallback steps are still one fallback turn
        for ev in new_events:
            kind = getattr(ev, "type_name", None)
            if kind == "user":
                if fell_back:
                    m.fallbacks.inc()
                fell_back = False
                intent = (getattr(ev, "intent", None) or {})
                name = intent.get("name")
                label = name if name in self.intents else OTHER
                m.messages.labels(label).inc()
                if self.drift is not None:
                    distance = self.drift.add(label)
                    if distance is not None:
                        m.intent_drift.set(distance)
                confidence = intent.get("confidence")
                if isinstance(confidence, (int, float)):
                    m.nlu_confidence.observe(float(confidence))
                if fallback_kind(kind, name, None):
                    fell_back = True
                    m.fallback_events.labels(NLU_FALLBACK).inc()
            elif kind == "action":
                name = getattr(ev, "action_name", None)
                if not name:
                    continue  # end-to-end text predictions carry no action name
                m.actions.labels(name if name in self.actions else OTHER).inc()
                step = fallback_kind(kind, None, name)
                if step:
                    fell_back = True
                    m.fallback_events.labels(step).inc()
            elif kind == "pause":
                m.handoffs.inc()
        if fell_back:
            m.fallbacks.inc()
        for d in detections:
            name = d.name if not self.conversions or d.name in self.conversions else OTHER
            variant = str(d.variant or DEFAULT_VARIANT)[:64]
            if self.variants and variant not in self.variants:
                variant = OTHER
            m.micro_conversions.labels(name, variant, channel_label(d.channel)).inc()


OnNewMessage = Callable[[Any], Awaitable[Any]]


def timed_turns(on_new_message: OnNewMessage, metrics: Optional[ChatMetrics] = None) -> OnNewMessage:
    """``on_new_message`` that also observes ``lift_turn_duration_seconds{channel}``."""
    if getattr(on_new_message, "__lift_timed__", False):
        return on_new_message

    @functools.wraps(on_new_message)
    async def handle(message: Any) -> Any:
        start = time.perf_counter()
        try:
            return await on_new_message(message)
        finally:
            hist = (metrics or chat_metrics()).turn_duration
            hist.labels(channel_label(getattr(message, "input_channel", None))).observe(time.perf_counter() - start)

    handle.__lift_timed__ = True  # type: ignore[attr-defined]
    return handle
