"""``governance.yml``: retention ages, the agent-facing redaction policy and model quality gates.

Loaded and checked in one place; every problem is reported at once with the key that is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml


class PolicyError(ValueError):
    """governance.yml is missing or malformed; the message names the key."""


SUMMARY_MODES = ("masked", "clear")
# Where evaluation results are read from (relative to the project root).
DEFAULT_EVALUATIONS = {
    "nlu": "results/intent_report.json",       # make eval-nlu / rasa test nlu
    "stories": "results/story_report.json",    # rasa test core
    "retrieval": "results/retrieval_eval.json",  # make eval-retrieval (--json)
}


@dataclass(frozen=True)
class Policy:
    anonymise_after_days: Optional[int] = 90
    delete_after_days: Optional[int] = 365
    handoff_delete_after_days: Optional[int] = 180
    tables: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # extra tables: {name: {column, delete_after_days}}
    logs_delete_after_days: Optional[int] = 30
    handoff_summary: str = "masked"
    gates: Dict[str, float] = field(default_factory=dict)  # "<evaluation>.<json path>" -> minimum
    evaluations: Dict[str, str] = field(default_factory=lambda: dict(DEFAULT_EVALUATIONS))  # name -> result file
    source: str = "<policy>"


def _days(raw: Any, key: str, errors: List[str]) -> Optional[int]:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        errors.append(f"{key} must be a whole number of days (>= 0) or null, got {raw!r}")
        return None
    return raw


def parse_policy(data: Any, source: str = "<policy>") -> Policy:
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping at the top level")
    errors: List[str] = []
    unknown = set(data) - {"version", "retention", "redaction", "gates", "evaluations"}
    if unknown:
        errors.append(f"unknown top-level keys: {', '.join(sorted(unknown))}")
    ret = data.get("retention") or {}
    conv = ret.get("conversations") or {}
    anon = _days(conv.get("anonymise_after_days"), "retention.conversations.anonymise_after_days", errors)
    delete = _days(conv.get("delete_after_days"), "retention.conversations.delete_after_days", errors)
    if anon is not None and delete is not None and delete < anon:
        errors.append("retention.conversations.delete_after_days must be >= anonymise_after_days")
    handoff = _days((ret.get("handoff_tickets") or {}).get("delete_after_days"), "retention.handoff_tickets.delete_after_days", errors)
    logs = _days((ret.get("logs") or {}).get("delete_after_days"), "retention.logs.delete_after_days", errors)
    tables: Dict[str, Dict[str, Any]] = {}
    for name, spec in (ret.get("tables") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("column"), str):
            errors.append(f"retention.tables.{name} needs 'column' (a timestamp column) and 'delete_after_days'")
            continue
        tables[str(name)] = {"column": spec["column"],
                             "delete_after_days": _days(spec.get("delete_after_days"), f"retention.tables.{name}.delete_after_days", errors)}
    mode = (data.get("redaction") or {}).get("handoff_summary", "masked")
    if mode not in SUMMARY_MODES:
        errors.append(f"redaction.handoff_summary must be one of {', '.join(SUMMARY_MODES)}, got {mode!r}")
    gates: Dict[str, float] = {}
    for metric, minimum in (data.get("gates") or {}).items():
        if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not 0 <= minimum <= 1:
            errors.append(f"gates.{metric} must be a number between 0 and 1, got {minimum!r}")
        else:
            gates[str(metric)] = float(minimum)
    evaluations = dict(DEFAULT_EVALUATIONS)
    for name, path in (data.get("evaluations") or {}).items():
        if not isinstance(path, str) or not path:
            errors.append(f"evaluations.{name} must be a file path")
        else:
            evaluations[str(name)] = path
    for metric in gates:
        if metric.split(".", 1)[0] not in evaluations or "." not in metric:
            errors.append(f"gates.{metric}: must be <evaluation>.<key path> with <evaluation> one of "
                          f"{', '.join(sorted(evaluations))}")
    if errors:
        raise PolicyError(f"{source}: " + "; ".join(errors))
    return Policy(anon, delete, handoff, tables, logs, mode, gates, evaluations, source)


def load_policy(path: Path) -> Policy:
    path = Path(path)
    if not path.exists():
        raise PolicyError(f"{path} not found (copy the project's governance.yml or set LIFT_GOVERNANCE)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from None
    return parse_policy(data, str(path))


_summary_modes: Dict[str, str] = {}


def handoff_summary_mode(path: Path) -> str:
    """``redaction.handoff_summary`` of the policy at ``path`` (read once; ``masked`` if absent)."""
    key = str(path)
    if key not in _summary_modes:
        _summary_modes[key] = load_policy(path).handoff_summary if Path(path).exists() else "masked"
    return _summary_modes[key]
