"""Both /metrics endpoints of a real stack (action server + Rasa with the project's
endpoints.yml and credentials.yml) after known REST conversations: exact counter deltas.

Intent payloads (``/intent``) make the deterministic parts independent of NLU accuracy; the
one free-text question's counts are checked against what its tracker says happened.
"""
from __future__ import annotations

import datetime as dt
import json
import time
import urllib.request
import uuid
from collections import Counter
from typing import Dict, Tuple

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from tests.support.servers import LiftStack, free_port, http

pytestmark = pytest.mark.e2e

Samples = Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float]


def scrape(port: int) -> Tuple[Samples, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, text


def delta(before: Samples, after: Samples, metric: str, **labels: str) -> float:
    key = (metric, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def total_delta(before: Samples, after: Samples, name: str) -> float:
    return sum(v for (n, _), v in after.items() if n == name) - sum(v for (n, _), v in before.items() if n == name)


DRIFT_WINDOW = 10
OUT_OF_DOMAIN = [
    "what is the capital of france", "how do I change a tire on my car", "give me a recipe for lasagna",
    "what's the weather in paris tomorrow", "who won the world cup in 2018", "translate good night into spanish",
    "how many calories are in a banana", "what time is it in tokyo", "set an alarm for 7am",
    "play some jazz music",
]


# Mail waiting in the outbox before the stack starts (created minutes ago), with the SMTP server
# down: the action server's first outbox round fails them all; one was on its last attempt.
OUTBOX_AGES_MIN = (30, 12, 1)
OUTBOX_LAST_CHANCE = 1


def seed_outbox(db_url: str) -> float:
    """Queue undeliverable mail; returns the creation time (Unix) of the oldest."""
    from lift.notify.outbox import MAX_ATTEMPTS, enqueue
    from lift.store.engine import session_scope
    from lift.store.models import utcnow
    from lift.store.schema import open_database

    engine = open_database(db_url)
    now = utcnow().replace(microsecond=0)
    with session_scope(engine) as s:
        for i, minutes in enumerate(OUTBOX_AGES_MIN + (90,) * OUTBOX_LAST_CHANCE):
            msg = enqueue(s, kind="order_confirmation", recipient=f"o{i}@example.com", subject="Your order", body="...")
            msg.created_at = now - dt.timedelta(minutes=minutes)
            msg.attempts = MAX_ATTEMPTS - 1 if minutes == 90 else 0
        s.commit()
    engine.dispose()
    return (now - dt.timedelta(minutes=max(OUTBOX_AGES_MIN))).replace(tzinfo=dt.timezone.utc).timestamp()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    work = tmp_path_factory.mktemp("metrics")
    # drift against a small known baseline so a 10-message window is meaningful
    (work / "drift_baseline.json").write_text(json.dumps({"greet": 50, "goodbye": 50}))
    env = {"LIFT_METRICS_PORT": str(free_port()), "LIFT_ACTION_METRICS_PORT": str(free_port()),
           "LIFT_DRIFT_BASELINE": str(work / "drift_baseline.json"), "LIFT_DRIFT_WINDOW": str(DRIFT_WINDOW),
           # no mail server; one delivery round at start (then only when an action queues mail)
           "LIFT_SMTP_URL": f"smtp://127.0.0.1:{free_port()}", "LIFT_OUTBOX_INTERVAL": "3600"}
    oldest = seed_outbox(f"sqlite:///{work / 'lift.db'}")
    with LiftStack(work, env=env) as st:
        st.outbox_oldest = oldest
        st.metrics_port = int(env["LIFT_METRICS_PORT"])
        st.action_metrics_port = int(env["LIFT_ACTION_METRICS_PORT"])
        yield st


def user_events(tracker):
    return [e for e in tracker["events"] if e["event"] == "user"]


def test_known_conversations_give_exact_deltas_on_both_endpoints(stack):
    rasa_before, _ = scrape(stack.metrics_port)
    act_before, _ = scrape(stack.action_metrics_port)
    run = uuid.uuid4().hex[:8]
    greeter, human, asker = f"m-greet-{run}", f"m-human-{run}", f"m-ask-{run}"

    stack.say(greeter, "/greet")
    stack.say(greeter, "/goodbye")
    stack.say(human, "/contact_human_agent")
    stack.say(asker, "how many days do I have to return something?")
    sent = 4
    # an action the server does not have: rasa-sdk answers 404, counted as an error
    status, _, _ = http("POST", f"{stack.action_url}/webhook?token={stack.action_token}",
                        {"next_action": "action_does_not_exist", "tracker": {"sender_id": "x", "events": []},
                         "domain": {}})
    assert status == 404

    rasa_after, rasa_text = scrape(stack.metrics_port)
    act_after, act_text = scrape(stack.action_metrics_port)
    trackers = {s: stack.tracker(s) for s in (greeter, human, asker)}

    # every user message: one observation of the turn histogram, one message by intent
    assert delta(rasa_before, rasa_after, "lift_turn_duration_seconds_count", channel="rest") == sent
    assert total_delta(rasa_before, rasa_after, "lift_messages_total") == sent
    intents = Counter(e["parse_data"]["intent"]["name"] for t in trackers.values() for e in user_events(t))
    assert intents["greet"] == 1 and intents["contact_human_agent"] == 1
    for intent, n in intents.items():
        assert delta(rasa_before, rasa_after, "lift_messages_total", intent=intent) == n, intent
    assert delta(rasa_before, rasa_after, "lift_nlu_confidence_count") == sent

    # one handoff (ConversationPaused), recorded as handoff_requested on the rest channel
    pauses = sum(1 for t in trackers.values() for e in t["events"] if e["event"] == "pause")
    assert pauses == 1
    assert delta(rasa_before, rasa_after, "lift_handoffs_total") == 1
    assert delta(rasa_before, rasa_after, "lift_fallbacks_total") == 0

    # micro-conversions: exactly the rows the tracker store wrote for these conversations
    engine = sa.create_engine(stack.db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, variant, channel FROM micro_conversions WHERE sender_id IN "
                                    "(:a, :b, :c)"), {"a": greeter, "b": human, "c": asker}).all()
    engine.dispose()
    assert ("handoff_requested" in {r[0] for r in rows}) and ("question_answered" in {r[0] for r in rows})
    for (name, variant, channel), n in Counter(map(tuple, rows)).items():
        assert delta(rasa_before, rasa_after, "lift_micro_conversions_total",
                     name=name, variant=variant, channel=channel) == n, name
    assert total_delta(rasa_before, rasa_after, "lift_micro_conversions_total") == len(rows)

    # action server: the custom actions these trackers ran, each timed once
    ran = Counter(e["name"] for t in trackers.values() for e in t["events"]
                  if e["event"] == "action" and e["name"] in ("action_answer_question", "action_request_handoff"))
    assert ran == {"action_answer_question": 1, "action_request_handoff": 1}
    for action, n in ran.items():
        assert delta(act_before, act_after, "lift_action_duration_seconds_count", action=action) == n
    assert delta(act_before, act_after, "lift_retrieval_answers_total", outcome="answered") == 1
    assert delta(act_before, act_after, "lift_retrieval_answers_total", outcome="not_sure") == 0
    assert delta(act_before, act_after, "lift_retrieval_top_score_count") == 1
    # the live purchase probability is scored only at a hesitation point (a cart shown with items in
    # it), never per user message: none of these turns is one
    assert total_delta(act_before, act_after, "lift_purchase_probability_count") == 0
    assert delta(act_before, act_after, "lift_action_errors_total", action="other", status="404") == 1
    assert total_delta(act_before, act_after, "lift_action_errors_total") == 1

    # no sender id or message text in any label; process metrics are there
    for text in (rasa_text, act_text):
        assert run not in text and "return something" not in text
        assert "process_cpu_seconds_total" in text
    assert "lift_tracker_save_duration_seconds_bucket" in rasa_text
    assert "lift_intent_drift_threshold 0.35" in rasa_text  # drift monitor built from data/nlu at start


def test_fallback_turn_is_counted_once(stack):
    before, _ = scrape(stack.metrics_port)
    me = f"m-fb-{uuid.uuid4().hex[:8]}"
    stack.say(me, "/nlu_fallback")
    after, _ = scrape(stack.metrics_port)
    actions = [e["name"] for e in stack.tracker(me)["events"] if e["event"] == "action"]
    assert "action_offer_options" in actions, actions  # the plain-words fallback (issue 9)
    assert delta(before, after, "lift_fallbacks_total") == 1
    assert delta(before, after, "lift_fallback_events_total", kind="nlu_fallback") == 1
    assert delta(before, after, "lift_messages_total", intent="nlu_fallback") == 1


def test_real_prometheus_scrapes_both_endpoints_and_answers_p95(stack, tmp_path):
    from tests.support.prometheus import Prometheus

    targets = {"lift-rasa": f"127.0.0.1:{stack.metrics_port}",
               "lift-actions": f"127.0.0.1:{stack.action_metrics_port}"}
    with Prometheus(tmp_path, targets) as prom:
        prom.wait_for('count(up{job=~"lift-.*"} == 1) == 2')  # both targets scraped
        up = prom.query('up{job=~"lift-.*"}')
        assert {(r["metric"]["job"], r["value"][1]) for r in up} == {("lift-rasa", "1"), ("lift-actions", "1")}
        me = f"m-prom-{uuid.uuid4().hex[:8]}"
        for message in ("/greet", "/goodbye", "/greet"):
            stack.say(me, message)
        p95 = prom.wait_for('histogram_quantile(0.95, sum by (le) (rate(lift_turn_duration_seconds_bucket[1m])))')
        assert 0 < float(p95[0]["value"][1]) < 60
        # the project's recording rule (ops/prometheus/alerts.yml) is evaluated too
        recorded = prom.wait_for("lift:turn_duration_seconds:p95_5m")
        assert 0 < float(recorded[0]["value"][1]) < 60
        greets = prom.wait_for('lift_messages_total{job="lift-rasa",intent="greet"}')
        assert float(greets[0]["value"][1]) >= 2


def test_out_of_domain_messages_raise_drift_in_domain_ones_do_not(stack):
    run = uuid.uuid4().hex[:8]
    for i in range(DRIFT_WINDOW):
        stack.say(f"m-in-{run}", "/greet" if i % 2 else "/goodbye")
    samples, _ = scrape(stack.metrics_port)
    in_domain = samples[("lift_intent_drift", ())]
    threshold = samples[("lift_intent_drift_threshold", ())]
    assert in_domain < threshold
    for i, text in enumerate(OUT_OF_DOMAIN):  # one sender each: a handoff would not stop the others
        stack.say(f"m-ood-{run}-{i}", text)
    samples, _ = scrape(stack.metrics_port)
    assert samples[("lift_intent_drift", ())] > threshold


def test_outbox_backlog_is_exported_exactly_by_the_action_server(stack):
    deadline = time.monotonic() + 60
    while True:  # the worker's first round runs as the action server starts
        samples, _ = scrape(stack.action_metrics_port)
        if ("lift_outbox_backlog", ()) in samples or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert samples[("lift_outbox_backlog", ())] == len(OUTBOX_AGES_MIN)
    assert samples[("lift_outbox_failed", ())] == OUTBOX_LAST_CHANCE
    assert samples[("lift_outbox_oldest_waiting_timestamp_seconds", ())] == stack.outbox_oldest
    assert samples[("lift_outbox_deliveries_total", (("outcome", "failed"),))] == len(OUTBOX_AGES_MIN) + OUTBOX_LAST_CHANCE
    assert samples[("lift_outbox_deliveries_total", (("outcome", "sent"),))] == 0


# Store questions the knowledge base has no answer for (from eval/retrieval_*.jsonl's nulls), and
# messages the trained model is unsure of. What each turn did is read off its tracker; the test
# needs every kind of review reason to occur at least once.
UNANSWERABLE = ["where is your physical store", "is there a student discount", "how tall is mount everest"]
UNSURE = ["asdf qwer", "the thing", "what time is it in tokyo"]
REVIEW_THRESHOLD = 0.5  # LIFT_REVIEW_CONFIDENCE's default


def expected_review(tracker):
    """What the review queue should hold for a conversation, read off its tracker (user text -> reason)."""
    out, current = {}, None
    for e in tracker["events"]:
        if e["event"] == "user":
            current = e
            intent = e["parse_data"]["intent"]
            if intent["name"] == "nlu_fallback":
                out[e["text"]] = {"fallback"}
            elif intent["confidence"] < REVIEW_THRESHOLD:
                out[e["text"]] = {"low_confidence"}
        elif current is None:
            continue
        elif e["event"] == "action" and e["name"] in ("action_offer_options", "action_two_stage_fallback",
                                                      "action_default_fallback"):
            out.setdefault(current["text"], set()).add("fallback")
        elif e["event"] == "bot" and (e.get("metadata") or {}).get("utter_action") == "utter_kb_not_sure":
            out.setdefault(current["text"], set()).add("not_sure")
        elif e["event"] == "pause":
            out.setdefault(current["text"], set()).add("handoff")
    order = ("fallback", "not_sure", "handoff", "low_confidence")
    return {text: next(r for r in order if r in reasons) for text, reasons in out.items()}


def review_cli(stack, *argv):
    import subprocess

    from tests.support.servers import ROOT, base_env

    return subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "lift.cli", "review", *argv],
                          env=base_env(LIFT_DB_URL=stack.db_url, PYTHONPATH=str(ROOT)), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_real_conversations_land_in_the_review_queue_and_export(stack, tmp_path):
    run = uuid.uuid4().hex[:8]
    # "/greet@0.3": Rasa's message handler gives greet at confidence 0.3, so one accepted
    # low-confidence turn does not depend on how the trained model scores free text.
    said = {f"r-fb-{run}": "/nlu_fallback", f"r-human-{run}": "/contact_human_agent", f"r-fine-{run}": "/greet",
            f"r-low-{run}": "/greet@0.3"}
    said.update({f"r-ask{i}-{run}": q for i, q in enumerate(UNANSWERABLE)})
    said.update({f"r-unsure{i}-{run}": q for i, q in enumerate(UNSURE)})
    before, _ = scrape(stack.metrics_port)
    for sender, text in said.items():
        stack.say(sender, text)
    after, _ = scrape(stack.metrics_port)
    engine = sa.create_engine(stack.db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, sender_id, text, reason, status FROM review_items WHERE sender_id LIKE :p"),
                            {"p": f"r-%-{run}"}).all()
    engine.dispose()
    queued = {(r.sender_id, r.text): r.reason for r in rows}
    expected = {(s, text): reason for s in said for text, reason in expected_review(stack.tracker(s)).items()}
    assert queued == expected
    assert queued[(f"r-fb-{run}", "/nlu_fallback")] == "fallback"
    assert queued[(f"r-human-{run}", "/contact_human_agent")] == "handoff"
    assert queued[(f"r-low-{run}", "/greet@0.3")] == "low_confidence"
    assert not any(s == f"r-fine-{run}" for s, _ in queued)
    assert set(queued.values()) == {"fallback", "not_sure", "handoff", "low_confidence"}, queued
    assert len(rows) == len(queued)  # one row per message
    for reason, n in Counter(queued.values()).items():
        assert delta(before, after, "lift_review_items_total", reason=reason) == n, reason
    assert total_delta(before, after, "lift_review_items_total") == len(rows)

    # the loop closes: a person labels the typed ones, export feeds the next training
    listed = json.loads(review_cli(stack, "list", "--limit", "1000", "--json").stdout)
    ids = {(i["sender_id"], i["text"]): i["id"] for i in listed}
    unsure_text = next(t for (s, t), reason in queued.items() if s.startswith("r-unsure") and reason != "not_sure")
    gib = next(ids[(s, t)] for (s, t) in queued if t == unsure_text)
    proc = review_cli(stack, "label", str(gib), "--intent", "out_of_scope")
    assert proc.returncode == 0, proc.stderr
    not_sure = next(ids[k] for k, reason in queued.items() if reason == "not_sure")
    assert review_cli(stack, "label", str(not_sure), "--intent", "ask_question", "--no-doc").returncode == 0
    bad = review_cli(stack, "label", str(gib), "--intent", "out_of_scop")
    assert bad.returncode == 2 and "out_of_scope" in bad.stderr
    nlu, dev = tmp_path / "nlu.yml", tmp_path / "dev.jsonl"
    proc = review_cli(stack, "export", "--nlu", str(nlu), "--retrieval", str(dev))
    assert proc.returncode == 0, proc.stderr
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    examples = {(m.get("text"), m.get("intent")) for m in RasaYAMLReader().read(str(nlu)).intent_examples}
    assert (unsure_text, "out_of_scope") in examples
    question = next(t for (s, t), reason in queued.items() if reason == "not_sure")
    assert (question, "ask_question") in examples
    assert {"question": question, "doc_id": None} in [json.loads(line) for line in dev.read_text().splitlines()]
