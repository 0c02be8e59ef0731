"""The experiment statistics, validated by simulation (seeded, in-process, no servers) and
against independent computations on fixed counts."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2, norm
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from lift.experiments import stats
from lift.experiments.stats import Arm

ALPHA = 0.05


def simulate(rng, n_total, p_a, p_b):
    """One experiment: random 50/50 assignment of n_total conversations, Bernoulli outcomes."""
    n_a = rng.binomial(n_total, 0.5)
    n_b = n_total - n_a
    return Arm("control", n_a, rng.binomial(n_a, p_a)), Arm("treatment", n_b, rng.binomial(n_b, p_b))


def test_aa_false_positive_rate_is_alpha():
    rng = np.random.default_rng(20261204)
    runs = 2000
    positives = 0
    for _ in range(runs):
        a, b = simulate(rng, 4000, 0.10, 0.10)
        positives += stats.compare(a, b, ALPHA)["p_value"] < ALPHA
    fpr = positives / runs
    assert 0.035 <= fpr <= 0.065, fpr


def test_power_matches_the_power_calculation():
    p_a, p_b, n_per_arm = 0.10, 0.13, 1500
    planned = NormalIndPower().power(effect_size=proportion_effectsize(p_b, p_a), nobs1=n_per_arm,
                                     alpha=ALPHA, ratio=1.0, alternative="two-sided")
    rng = np.random.default_rng(7)
    runs = 1500
    hits = 0
    for _ in range(runs):
        a = Arm("control", n_per_arm, rng.binomial(n_per_arm, p_a))
        b = Arm("treatment", n_per_arm, rng.binomial(n_per_arm, p_b))
        c = stats.compare(a, b, ALPHA)
        hits += c["p_value"] < ALPHA and c["abs_lift"] > 0
    power = hits / runs
    assert abs(power - planned) <= 0.05, (power, planned)


def _peeking(rng, runs, peeks, per_peek, p):
    """Fraction of A/A experiments declared significant at any of `peeks` looks, by the
    fixed-horizon test and by the always-valid sequential test."""
    fixed_fp = seq_fp = 0
    for _ in range(runs):
        na = nb = ca = cb = 0
        fixed_hit = seq_hit = False
        for _ in range(peeks):
            na += per_peek
            nb += per_peek
            ca += rng.binomial(per_peek, p)
            cb += rng.binomial(per_peek, p)
            a, b = Arm("a", na, ca), Arm("b", nb, cb)
            fixed_hit = fixed_hit or stats.compare(a, b, ALPHA)["p_value"] < ALPHA
            s = stats.sequential(a, b, ALPHA)
            seq_hit = seq_hit or (s["ci_low"] > 0 or s["ci_high"] < 0)
        fixed_fp += fixed_hit
        seq_fp += seq_hit
    return fixed_fp / runs, seq_fp / runs


def test_sequential_interval_keeps_fpr_when_peeked_10_times():
    fixed, sequential = _peeking(np.random.default_rng(99), runs=1000, peeks=10, per_peek=300, p=0.1)
    assert sequential <= 0.05, sequential
    # ... while reading the fixed-horizon test at every peek inflates it (why the sequential one exists)
    assert fixed > 0.10, fixed


# ----------------------------------------------------------------- fixtures


FIXTURES = [
    (Arm("control", 2000, 200), Arm("b", 2000, 250)),
    (Arm("control", 1234, 87), Arm("b", 1190, 71)),
    (Arm("control", 500, 250), Arm("b", 520, 290)),
    (Arm("control", 10000, 1000), Arm("b", 10000, 1000)),
]


@pytest.mark.parametrize("base,treat", FIXTURES)
def test_interval_and_p_value_agree_with_an_independent_computation(base, treat):
    got = stats.compare(base, treat, ALPHA)
    p1, p2 = treat.conversions / treat.n, base.conversions / base.n
    diff = p1 - p2
    se = math.sqrt(p1 * (1 - p1) / treat.n + p2 * (1 - p2) / base.n)
    z = norm.ppf(1 - ALPHA / 2)
    assert got["variant"] == "b" and got["baseline"] == "control"
    assert got["abs_lift"] == pytest.approx(diff, abs=1e-12)
    assert got["rel_lift"] == pytest.approx(diff / p2, rel=1e-9)
    assert got["ci_low"] == pytest.approx(diff - z * se, abs=1e-9)
    assert got["ci_high"] == pytest.approx(diff + z * se, abs=1e-9)
    assert got["p_value"] == pytest.approx(2 * norm.sf(abs(diff) / se), abs=1e-9)
    # the interval excludes 0 exactly when p < alpha
    assert (got["ci_low"] > 0 or got["ci_high"] < 0) == (got["p_value"] < ALPHA)


def test_first_fixture_known_values():
    got = stats.compare(*FIXTURES[0])
    assert got["abs_lift"] == pytest.approx(0.025)
    assert got["rel_lift"] == pytest.approx(0.25)
    # 0.025 ± 1.96 * sqrt(.125 * .875 / 2000 + .1 * .9 / 2000); z = 2.504
    assert round(got["ci_low"], 4) == 0.0054 and round(got["ci_high"], 4) == 0.0446
    assert round(got["p_value"], 4) == 0.0123


@pytest.mark.parametrize("base,treat", FIXTURES)
def test_sequential_interval_is_wider_than_the_fixed_one(base, treat):
    seq = stats.sequential(base, treat, ALPHA)
    p1, p2 = treat.conversions / treat.n, base.conversions / base.n
    rel = (p1 - p2) / p2
    # delta-method standard error of the relative lift, computed independently
    se = math.sqrt(p1 * (1 - p1) / (treat.n * p2**2) + p2 * (1 - p2) * p1**2 / (base.n * p2**4))
    assert seq["rel_lift"] == pytest.approx(rel, rel=1e-9)
    assert seq["ci_low"] < rel - 1.96 * se and seq["ci_high"] > rel + 1.96 * se
    assert 0 <= seq["p_value"] <= 1


def test_srm_matches_pearson_chi_square():
    arms = [Arm("a", 5200, 0), Arm("b", 4800, 0)]
    expected = [5000, 5000]
    statistic = sum((o - e) ** 2 / e for o, e in zip((5200, 4800), expected))
    assert stats.srm_p_value(arms, {"a": 50, "b": 50}) == pytest.approx(chi2.sf(statistic, 1))
    assert stats.srm_p_value(arms, {"a": 50, "b": 50}) < stats.SRM_ALPHA  # 52/48 on 10k is a mismatch
    assert stats.srm_p_value([Arm("a", 2020, 0), Arm("b", 7980, 0)], {"a": 20, "b": 80}) > 0.1
    assert stats.srm_p_value([Arm("a", 10, 0), Arm("b", 3, 0)], {"a": 100, "b": 0}) == 0.0
    assert stats.srm_p_value([Arm("a", 0, 0), Arm("b", 0, 0)], {"a": 50, "b": 50}) is None


def test_degenerate_counts_do_not_crash():
    none = stats.compare(Arm("a", 100, 0), Arm("b", 100, 0))
    assert none["abs_lift"] == 0 and none["p_value"] == 1.0 and none["rel_lift"] is None
    empty = stats.compare(Arm("a", 0, 0), Arm("b", 10, 1))
    assert empty["p_value"] is None and empty["abs_lift"] is None
    assert stats.sequential(Arm("a", 100, 0), Arm("b", 100, 5))["ci_low"] is None


def test_decision_rules():
    big_a, big_b = Arm("control", 5000, 500), Arm("b", 5000, 650)
    seq = [stats.sequential(big_a, big_b)]
    assert seq[0]["ci_low"] > 0
    win = stats.decide([big_a, big_b], seq, [], 0.5, min_sample=1000, alpha=ALPHA)
    assert win["status"] == "winner" and win["winner"] == "b"
    assert stats.decide([big_a, big_b], seq, [], 0.5, min_sample=6000, alpha=ALPHA)["status"] == "collecting_data"
    assert stats.decide([big_a, big_b], seq, [], 1e-6, min_sample=1000, alpha=ALPHA)["status"] == "sample_ratio_mismatch"
    harm = [{"metric": "handoff_requested", "harmed": ["b"]}]
    blocked = stats.decide([big_a, big_b], seq, harm, 0.5, min_sample=1000, alpha=ALPHA)
    assert blocked["winner"] is None and "harms guardrail handoff_requested" in " ".join(blocked["reasons"])
    flat = [stats.sequential(Arm("control", 5000, 500), Arm("b", 5000, 505))]
    assert stats.decide([big_a, big_b], flat, [], 0.5, min_sample=1000, alpha=ALPHA)["status"] == "inconclusive"


def test_guardrail_direction():
    seq = [stats.sequential(Arm("control", 5000, 100), Arm("b", 5000, 200))]  # handoffs doubled
    assert stats.harmed_variants(seq, "increase", ALPHA) == ["b"]
    assert stats.harmed_variants(seq, "decrease", ALPHA) == []
