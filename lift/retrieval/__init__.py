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

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from lift.retrieval.errors import IndexMissing, IndexNotReady, IndexStale, InvalidQuery
from lift.store.files import Signature, files_signature

if TYPE_CHECKING:  # pragma: no cover
    from lift.retrieval.retriever import Answer, Hit, Retriever

__all__ = [
    "IndexMissing", "IndexNotReady", "IndexStale", "InvalidQuery",
    "Retriever", "Hit", "Answer", "get_retriever", "set_retriever",
]

_retriever: Optional["Retriever"] = None
# files_signature of the manifest the process retriever was loaded from; None for one installed
# with set_retriever (tests), which is never reloaded.
_loaded_from: Optional[Signature] = None
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def __getattr__(name):  # lazy re-exports keep `import lift.retrieval` light
    if name in ("Retriever", "Hit", "Answer"):
        from lift.retrieval import retriever

        return getattr(retriever, name)
    raise AttributeError(name)


def _manifest_signature(index_dir) -> Signature:
    """``()`` while the manifest is missing (mid-swap or removed: keep serving what is loaded)."""
    return files_signature(Path(index_dir) / "manifest.json")


def get_retriever() -> "Retriever":
    """The process's retriever, loaded on first use from the configured index and KB.

    Each call costs one ``stat`` of the index manifest: when a build, ``lift kb activate`` or
    ``lift kb rollback`` swapped another index in, it is loaded (with the same encoder) and
    served from this turn on, without a restart. A new index that fails to load is logged and
    the loaded one stays.
    """
    global _retriever, _loaded_from
    from lift.config import get_settings
    from lift.retrieval.retriever import Retriever

    with _lock:
        s = get_settings()
        if _retriever is None:
            signature = _manifest_signature(s.index_dir)
            _retriever = Retriever.load(s.index_dir, s.kb_dir, threshold=s.kb_threshold)
            _loaded_from = signature
        elif _loaded_from is not None:
            signature = _manifest_signature(s.index_dir)
            if signature and signature != _loaded_from:
                _loaded_from = signature  # one attempt per new manifest, not one per turn
                try:
                    fresh = Retriever.load(s.index_dir, s.kb_dir, encoder=_retriever.encoder, threshold=s.kb_threshold)
                except IndexNotReady as exc:
                    logger.error("knowledge base at %s changed but cannot be loaded; still serving kb_version %s: %s",
                                 s.index_dir, _retriever.kb_version, exc)
                else:
                    logger.info("knowledge base switched from kb_version %s to %s (%d documents)",
                                _retriever.kb_version, fresh.kb_version, len(fresh.docs))
                    _retriever = fresh
        return _retriever


def set_retriever(retriever: Optional["Retriever"]) -> None:
    """Install (or with ``None`` drop) the process-wide retriever; an installed one is never reloaded."""
    global _retriever, _loaded_from
    with _lock:
        _retriever = retriever
        _loaded_from = None
