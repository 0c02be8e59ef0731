"""The model as a variant, with real processes: the action server, a canary Rasa serving the
candidate from the model registry on loopback (what `lift model canary` names, as `make run`
starts it) and the front Rasa routing by the sticky assignment of experiment `model_canary`.
Conversations assigned to `candidate` get events with the candidate's model_id, the others the
current model's; stopping the experiment moves no running conversation; `lift report experiment`
compares the two models.

The candidate is the trained model re-packed with a new model_id (tests/support/models.py)."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa

from lift.measure.variants import variant_for
from lift.store.models import ExperimentAssignment
from tests.support.models import baseline_and_candidate, canary_experiments_yml
from tests.support.servers import MODEL, ROOT, VENV_BIN, LiftStack, base_env, texts


def lift(env, *argv):
    proc = subprocess.run([str(VENV_BIN / "python"), "-m", "lift.cli", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def senders(variant: str, prefix: str, n: int):
    found = (s for s in (f"{prefix}-{i}" for i in range(500))
             if variant_for(s, {"current": 50, "candidate": 50}, salt="model_canary:") == variant)
    return [next(found) for _ in range(n)]


def model_ids(stack, sender: str) -> set:
    return {e["metadata"]["model_id"] for e in stack.tracker(sender)["events"] if e["event"] in ("user", "bot")}


def test_candidate_model_serves_its_share_sticky_per_conversation(tmp_path):
    models = tmp_path / "models"
    current, current_id, _, candidate_id = baseline_and_candidate(models, MODEL, "current.tar.gz")
    experiments = tmp_path / "experiments.yml"
    experiments.write_text(canary_experiments_yml("product_viewed"))
    db_url = f"sqlite:///{tmp_path / 'lift.db'}"
    env = base_env(LIFT_DB_URL=db_url, LIFT_EXPERIMENTS=str(experiments), LIFT_MODELS_DIR=str(models))

    canary = json.loads(lift(env, "model", "canary", "--json"))  # resolved through the model registry
    assert canary["model_id"] == candidate_id and canary["weights"] == {"current": 50, "candidate": 50}
    assert Path(canary["archive"]) == (models / "registry" / f"{candidate_id}.tar.gz").resolve()

    on_candidate, on_current = senders("candidate", "cand", 3), senders("current", "curr", 3)
    with LiftStack(tmp_path / "stack", db_url=db_url, model=current, canary_model=Path(canary["archive"]),
                   env={"LIFT_EXPERIMENTS": str(experiments), "LIFT_MODELS_DIR": str(models)}) as stack:
        for sender in on_candidate + on_current:
            assert "Lift" in texts(stack.say(sender, "hi"))  # the canary's replies reach the shopper
            assert stack.say(sender, "show me headphones")
        for sender in on_candidate:
            assert model_ids(stack, sender) == {candidate_id}, sender
        for sender in on_current:
            assert model_ids(stack, sender) == {current_id}, sender

        lift(env, "experiment", "stop", "model_canary", "--reason", "enough data")
        time.sleep(2.5)  # the front re-reads rollout state every 2 s
        for sender in on_candidate:  # no conversation changes model mid-way
            stack.say(sender, "what's in my cart?")
            assert model_ids(stack, sender) == {candidate_id}, sender
        newcomers = senders("candidate", "late", 2)  # would be candidates, but exposure has stopped
        for sender in newcomers:
            stack.say(sender, "hi")
            assert model_ids(stack, sender) == {current_id}, sender

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(ExperimentAssignment.sender_id, ExperimentAssignment.variant)
                                 .where(ExperimentAssignment.experiment == "model_canary")).all())
    engine.dispose()
    assert rows == {**{s: "candidate" for s in on_candidate}, **{s: "current" for s in on_current}}
    report = json.loads(lift(env, "report", "experiment", "model_canary", "--metric", "product_viewed", "--json"))
    assert {v["name"]: v["n"] for v in report["variants"]} == {"current": 3, "candidate": 3}
    assert {v["name"]: v["conversions"] for v in report["variants"]} == {"current": 3, "candidate": 3}
