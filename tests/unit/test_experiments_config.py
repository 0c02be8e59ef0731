"""experiments.yml: the shipped file is valid, and every kind of mistake is reported clearly."""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from lift.measure.rules import load_conversions
from lift.experiments.config import (
    ExperimentsConfigError,
    load_experiments,
    overlaps,
    parse_experiments,
)

ROOT = Path(__file__).resolve().parents[2]
METRICS = load_conversions(ROOT / "conversions.yml").names

GOOD = {
    "version": 1,
    "experiments": [
        {
            "name": "greeting_copy", "surface": "greeting", "status": "running",
            "variants": [{"name": "control", "weight": 50}, {"name": "short", "weight": 50}],
            "metric": "cart_item_added", "guardrails": ["handoff_requested"],
        }
    ],
    "flags": [{"name": "cross_sell_offer", "percent": 25, "channels": ["rest"]}],
}


def parse(data):
    return parse_experiments(data, METRICS, source="test.yml")


def errors_of(data) -> str:
    with pytest.raises(ExperimentsConfigError) as info:
        parse(data)
    return str(info.value)


def test_shipped_file_is_valid_and_first_variant_is_baseline():
    config = load_experiments(ROOT / "experiments.yml", METRICS)
    assert config.experiment_names == ["cross_sell_strategy", "greeting_copy", "cart_idle_coupon", "model_canary",
                                      "aa_calibration", "purchase_assist"]
    exp = config.experiment("cross_sell_strategy")
    assert exp.baseline == exp.variants[0].name == "complement"
    assert sum(exp.weights.values()) == 100
    assert exp.metric in METRICS and {g.metric for g in exp.guardrails} <= set(METRICS)
    assert [(g.metric, g.must_not) for g in exp.guardrails] == [("handoff_requested", "increase"), ("upsell_accepted", "decrease")]
    assert [e.name for e in config.experiments if e.status == "running"] == ["aa_calibration"]
    assert config.flag_names == ["cross_sell_offer"]


def test_good_config_parses_with_defaults():
    config = parse(GOOD)
    exp = config.experiment("greeting_copy")
    assert exp.variant_names == ["control", "short"]
    assert exp.min_sample == 200 and exp.alpha == 0.05
    flag = config.flag("cross_sell_offer")
    assert flag.percent == 25 and flag.channels == ("rest",) and flag.enabled


def test_missing_file_means_no_experiments(tmp_path):
    config = load_experiments(tmp_path / "nope.yml", METRICS)
    assert config.experiments == () and config.flags == ()


def test_unknown_metric_and_guardrail_list_known_names():
    data = copy.deepcopy(GOOD)
    data["experiments"][0]["metric"] = "cart_itme_added"
    data["experiments"][0]["guardrails"] = ["fallbacks"]
    msg = errors_of(data)
    assert "'cart_itme_added' is not a micro-conversion" in msg
    assert "guardrail 'fallbacks'" in msg
    assert "cart_item_added" in msg  # the known names are listed


def test_weights_must_sum_to_100():
    data = copy.deepcopy(GOOD)
    data["experiments"][0]["variants"][1]["weight"] = 40
    assert "weights must sum to 100, got 90" in errors_of(data)


def test_overlapping_experiments_on_one_surface_are_refused():
    data = copy.deepcopy(GOOD)
    second = copy.deepcopy(data["experiments"][0])
    second["name"] = "greeting_emoji"
    second["status"] = "shipped"
    second["shipped_variant"] = "short"
    data["experiments"].append(second)
    assert "both change surface 'greeting'" in errors_of(data)


def test_same_surface_is_fine_when_windows_are_disjoint_or_one_is_a_draft():
    data = copy.deepcopy(GOOD)
    data["experiments"][0].update(start=dt.date(2026, 1, 1), stop=dt.date(2026, 2, 1))
    later = copy.deepcopy(data["experiments"][0])
    later.update(name="greeting_later", start="2026-02-01", stop="2026-03-01")
    draft = copy.deepcopy(data["experiments"][0])
    draft.update(name="greeting_draft", status="draft", start=None, stop=None)
    data["experiments"] += [later, draft]
    config = parse(data)
    assert len(config.experiments) == 3
    # ... but starting the draft (a database status override) would overlap both.
    problems = overlaps(config.experiments, {"greeting_draft": "running"})
    assert len(problems) == 2


def test_flag_percent_outside_0_100():
    for bad in (101, -1, "half"):
        data = copy.deepcopy(GOOD)
        data["flags"][0]["percent"] = bad
        assert "'percent' must be a number from 0 to 100" in errors_of(data)


def test_every_problem_is_reported_at_once():
    data = {
        "version": 1, "colour": "red",
        "experiments": [
            {"name": "Bad Name", "surface": "x", "variants": [], "metric": "cart_item_added"},
            {"name": "ok_name", "surface": "x", "status": "live",
             "variants": [{"name": "a", "weight": 50}, {"name": "a", "weight": 50}], "metric": "cart_item_added",
             "start": "2026-05-01", "stop": "2026-04-01", "shipped_variant": "zz"},
        ],
        "flags": [{"name": "f", "enabled": "yes"}],
    }
    msg = errors_of(data)
    for part in ("unknown top-level key 'colour'", "lower_snake_case", "at least two variants",
                 "'status' must be one of", "variant names must be unique", "'stop' must be after 'start'",
                 "'shipped_variant' 'zz'", "'enabled' must be true or false"):
        assert part in msg, part


def test_dates_are_utc(tmp_path):
    data = copy.deepcopy(GOOD)
    data["experiments"][0]["start"] = "2026-03-01T10:00:00+02:00"
    path = tmp_path / "e.yml"
    path.write_text(yaml.safe_dump(data))
    exp = load_experiments(path, METRICS).experiment("greeting_copy")
    assert exp.start == dt.datetime(2026, 3, 1, 8, 0)
    assert not exp.in_window(dt.datetime(2026, 3, 1, 7, 59)) and exp.in_window(dt.datetime(2026, 3, 1, 8, 0))


def test_invalid_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "e.yml"
    path.write_text("experiments: [\n")
    with pytest.raises(ExperimentsConfigError, match="invalid YAML"):
        load_experiments(path, METRICS)


def test_every_greeting_variant_has_its_response_variation():
    """A variant on surface `greeting` is only real if utter_greet has a variation for it."""
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(ROOT / "domain"))
    assert "greeting_variant" in [s.name for s in domain.slots]
    conditioned = {
        c["value"] for r in domain.responses["utter_greet"] for c in r.get("condition", [])
        if c.get("name") == "greeting_variant"
    }
    config = load_experiments(ROOT / "experiments.yml", METRICS)
    variants = {v for e in config.experiments if e.surface == "greeting" for v in e.variant_names[1:]}
    assert variants and variants <= conditioned
