"""Intent drift against the real training-data baseline: out-of-domain streams cross the
threshold, streams drawn from the training distribution do not."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import CollectorRegistry
from rasa.shared.core.events import UserUttered

from lift.config import load_settings
from lift.observability.drift import BaselineError, IntentDrift, drift_from_settings, load_baseline
from lift.observability.metrics import ChatMetrics
from lift.observability.turns import TurnObserver

ROOT = Path(__file__).resolve().parents[2]
THRESHOLD = load_settings({}).drift_threshold


@pytest.fixture(scope="module")
def baseline():
    return load_baseline(ROOT / "data" / "nlu")


def feed(drift: IntentDrift, intents):
    return [d for d in (drift.add(i) for i in intents) if d is not None]


def test_in_domain_traffic_stays_below_the_threshold(baseline):
    names = sorted(baseline)
    p = np.array([baseline[n] for n in names])
    rng = np.random.default_rng(14)
    stream = rng.choice(names, size=2000, p=p / p.sum())
    distances = feed(IntentDrift(baseline, window=200), stream)
    assert len(distances) == 1801
    assert max(distances) < THRESHOLD


def test_out_of_domain_stream_raises_drift_above_the_threshold(baseline):
    drift = IntentDrift(baseline, window=200)
    names = sorted(baseline)
    p = np.array([baseline[n] for n in names])
    rng = np.random.default_rng(7)
    distances = feed(drift, rng.choice(names, size=400, p=p / p.sum()))
    assert distances[-1] < THRESHOLD
    # then out-of-domain messages: what NLU makes of them (out_of_scope, fallback, unknown)
    ood = ["out_of_scope", "nlu_fallback", "some_intent_not_in_the_domain"] * 70
    distances = feed(drift, ood)
    assert distances[-1] > THRESHOLD
    assert distances[-1] > 0.8


def test_observer_sets_the_gauge_from_real_user_events(baseline):
    registry = CollectorRegistry()
    obs = TurnObserver(ChatMetrics(registry), intents=baseline, drift=IntentDrift(baseline, window=20))

    def msg(intent):
        data = {"name": intent, "confidence": 0.5}
        return UserUttered("...", intent=data, parse_data={"intent": data, "entities": [], "text": "..."})

    obs.observe([msg("greet") for _ in range(19)])
    assert registry.get_sample_value("lift_intent_drift") == 0  # window not full yet
    obs.observe([msg("out_of_scope")])
    assert registry.get_sample_value("lift_intent_drift") > THRESHOLD


def test_baseline_from_a_json_file_and_bad_files(tmp_path):
    good = tmp_path / "base.json"
    good.write_text(json.dumps({"greet": 10, "ask_price": 30}))
    assert load_baseline(good) == {"greet": 10.0, "ask_price": 30.0}
    bad = tmp_path / "bad.json"
    bad.write_text('{"greet": "many"}')
    with pytest.raises(BaselineError, match="intent -> count"):
        load_baseline(bad)
    with pytest.raises(BaselineError, match="does not exist"):
        load_baseline(tmp_path / "missing.json")
    settings = load_settings({"LIFT_DRIFT_BASELINE": str(bad)})
    assert drift_from_settings(settings) is None  # logged, the assistant keeps running


def test_drift_settings():
    s = load_settings({"LIFT_DRIFT_WINDOW": "50", "LIFT_DRIFT_THRESHOLD": "0.4"})
    assert (s.drift_window, s.drift_threshold) == (50, 0.4)
    from lift.config import ConfigError

    with pytest.raises(ConfigError, match="LIFT_DRIFT_THRESHOLD"):
        load_settings({"LIFT_DRIFT_THRESHOLD": "high"})
