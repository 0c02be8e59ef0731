"""Micro-conversions: the declarative mapping (``conversions.yml``), detection over a
conversation's events, redaction of the recorded value, and the ``micro_conversions`` table.

Plain Python: the Rasa tracker store (``lift.rasa_plugins.tracker_store``) feeds events in
and writes the detections; everything here is testable without a Rasa server. Events are
read by duck typing (``type_name``, ``key``/``value``, ``name``, ``action_name``,
``input_channel``, ``metadata``, ``timestamp``), which is what ``rasa.shared.core.events``
objects expose.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from lift.db import Base

logger = logging.getLogger(__name__)

VARIANT_SLOT = "variant"
KB_VERSION_SLOT = "kb_version"
DEFAULT_VARIANT = "control"
NO_KB_VERSION = "none"

# Values of these slots are personal data with no analytical use: never stored, whatever
# the rule says.
NEVER_STORED_SLOTS = frozenset({"person_name", "shipping_address"})

VALUE_KINDS = ("slot", "email", "phone", "name", "cart", "slot_name", "none")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TOP_KEYS = {"version", "conversions", "funnels"}
_RULE_KEYS = {"name", "when", "value", "description"}
_WHEN_KEYS = {"slot", "active_loop", "action", "equals", "not_in", "non_empty", "while_active_loop"}
_TRIGGERS = ("slot", "active_loop", "action")
_UNSET = object()


class ConversionsConfigError(ValueError):
    """conversions.yml is missing, malformed or names something the domain lacks."""


class MicroConversion(Base):
    """One micro-conversion of one conversation, recorded once, at its first occurrence."""

    __tablename__ = "micro_conversions"
    __table_args__ = (
        # Exactly once per conversation and name, even with concurrent writers.
        sa.Index("ix_micro_conversions_sender_name", "sender_id", "name", unique=True),
        sa.Index("ix_micro_conversions_name_occurred", "name", "occurred_at"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False)
    name = sa.Column(sa.String(64), nullable=False)
    occurred_at = sa.Column(sa.DateTime, nullable=False)  # UTC, naive (project convention)
    channel = sa.Column(sa.String(64), nullable=True)
    variant = sa.Column(sa.String(64), nullable=False, default=DEFAULT_VARIANT)
    model_id = sa.Column(sa.String(64), nullable=True)
    kb_version = sa.Column(sa.String(64), nullable=False, default=NO_KB_VERSION)
    value = sa.Column(sa.Text, nullable=True)
    event_type = sa.Column(sa.String(32), nullable=False)


def create_table(engine: sa.engine.Engine) -> None:
    """Create ``micro_conversions`` if missing (idempotent, safe with parallel starters)."""
    try:
        Base.metadata.create_all(engine, tables=[MicroConversion.__table__])
    except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
        # Rasa and the CLI may race to create it; the loser sees "already exists".
        if not sa.inspect(engine).has_table(MicroConversion.__tablename__):
            raise


# --------------------------------------------------------------------------- mapping


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


# --------------------------------------------------------------------------- redaction

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A run of digits with phone separators; letters or '-' right before it mean an identifier
# (SKU, order id), not a phone number.
_PHONE_RE = re.compile(r"(?<![A-Za-z0-9_\-])\+?\(?\d[\d\s().\-/]{5,}\d")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class Redactor:
    """Turns slot values into something safe to keep for analysis.

    Emails and phone numbers become ``email:<hex>`` / ``phone:<hex>``: an HMAC-SHA256 keyed
    with LIFT_REDACTION_KEY, so the same address maps to the same token (joins and
    de-duplication still work) but cannot be reversed or confirmed without the key.
    """

    def __init__(self, key: str, *, digest_chars: int = 16, max_len: int = 500):
        if not key:
            raise ValueError("a redaction key is required")
        self._key = key.encode("utf-8")
        self._chars = digest_chars
        self._max_len = max_len

    def token(self, kind: str, normalized: str) -> str:
        mac = hmac.new(self._key, f"{kind}:{normalized}".encode("utf-8"), hashlib.sha256)
        return f"{kind}:{mac.hexdigest()[: self._chars]}"

    def email(self, value: Any) -> Optional[str]:
        if value in (None, ""):
            return None
        return self.token("email", str(value).strip().lower())

    def phone(self, value: Any) -> Optional[str]:
        digits = re.sub(r"\D", "", str(value or ""))
        return self.token("phone", digits) if digits else None

    def text(self, value: str) -> str:
        """Replace every email and phone number inside free text by its token."""
        out = _EMAIL_RE.sub(lambda m: self.email(m.group(0)), value)
        return _PHONE_RE.sub(self._phone_or_keep, out)

    def _phone_or_keep(self, m: "re.Match[str]") -> str:
        s = m.group(0)
        digits = re.sub(r"\D", "", s)
        if not 7 <= len(digits) <= 15 or _ISO_DATE_RE.match(s.lstrip("+(")):
            return s
        return self.token("phone", digits)

    @staticmethod
    def cart(value: Any) -> Optional[str]:
        items = value if isinstance(value, list) else []
        count, skus = 0, []
        for item in items:
            if not isinstance(item, dict):
                continue
            qty = item.get("qty", 1)
            count += qty if isinstance(qty, int) and not isinstance(qty, bool) and qty > 0 else 1
            sku = item.get("sku")
            if isinstance(sku, str) and sku not in skus:
                skus.append(sku)
        return json.dumps({"item_count": count, "skus": skus}, separators=(",", ":"))

    def generic(self, value: Any) -> Optional[str]:
        if value is None:
            return None
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))  # float slots hold ids like 12.0
        elif isinstance(value, (int, float)):
            text = str(value)
        elif isinstance(value, str):
            text = value
        else:
            text = json.dumps(value, default=str, separators=(",", ":"))
        text = self.text(text)
        return text[: self._max_len]

    def render(self, rule: Rule, slot: Optional[str], value: Any) -> Optional[str]:
        if rule.value == "slot_name":
            return slot
        if rule.value in ("none", "name") or slot in NEVER_STORED_SLOTS:
            return None
        if rule.value == "email":
            return self.email(value)
        if rule.value == "phone":
            return self.phone(value)
        if rule.value == "cart":
            return self.cart(value)
        return self.generic(value)


# --------------------------------------------------------------------------- detection


@dataclass
class Detection:
    name: str
    event_type: str
    occurred_at: dt.datetime
    channel: Optional[str]
    model_id: Optional[str]
    variant: Optional[str]
    kb_version: Optional[str]
    value: Optional[str]

    def as_row(self, sender_id: str) -> Dict[str, Any]:
        return {
            "sender_id": sender_id,
            "name": self.name,
            "occurred_at": self.occurred_at,
            "channel": (self.channel or None) and str(self.channel)[:64],
            "variant": str(self.variant or DEFAULT_VARIANT)[:64],
            "model_id": (self.model_id or None) and str(self.model_id)[:64],
            "kb_version": str(self.kb_version or NO_KB_VERSION)[:64],
            "value": self.value,
            "event_type": self.event_type,
        }


def _utc(ts: Any) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(float(ts), tz=dt.timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class KbVersionSource:
    """kb_version of the retrieval index manifest, re-read only when the file changes."""

    def __init__(self, manifest_path: Optional[Path]):
        self.path = manifest_path
        self._cache: Tuple[Optional[int], Optional[str]] = (None, None)

    def __call__(self) -> Optional[str]:
        if self.path is None:
            return None
        try:
            mtime = self.path.stat().st_mtime_ns
        except OSError:
            return None
        if self._cache[0] != mtime:
            version = None
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8")).get("kb_version")
                version = str(raw) if raw not in (None, "") else None
            except (OSError, ValueError, AttributeError):
                logger.warning("retrieval manifest %s is unreadable; kb_version falls back to 'none'", self.path)
            self._cache = (mtime, version)
        return self._cache[1]


class ConversionDetector:
    """Finds the first occurrence of each configured micro-conversion among new events."""

    def __init__(
        self,
        config: ConversionsConfig,
        redactor: Redactor,
        kb_version_fallback: Optional[KbVersionSource] = None,
    ):
        self.config = config
        self.redactor = redactor
        self.kb_version_fallback = kb_version_fallback or (lambda: None)
        self._by_slot: Dict[str, List[Rule]] = {}
        self._by_loop: Dict[str, List[Rule]] = {}
        self._by_action: Dict[str, List[Rule]] = {}
        index = {"slot": self._by_slot, "active_loop": self._by_loop, "action": self._by_action}
        for rule in config.rules:
            for target in rule.targets:
                index[rule.trigger].setdefault(target, []).append(rule)

    def detect(
        self, events: Sequence[Any], start: int, already: Iterable[str] = ()
    ) -> List[Detection]:
        """Detections for ``events[start:]``; ``events[:start]`` (already stored) rebuild
        the state (active form, channel, slots) the new events happened in, and what they
        matched counts as recorded. The database's unique (sender_id, name) index remains
        the guarantee: this only avoids re-inserting what the session already produced.

        Reverts (rewind/undo) are not replayed: a micro-conversion that happened stays
        recorded, and they do not change which form was active often enough to matter.
        """
        done = set(already)
        found: List[Detection] = []
        slots: Dict[str, Any] = {}
        active_loop: Optional[str] = None
        channel: Optional[str] = None
        model_id: Optional[str] = None

        for i, ev in enumerate(events):
            t = getattr(ev, "type_name", None)
            metadata = getattr(ev, "metadata", None) or {}
            own_model = metadata.get("model_id") if isinstance(metadata, dict) else None
            if own_model:
                model_id = own_model
            if t == "user":
                channel = getattr(ev, "input_channel", None) or channel
            elif t in ("restart", "session_started"):
                slots.clear()
                active_loop = None
            elif t == "reset_slots":
                slots.clear()

            if i < start:
                # Stored events were saved together with their conversion rows, so what
                # they matched is already recorded: skip the INSERT that would conflict
                # (this also covers slots action_session_start carries into a new session).
                done.update(rule.name for rule, _, _ in self._matches(t, ev, active_loop))
            else:
                for rule, slot, value in self._matches(t, ev, active_loop):
                    if rule.name in done:
                        continue
                    done.add(rule.name)
                    det = Detection(
                        name=rule.name,
                        event_type=t or "unknown",
                        occurred_at=_utc(getattr(ev, "timestamp", None)),
                        channel=channel,
                        model_id=own_model or model_id,
                        variant=slots.get(VARIANT_SLOT),
                        kb_version=slots.get(KB_VERSION_SLOT),
                        value=self.redactor.render(rule, slot, value),
                    )
                    found.append(det)

            if t == "slot":
                slots[getattr(ev, "key", None)] = getattr(ev, "value", None)
            elif t == "active_loop":
                active_loop = getattr(ev, "name", None)

        if not found:
            return []
        # Attribution a detection lacks at its own moment (e.g. kb_version set right after
        # kb_doc_id by the same action, channel of a message saved in the same batch) comes
        # from the state at the end of this save.
        kb_fallback = slots.get(KB_VERSION_SLOT) or None
        if kb_fallback is None:
            kb_fallback = self.kb_version_fallback()
        for det in found:
            det.channel = det.channel or channel
            det.model_id = det.model_id or model_id
            det.variant = det.variant or slots.get(VARIANT_SLOT) or DEFAULT_VARIANT
            det.kb_version = det.kb_version or kb_fallback or NO_KB_VERSION
        return found

    def _matches(self, t: Optional[str], ev: Any, active_loop: Optional[str]):
        if t == "slot":
            key = getattr(ev, "key", None)
            value = getattr(ev, "value", None)
            for rule in self._by_slot.get(key, ()):
                if rule.slot_matches(value, active_loop):
                    yield rule, key, value
        elif t == "active_loop":
            name = getattr(ev, "name", None)
            for rule in self._by_loop.get(name, ()) if name else ():
                yield rule, None, None
        elif t == "action":
            name = getattr(ev, "action_name", None)
            for rule in self._by_action.get(name, ()) if name else ():
                if rule.context_matches(active_loop):
                    yield rule, None, None
