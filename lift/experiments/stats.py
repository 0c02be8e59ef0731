"""Statistics of an experiment on a binary metric (did the conversation convert?).

All formulas come from maintained libraries:

- fixed-horizon comparison (read once, at the planned sample size): the difference of two
  proportions with its Wald interval and two-sided Wald test, both from statsmodels
  (``confint_proportions_2indep`` / ``test_proportions_2indep``, ``method="wald"``), so the
  interval excludes 0 exactly when p < alpha;
- always-valid comparison (read every day): gbstats' ``SequentialTwoSidedTTest`` — an
  asymptotic confidence sequence (Waudby-Smith et al.) on the relative lift with its
  always-valid p-value; peeking at it any number of times keeps the false-positive rate at
  alpha;
- sample-ratio mismatch: Pearson's chi-square of the assignment counts against the
  configured weights (``scipy.stats.chisquare``), flagged below ``SRM_ALPHA``.

Pure functions of counts; the database side is ``lift.experiments.report``.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

SRM_ALPHA = 0.001


@dataclass(frozen=True)
class Arm:
    name: str
    n: int
    conversions: int

    @property
    def rate(self) -> Optional[float]:
        return self.conversions / self.n if self.n else None

    def as_dict(self) -> dict:
        return {"name": self.name, "n": self.n, "conversions": self.conversions, "rate": self.rate}


def _finite(x) -> Optional[float]:
    x = float(x)
    return x if math.isfinite(x) else None


def compare(baseline: Arm, treatment: Arm, alpha: float = 0.05) -> dict:
    """Fixed-horizon comparison of ``treatment`` against ``baseline`` (§8 field names)."""
    out = {"variant": treatment.name, "baseline": baseline.name, "abs_lift": None, "rel_lift": None,
           "ci_low": None, "ci_high": None, "p_value": None}
    if not baseline.n or not treatment.n:
        return out
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    diff = treatment.rate - baseline.rate
    out["abs_lift"] = diff
    out["rel_lift"] = diff / baseline.rate if baseline.rate else None
    args = (treatment.conversions, treatment.n, baseline.conversions, baseline.n)
    try:
        with warnings.catch_warnings(), _quiet_numpy():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = confint_proportions_2indep(*args, method="wald", compare="diff", alpha=alpha)
            p = test_proportions_2indep(*args, method="wald", compare="diff", alternative="two-sided").pvalue
        low, high, p = _finite(low), _finite(high), _finite(p)
    except ZeroDivisionError:
        low = high = p = None
    if p is None:
        # Zero variance in both arms (e.g. nobody converted anywhere): the observed
        # difference is all there is.
        low = high = diff
        p = 1.0 if diff == 0 else 0.0
    out.update(ci_low=low, ci_high=high, p_value=p)
    return out


def sequential(baseline: Arm, treatment: Arm, alpha: float = 0.05, tuning: float = 5000.0) -> dict:
    """Always-valid interval of the relative lift and its p-value (gbstats)."""
    out = {"variant": treatment.name, "baseline": baseline.name, "rel_lift": None,
           "ci_low": None, "ci_high": None, "p_value": None}
    if not baseline.n or not treatment.n:
        return out
    b_rate, t_rate = baseline.rate, treatment.rate
    if b_rate in (0.0, 1.0) or t_rate in (0.0, 1.0):
        return out  # no variance yet: nothing the interval could say
    from gbstats.frequentist.tests import FrequentistConfig, SequentialTwoSidedTTest
    from gbstats.shared.models import ProportionStatistic

    test = SequentialTwoSidedTTest(
        ProportionStatistic(n=baseline.n, sum=baseline.conversions),
        ProportionStatistic(n=treatment.n, sum=treatment.conversions),
        FrequentistConfig(alpha=alpha, sequential=True, sequential_tuning_parameter=tuning),
    )
    result = test.compute_result()
    out.update(rel_lift=_finite(result.expected), ci_low=_finite(result.ci[0]),
               ci_high=_finite(result.ci[1]), p_value=_finite(result.p_value))
    return out


def srm_p_value(arms: Sequence[Arm], weights: Dict[str, float]) -> Optional[float]:
    """Chi-square p-value of the assignment counts against the weights (None without data)."""
    if any(a.n for a in arms if weights.get(a.name, 0) <= 0):
        return 0.0  # a variant that should get no traffic got some: a mismatch by definition
    live = [a for a in arms if weights.get(a.name, 0) > 0]
    total = sum(a.n for a in live)
    if len(live) < 2 or total == 0:
        return None
    from scipy.stats import chisquare

    wsum = sum(weights[a.name] for a in live)
    expected = [total * weights[a.name] / wsum for a in live]
    return float(chisquare([a.n for a in live], expected).pvalue)


def decide(
    arms: Sequence[Arm],
    primary_sequential: List[dict],
    guardrails: List[dict],
    srm_p: Optional[float],
    *,
    min_sample: int,
    alpha: float,
) -> dict:
    """Whether a winner can be named, and why (not).

    A winner needs: no sample-ratio mismatch, at least ``min_sample`` conversations in every
    variant, an always-valid interval of the primary metric entirely above 0, and no
    guardrail significantly harmed (always-valid test too)."""
    reasons: List[str] = []
    if srm_p is not None and srm_p < SRM_ALPHA:
        return {"status": "sample_ratio_mismatch", "winner": None, "min_sample": min_sample,
                "reasons": [f"assignment counts do not match the weights (SRM p = {srm_p:.2g} < {SRM_ALPHA}); "
                            "the results cannot be trusted until assignment is fixed"]}
    short = [a for a in arms if a.n < min_sample]
    if short:
        return {"status": "collecting_data", "winner": None, "min_sample": min_sample,
                "reasons": [f"{a.name}: {a.n} of {min_sample} conversations needed before naming a winner" for a in short]}
    harmed = sorted({v for g in guardrails for v in g["harmed"]})
    for g in guardrails:
        for v in g["harmed"]:
            reasons.append(f"{v} harms guardrail {g['metric']} (always-valid p < {alpha})")
    winners = [s for s in primary_sequential
               if s["ci_low"] is not None and s["ci_low"] > 0 and s["variant"] not in harmed]
    if winners:
        best = max(winners, key=lambda s: s["rel_lift"])
        return {"status": "winner", "winner": best["variant"], "min_sample": min_sample,
                "reasons": reasons + [f"{best['variant']} beats {best['baseline']}: always-valid interval of the "
                                      f"relative lift [{best['ci_low']:+.1%}, {best['ci_high']:+.1%}]"]}
    losers = [s for s in primary_sequential if s["ci_high"] is not None and s["ci_high"] < 0]
    if losers:
        reasons += [f"{s['variant']} is worse than {s['baseline']} (always-valid interval below 0)" for s in losers]
        return {"status": "baseline_wins" if len(losers) == len(primary_sequential) else "no_winner",
                "winner": None, "min_sample": min_sample, "reasons": reasons}
    reasons.append("no significant difference yet (always-valid interval contains 0); keep it running or stop it")
    return {"status": "guardrail_harmed" if harmed else "inconclusive", "winner": None,
            "min_sample": min_sample, "reasons": reasons}


def harmed_variants(comparisons_seq: List[dict], must_not: str, alpha: float) -> List[str]:
    """Treatments that move a guardrail significantly (always-valid) the wrong way."""
    out = []
    for s in comparisons_seq:
        if s["p_value"] is None or s["p_value"] >= alpha or s["rel_lift"] is None:
            continue
        if (must_not == "increase" and s["rel_lift"] > 0) or (must_not == "decrease" and s["rel_lift"] < 0):
            out.append(s["variant"])
    return out


class _quiet_numpy:
    """Division warnings from statsmodels on degenerate counts are handled above."""

    def __enter__(self):
        import numpy as np

        self._old = np.seterr(divide="ignore", invalid="ignore")

    def __exit__(self, *exc):
        import numpy as np

        np.seterr(**self._old)
