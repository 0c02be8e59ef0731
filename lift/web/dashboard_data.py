"""The dashboard's JSON payloads (``GET /dashboard/api/<name>``), built from the database.

Every payload is computed by the package that owns the idea: funnels by
:mod:`lift.measure.funnel`, experiment statistics by :mod:`lift.experiments.report`, turns,
latency, fallbacks, handoffs and unanswered questions by :mod:`lift.observability.history`,
drift by :class:`lift.observability.drift.IntentDrift`. This module only parses the query
string (:class:`DateRange`) and shapes the answers for the charts. Bad parameters raise
:class:`~lift.web.checks.BadRequest` (400 with the reason).

Date ranges: ``from`` and ``to`` are UTC calendar days (``YYYY-MM-DD``), both inclusive, or
``range`` = one of :data:`PRESETS` ending today; default the last 14 days. At most
:data:`MAX_DAYS` days, not starting in the future.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence

import numpy as np
from sqlalchemy.engine import Engine

from lift.config import Settings
from lift.web.checks import BadRequest

PRESETS = {"7d": 7, "14d": 14, "30d": 30, "90d": 90}
DEFAULT_DAYS = 14
MAX_DAYS = 366
MAX_QUESTIONS = 50


@dataclass(frozen=True)
class DateRange:
    first: dt.date
    last: dt.date  # inclusive

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time())

    @property
    def end(self) -> dt.datetime:  # exclusive
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time())

    @property
    def days(self) -> List[str]:
        n = (self.last - self.first).days + 1
        return [(self.first + dt.timedelta(days=i)).isoformat() for i in range(n)]

    def as_dict(self) -> dict:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "days": self.days}


def _one(query: Mapping[str, Sequence[str]], name: str) -> Optional[str]:
    values = query.get(name) or []
    if len(values) > 1:
        raise BadRequest(400, f"parameter {name!r} given more than once")
    return values[0] if values else None


def check_params(query: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> None:
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise BadRequest(400, f"unknown parameter(s) {', '.join(unknown)}; this endpoint takes: "
                              f"{', '.join(allowed) or 'none'}")


def _day(name: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(400, f"{name!r} must be a date like 2024-05-01, got {text!r}") from None


def parse_range(query: Mapping[str, Sequence[str]], today: Optional[dt.date] = None) -> DateRange:
    """The range the query asks for, or BadRequest(400) saying what is wrong with it."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    preset, first, last = _one(query, "range"), _one(query, "from"), _one(query, "to")
    if preset is not None:
        if first is not None or last is not None:
            raise BadRequest(400, "give either 'range' or 'from'/'to', not both")
        if preset not in PRESETS:
            raise BadRequest(400, f"unknown range {preset!r}; use one of {', '.join(PRESETS)} or from/to dates")
        return DateRange(today - dt.timedelta(days=PRESETS[preset] - 1), today)
    last_day = _day("to", last) if last is not None else today
    first_day = _day("from", first) if first is not None else last_day - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first_day > last_day:
        raise BadRequest(400, f"'from' ({first_day}) is after 'to' ({last_day})")
    if first_day > today:
        raise BadRequest(400, f"the range starts in the future ({first_day}; today is {today} UTC)")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise BadRequest(400, f"the range spans {(last_day - first_day).days + 1} days; at most {MAX_DAYS}")
    return DateRange(first_day, last_day)


def _rate(n: int, d: int) -> Optional[float]:
    return round(n / d, 4) if d else None


# --- payloads ---------------------------------------------------------------------------

def funnel_payload(engine: Engine, settings: Settings, rng: DateRange, funnel: Optional[str]) -> dict:
    """Each funnel: steps, overall, per variant, and per day (conversations entering that day)."""
    from lift.measure.funnel import funnel_report
    from lift.measure.rules import load_conversions

    funnels = dict(load_conversions(settings.conversions_file).funnels)
    if funnel is not None:
        if funnel not in funnels:
            raise BadRequest(400, f"unknown funnel {funnel!r}; known: {', '.join(funnels) or 'none'}")
        funnels = {funnel: funnels[funnel]}
    report = funnel_report(engine, funnels, since=rng.start, until=rng.end)
    out = []
    for f in report["funnels"]:
        empty = [0] * len(f["steps"])
        per_day = {d: [s["conversations"] for s in seg["steps"]] for d, seg in f["by_day"].items()}
        out.append({
            "name": f["name"], "steps": f["steps"], "overall": f["overall"], "by_variant": f["by_variant"],
            "by_day": [{"date": d, "steps": per_day.get(d, empty)} for d in rng.days],
        })
    return {"period": rng.as_dict(), "funnels": out}


def experiments_payload(engine: Engine, settings: Settings) -> dict:
    """Every experiment in experiments.yml or in the assignments: the §8 report of its primary
    metric over its whole run (variants, comparisons with 95% intervals, SRM, decision)."""
    from lift.experiments.config import load_from_settings
    from lift.experiments.report import assigned_experiments, experiment_report, resolve_spec

    config = load_from_settings(settings)
    configured = {e.name: e for e in config.experiments}
    reports = []
    for name in configured:
        report = experiment_report(engine, resolve_spec(engine, configured, name, None, config.metrics))
        reports.append({k: report[k] for k in ("experiment", "metric", "variants", "comparisons",
                                               "srm_p_value", "srm_flagged", "alpha")}
                       | {"decision": report["decision"]["status"], "winner": report["decision"]["winner"]})
    # Assigned but no longer in experiments.yml: no primary metric is known for them
    # (`lift report experiment NAME --metric M` reports one).
    return {"experiments": reports,
            "unconfigured": [n for n in assigned_experiments(engine) if n not in configured]}


def _percentile(values: List[float], q: float) -> Optional[float]:
    return round(float(np.percentile(values, q)), 4) if values else None


def turns_payload(engine: Engine, rng: DateRange) -> dict:
    """Per day: turns, fallback and handoff rates (per user turn, as the Prometheus alerts
    count them), and p50/p95 of the timed turns' latency in seconds."""
    from lift.observability.history import turn_history

    history = turn_history(engine, rng.start, rng.end)
    days, all_latencies = [], []
    totals = {"turns": 0, "fallback_turns": 0, "handoffs": 0}
    for d in rng.days:
        day = history.get(dt.date.fromisoformat(d))
        turns, fallbacks, handoffs = (day.turns, day.fallback_turns, day.handoffs) if day else (0, 0, 0)
        latencies = day.latencies if day else []
        all_latencies += latencies
        totals["turns"] += turns
        totals["fallback_turns"] += fallbacks
        totals["handoffs"] += handoffs
        days.append({"date": d, "turns": turns, "fallback_turns": fallbacks, "fallback_rate": _rate(fallbacks, turns),
                     "handoffs": handoffs, "handoff_rate": _rate(handoffs, turns), "timed_turns": len(latencies),
                     "latency_p50": _percentile(latencies, 50), "latency_p95": _percentile(latencies, 95)})
    totals.update(fallback_rate=_rate(totals["fallback_turns"], totals["turns"]),
                  handoff_rate=_rate(totals["handoffs"], totals["turns"]), timed_turns=len(all_latencies),
                  latency_p50=_percentile(all_latencies, 50), latency_p95=_percentile(all_latencies, 95))
    return {"period": rng.as_dict(), "days": days, "totals": totals}


class DriftBaseline:
    """The drift monitor's baseline, loaded once on first use (reading the NLU training data
    takes Rasa's loader a few seconds; the page server itself starts without it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._monitor = None

    def monitor(self):
        from lift.observability.drift import IntentDrift, load_baseline

        with self._lock:
            if self._monitor is None:
                self._monitor = IntentDrift(load_baseline(self.settings.drift_baseline), self.settings.drift_window)
            return self._monitor


def drift_payload(engine: Engine, baseline: DriftBaseline, rng: DateRange) -> dict:
    """Per day: Jensen-Shannon distance of that day's intents from the baseline. ``reliable``
    is false for days with fewer messages than the window the threshold is calibrated for."""
    from lift.observability.history import turn_history

    monitor = baseline.monitor()
    history = turn_history(engine, rng.start, rng.end)
    window = baseline.settings.drift_window
    days, overall = [], {}
    for d in rng.days:
        day = history.get(dt.date.fromisoformat(d))
        counts = dict(day.intents) if day else {}
        for k, v in counts.items():
            overall[k] = overall.get(k, 0) + v
        n = sum(counts.values())
        distance = monitor.distance(counts)
        days.append({"date": d, "messages": n, "distance": None if distance is None else round(distance, 4),
                     "reliable": n >= window})
    total = sum(overall.values())
    distance = monitor.distance(overall)
    return {"period": rng.as_dict(), "threshold": baseline.settings.drift_threshold, "window": window,
            "baseline": str(baseline.settings.drift_baseline), "days": days,
            "overall": {"messages": total, "distance": None if distance is None else round(distance, 4)}}


def unanswered_payload(engine: Engine, rng: DateRange, limit: int, mask: Callable[[str], str]) -> dict:
    """The questions the knowledge base most often could not answer, personal data masked."""
    from lift.observability.history import unanswered_questions

    questions = unanswered_questions(engine, rng.start, rng.end, limit)
    return {"period": rng.as_dict(),
            "questions": [{"text": mask(q.text), "count": q.count, "last_asked": q.last_asked.isoformat() + "Z"}
                          for q in questions]}


def parse_limit(query: Mapping[str, Sequence[str]]) -> int:
    raw = _one(query, "limit")
    if raw is None:
        return 10
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_QUESTIONS:
        raise BadRequest(400, f"'limit' must be a whole number from 1 to {MAX_QUESTIONS}, got {raw!r}")
    return limit


def payload(name: str, query: Dict[str, List[str]], engine: Engine, settings: Settings,
            baseline: DriftBaseline, mask: Callable[[str], str]) -> dict:
    """The payload of ``GET /dashboard/api/<name>``; KeyError for an unknown name."""
    if name == "experiments":
        check_params(query, ())
        return experiments_payload(engine, settings)
    allowed = {"funnel": ("from", "to", "range", "funnel"), "turns": ("from", "to", "range"),
               "drift": ("from", "to", "range"), "unanswered": ("from", "to", "range", "limit")}[name]
    check_params(query, allowed)
    rng = parse_range(query)
    if name == "funnel":
        return funnel_payload(engine, settings, rng, _one(query, "funnel"))
    if name == "turns":
        return turns_payload(engine, rng)
    if name == "drift":
        return drift_payload(engine, baseline, rng)
    return unanswered_payload(engine, rng, parse_limit(query), mask)
