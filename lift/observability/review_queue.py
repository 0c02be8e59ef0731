"""The review queue as people use it: list, label, export (``lift review ...``).

Labels are checked against what the next training can use: an intent the domain declares
(``domain/*.yml``; not ``nlu_fallback``) and a knowledge-base document id (``kb/`` sources,
the ids ``lift kb search`` cites). ``export`` turns labelled items into

* Rasa NLU YAML (``version: "3.1"``, ``nlu: - intent: X examples: |``), written with Rasa's
  own ``RasaYAMLWriter`` so it loads with ``RasaYAMLReader`` into ``data/nlu`` (issue 6);
* retrieval dev-set lines, one JSON object per line ``{"question", "doc_id"}`` as
  ``eval/retrieval_dev.jsonl`` uses them (``doc_id: null`` = no document answers it).

Button payloads (``/intent``), empty texts and texts erased since (``[erased]``: erasure, or
retention's anonymisation after 90 days) are never exported: they are not words a shopper
typed. The same text labelled twice the same way is exported once.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from lift.governance.scrub import ERASED
from lift.observability.review import REASONS
from lift.observability.turns import NLU_FALLBACK
from lift.store.engine import session_scope
from lift.store.models import ReviewItem, utcnow

logger = logging.getLogger(__name__)

STATUSES = ("open", "labeled")


class ReviewInputError(ValueError):
    """A label or an item id was refused; the message says why (and the valid names)."""


def domain_intents(domain_dir: Path) -> FrozenSet[str]:
    """Intents a label may name: those the domain files declare, without ``nlu_fallback``."""
    names = set()
    files = sorted(Path(domain_dir).glob("*.yml")) if Path(domain_dir).is_dir() else [Path(domain_dir)]
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("intents") or []:
            names.add(item if isinstance(item, str) else next(iter(item)))
    return frozenset(names - {NLU_FALLBACK})


def kb_doc_ids(kb_dir: Path) -> FrozenSet[str]:
    """Document ids of the knowledge-base sources (what search hits cite), read without the index."""
    from lift.retrieval.sources import load_documents

    return frozenset(d.doc_id for d in load_documents(Path(kb_dir)))


def _valid_names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


@dataclass(frozen=True)
class Label:
    intent: Optional[str] = None
    doc_id: Optional[str] = None
    no_doc: bool = False

    def check(self, intents: FrozenSet[str], doc_ids: Optional[FrozenSet[str]]) -> None:
        if self.intent is None and self.doc_id is None and not self.no_doc:
            raise ReviewInputError("give --intent NAME and/or --doc KB_ID (or --no-doc)")
        if self.doc_id is not None and self.no_doc:
            raise ReviewInputError("--doc and --no-doc exclude each other")
        if self.intent is not None and self.intent not in intents:
            raise ReviewInputError(f"unknown intent {self.intent!r}; valid intents: {_valid_names(intents)}")
        if self.doc_id is not None and doc_ids is not None and self.doc_id not in doc_ids:
            raise ReviewInputError(f"unknown knowledge-base document {self.doc_id!r} (ids as `lift kb search` "
                                   f"cites them); valid ids: {_valid_names(doc_ids)}")


def item_dict(row: ReviewItem) -> Dict[str, Any]:
    return {
        "id": row.id, "sender_id": row.sender_id, "occurred_at": row.occurred_at.isoformat(),
        "channel": row.channel, "reason": row.reason, "text": row.text, "intent": row.intent,
        "confidence": row.confidence, "guess": row.guess, "guess_confidence": row.guess_confidence,
        "kb_score": row.kb_score, "model_id": row.model_id, "status": row.status,
        "label": {"intent": row.label_intent, "doc_id": row.label_doc_id, "no_doc": bool(row.label_no_doc)},
        "labeled_by": row.labeled_by, "labeled_at": row.labeled_at.isoformat() if row.labeled_at else None,
    }


def list_items(engine: Engine, status: Optional[str] = "open", reason: Optional[str] = None,
               limit: int = 50) -> List[Dict[str, Any]]:
    """Items oldest first (the queue order); ``status=None`` lists every status."""
    if status is not None and status not in STATUSES:
        raise ReviewInputError(f"unknown status {status!r}; valid: {', '.join(STATUSES)}")
    if reason is not None and reason not in REASONS:
        raise ReviewInputError(f"unknown reason {reason!r}; valid: {', '.join(REASONS)}")
    if limit < 1:
        raise ReviewInputError("--limit must be at least 1")
    q = sa.select(ReviewItem).order_by(ReviewItem.id).limit(limit)
    if status is not None:
        q = q.where(ReviewItem.status == status)
    if reason is not None:
        q = q.where(ReviewItem.reason == reason)
    with session_scope(engine) as s:
        return [item_dict(r) for r in s.execute(q).scalars()]


def label_item(engine: Engine, item_id: int, label: Label, *, actor: str) -> Dict[str, Any]:
    """Store ``label`` on an item (already checked with :meth:`Label.check`); relabelling replaces it."""
    with session_scope(engine) as s:
        row = s.get(ReviewItem, item_id)
        if row is None:
            raise ReviewInputError(f"no review item {item_id} (see `lift review list --status all`)")
        if label.intent is not None:
            row.label_intent = label.intent
        if label.doc_id is not None or label.no_doc:
            row.label_doc_id, row.label_no_doc = label.doc_id, label.no_doc
        row.status, row.labeled_by, row.labeled_at = "labeled", actor[:200], utcnow()
        s.commit()
        return item_dict(row)


def _typed(text: Optional[str]) -> Optional[str]:
    t = (text or "").strip()
    return t if t and not t.startswith("/") and t != ERASED else None


def labelled_examples(engine: Engine) -> Tuple[List[Tuple[str, str]], List[Tuple[str, Optional[str]]], int]:
    """(text, intent) pairs, (question, doc_id or None) pairs, and how many labelled items were
    skipped as payloads/empty; each list deduplicated, in labelling order."""
    q = sa.select(ReviewItem.text, ReviewItem.label_intent, ReviewItem.label_doc_id, ReviewItem.label_no_doc) \
        .where(ReviewItem.status == "labeled").order_by(ReviewItem.labeled_at, ReviewItem.id)
    nlu: Dict[Tuple[str, str], None] = {}
    retrieval: Dict[Tuple[str, Optional[str]], None] = {}
    skipped = 0
    with engine.connect() as conn:
        for text, intent, doc_id, no_doc in conn.execute(q):
            typed = _typed(text)
            if typed is None:
                skipped += 1
                continue
            if intent:
                nlu[(typed, intent)] = None
            if doc_id or no_doc:
                retrieval[(typed, doc_id or None)] = None
    return list(nlu), list(retrieval), skipped


def write_nlu_yaml(examples: List[Tuple[str, str]], path: Path) -> None:
    """Rasa NLU training data (YAML) by Rasa's own writer."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message(data={"text": text, "intent": intent}) for text, intent in examples])
    path.write_text(RasaYAMLWriter().dumps(data) if examples else 'version: "3.1"\nnlu: []\n', encoding="utf-8")


def write_retrieval_lines(pairs: List[Tuple[str, Optional[str]]], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for question, doc_id in pairs:
            fh.write(json.dumps({"question": question, "doc_id": doc_id}, ensure_ascii=False) + "\n")
