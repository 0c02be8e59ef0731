"""``experiments.yml``: experiments and feature flags, parsed and validated in one pass.

Every problem is reported at once (one fix round), naming the experiment or flag and the
key, e.g. an unknown metric (the names come from ``conversions.yml``), weights that do not
sum to 100, two live experiments on the same ``surface`` in overlapping date windows, or a
flag percentage outside 0–100.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from lift.experiments import canary, cart_idle

STATUSES = ("draft", "running", "stopped", "shipped")
LIVE_STATUSES = ("running", "shipped")  # statuses that decide behaviour on their surface
DEFAULT_MIN_SAMPLE = 200
DEFAULT_ALPHA = 0.05
DEFAULT_SEQUENTIAL_TUNING = 5000.0

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_TOP_KEYS = {"version", "experiments", "flags"}
_EXP_KEYS = {
    "name", "description", "surface", "status", "start", "stop", "salt", "variants", "metric",
    "guardrails", "min_sample", "alpha", "sequential_tuning", "shipped_variant", "params",
}
_VARIANT_KEYS = {"name", "weight", "description"}
# Surfaces whose ``params`` and variant names the code relies on: each check returns problems.
_SURFACE_CHECKS = {cart_idle.SURFACE: cart_idle.check_params, canary.SURFACE: canary.check_params}
_FLAG_KEYS = {"name", "description", "enabled", "percent", "channels", "salt"}


class ExperimentsConfigError(ValueError):
    """experiments.yml is missing, malformed or inconsistent; the message lists every problem."""


@dataclass(frozen=True)
class Variant:
    name: str
    weight: float  # percent of the experiment's traffic
    description: str = ""


@dataclass(frozen=True)
class Guardrail:
    metric: str
    must_not: str = "increase"  # increase (handoffs, fallbacks) | decrease (leads, answers)


@dataclass(frozen=True)
class Experiment:
    name: str
    surface: str
    variants: Tuple[Variant, ...]
    metric: str
    guardrails: Tuple[Guardrail, ...] = ()
    status: str = "draft"
    start: Optional[dt.datetime] = None  # naive UTC, inclusive
    stop: Optional[dt.datetime] = None  # naive UTC, exclusive
    salt: str = ""
    min_sample: int = DEFAULT_MIN_SAMPLE
    alpha: float = DEFAULT_ALPHA
    sequential_tuning: float = DEFAULT_SEQUENTIAL_TUNING
    shipped_variant: Optional[str] = None
    description: str = ""
    params: Tuple[Tuple[str, Any], ...] = ()  # surface settings (``params:``), checked per surface

    def param(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)

    @property
    def baseline(self) -> str:
        return self.variants[0].name

    @property
    def variant_names(self) -> List[str]:
        return [v.name for v in self.variants]

    @property
    def weights(self) -> Dict[str, float]:
        return {v.name: v.weight for v in self.variants}

    @property
    def hash_salt(self) -> str:
        return f"{self.name}:{self.salt}"

    def in_window(self, now: dt.datetime) -> bool:
        return (self.start is None or now >= self.start) and (self.stop is None or now < self.stop)


@dataclass(frozen=True)
class Flag:
    name: str
    enabled: bool = True
    percent: float = 100.0
    channels: Tuple[str, ...] = ()  # empty: every channel
    salt: str = ""
    description: str = ""

    @property
    def hash_salt(self) -> str:
        return f"flag:{self.name}:{self.salt}"


@dataclass(frozen=True)
class ExperimentsConfig:
    experiments: Tuple[Experiment, ...] = ()
    flags: Tuple[Flag, ...] = ()
    source: str = "<experiments>"
    metrics: Tuple[str, ...] = field(default=())  # micro-conversion names it was checked against

    def experiment(self, name: str) -> Experiment:
        for e in self.experiments:
            if e.name == name:
                return e
        raise KeyError(name)

    def flag(self, name: str) -> Flag:
        for f in self.flags:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def experiment_names(self) -> List[str]:
        return [e.name for e in self.experiments]

    @property
    def flag_names(self) -> List[str]:
        return [f.name for f in self.flags]


def load_experiments(path: Path | str, metrics: Iterable[str]) -> ExperimentsConfig:
    """Read and validate ``path``; ``metrics`` are the micro-conversion names (conversions.yml).

    A missing file means "no experiments" (everyone gets the default behaviour)."""
    import yaml

    path = Path(path)
    if not path.exists():
        return ExperimentsConfig(source=str(path), metrics=tuple(metrics))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ExperimentsConfigError(f"{path}: invalid YAML: {exc}") from None
    return parse_experiments(data, metrics, source=str(path))


def parse_experiments(data: Any, metrics: Iterable[str], source: str = "<experiments>") -> ExperimentsConfig:
    metrics = tuple(metrics)
    if data is None:
        return ExperimentsConfig(source=source, metrics=metrics)
    if not isinstance(data, dict):
        raise ExperimentsConfigError(f"{source}: expected a mapping with 'experiments' and/or 'flags'")
    errors: List[str] = []
    for key in sorted(set(map(str, data)) - _TOP_KEYS):
        errors.append(f"unknown top-level key '{key}' (allowed: {', '.join(sorted(_TOP_KEYS))})")
    if data.get("version", 1) != 1:
        errors.append(f"unsupported version {data.get('version')!r} (expected 1)")

    experiments = _parse_list(data.get("experiments"), "experiments", lambda raw, i: _parse_experiment(raw, i, set(metrics), errors), errors)
    flags = _parse_list(data.get("flags"), "flags", lambda raw, i: _parse_flag(raw, i, errors), errors)
    for what, items in (("experiment", experiments), ("flag", flags)):
        seen = set()
        for item in items:
            if item.name in seen:
                errors.append(f"{what} '{item.name}' is defined twice")
            seen.add(item.name)
    errors.extend(overlaps(experiments))
    if errors:
        raise ExperimentsConfigError(f"{source} is invalid:\n  - " + "\n  - ".join(errors))
    return ExperimentsConfig(tuple(experiments), tuple(flags), source=source, metrics=metrics)


def overlaps(experiments: Iterable[Experiment], statuses: Optional[Dict[str, str]] = None) -> List[str]:
    """Problems with live experiments sharing a surface in overlapping windows.

    ``statuses`` overrides the configured status (the rollout state in the database)."""
    statuses = statuses or {}
    live = [e for e in experiments if statuses.get(e.name, e.status) in LIVE_STATUSES]
    problems = []
    for i, a in enumerate(live):
        for b in live[i + 1:]:
            if a.surface == b.surface and _windows_overlap(a, b):
                problems.append(
                    f"experiments '{a.name}' and '{b.name}' both change surface '{a.surface}' in "
                    f"overlapping date windows; stop one, give them disjoint start/stop dates, or use one experiment with more variants"
                )
    return problems


def _windows_overlap(a: Experiment, b: Experiment) -> bool:
    far_past, far_future = dt.datetime.min, dt.datetime.max
    return (a.start or far_past) < (b.stop or far_future) and (b.start or far_past) < (a.stop or far_future)


def _parse_list(raw, key, parse_one, errors) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(f"'{key}' must be a list")
        return []
    return [item for item in (parse_one(r, i) for i, r in enumerate(raw, 1)) if item is not None]


def _check_keys(raw: dict, allowed: set, where: str, errors: List[str]) -> None:
    for key in sorted(set(map(str, raw)) - allowed):
        errors.append(f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


def _name(raw: dict, kind: str, i: int, errors: List[str]) -> Tuple[str, Optional[str]]:
    name = raw.get("name")
    where = f"{kind} '{name}'" if isinstance(name, str) else f"{kind} #{i}"
    if not isinstance(name, str) or not _NAME_RE.match(name):
        errors.append(f"{where}: 'name' must be lower_snake_case (max 48 chars)")
        return where, None
    return where, name


def _utc_datetime(value: Any, where: str, key: str, errors: List[str]) -> Optional[dt.datetime]:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            errors.append(f"{where}: '{key}' must be an ISO date or date-time (UTC), got {value!r}")
            return None
    else:
        errors.append(f"{where}: '{key}' must be an ISO date or date-time (UTC), got {value!r}")
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _parse_experiment(raw: Any, i: int, metrics: set, errors: List[str]) -> Optional[Experiment]:
    if not isinstance(raw, dict):
        errors.append(f"experiment #{i}: expected a mapping")
        return None
    where, name = _name(raw, "experiment", i, errors)
    n_errors = len(errors)
    _check_keys(raw, _EXP_KEYS, where, errors)
    surface = raw.get("surface")
    if not isinstance(surface, str) or not surface:
        errors.append(f"{where}: 'surface' (the behaviour it changes, e.g. greeting or cross_sell) is required")
    status = raw.get("status", "draft")
    if status not in STATUSES:
        errors.append(f"{where}: 'status' must be one of {', '.join(STATUSES)}, got {status!r}")

    variants: List[Variant] = []
    raw_variants = raw.get("variants")
    if not isinstance(raw_variants, list) or len(raw_variants) < 2:
        errors.append(f"{where}: 'variants' needs at least two variants (the first is the baseline)")
        raw_variants = []
    for j, rv in enumerate(raw_variants, 1):
        if not isinstance(rv, dict):
            errors.append(f"{where}: variant #{j} must be a mapping with 'name' and 'weight'")
            continue
        _check_keys(rv, _VARIANT_KEYS, f"{where} variant #{j}", errors)
        vname = rv.get("name")
        weight = _number(rv.get("weight"))
        if not isinstance(vname, str) or not _NAME_RE.match(vname):
            errors.append(f"{where}: variant #{j} 'name' must be lower_snake_case")
            continue
        if weight is None or weight < 0:
            errors.append(f"{where}: variant '{vname}' needs a 'weight' >= 0 (percent of traffic)")
            continue
        variants.append(Variant(vname, weight, str(rv.get("description") or "")))
    if variants and len(variants) == len(raw_variants):
        names = [v.name for v in variants]
        if len(set(names)) != len(names):
            errors.append(f"{where}: variant names must be unique")
        total = sum(v.weight for v in variants)
        if abs(total - 100.0) > 1e-6:
            errors.append(f"{where}: variant weights must sum to 100, got {total:g}")

    metric = raw.get("metric")
    known = ", ".join(sorted(metrics)) or "none defined"
    if not isinstance(metric, str) or metric not in metrics:
        errors.append(f"{where}: 'metric' {metric!r} is not a micro-conversion in conversions.yml (known: {known})")
    guardrails: List[Guardrail] = []
    raw_guardrails = raw.get("guardrails") or []
    if not isinstance(raw_guardrails, list):
        errors.append(f"{where}: 'guardrails' must be a list of micro-conversion names or {{metric, must_not}} mappings")
        raw_guardrails = []
    for g in raw_guardrails:
        if isinstance(g, str):
            g = {"metric": g}
        if not isinstance(g, dict) or set(g) - {"metric", "must_not"} or not isinstance(g.get("metric"), str):
            errors.append(f"{where}: guardrail {g!r} must be a micro-conversion name or {{metric: NAME, must_not: increase|decrease}}")
            continue
        must_not = g.get("must_not", "increase")
        if must_not not in ("increase", "decrease"):
            errors.append(f"{where}: guardrail {g['metric']!r}: 'must_not' must be increase or decrease")
        elif g["metric"] not in metrics:
            errors.append(f"{where}: guardrail {g['metric']!r} is not a micro-conversion in conversions.yml (known: {known})")
        elif g["metric"] == metric:
            errors.append(f"{where}: guardrail {g['metric']!r} is the primary metric")
        else:
            guardrails.append(Guardrail(g["metric"], must_not))
    start = _utc_datetime(raw.get("start"), where, "start", errors)
    stop = _utc_datetime(raw.get("stop"), where, "stop", errors)
    if start and stop and stop <= start:
        errors.append(f"{where}: 'stop' must be after 'start'")
    min_sample = raw.get("min_sample", DEFAULT_MIN_SAMPLE)
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 1:
        errors.append(f"{where}: 'min_sample' (conversations per variant before a winner is named) must be a positive integer")
    alpha = _number(raw.get("alpha", DEFAULT_ALPHA))
    if alpha is None or not 0 < alpha < 0.5:
        errors.append(f"{where}: 'alpha' must be a number between 0 and 0.5")
    tuning = _number(raw.get("sequential_tuning", DEFAULT_SEQUENTIAL_TUNING))
    if tuning is None or tuning <= 0:
        errors.append(f"{where}: 'sequential_tuning' (expected total sample size) must be a positive number")
    shipped = raw.get("shipped_variant")
    if status == "shipped" and shipped is None:
        errors.append(f"{where}: status 'shipped' needs 'shipped_variant'")
    if shipped is not None and variants and shipped not in [v.name for v in variants]:
        errors.append(f"{where}: 'shipped_variant' {shipped!r} is not one of its variants")
    salt = raw.get("salt", "")
    if not isinstance(salt, (str, int)):
        errors.append(f"{where}: 'salt' must be a string")
    params = raw.get("params") or {}
    if not isinstance(params, dict) or not all(isinstance(v, (str, int, float, bool)) for v in params.values()):
        errors.append(f"{where}: 'params' must be a mapping of names to plain values")
        params = {}
    if isinstance(surface, str) and surface in _SURFACE_CHECKS:
        errors.extend(f"{where}: {problem}" for problem in _SURFACE_CHECKS[surface](params, [v.name for v in variants]))

    if name is None or len(errors) != n_errors:
        return None
    return Experiment(
        name=name, surface=surface, variants=tuple(variants), metric=metric, guardrails=tuple(guardrails),
        status=status, start=start, stop=stop, salt=str(salt), min_sample=min_sample, alpha=alpha,
        sequential_tuning=tuning, shipped_variant=shipped, description=str(raw.get("description") or ""),
        params=tuple(sorted((str(k), v) for k, v in params.items())),
    )


def _parse_flag(raw: Any, i: int, errors: List[str]) -> Optional[Flag]:
    if not isinstance(raw, dict):
        errors.append(f"flag #{i}: expected a mapping")
        return None
    where, name = _name(raw, "flag", i, errors)
    n_errors = len(errors)
    _check_keys(raw, _FLAG_KEYS, where, errors)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append(f"{where}: 'enabled' must be true or false")
    percent = _number(raw.get("percent", 100))
    if percent is None or not _percent_ok(percent):
        errors.append(f"{where}: 'percent' must be a number from 0 to 100, got {raw.get('percent')!r}")
    channels = raw.get("channels") or []
    if isinstance(channels, str):
        channels = [channels]
    if not isinstance(channels, list) or not all(isinstance(c, str) and c for c in channels):
        errors.append(f"{where}: 'channels' must be a list of channel names (e.g. rest, socketio, slack, facebook)")
        channels = []
    if name is None or len(errors) != n_errors:
        return None
    return Flag(name=name, enabled=enabled, percent=percent, channels=tuple(channels),
                salt=str(raw.get("salt", "")), description=str(raw.get("description") or ""))


def _percent_ok(percent: float) -> bool:
    return 0 <= percent <= 100


def validate_percent(percent: float) -> None:
    """The rule of experiments.yml, for ``lift flag set``."""
    if not _percent_ok(percent):
        raise ExperimentsConfigError(f"percent must be between 0 and 100, got {percent:g}")


def load_from_settings(settings) -> ExperimentsConfig:
    """experiments.yml of ``settings``, checked against the micro-conversions of conversions.yml."""
    from lift.measure.rules import load_conversions

    return load_experiments(settings.experiments_file, load_conversions(settings.conversions_file).names)
