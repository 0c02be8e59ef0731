"""Metric recording from real Rasa events, the real domain and the real tracker store."""
from __future__ import annotations

import asyncio
import logging
import socket
import urllib.request
from pathlib import Path

import pytest
from prometheus_client import REGISTRY, CollectorRegistry
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from lift.config import Settings, load_settings
from lift.observability.actions import ActionObserver, domain_action_names, observe_retrieval
from lift.observability.metrics import ActionMetrics, ChatMetrics
from lift.observability.server import serve_metrics
from lift.observability.turns import TurnObserver, timed_turns
from lift.retrieval.retriever import Answer, Assessment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def observer(registry, rasa_domain) -> TurnObserver:
    obs = TurnObserver(ChatMetrics(registry))
    obs.set_domain(rasa_domain.intents, rasa_domain.action_names_or_texts)
    return obs


def user(text: str, intent: str, confidence: float = 0.9, channel: str = "rest") -> UserUttered:
    data = {"name": intent, "confidence": confidence}
    return UserUttered(text, intent=data, parse_data={"intent": data, "entities": [], "text": text},
                       input_channel=channel)


def value(registry, name, **labels):
    return registry.get_sample_value(name, labels) or 0.0


def test_messages_by_domain_intent_and_unknown_intents_are_other(observer, registry):
    observer.observe([user("hi", "greet", 0.97), ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
                      user("x", "some_made_up_intent", 0.4)])
    assert value(registry, "lift_messages_total", intent="greet") == 1
    assert value(registry, "lift_messages_total", intent="other") == 1
    assert value(registry, "lift_messages_total", intent="some_made_up_intent") == 0
    assert value(registry, "lift_nlu_confidence_count") == 2
    assert value(registry, "lift_nlu_confidence_sum") == pytest.approx(1.37)
    assert value(registry, "lift_nlu_confidence_bucket", le="0.5") == 1
    assert value(registry, "lift_actions_total", action="utter_greet") == 1
    assert value(registry, "lift_fallbacks_total") == 0


def test_fallback_counts_once_per_turn_with_its_kinds(observer, registry):
    # turn 1: NLU fallback answered by the two-stage fallback; turn 2: gives up (default fallback)
    observer.observe([user("asdf qwer", "nlu_fallback", 0.2), ActionExecuted("action_two_stage_fallback"),
                      ActionExecuted("action_listen")])
    observer.observe([user("zzz", "nlu_fallback", 0.1), ActionExecuted("action_two_stage_fallback"),
                      ActionExecuted("action_default_fallback"), ConversationPaused(),
                      ActionExecuted("action_listen")])
    assert value(registry, "lift_fallbacks_total") == 2
    assert value(registry, "lift_fallback_events_total", kind="nlu_fallback") == 2
    assert value(registry, "lift_fallback_events_total", kind="two_stage") == 2
    assert value(registry, "lift_fallback_events_total", kind="default") == 1
    assert value(registry, "lift_handoffs_total") == 1
    assert value(registry, "lift_messages_total", intent="nlu_fallback") == 2


def test_a_broken_event_is_logged_not_raised(observer, registry, caplog):
    class Odd:
        type_name = "user"
        intent = "not a dict"

    with caplog.at_level(logging.ERROR):
        observer.observe([Odd()])
    assert "could not record a turn" in caplog.text


async def _turn(store, sender, events):
    tracker = await store.get_or_create_tracker(sender)
    for ev in events:
        tracker.update(ev)
    await store.save(tracker)
    return tracker


def test_tracker_store_records_conversions_once_and_times_saves(tmp_path, rasa_domain):
    from lift.rasa_plugins.tracker_store import ConversionTrackerStore

    settings = Settings(root=ROOT, db_url=f"sqlite:///{tmp_path / 'lift.db'}", index_dir=tmp_path / "index")
    store = ConversionTrackerStore(domain=rasa_domain, settings=settings)
    labels = {"name": "lead_started", "variant": "b", "channel": "rest"}
    watched = [("lift_micro_conversions_total", labels), ("lift_messages_total", {"intent": "request_demo"}),
               ("lift_tracker_save_duration_seconds_count", {}), ("lift_actions_total", {"action": "lead_form"})]
    before = {(n, tuple(sorted(lbl.items()))): REGISTRY.get_sample_value(n, lbl) or 0.0 for n, lbl in watched}

    def delta(metric, **lbl):
        return (REGISTRY.get_sample_value(metric, lbl) or 0.0) - before[(metric, tuple(sorted(lbl.items())))]

    async def go():
        await _turn(store, "obs-1", [ActionExecuted("action_session_start"), SessionStarted(),
                                     SlotSet("variant", "b"), ActionExecuted("action_listen")])
        tracker = await _turn(store, "obs-1", [user("I want a demo", "request_demo"), ActionExecuted("lead_form"),
                                               ActiveLoop("lead_form"), ActionExecuted("action_listen")])
        await store.save(tracker)  # a re-save of the same events adds nothing

    try:
        asyncio.run(go())
    finally:
        store.engine.dispose()
    assert list(store.recorded("obs-1")) == ["lead_started"]
    assert delta("lift_micro_conversions_total", **labels) == 1
    assert delta("lift_messages_total", intent="request_demo") == 1
    assert delta("lift_actions_total", action="lead_form") == 1
    assert delta("lift_tracker_save_duration_seconds_count") == 4  # create, two turns, re-save


def test_timed_turns_observes_every_turn_even_a_failing_one(registry):
    metrics = ChatMetrics(registry)

    class Msg:
        def __init__(self, channel):
            self.input_channel = channel

    async def ok(message):
        await asyncio.sleep(0.01)
        return "done"

    async def boom(message):
        raise RuntimeError("broken turn")

    assert asyncio.run(timed_turns(ok, metrics)(Msg("rest"))) == "done"
    with pytest.raises(RuntimeError):
        asyncio.run(timed_turns(boom, metrics)(Msg("a-sender-chosen-channel")))
    assert value(registry, "lift_turn_duration_seconds_count", channel="rest") == 1
    # asyncio's timer may wake a tick early; the 10 ms sleep must still show up in the sum.
    assert value(registry, "lift_turn_duration_seconds_sum", channel="rest") >= 0.008
    assert value(registry, "lift_turn_duration_seconds_count", channel="other") == 1
    wrapped = timed_turns(ok, metrics)
    assert timed_turns(wrapped, metrics) is wrapped


def test_action_labels_come_from_the_domain(registry):
    names = domain_action_names(ROOT / "domain")
    assert {"action_answer_question", "action_request_handoff", "validate_lead_form"} <= names
    obs = ActionObserver(ActionMetrics(registry), names)
    obs.observe_call("action_answer_question", 200, 0.02)
    obs.observe_call("action_answer_question", 500, 0.03)
    obs.observe_call("action_not_in_domain", 404, 0.001)
    assert value(registry, "lift_action_duration_seconds_count", action="action_answer_question") == 2
    assert value(registry, "lift_action_errors_total", action="action_answer_question", status="500") == 1
    assert value(registry, "lift_action_errors_total", action="other", status="404") == 1
    assert value(registry, "lift_action_errors_total", action="action_not_in_domain", status="404") == 0


def test_retrieval_outcomes_and_top_score(registry):
    metrics = ActionMetrics(registry)
    answer = Answer("faq:1", "faq", "Returns", "30 days", 0.82, 0.5, "v1", "faq", {})
    observe_retrieval(Assessment(answer=answer, confidence=0.82, hits=[]), metrics)
    observe_retrieval(Assessment(answer=None, confidence=0.31, hits=[]), metrics)
    assert value(registry, "lift_retrieval_answers_total", outcome="answered") == 1
    assert value(registry, "lift_retrieval_answers_total", outcome="not_sure") == 1
    assert value(registry, "lift_retrieval_top_score_bucket", le="0.4") == 1
    assert value(registry, "lift_retrieval_top_score_sum") == pytest.approx(1.13)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_metrics_server_serves_once_and_a_busy_port_is_one_log_line(registry, caplog):
    ChatMetrics(registry).messages.labels("greet").inc()
    port = _free_port()
    assert serve_metrics(port, "test", addr="127.0.0.1", registry=registry)
    assert serve_metrics(port, "test", addr="127.0.0.1", registry=registry)  # second call: no-op
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        assert 'lift_messages_total{intent="greet"} 1.0' in resp.read().decode()

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with caplog.at_level(logging.WARNING):
            assert serve_metrics(taken, "test", addr="127.0.0.1", registry=registry) is False
    assert f"port {taken} is already in use" in caplog.text
    assert serve_metrics(0, "test") is False


def test_ports_are_read_in_config():
    s = load_settings({"LIFT_METRICS_PORT": "9200", "LIFT_ACTION_METRICS_PORT": "0"})
    assert (s.metrics_port, s.action_metrics_port) == (9200, 0)
    d = load_settings({})
    assert (d.metrics_port, d.action_metrics_port) == (9105, 9155)
