"""The model canary's routing decision (sticky, never mid-conversation) on a real SQLite database,
the experiments.yml rules of surface `model`, and the REST channel's mailbox for messages the bot
sends after a reply went out (reminders). The forwarding itself runs between real Rasa processes
in tests/integration/test_model_canary.py."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel

from lift.channels.canary import CanaryRouter, canary_routed
from lift.channels.pending import DeferredCollector, Mailbox
from lift.config import load_settings
from lift.experiments import canary
from lift.experiments.assignment import Assigner
from lift.experiments.config import ExperimentsConfigError, parse_experiments
from lift.experiments.rollout import set_experiment_status
from lift.measure.variants import variant_for
from lift.store.engine import make_engine
from lift.store.models import ExperimentAssignment

METRICS = ["checkout_started", "handoff_requested"]


def config(status="running", variants=("current", "candidate"), **params):
    return parse_experiments({"experiments": [{
        "name": "model_canary", "surface": "model", "status": status,
        "params": {"candidate_model": "candidate.tar.gz", **params},
        "variants": [{"name": v, "weight": 50} for v in variants], "metric": "checkout_started"}]}, METRICS)


@pytest.fixture
def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'lift.db'}")
    yield e
    e.dispose()


def router(engine, cfg):
    settings = load_settings({"LIFT_CANARY_URL": "http://127.0.0.1:5999"})
    return CanaryRouter(settings, assigner=Assigner(engine, cfg, state_ttl=0))


def expected(sender):
    return variant_for(sender, {"current": 50, "candidate": 50}, salt="model_canary:") == "candidate"


def test_routing_follows_the_sticky_assignment_and_records_it(engine):
    cfg = config()
    r = router(engine, cfg)
    senders = [f"s{i}" for i in range(40)]
    decisions = {s: r.decide(s) for s in senders}
    assert decisions == {s: expected(s) for s in senders} and 5 < sum(decisions.values()) < 35
    r.assigner().flush()
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(ExperimentAssignment.sender_id, ExperimentAssignment.variant)).all())
    assert rows == {s: "candidate" if decisions[s] else "current" for s in senders}


def test_stopping_the_experiment_keeps_running_conversations_on_their_model(engine):
    cfg = config()
    first = router(engine, cfg)
    on_candidate = next(s for s in (f"s{i}" for i in range(40)) if first.decide(s))
    first.assigner().flush()
    set_experiment_status(engine, cfg, "model_canary", "stop", actor="test", reason="enough data")
    fresh = router(engine, cfg)  # a restarted front Rasa: only the database remembers
    assert fresh.decide(on_candidate) is True
    newcomers = [f"new{i}" for i in range(30)]
    assert not any(fresh.decide(s) for s in newcomers)  # no new exposure once stopped


def test_shipping_the_candidate_sends_everyone_to_it(engine):
    cfg = config()
    set_experiment_status(engine, cfg, "model_canary", "ship", variant="candidate", actor="test", reason="it wins")
    r = router(engine, cfg)
    assert all(r.decide(f"s{i}") for i in range(20))


def test_without_a_canary_url_nothing_is_routed():
    async def on_new_message(message):  # pragma: no cover - identity check only
        return message

    assert canary_routed(on_new_message, load_settings({})) is on_new_message
    with pytest.raises(Exception, match="LIFT_CANARY_URL must be http://127.0.0.1:PORT"):
        load_settings({"LIFT_CANARY_URL": "http://10.0.0.5:5006"})


def test_experiments_yml_rules_for_the_model_surface():
    with pytest.raises(ExperimentsConfigError) as err:
        config(variants=("candidate", "current"), port=1)
    assert "needs exactly the variants current (first: the baseline) and candidate" in str(err.value)
    assert "unknown params key 'port'" in str(err.value)
    with pytest.raises(ExperimentsConfigError, match="params.candidate_model must name the candidate"):
        config(candidate_model="")
    assert canary.check_params({"candidate_model": "abc123"}, ["current", "candidate"]) == []


async def test_messages_sent_after_the_reply_wait_for_the_next_one():
    box = Mailbox(max_senders=2, max_messages=2)
    out = DeferredCollector(box)
    await out.send_text_message("alice", "during the request")
    out.closed = True  # the webhook replied
    for text in ("late 1", "late 2", "late 3"):
        await out.send_text_message("alice", text)
    assert [m["text"] for m in out.messages] == ["during the request"]
    assert [m["text"] for m in box.take("alice")] == ["late 2", "late 3"]  # bounded per sender
    assert box.take("alice") == []  # delivered once
    for sender in ("a", "b", "c"):
        box.put(sender, {"text": sender})
    assert box.take("a") == [] and box.take("c") == [{"text": "c"}]  # bounded in senders
    expired = Mailbox(ttl=0)
    expired.put("x", {"text": "old"})
    assert expired.take("x") == []
    assert isinstance(out, CollectingOutputChannel)


@pytest.fixture
def canary_cli(tmp_path, monkeypatch):
    """`lift model canary` in-process on a throwaway database, models dir and experiments.yml."""
    from lift.cli import main
    from lift.config import reset_settings

    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("LIFT_DB_URL", f"sqlite:///{tmp_path / 'lift.db'}")
    monkeypatch.setenv("LIFT_MODELS_DIR", str(models))
    experiments = tmp_path / "experiments.yml"
    monkeypatch.setenv("LIFT_EXPERIMENTS", str(experiments))

    def run(status: str, ref: str = "candidate.tar.gz"):
        experiments.write_text(
            "experiments:\n  - {name: model_canary, surface: model, status: %s, metric: checkout_started,\n"
            "     params: {candidate_model: %s},\n"
            "     variants: [{name: current, weight: 90}, {name: candidate, weight: 10}]}\n" % (status, ref))
        reset_settings()
        return main(["model", "canary"])

    yield run
    reset_settings()


def test_model_canary_command(canary_cli, capsys):
    assert canary_cli("draft") == 0 and capsys.readouterr().out == ""  # nothing live: make run starts no canary
    assert canary_cli("running", "nope.tar.gz") == 2
    err = capsys.readouterr().err
    assert "experiment model_canary: params.candidate_model: no model 'nope.tar.gz'" in err and "Traceback" not in err


def test_session_start_does_not_assign_the_model_experiment(engine):
    """Only the routing front records model-canary assignments: with no canary process running,
    `lift experiment start model_canary` must not put conversations on a candidate nobody serves."""
    cfg = parse_experiments({"experiments": [
        {"name": "model_canary", "surface": "model", "status": "running", "params": {"candidate_model": "c"},
         "variants": [{"name": "current", "weight": 50}, {"name": "candidate", "weight": 50}], "metric": "checkout_started"},
        {"name": "aa", "surface": "calibration", "status": "running",
         "variants": [{"name": "a1", "weight": 50}, {"name": "a2", "weight": 50}], "metric": "checkout_started"}]}, METRICS)
    assigner = Assigner(engine, cfg)
    assert set(assigner.assign("alice", new_conversation=True)) == {"aa"}
    assert assigner.surface_variant("alice", "model") in ("current", "candidate")  # where routing decides
    assigner.flush()
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.select(ExperimentAssignment.experiment)).scalars()) == ["aa", "model_canary"]
