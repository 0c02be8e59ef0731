"""Promote and roll back against a running Rasa: the next turn's events carry the switched-to
model's model_id, without a restart; a model below the gates is refused; rollback with nothing
to go back to changes nothing. Prints the measured switch times (request to confirmed switch).

The second model is the trained model re-packed with a new model_id (tests/support/models.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.models import clone_with_new_id, model_id_of
from tests.support.servers import MODEL, ROOT, LiftStack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("switch")
    models = base / "models"
    models.mkdir()
    a = models / "baseline.tar.gz"
    a.write_bytes(MODEL.read_bytes())
    b_id = clone_with_new_id(a, models / "candidate.tar.gz")
    (base / "results").mkdir()
    gov = base / "governance.yml"
    gov.write_text(f"evaluations: {{nlu: {base}/results/intent_report.json}}\ngates: {{nlu.accuracy: 0.85}}\n")
    env = {"LIFT_MODELS_DIR": str(models), "LIFT_GOVERNANCE": str(gov), "LIFT_OPERATOR": "release-bot"}
    with LiftStack(base / "stack", model=a, env=env) as stack:
        yield stack, base, model_id_of(a), b_id


def lift(stack, *args):
    env = {**stack.env, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "lift.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def served_by(stack, sender: str, text: str = "hi") -> str:
    stack.say(sender, text)
    users = [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    return users[-1]["metadata"]["model_id"]


def test_promote_and_rollback_switch_the_live_model(setup):
    stack, base, a_id, b_id = setup
    listed = json.loads(lift(stack, "model", "list", "--json").stdout)
    assert {m["model_id"] for m in listed} == {a_id, b_id}
    assert all(m["evaluations"]["nlu"] == "missing" and not m["active"] for m in listed)

    # No evidence: refused, nothing changes.
    refused = lift(stack, "model", "promote", "baseline.tar.gz")
    assert refused.returncode == 1 and "below the quality gates" in refused.stderr and "nlu.accuracy is missing" in refused.stderr
    assert not (base / "models" / "promoted.tar.gz").exists()
    # Forcing needs a reason.
    assert lift(stack, "model", "promote", "baseline.tar.gz", "--force").returncode == 2
    ok = lift(stack, "model", "promote", "baseline.tar.gz", "--force", "--reason", "baseline before gates existed", "--json")
    assert ok.returncode == 0, ok.stderr
    assert served_by(stack, "switch-1") == a_id

    # An evaluation written after the candidate was trained belongs to it; below the gate: refused.
    report = base / "results" / "intent_report.json"
    report.write_text(json.dumps({"accuracy": 0.62, "macro avg": {"f1-score": 0.6}}))
    low = lift(stack, "model", "promote", b_id[:10])
    assert low.returncode == 1 and "nlu.accuracy is 0.62" in low.stderr
    report.write_text(json.dumps({"accuracy": 0.91, "macro avg": {"f1-score": 0.9}}))
    promoted = lift(stack, "model", "promote", b_id[:10], "--reason", "better NLU", "--json")
    assert promoted.returncode == 0, promoted.stderr
    promote_switch = json.loads(promoted.stdout)["switch"]
    assert promote_switch["reached"] and promote_switch["served_model_id"] == b_id
    assert served_by(stack, "switch-1", "hello again") == b_id  # same conversation, next turn
    assert os.path.realpath(base / "models" / "promoted.tar.gz").endswith(f"{b_id}.tar.gz")

    back = lift(stack, "model", "rollback", "--reason", "conversion drop", "--json")
    assert back.returncode == 0, back.stderr
    rollback_switch = json.loads(back.stdout)["switch"]
    assert served_by(stack, "switch-1", "hi there") == a_id
    print(f"\nswitch time: promote {promote_switch['seconds']:.2f} s, rollback {rollback_switch['seconds']:.2f} s")

    # Only one model left on the stack: nothing to roll back to, nothing changes.
    again = lift(stack, "model", "rollback")
    assert again.returncode == 2 and "nothing to roll back to" in again.stderr
    assert served_by(stack, "switch-2") == a_id
    assert os.path.realpath(base / "models" / "promoted.tar.gz").endswith(f"{a_id}.tar.gz")

    log = json.loads(lift(stack, "audit", "log", "--json").stdout)
    actions = [e["action"] for e in log]
    assert actions.count("model.register") == 2 and actions.count("model.promote") == 2 and actions.count("model.rollback") == 1
    assert {e["actor"] for e in log} == {"release-bot"}
    assert lift(stack, "audit", "verify").returncode == 0
