"""`lift report experiment`, `lift experiment` and `lift flag` on a real SQLite database,
through the console entry point (exit codes, messages, §8 JSON)."""
from __future__ import annotations

import datetime as dt
import json
import math

import pytest
import sqlalchemy as sa
from scipy.stats import chisquare, norm

from lift import cli
from lift.config import reset_settings
from lift.store.engine import make_engine
from lift.store.models import ExperimentAssignment, ExperimentChange, MicroConversion
from lift.store.schema import upgrade

T0 = dt.datetime(2026, 6, 1, 9, 0)


EXPERIMENTS = """
experiments:
  - name: greeting_copy
    surface: greeting
    status: running
    variants: [{name: control, weight: 50}, {name: shop_first, weight: 50}]
    metric: cart_item_added
    guardrails: [handoff_requested, {metric: lead_started, must_not: decrease}]
    min_sample: 200
  - name: greeting_emoji
    surface: greeting
    variants: [{name: control, weight: 50}, {name: emoji, weight: 50}]
    metric: cart_item_added
  - name: cross_sell_strategy
    surface: cross_sell
    variants: [{name: complement, weight: 50}, {name: "off", weight: 50}]
    metric: checkout_started
flags:
  - {name: cross_sell_offer, percent: 100}
"""


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'lift.db'}"
    (tmp_path / "experiments.yml").write_text(EXPERIMENTS)
    monkeypatch.setenv("LIFT_EXPERIMENTS", str(tmp_path / "experiments.yml"))
    monkeypatch.setenv("LIFT_DB_URL", url)
    reset_settings()
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
    reset_settings()


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def seed(engine, experiment, plan, metric="cart_item_added", extra=()):
    """plan: {variant: (n, conversions)}; conversions happen an hour after assignment."""
    a_rows, m_rows = [], []
    for variant, (n, conv) in plan.items():
        for i in range(n):
            sender = f"{experiment}-{variant}-{i}"
            a_rows.append({"sender_id": sender, "experiment": experiment, "variant": variant, "assigned_at": T0})
            if i < conv:
                m_rows.append(_conv(sender, metric, T0 + dt.timedelta(hours=1), variant))
    with engine.begin() as conn:
        conn.execute(sa.insert(ExperimentAssignment.__table__), a_rows)
        conn.execute(sa.insert(MicroConversion.__table__), m_rows + list(extra))


def _conv(sender, name, at, variant="control"):
    return {"sender_id": sender, "name": name, "occurred_at": at, "variant": variant, "channel": "rest",
            "kb_version": "none", "event_type": "slot"}


def test_json_report_has_the_spec_fields_and_right_numbers(db, capsys):
    seed(db, "greeting_copy", {"control": (400, 40), "shop_first": (380, 57)}, extra=[
        # converted before being assigned: must not count
        _conv("greeting_copy-control-399", "cart_item_added", T0 - dt.timedelta(days=1)),
        # another metric and an unassigned sender: must not count either
        _conv("greeting_copy-control-398", "product_viewed", T0 + dt.timedelta(hours=1)),
        _conv("stranger", "cart_item_added", T0 + dt.timedelta(hours=1)),
    ])
    code, out, err = run(capsys, "report", "experiment", "greeting_copy", "--metric", "cart_item_added", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["experiment"] == "greeting_copy" and report["metric"] == "cart_item_added"
    assert report["variants"] == [
        {"name": "control", "n": 400, "conversions": 40, "rate": 0.1},
        {"name": "shop_first", "n": 380, "conversions": 57, "rate": 0.15},
    ]
    (c,) = report["comparisons"]
    assert set(c) == {"variant", "baseline", "abs_lift", "rel_lift", "ci_low", "ci_high", "p_value"}
    assert c["variant"] == "shop_first" and c["baseline"] == "control"
    diff = 0.15 - 0.10
    se = math.sqrt(0.15 * 0.85 / 380 + 0.1 * 0.9 / 400)
    assert c["abs_lift"] == pytest.approx(diff) and c["rel_lift"] == pytest.approx(0.5)
    assert c["ci_low"] == pytest.approx(diff - 1.959963985 * se) and c["ci_high"] == pytest.approx(diff + 1.959963985 * se)
    assert c["p_value"] == pytest.approx(2 * norm.sf(diff / se))
    assert report["srm_p_value"] == pytest.approx(chisquare([400, 380]).pvalue)
    assert not report["srm_flagged"]
    assert [g["metric"] for g in report["guardrails"]] == ["handoff_requested", "lead_started"]
    assert report["decision"]["status"] in ("inconclusive", "winner")


def test_default_metric_text_output_and_srm_flag(db, capsys):
    seed(db, "greeting_copy", {"control": (1300, 130), "shop_first": (1000, 100)})
    code, out, _ = run(capsys, "report", "experiment", "greeting_copy")
    assert code == 0
    assert "metric cart_item_added" in out and "SAMPLE RATIO MISMATCH" in out
    assert "Decision: sample_ratio_mismatch" in out


def test_winner_needs_the_minimum_sample(db, capsys):
    seed(db, "greeting_copy", {"control": (150, 10), "shop_first": (150, 60)})
    report = json.loads(run(capsys, "report", "experiment", "greeting_copy", "--json")[1])
    assert report["comparisons"][0]["p_value"] < 0.001
    assert report["decision"]["status"] == "collecting_data" and report["decision"]["winner"] is None


def test_unknown_experiment_and_metric_exit_2_with_valid_names(db, capsys):
    code, _, err = run(capsys, "report", "experiment", "nope", "--json")
    assert code == 2 and "greeting_copy" in err and "cross_sell_strategy" in err
    code, _, err = run(capsys, "report", "experiment", "greeting_copy", "--metric", "sales")
    assert code == 2 and "unknown metric 'sales'" in err and "checkout_completed" in err


def test_experiment_only_in_the_database_is_reported_with_a_metric(db, capsys):
    seed(db, "legacy_test", {"b": (50, 5), "control": (50, 7)})
    code, _, err = run(capsys, "report", "experiment", "legacy_test")
    assert code == 2 and "--metric" in err
    report = json.loads(run(capsys, "report", "experiment", "legacy_test", "--metric", "cart_item_added", "--json")[1])
    assert [v["name"] for v in report["variants"]] == ["control", "b"]  # control is the baseline


def test_no_data_is_a_clear_message(db, capsys):
    code, out, _ = run(capsys, "report", "experiment", "cross_sell_strategy")
    assert code == 0 and "no data for experiment 'cross_sell_strategy'" in out
    code, out, err = run(capsys, "report", "experiment", "cross_sell_strategy", "--json")
    assert code == 0 and "no data" in err and json.loads(out)["decision"]["status"] == "no_data"


def test_database_down_exits_3(monkeypatch, capsys):
    monkeypatch.setenv("LIFT_DB_URL", "postgresql://lift@127.0.0.1:1/lift")
    reset_settings()
    try:
        for argv in (("report", "experiment", "aa_calibration"), ("flag", "set", "cross_sell_offer", "--percent", "5", "--reason", "r")):
            code, _, err = run(capsys, *argv)
            assert code == 3 and "cannot connect to database" in err
    finally:
        reset_settings()


def test_rollout_commands_record_who_what_why(db, capsys):
    code, _, err = run(capsys, "flag", "set", "cross_sell_offer", "--percent", "101", "--reason", "too much")
    assert code == 2 and "between 0 and 100" in err
    code, _, err = run(capsys, "flag", "set", "nope", "--percent", "10", "--reason", "r")
    assert code == 2 and "cross_sell_offer" in err
    assert run(capsys, "flag", "set", "cross_sell_offer", "--percent", "25", "--reason", "ramp", "--actor", "ana")[0] == 0
    assert run(capsys, "experiment", "start", "cross_sell_strategy", "--reason", "plan B", "--actor", "ana")[0] == 0
    code, _, err = run(capsys, "experiment", "ship", "greeting_copy", "purple", "--reason", "r")
    assert code == 2 and "control, shop_first" in err
    assert run(capsys, "experiment", "ship", "greeting_copy", "shop_first", "--reason", "won", "--actor", "bo")[0] == 0
    listing = json.loads(run(capsys, "experiment", "list", "--json")[1])
    status = {e["name"]: (e["status"], e["shipped_variant"]) for e in listing["experiments"]}
    assert status == {"greeting_copy": ("shipped", "shop_first"), "cross_sell_strategy": ("running", None),
                      "greeting_emoji": ("draft", None)}
    assert listing["flags"][0]["percent"] == 25
    code, _, err = run(capsys, "experiment", "start", "greeting_emoji", "--reason", "r")
    assert code == 2 and "both change surface 'greeting'" in err
    with db.connect() as conn:
        changes = conn.execute(sa.select(ExperimentChange.__table__).order_by(ExperimentChange.id)).all()
    assert [(c.actor, c.target, c.action, c.reason) for c in changes] == [
        ("ana", "cross_sell_offer", "set", "ramp"), ("ana", "cross_sell_strategy", "start", "plan B"),
        ("bo", "greeting_copy", "ship", "won")]
    assert json.loads(changes[0].detail) == {"before": {"percent": 100}, "after": {"percent": 25.0}}
