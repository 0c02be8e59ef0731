"""Governed knowledge-base retrieval (SPEC §5).

Modules: ``sources`` (KB files -> documents with stable ids), ``views`` (what is indexed per
document), ``index`` (versioned build, manifest, staleness, fusion settings), ``retriever``
(search, confidence, answer), ``spelling`` (query normalisation), ``encoder`` (MiniLM),
``text`` (tokenizer on lift.commerce.words, bleach sanitiser), ``questions`` (chat turn -> query, answer -> cited reply),
``evaluation`` and ``tuning`` (labelled sets, held-out split, threshold and fusion choice).

Cheap to import: numpy, faiss, torch and the encoder are only loaded when a retriever is
built or loaded. The process-wide retriever is created by :func:`get_retriever` (the action
server calls it at start so a missing or stale index stops it with the fix in the message);
tests install their own with :func:`set_retriever`.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Optional

from lift.retrieval.errors import IndexMissing, IndexNotReady, IndexStale, InvalidQuery

if TYPE_CHECKING:  # pragma: no cover
    from lift.retrieval.retriever import Answer, Hit, Retriever

__all__ = [
    "IndexMissing", "IndexNotReady", "IndexStale", "InvalidQuery",
    "Retriever", "Hit", "Answer", "get_retriever", "set_retriever",
]

_retriever: Optional["Retriever"] = None
_lock = threading.Lock()


def __getattr__(name):  # lazy re-exports keep `import lift.retrieval` light
    if name in ("Retriever", "Hit", "Answer"):
        from lift.retrieval import retriever

        return getattr(retriever, name)
    raise AttributeError(name)


def get_retriever() -> "Retriever":
    """The process's retriever, loaded on first use from the configured index and KB."""
    global _retriever
    with _lock:
        if _retriever is None:
            from lift.config import get_settings
            from lift.retrieval.retriever import Retriever

            s = get_settings()
            _retriever = Retriever.load(s.index_dir, s.kb_dir, threshold=s.kb_threshold)
        return _retriever


def set_retriever(retriever: Optional["Retriever"]) -> None:
    """Install (or with ``None`` drop) the process-wide retriever."""
    global _retriever
    with _lock:
        _retriever = retriever
