"""``lift report experiment``: reads only ``experiment_assignments`` and ``micro_conversions``.

``n`` is the number of conversations assigned to a variant; ``conversions`` those of them
with the metric recorded at or after their assignment (``micro_conversions`` holds one row
per conversation and name, so a conversion that happened before the experiment reached the
conversation never counts). The first variant (experiments.yml order) is the baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lift.store.models import MicroConversion
from lift.experiments import stats
from lift.experiments.config import DEFAULT_ALPHA, DEFAULT_MIN_SAMPLE, DEFAULT_SEQUENTIAL_TUNING, Experiment, Guardrail
from lift.store.models import ExperimentAssignment

_A = ExperimentAssignment.__table__
_M = MicroConversion.__table__


class ReportInputError(ValueError):
    """Unknown experiment or metric; the message lists the valid names."""


@dataclass(frozen=True)
class ReportSpec:
    """What to report: from experiments.yml when the experiment is configured, otherwise
    inferred from the assignments (variant ``control`` first, then alphabetical; equal weights)."""

    experiment: str
    variants: Tuple[str, ...]
    weights: Dict[str, float]
    metric: str
    guardrails: Tuple[Guardrail, ...] = ()
    min_sample: int = DEFAULT_MIN_SAMPLE
    alpha: float = DEFAULT_ALPHA
    sequential_tuning: float = DEFAULT_SEQUENTIAL_TUNING

    @classmethod
    def from_experiment(cls, exp: Experiment, metric: Optional[str] = None) -> "ReportSpec":
        metric = metric or exp.metric
        return cls(exp.name, tuple(exp.variant_names), exp.weights, metric,
                   tuple(g for g in exp.guardrails if g.metric != metric), exp.min_sample, exp.alpha,
                   exp.sequential_tuning)


def assigned_experiments(engine: Engine) -> List[str]:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(_A.name):
            return []
        return list(conn.execute(sa.select(_A.c.experiment).distinct().order_by(_A.c.experiment)).scalars())


def recorded_metrics(engine: Engine) -> List[str]:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(_M.name):
            return []
        return list(conn.execute(sa.select(_M.c.name).distinct()).scalars())


def resolve_spec(engine: Engine, configured: Dict[str, Experiment], experiment: str, metric: Optional[str],
                 metrics: Sequence[str]) -> ReportSpec:
    """Check the names (ReportInputError lists the valid ones) and build the spec."""
    in_db = assigned_experiments(engine)
    if experiment not in configured and experiment not in in_db:
        valid = sorted(set(configured) | set(in_db))
        raise ReportInputError(f"unknown experiment {experiment!r}; valid: {', '.join(valid) or 'none configured'}")
    if metric is not None and metric not in metrics:
        metrics = sorted(set(metrics) | set(recorded_metrics(engine)))  # also names recorded earlier
        if metric not in metrics:
            raise ReportInputError(f"unknown metric {metric!r}; valid micro-conversions: {', '.join(metrics)}")
    if experiment in configured:
        return ReportSpec.from_experiment(configured[experiment], metric)
    if metric is None:
        raise ReportInputError(f"experiment {experiment!r} is not in experiments.yml: give --metric "
                               f"(valid: {', '.join(sorted(metrics))})")
    with engine.connect() as conn:
        names = sorted(conn.execute(sa.select(_A.c.variant).where(_A.c.experiment == experiment).distinct()).scalars())
    names.sort(key=lambda v: v != "control")
    return ReportSpec(experiment, tuple(names), {v: 1.0 for v in names}, metric)


def _counts(conn, experiment: str, metric: str, with_conversions: bool = True) -> Dict[str, Tuple[int, int]]:
    if not with_conversions:  # no micro_conversions table yet: assigned, nobody converted
        query = sa.select(_A.c.variant, sa.func.count(_A.c.id)).where(_A.c.experiment == experiment).group_by(_A.c.variant)
        return {v: (int(n), 0) for v, n in conn.execute(query)}
    joined = _A.outerjoin(_M, sa.and_(_M.c.sender_id == _A.c.sender_id, _M.c.name == metric,
                                      _M.c.occurred_at >= _A.c.assigned_at))
    query = (sa.select(_A.c.variant, sa.func.count(_A.c.id), sa.func.count(_M.c.id))
             .select_from(joined).where(_A.c.experiment == experiment).group_by(_A.c.variant))
    return {v: (int(n), int(c)) for v, n, c in conn.execute(query)}


def _arms(spec: ReportSpec, counts: Dict[str, Tuple[int, int]]) -> List[stats.Arm]:
    names = list(spec.variants) + sorted(set(counts) - set(spec.variants))  # stray variants last
    return [stats.Arm(v, *counts.get(v, (0, 0))) for v in names]


def _metric_block(spec: ReportSpec, arms: List[stats.Arm]) -> Tuple[List[dict], List[dict]]:
    base = arms[0]
    comparisons = [stats.compare(base, a, spec.alpha) for a in arms[1:]]
    sequential = [stats.sequential(base, a, spec.alpha, spec.sequential_tuning) for a in arms[1:]]
    return comparisons, sequential


def experiment_report(engine: Engine, spec: ReportSpec) -> dict:
    """The report as one JSON-ready dict (SPEC §8 fields first, then the extras)."""
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        if not inspector.has_table(_A.name):
            counts, guard_counts = {}, {}
        else:
            has_m = inspector.has_table(_M.name)
            counts = _counts(conn, spec.experiment, spec.metric, has_m)
            guard_counts = {g.metric: _counts(conn, spec.experiment, g.metric, has_m) for g in spec.guardrails}
    arms = _arms(spec, counts)
    comparisons, sequential = _metric_block(spec, arms)
    srm = stats.srm_p_value(arms, spec.weights)
    guardrails = []
    for g in spec.guardrails:
        g_arms = _arms(spec, guard_counts.get(g.metric, {}))
        g_cmp, g_seq = _metric_block(spec, g_arms)
        guardrails.append({
            "metric": g.metric, "must_not": g.must_not, "variants": [a.as_dict() for a in g_arms],
            "comparisons": g_cmp, "sequential": g_seq,
            "harmed": stats.harmed_variants(g_seq, g.must_not, spec.alpha),
        })
    total = sum(a.n for a in arms)
    decision = stats.decide(arms, sequential, guardrails, srm, min_sample=spec.min_sample, alpha=spec.alpha)
    if total == 0:
        decision = {"status": "no_data", "winner": None, "min_sample": spec.min_sample,
                    "reasons": [f"no conversation has been assigned to {spec.experiment!r} yet "
                                "(is it running? `lift experiment start NAME`)"]}
    return {
        "experiment": spec.experiment,
        "metric": spec.metric,
        "variants": [a.as_dict() for a in arms],
        "comparisons": comparisons,
        "srm_p_value": srm,
        "srm_flagged": srm is not None and srm < stats.SRM_ALPHA,
        "alpha": spec.alpha,
        "sequential": sequential,
        "guardrails": guardrails,
        "decision": decision,
    }


def _pct(x: Optional[float], signed: bool = False) -> str:
    if x is None:
        return "–"
    return f"{x:+.2%}" if signed else f"{x:.2%}"


def _p(x: Optional[float]) -> str:
    return "–" if x is None else f"{x:.3g}"


def render_text(report: dict) -> str:
    from tabulate import tabulate

    lines = [f"Experiment {report['experiment']} — metric {report['metric']} "
             f"(baseline: {report['variants'][0]['name']})", ""]
    seq = {s["variant"]: s for s in report["sequential"]}
    cmp = {c["variant"]: c for c in report["comparisons"]}
    rows = []
    for v in report["variants"]:
        c, s = cmp.get(v["name"]), seq.get(v["name"])
        rows.append([
            v["name"], v["n"], v["conversions"], _pct(v["rate"]),
            _pct(c["abs_lift"], True) if c else "", _pct(c["rel_lift"], True) if c else "",
            f"[{_pct(c['ci_low'], True)}, {_pct(c['ci_high'], True)}]" if c else "", _p(c["p_value"]) if c else "",
            f"[{_pct(s['ci_low'], True)}, {_pct(s['ci_high'], True)}]" if s else "",
        ])
    lines.append(tabulate(rows, headers=["variant", "n", "conv.", "rate", "abs lift", "rel lift",
                                         "95% CI (abs)", "p", "always-valid CI (rel)"]))
    srm = report["srm_p_value"]
    lines += ["", f"SRM check: p = {_p(srm)}" + ("  ← SAMPLE RATIO MISMATCH" if report["srm_flagged"] else "  (ok)")]
    for g in report["guardrails"]:
        gc = ", ".join(f"{c['variant']} {_pct(c['abs_lift'], True)} (p {_p(c['p_value'])})" for c in g["comparisons"])
        state = f"HARMED by {', '.join(g['harmed'])}" if g["harmed"] else "ok"
        lines.append(f"Guardrail {g['metric']} (must not {g['must_not']}): {gc} — {state}")
    d = report["decision"]
    lines += ["", f"Decision: {d['status']}" + (f" — winner {d['winner']}" if d["winner"] else "")]
    lines += [f"  - {r}" for r in d["reasons"]]
    return "\n".join(lines)
