"""A message about something the store has is never out of scope.

The intent classifier decides "out of scope" from wording alone, and shoppers describe problems
with products in wordings no training example has ("is the slate 11 good for drawing", "my
headphones stopped working after 2 weeks"). When such a message names a catalog product or
category, or carries an order number, it is about this store by construction: the best in-scope
intent of the classifier's own ranking is used instead — a product question when it is one of
the two best — still subject to the fallback's threshold, so a weak second guess becomes "did
you mean ...?", never a scope refusal.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

from lift.nlu.intents import REJECTED

# Entities only the store's own catalog and orders produce (the entity ruler built from
# kb/catalog.json, the order-id regex).
STORE_ENTITIES = frozenset({"product", "category", "order_id"})
KB_QUESTION = "ask_question"


def store_evidence(entities: Iterable[Dict[str, Any]]) -> List[str]:
    """The entity types in ``entities`` that only a message about this store carries."""
    return sorted({str(e.get("entity")) for e in entities or [] if e.get("entity") in STORE_ENTITIES})


def in_scope_intent(intent: Optional[Dict[str, Any]], ranking: Iterable[Dict[str, Any]],
                    entities: Iterable[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The intent to use instead of a rejected ``intent`` when ``entities`` show the message is
    about the store: the best-ranked in-scope one ({name, confidence}); None to keep ``intent``."""
    if not intent or intent.get("name") not in REJECTED or not store_evidence(entities):
        return None
    candidates = [c for c in ranking or [] if c.get("name") and c.get("name") not in REJECTED]
    # Between its two best store readings, a question about the product wins: the knowledge base
    # answers from that product's page or says it is not sure; a guess at a sales action (the
    # product's accessories, for "is the slate 11 good for drawing") would answer something else.
    best = next((c for c in candidates[:2] if c["name"] == KB_QUESTION), candidates[0] if candidates else None)
    return {"name": best["name"], "confidence": float(best.get("confidence") or 0.0)} if best else None


DEMO = "request_demo"
# What a request for a demo, a sales call or business buying says in some form. A message with
# none of it ("I want a coffee machine under 100 that's in stock", "checkout with the volt
# charger, express please") is a shopper's, whatever the classifier's first guess: the lead form
# would ask a shopper for their company.
BUSINESS_CUE = re.compile(
    r"demo|demonstrat|walk\W*(?:me|us)?\W*through|walkthrough|presentation|trial|\bsales\b|salesperson|\brep\b|"
    r"quote|pricing for|price list|discount|bulk|wholesale|volume|large orders?|\bunits\b|resell|distribut|"
    r"stock your|\btrade\b|\bb2b\b|business|compan|corporate|enterprise|organi[sz]ation|agency|firm\b|"
    r"school|universit|college|charity|non-?profit|office|department|branch|team|staff|employees|colleagues|"
    r"people|seats|licen[cs]|procure|\bcall\b|meeting|book|schedul|appointment|talk to (?:someone|sales)|"
    r"account manager|invoic|net.?30|partner|hotel|restaurant|caf[eé]|\bshop\b|\bstore\b|venue|rooms|clients|"
    r"customers|members|students|guests|\bmany\b|lots of|dozens|hundreds|\bwe\b|\bwe.re\b|\bour\b|\bus\b",
    re.IGNORECASE)


def shopper_not_lead(intent: Optional[Dict[str, Any]], ranking: Iterable[Dict[str, Any]],
                     text: Optional[str]) -> Optional[Dict[str, Any]]:
    """The intent to use instead of ``request_demo`` for a message with no business or demo
    wording: the classifier's next in-scope guess ({name, confidence}); None to keep ``intent``."""
    if not intent or intent.get("name") != DEMO or not text or BUSINESS_CUE.search(text):
        return None
    best = next((c for c in ranking or [] if c.get("name") and c["name"] != DEMO and c["name"] not in REJECTED), None)
    return {"name": best["name"], "confidence": float(best.get("confidence") or 0.0)} if best else None
