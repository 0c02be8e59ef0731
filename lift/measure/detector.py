"""Detection: the first occurrence of each configured micro-conversion among new events.

Plain Python: the Rasa tracker store (``lift.rasa_plugins.tracker_store``) feeds events in
and writes the detections; everything here is testable without a Rasa server. Events are
read by duck typing (``type_name``, ``key``/``value``, ``name``, ``action_name``,
``input_channel``, ``metadata``, ``timestamp``), which is what ``rasa.shared.core.events``
objects expose.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from lift.measure.redaction import Redactor
from lift.measure.rules import ConversionsConfig, Rule
from lift.store.files import FileMemo
from lift.store.models import DEFAULT_VARIANT, NO_KB_VERSION

logger = logging.getLogger(__name__)

VARIANT_SLOT = "variant"
KB_VERSION_SLOT = "kb_version"


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
    """kb_version of the retrieval index manifest, re-read only when the file changes
    (:class:`lift.store.files.FileMemo`: a swapped-in index — build, activate, rollback — is a new file)."""

    def __init__(self, manifest_path: Optional[Path]):
        self.path = manifest_path
        self._memo = FileMemo()

    def __call__(self) -> Optional[str]:
        if self.path is None:
            return None
        return self._memo.get(self.path, self._read)

    def _read(self) -> Optional[str]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8")).get("kb_version")
        except FileNotFoundError:
            return None  # no index (yet): kb_version 'none'
        except (OSError, ValueError, AttributeError):
            logger.warning("retrieval manifest %s is unreadable; kb_version falls back to 'none'", self.path)
            return None
        return str(raw) if raw not in (None, "") else None


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
