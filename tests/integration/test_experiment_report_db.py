"""The experiment report's SQL on both databases (SQLite file and PostgreSQL): n counts
assigned conversations, conversions only those recorded at or after assignment."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from lift.experiments.config import parse_experiments
from lift.experiments.report import ReportSpec, experiment_report
from lift.store.engine import make_engine
from lift.store.models import ExperimentAssignment, MicroConversion
from lift.store.schema import upgrade

T0 = dt.datetime(2026, 6, 1, 9, 0, 0, 123456)
EXP = parse_experiments({"experiments": [{
    "name": "exp", "surface": "s", "status": "running", "metric": "cart_item_added",
    "guardrails": ["handoff_requested"],
    "variants": [{"name": "control", "weight": 50}, {"name": "b", "weight": 50}]}]},
    ["cart_item_added", "handoff_requested"]).experiment("exp")


def conv(sender, name, at):
    return {"sender_id": sender, "name": name, "occurred_at": at, "variant": "control", "channel": "rest",
            "kb_version": "none", "event_type": "slot"}


def test_report_counts_on_a_real_database(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        assignments, conversions = [], []
        for variant, n, converted in (("control", 30, 6), ("b", 34, 17)):
            for i in range(n):
                sender = f"{variant}-{i}"
                assignments.append({"sender_id": sender, "experiment": "exp", "variant": variant, "assigned_at": T0})
                if i < converted:
                    conversions.append(conv(sender, "cart_item_added", T0 + dt.timedelta(microseconds=1)))
        conversions += [
            conv("control-29", "cart_item_added", T0 - dt.timedelta(microseconds=1)),  # before assignment
            conv("b-0", "handoff_requested", T0),  # at assignment time: counts
            conv("nobody", "cart_item_added", T0),  # never assigned
        ]
        assignments.append({"sender_id": "b-0", "experiment": "other", "variant": "control", "assigned_at": T0})
        with engine.begin() as conn:
            conn.execute(sa.insert(ExperimentAssignment.__table__), assignments)
            conn.execute(sa.insert(MicroConversion.__table__), conversions)
        report = experiment_report(engine, ReportSpec.from_experiment(EXP))
    finally:
        engine.dispose()
    assert report["variants"] == [{"name": "control", "n": 30, "conversions": 6, "rate": 0.2},
                                  {"name": "b", "n": 34, "conversions": 17, "rate": 0.5}]
    assert abs(report["comparisons"][0]["abs_lift"] - 0.3) < 1e-12
    guard = report["guardrails"][0]
    assert [(v["name"], v["conversions"]) for v in guard["variants"]] == [("control", 0), ("b", 1)]
