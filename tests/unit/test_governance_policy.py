"""governance.yml: the shipped file parses; every malformed key is named at once; the CLI turns a
bad policy into exit 2 with the message; event scrubbing keeps the conversation's shape only."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lift.governance.policy import PolicyError, load_policy, parse_policy
from lift.governance.scrub import identifiers_in_event, scrub_event

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_policy():
    p = load_policy(ROOT / "governance.yml")
    assert (p.anonymise_after_days, p.delete_after_days, p.handoff_summary) == (90, 365, "masked")
    assert p.gates["nlu.accuracy"] == 0.8 and p.tables["outbox"]["column"] == "created_at"


def test_every_problem_is_named():
    with pytest.raises(PolicyError) as err:
        parse_policy({"retention": {"conversations": {"anonymise_after_days": -1, "delete_after_days": "soon"},
                                    "tables": {"outbox": {"delete_after_days": 3}}},
                      "gates": {"nlu.accuracy": 1.5, "accuracy": 0.5}, "colour": "blue"})
    msg = str(err.value)
    for key in ("anonymise_after_days", "delete_after_days", "retention.tables.outbox", "gates.nlu.accuracy",
                "gates.accuracy", "colour"):
        assert key in msg, key
    with pytest.raises(PolicyError, match="delete_after_days must be >= anonymise_after_days"):
        parse_policy({"retention": {"conversations": {"anonymise_after_days": 30, "delete_after_days": 10}}})


def test_cli_exit_2_on_a_bad_policy(tmp_path):
    bad = tmp_path / "gov.yml"
    bad.write_text("gates: {nlu.accuracy: high}\n")
    env = {**os.environ, "LIFT_GOVERNANCE": str(bad), "LIFT_DB_URL": f"sqlite:///{tmp_path / 'x.db'}", "PYTHONPATH": str(ROOT)}
    for args in (["privacy", "purge"], ["model", "list"]):
        out = subprocess.run([sys.executable, "-m", "lift.cli", *args], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 2 and "gates.nlu.accuracy" in out.stderr and "Traceback" not in out.stderr


def test_scrub_event_keeps_shape_only():
    user = {"event": "user", "timestamp": 1.0, "text": "I'm Ann, ann@x.io", "input_channel": "rest",
            "parse_data": {"intent": {"name": "inform", "confidence": 0.9}, "text": "I'm Ann, ann@x.io",
                           "entities": [{"entity": "email", "value": "ann@x.io"}, {"entity": "person_name", "value": "Ann Lee"}]},
            "metadata": {"model_id": "m1", "assistant_id": "lift", "slack_user": "U123"}}
    assert identifiers_in_event(user) == {"ann@x.io", "Ann Lee"}
    clean = scrub_event(user)
    assert clean["text"] is None and clean["parse_data"] == {"intent": {"name": "inform", "confidence": 0.9},
                                                             "entities": [], "text": None}
    assert clean["metadata"] == {"model_id": "m1", "assistant_id": "lift"} and clean["input_channel"] == "rest"
    assert scrub_event({"event": "slot", "name": "email", "value": "ann@x.io"})["value"] is None
    assert scrub_event({"event": "slot", "name": "cart", "value": [{"sku": "A", "qty": 1}]})["value"] == [{"sku": "A", "qty": 1}]
    bot = scrub_event({"event": "bot", "text": "Thanks Ann", "data": {"buttons": [{"title": "Ann"}]}})
    assert bot["text"] is None and bot["data"] == {}
