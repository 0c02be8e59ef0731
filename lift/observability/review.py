"""Review queue capture: which saved turns a person should look at (issue 14).

Captured live, by the tracker store, in the transaction that stores the turn's events
(:meth:`lift.rasa_plugins.tracker_store.ConversionTrackerStore.save`), so a turn lands in
``review_items`` exactly when it is stored: never before, never twice (one row per user
message, unique on ``(sender_id, turn_key)``; replays and re-saves insert nothing new).

A user turn is queued, with one ``reason`` (the first that applies, in this order):

* ``fallback``: NLU fell back (intent ``nlu_fallback``, i.e. below the FallbackClassifier's
  threshold) or a fallback action ran (plain-words options, two-stage, default fallback);
* ``not_sure``: the knowledge base had no answer good enough (``utter_kb_not_sure``);
  ``kb_score`` keeps the top hit's confidence;
* ``handoff``: the conversation was handed to a person (``ConversationPaused``);
* ``low_confidence``: the intent was accepted, but with a confidence below the review
  threshold (``LIFT_REVIEW_CONFIDENCE``), above the fallback's; not when a form took the
  message as the answer it asked for (a ``*_form`` action ran and did not reject it: a name or
  an address is rarely a confident intent, and is no news).

The row keeps what a labeller needs (the text, the predicted intent and confidence, the best
guess other than ``nlu_fallback``) and no slot values. The text is personal data: erasure
and retention clear it (:mod:`lift.governance.erasure`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Sequence

from lift.observability.turns import NLU_FALLBACK, NOT_SURE_RESPONSE, fallback_kind

REASONS = ("fallback", "not_sure", "handoff", "low_confidence")  # priority order
KB_SCORE_SLOT = "kb_score"
MAX_TEXT = 2000


@dataclass(frozen=True)
class ReviewCandidate:
    turn_key: str
    occurred_at: dt.datetime
    channel: Optional[str]
    reason: str
    text: Optional[str]
    intent: Optional[str]
    confidence: Optional[float]
    guess: Optional[str]
    guess_confidence: Optional[float]
    kb_score: Optional[float]
    model_id: Optional[str]

    def as_row(self, sender_id: str) -> Dict[str, Any]:
        return {"sender_id": sender_id, "status": "open", "label_no_doc": False,
                "created_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), **asdict(self)}


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _turn_key(user: Dict[str, Any]) -> str:
    message_id = user.get("message_id")
    if isinstance(message_id, str) and message_id:
        return message_id[:64]
    return f"ts:{float(user.get('timestamp') or 0.0)!r}"


def _guess(parse_data: Dict[str, Any]) -> tuple:
    for cand in parse_data.get("intent_ranking") or []:
        if isinstance(cand, dict) and cand.get("name") and cand["name"] != NLU_FALLBACK:
            return str(cand["name"])[:100], _number(cand.get("confidence"))
    return None, None


def _candidate(user: Dict[str, Any], reasons: set, kb_score: Optional[float]) -> ReviewCandidate:
    parse = user.get("parse_data") or {}
    intent = parse.get("intent") or {}
    guess, guess_conf = _guess(parse)
    text = user.get("text")
    metadata = user.get("metadata") or {}
    return ReviewCandidate(
        turn_key=_turn_key(user),
        occurred_at=dt.datetime.fromtimestamp(float(user.get("timestamp") or 0.0), dt.timezone.utc).replace(tzinfo=None),
        channel=(str(user["input_channel"])[:64] if user.get("input_channel") else None),
        reason=next(r for r in REASONS if r in reasons),
        text=text[:MAX_TEXT] if isinstance(text, str) else None,
        intent=(str(intent["name"])[:100] if intent.get("name") else None),
        confidence=_number(intent.get("confidence")),
        guess=guess, guess_confidence=guess_conf, kb_score=kb_score,
        model_id=(str(metadata["model_id"])[:64] if isinstance(metadata, dict) and metadata.get("model_id") else None),
    )


def review_candidates(events: Sequence[Dict[str, Any]], start: int, low_confidence: float) -> List[ReviewCandidate]:
    """Turns to review among ``events`` (Rasa event dicts, oldest first) of which those from
    index ``start`` on are new in this save.

    ``events`` should begin at (or before) the user message that owns ``events[start]``, so a
    fallback or handoff stored in a later save than its message is still attributed to it.
    Only what is new is judged: a turn already queued by an earlier save is not re-judged
    (the unique key would drop it anyway).
    """
    found: List[ReviewCandidate] = []
    user: Optional[Dict[str, Any]] = None
    reasons: set = set()
    kb_score: Optional[float] = None

    form_ran = rejected = False

    def close() -> None:
        if form_ran and not rejected:
            reasons.discard("low_confidence")
        if user is not None and reasons:  # a found answer's score is no news: kept for "not sure" only
            found.append(_candidate(user, reasons, kb_score if "not_sure" in reasons else None))

    for i, ev in enumerate(events):
        kind = ev.get("event")
        if kind == "user":
            close()
            user, reasons, kb_score, form_ran, rejected = ev, set(), None, False, False
            if i < start:
                continue
            intent = (ev.get("parse_data") or {}).get("intent") or {}
            confidence = _number(intent.get("confidence"))
            if fallback_kind("user", intent.get("name"), None):
                reasons.add("fallback")
            elif confidence is not None and confidence < low_confidence:
                reasons.add("low_confidence")
            continue
        if i < start or user is None:
            continue
        if fallback_kind(kind, None, ev.get("name")):
            reasons.add("fallback")
        elif kind == "action" and str(ev.get("name") or "").endswith("_form"):
            form_ran = True
        elif kind == "action_execution_rejected":
            rejected = True
        elif kind == "bot" and (ev.get("metadata") or {}).get("utter_action") == NOT_SURE_RESPONSE:
            reasons.add("not_sure")
        elif kind == "slot" and ev.get("name") == KB_SCORE_SLOT:
            kb_score = _number(ev.get("value"))
        elif kind == "pause":
            reasons.add("handoff")
    close()
    return found


def owning_user_index(events: Sequence[Any], start: int) -> int:
    """Index of the last user message at or before ``start`` (Rasa Event objects), else ``start``."""
    for i in range(min(start, len(events) - 1), -1, -1):
        if getattr(events[i], "type_name", None) == "user":
            return i
    return start
