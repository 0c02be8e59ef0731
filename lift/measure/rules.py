"""Micro-conversion rules: the declarative mapping in ``conversions.yml``.

:func:`load_conversions` reads and validates the file into a :class:`ConversionsConfig`
(every problem reported at once); :meth:`ConversionsConfig.validate_against` checks the
slots, forms and actions it names against a Rasa domain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

VALUE_KINDS = ("slot", "email", "phone", "name", "cart", "slot_name", "none")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TOP_KEYS = {"version", "conversions", "funnels"}
_RULE_KEYS = {"name", "when", "value", "description"}
_WHEN_KEYS = {"slot", "active_loop", "action", "equals", "not_in", "non_empty", "while_active_loop"}
_TRIGGERS = ("slot", "active_loop", "action")
_UNSET = object()


class ConversionsConfigError(ValueError):
    """conversions.yml is missing, malformed or names something the domain lacks."""


@dataclass(frozen=True)
class Rule:
    name: str
    trigger: str  # "slot" | "active_loop" | "action"
    targets: Tuple[str, ...]
    value: str
    equals: Any = _UNSET
    not_in: Tuple[Any, ...] = ()
    non_empty: bool = False
    while_active_loop: Optional[str] = None
    description: str = ""

    def slot_matches(self, value: Any, active_loop: Optional[str]) -> bool:
        if value is None:
            return False
        if self.while_active_loop is not None and active_loop != self.while_active_loop:
            return False
        if self.equals is not _UNSET and value != self.equals:
            return False
        # bool is an int subclass: `equals: 1` must not match True and vice versa.
        if self.equals is not _UNSET and (type(value) is bool) != (type(self.equals) is bool):
            return False
        if self.not_in and any(value == v and type(value) is type(v) for v in self.not_in):
            return False
        if self.non_empty and (value == "" or (hasattr(value, "__len__") and len(value) == 0)):
            return False
        return True

    def context_matches(self, active_loop: Optional[str]) -> bool:
        return self.while_active_loop is None or active_loop == self.while_active_loop


@dataclass(frozen=True)
class ConversionsConfig:
    rules: Tuple[Rule, ...]
    funnels: Dict[str, Tuple[str, ...]]
    source: str = "<conversions>"

    @property
    def names(self) -> List[str]:
        return [r.name for r in self.rules]

    def referenced(self) -> Dict[str, set]:
        """Slots, loops and actions the rules rely on (for checking against a domain)."""
        refs: Dict[str, set] = {"slot": set(), "active_loop": set(), "action": set()}
        for r in self.rules:
            refs[r.trigger].update(r.targets)
            if r.while_active_loop:
                refs["active_loop"].add(r.while_active_loop)
        return refs

    def validate_against(
        self, slots: Iterable[str], forms: Iterable[str], actions: Iterable[str]
    ) -> None:
        """Fail with every unknown slot/form/action at once, so one fix round is enough."""
        slots, forms, actions = set(slots), set(forms), set(actions)
        problems = []
        for r in self.rules:
            for t in r.targets:
                if r.trigger == "slot" and t not in slots:
                    problems.append(f"conversion '{r.name}': unknown slot '{t}'")
                elif r.trigger == "active_loop" and t not in forms | actions:
                    problems.append(f"conversion '{r.name}': unknown form/loop '{t}'")
                elif r.trigger == "action" and t not in actions:
                    problems.append(f"conversion '{r.name}': unknown action '{t}'")
            if r.while_active_loop and r.while_active_loop not in forms | actions:
                problems.append(
                    f"conversion '{r.name}': while_active_loop names unknown form '{r.while_active_loop}'"
                )
        if problems:
            raise ConversionsConfigError(
                f"{self.source} does not match the domain:\n  - " + "\n  - ".join(problems)
                + "\nFix conversions.yml or add the missing names to domain/."
            )


def load_conversions(path: Path | str) -> ConversionsConfig:
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConversionsConfigError(
            f"conversions file not found: {path} (set LIFT_CONVERSIONS or create conversions.yml)"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConversionsConfigError(f"{path}: invalid YAML: {exc}") from None
    return parse_conversions(data, source=str(path))


def parse_conversions(data: Any, source: str = "<conversions>") -> ConversionsConfig:
    errors: List[str] = []
    if not isinstance(data, dict):
        raise ConversionsConfigError(f"{source}: expected a mapping with a 'conversions' list")
    for key in sorted(set(data) - _TOP_KEYS):
        errors.append(f"unknown top-level key '{key}' (allowed: {', '.join(sorted(_TOP_KEYS))})")
    if data.get("version", 1) != 1:
        errors.append(f"unsupported version {data.get('version')!r} (expected 1)")
    raw_rules = data.get("conversions")
    if not isinstance(raw_rules, list) or not raw_rules:
        errors.append("'conversions' must be a non-empty list of rules")
        raw_rules = []

    rules: List[Rule] = []
    seen: Dict[str, int] = {}
    for i, raw in enumerate(raw_rules, start=1):
        rule = _parse_rule(raw, i, errors)
        if rule is None:
            continue
        if rule.name in seen:
            errors.append(f"duplicate conversion name '{rule.name}' (rules #{seen[rule.name]} and #{i})")
            continue
        seen[rule.name] = i
        rules.append(rule)

    funnels: Dict[str, Tuple[str, ...]] = {}
    raw_funnels = data.get("funnels") or {}
    if not isinstance(raw_funnels, dict):
        errors.append("'funnels' must map a funnel name to a list of conversion names")
        raw_funnels = {}
    for fname, steps in raw_funnels.items():
        where = f"funnel '{fname}'"
        if not isinstance(fname, str) or not _NAME_RE.match(fname):
            errors.append(f"{where}: name must be lower_snake_case")
            continue
        if not isinstance(steps, list) or len(steps) < 2 or not all(isinstance(s, str) for s in steps):
            errors.append(f"{where}: needs a list of at least two conversion names")
            continue
        for s in steps:
            if s not in seen:
                errors.append(f"{where}: unknown conversion '{s}'")
        if len(set(steps)) != len(steps):
            errors.append(f"{where}: a step is listed twice")
        funnels[fname] = tuple(steps)

    if errors:
        raise ConversionsConfigError(f"{source} is invalid:\n  - " + "\n  - ".join(errors))
    return ConversionsConfig(rules=tuple(rules), funnels=funnels, source=source)


def _parse_rule(raw: Any, i: int, errors: List[str]) -> Optional[Rule]:
    if not isinstance(raw, dict):
        errors.append(f"rule #{i}: expected a mapping with 'name' and 'when'")
        return None
    name = raw.get("name")
    where = f"rule #{i} ('{name}')" if name else f"rule #{i}"
    ok = True
    for key in sorted(set(raw) - _RULE_KEYS):
        errors.append(f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(_RULE_KEYS))})")
        ok = False
    if not isinstance(name, str) or not _NAME_RE.match(name):
        errors.append(f"{where}: 'name' must be lower_snake_case (max 64 chars)")
        ok = False
    when = raw.get("when")
    if not isinstance(when, dict):
        errors.append(f"{where}: 'when' must be a mapping (slot / active_loop / action)")
        return None
    for key in sorted(set(when) - _WHEN_KEYS):
        errors.append(f"{where}: unknown key 'when.{key}' (allowed: {', '.join(sorted(_WHEN_KEYS))})")
        ok = False
    triggers = [t for t in _TRIGGERS if t in when]
    if len(triggers) != 1:
        errors.append(f"{where}: 'when' needs exactly one of slot, active_loop, action (got {triggers or 'none'})")
        return None
    trigger = triggers[0]
    targets = when[trigger]
    if isinstance(targets, str):
        targets = [targets]
    if (
        not isinstance(targets, list)
        or not targets
        or not all(isinstance(t, str) and t for t in targets)
        or (trigger != "slot" and len(targets) != 1)
    ):
        errors.append(f"{where}: 'when.{trigger}' must be a name" + (" or a list of names" if trigger == "slot" else ""))
        return None
    if trigger == "active_loop" and "while_active_loop" in when:
        errors.append(f"{where}: 'while_active_loop' does not apply to active_loop rules")
        ok = False
    if trigger != "slot" and ({"equals", "not_in", "non_empty"} & set(when)):
        errors.append(f"{where}: 'equals'/'not_in'/'non_empty' only apply to slot rules")
        ok = False
    not_in = when.get("not_in", [])
    if not isinstance(not_in, list):
        errors.append(f"{where}: 'not_in' must be a list of values")
        ok = False
        not_in = []
    non_empty = when.get("non_empty", False)
    if not isinstance(non_empty, bool):
        errors.append(f"{where}: 'non_empty' must be true or false")
        ok = False
    loop = when.get("while_active_loop")
    if loop is not None and (not isinstance(loop, str) or not loop):
        errors.append(f"{where}: 'while_active_loop' must be a form name")
        ok = False
    value = raw.get("value", "slot" if trigger == "slot" else "none")
    if value not in VALUE_KINDS:
        errors.append(f"{where}: unknown value kind {value!r} (allowed: {', '.join(VALUE_KINDS)})")
        ok = False
    elif trigger != "slot" and value not in ("none",):
        errors.append(f"{where}: value '{value}' needs a slot rule (use 'none')")
        ok = False
    description = raw.get("description", "")
    if not ok:
        return None
    return Rule(
        name=name,
        trigger=trigger,
        targets=tuple(targets),
        value=value,
        equals=when.get("equals", _UNSET),
        not_in=tuple(not_in),
        non_empty=non_empty,
        while_active_loop=loop,
        description=str(description or ""),
    )
