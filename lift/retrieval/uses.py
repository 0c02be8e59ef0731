"""Advice by use: "which is better for running, the earbuds or the headphones?", "best laptop for video
editing". The use is read from the question; each candidate's description is split into sentences and
the one closest in meaning to the use (the retriever's encoder) decides, so the pick is quoted from
the catalog, never invented. No pick when the candidates are too close to tell apart."""
from __future__ import annotations

import re
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

# "better for running", "best laptop for video editing", "which would you recommend for a small office"
_USE = re.compile(r"\b(?:better|best|good|great|ideal|suited|suitable|recommend(?:ed)?|go\s+(?:with|for))\b[^?.!,;]*?"
                  r"\bfor\s+(?P<use>[^?.!,;]{3,60}?)\s*(?=$|[?.!,;]|\s+(?:the|a|an|between|among|out\s+of|or|and|from)\s)",
                  re.IGNORECASE)
# who it is for, or how much: a recipient or a budget is no use ("best for my son", "good for under 100")
_NOT_A_USE = re.compile(r"^(?:my|me|him|her|us|them|you|a\s+gift|gifts?|presents?|a\s+present|the\s+(?:price|money)|"
                        r"less|under|below|around|about|\$|\d|a\s+(?:beginner|kid|child|teen)|kids?|children)\b", re.IGNORECASE)
MIN_SIMILARITY = 0.30  # the closest sentence must be about the use at all
MIN_MARGIN = 0.04  # and clearly closer than the runner-up's


def use_asked(text: Optional[str]) -> Optional[str]:
    """The use a question asks a pick for ("which is better for running ..." -> "running"), or None."""
    found = _USE.search(text or "")
    if not found:
        return None
    use = found.group("use").strip()
    return None if _NOT_A_USE.match(use) else use


def _sentences(text: str) -> list:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text or "") if len(s.strip()) > 10]


_VECTORS: Dict[Tuple[int, str], np.ndarray] = {}  # (id of the encoder, description) -> its sentences' vectors


def _sentence_vectors(encoder, description: str) -> np.ndarray:
    """The description's sentences encoded once per encoder (the catalog's descriptions do not change)."""
    key = (id(encoder), description)
    if key not in _VECTORS:
        if len(_VECTORS) >= 512:  # a bound, should descriptions ever come from elsewhere
            _VECTORS.clear()
        _VECTORS[key] = np.asarray(encoder.encode(_sentences(description)), dtype="float32")
    return _VECTORS[key]


def best_for(encoder, use: str, candidates: Sequence[Tuple[str, str]]) -> Optional[Tuple[str, str]]:
    """(key, the sentence of its description closest to ``use``) of the candidate ``(key, description)``
    that suits ``use`` best, or None when none is about it or two are too close to tell apart."""
    scored = []
    query = np.asarray(encoder.encode_one(f"good for {use}"), dtype="float32")  # once, not per candidate
    for key, description in candidates:
        sentences = _sentences(description)
        if not sentences:
            continue
        sims = _sentence_vectors(encoder, description) @ query
        i = int(np.argmax(sims))
        scored.append((float(sims[i]), key, sentences[i]))
    if len(scored) < 2:
        return None
    scored.sort(reverse=True)
    (top, key, sentence), runner_up = scored[0], scored[1][0]
    if top < MIN_SIMILARITY or top - runner_up < MIN_MARGIN:
        return None
    return key, sentence
