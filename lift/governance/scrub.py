"""Pure functions that make one record anonymous: Rasa event JSON and free text.

Rasa's ``events.data`` is the event's ``as_dict()``. An erased conversation keeps its shape
(event types, intent and action names, timestamps, ``model_id``) so dialogue analytics still
work, but loses everything a person typed or was told: user and bot texts, entities, channel
metadata, button payloads, and the values of every slot not known to be non-personal.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Set

ERASED = "[erased]"

# Slots whose values describe the shop's side of the conversation, never the person.
NON_PERSONAL_SLOTS = frozenset({
    "cart", "coupon_code", "upsell_sku", "upsell_accepted", "last_product", "shipping_method",
    "checkout_confirmed", "placed_order_id", "handoff_ticket_id", "kb_doc_id", "kb_version", "kb_score",
    "team_size", "demo_time", "lead_id", "interests", "newsletter_opt_in", "onboarding_completed",
    "order_id", "order_request", "variant", "requested_slot", "session_started_metadata",
})
# Slots that hold identifiers of the person: collected to sweep other places for them.
IDENTIFIER_SLOTS = ("email", "phone", "person_name", "company", "shipping_address")
_KEPT_METADATA = ("model_id", "assistant_id")


def _metadata(value: Any) -> Dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {k: value[k] for k in _KEPT_METADATA if k in value}


def scrub_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of one Rasa event dict without personal data (see module docstring)."""
    out = dict(event)
    kind = out.get("event")
    if "metadata" in out:
        out["metadata"] = _metadata(out["metadata"])
    if "text" in out:
        out["text"] = None
    if kind == "user":
        pd = out.get("parse_data") if isinstance(out.get("parse_data"), dict) else {}
        intent = pd.get("intent") if isinstance(pd.get("intent"), dict) else {}
        out["parse_data"] = {"intent": {k: intent[k] for k in ("name", "confidence") if k in intent},
                             "entities": [], "text": None}
    if kind == "bot":
        out["data"] = {}
    if kind == "slot" and out.get("name") not in NON_PERSONAL_SLOTS:
        out["value"] = None
    if "entities" in out:
        out["entities"] = [] if isinstance(out["entities"], list) else None
    for key in ("kwargs", "parse_data_text"):
        if key in out:
            out[key] = None
    return out


def identifiers_in_event(event: Dict[str, Any]) -> Set[str]:
    """Values of identifier slots and entities an event carries (to sweep elsewhere)."""
    found: Set[str] = set()
    if event.get("event") == "slot" and event.get("name") in IDENTIFIER_SLOTS:
        if isinstance(event.get("value"), str):
            found.add(event["value"])
    if event.get("event") == "user":
        pd = event.get("parse_data") if isinstance(event.get("parse_data"), dict) else {}
        for ent in pd.get("entities") or []:
            if isinstance(ent, dict) and ent.get("entity") in IDENTIFIER_SLOTS and isinstance(ent.get("value"), str):
                found.add(ent["value"])
    return {v.strip() for v in found if v and v.strip()}


def sweepable(identifiers: Iterable[str], min_len: int = 5) -> List[str]:
    """Identifiers long enough to search for without hitting unrelated text, longest first."""
    return sorted({i for i in identifiers if len(i) >= min_len}, key=len, reverse=True)


def digits_variants(phone: str) -> List[str]:
    """A phone number as typed and as bare digits (how it appears after normalisation)."""
    digits = re.sub(r"\D", "", phone)
    return [v for v in {phone, digits} if len(re.sub(r"\D", "", v)) >= 7]


def mask_identifiers(text: str, identifiers: Iterable[str]) -> str:
    """``text`` with every occurrence of each identifier (case-insensitive) replaced."""
    for ident in sweepable(identifiers):
        text = re.sub(re.escape(ident), ERASED, text, flags=re.IGNORECASE)
    return text

