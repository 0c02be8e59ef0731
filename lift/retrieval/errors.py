"""Errors of the retrieval package (importable without numpy/faiss)."""
from __future__ import annotations

FIX = "run `lift kb build`"


class IndexNotReady(RuntimeError):
    """The retrieval index cannot be used; the message says why and names the fix."""


class IndexMissing(IndexNotReady):
    """No index (or part of it) at the expected place."""


class IndexStale(IndexNotReady):
    """The index was built from other sources, another model or other chunking rules."""


class InvalidQuery(ValueError):
    """The query cannot be searched; the message is fit for the user.

    ``reason`` is one of ``"empty"``, ``"too_long"``, ``"not_text"`` so callers can pick a reply.
    """

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason
