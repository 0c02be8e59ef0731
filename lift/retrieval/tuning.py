"""Held-out evaluation discipline: which questions may be tuned on, and the fusion search.

* :func:`split_dev` cuts ``eval/retrieval_dev.jsonl`` into a *tuning* and a *reporting* half
  by a hash of each question (stable when lines are added, reordered or relabelled). Fusion
  parameters and the answer threshold are chosen on the tuning half only; the reporting half
  and ``eval/retrieval_independent.jsonl`` (written from the KB by someone who had not seen
  the dev set, committed before any tuning) are only ever measured.
* :func:`augment` adds to the tuning half the same questions as shoppers type them: with one
  or two deterministic typos, and as terse keyword strings. The dev set was written together
  with the index and is cleaner than real traffic; without these variants every setting
  looks alike on it.
* :func:`tuning_set` adds ``eval/retrieval_tuning_voice.jsonl``: questions written from the
  KB in a shopper's voice (situations rather than policy names, slang, misspellings), committed
  before any tuning on it. It is tuned on, so its figures are reported as tuning figures.
"""
from __future__ import annotations

import hashlib
import itertools
import random
import re
from typing import Dict, List, Sequence, Tuple

from lift.retrieval.evaluation import DevItem, Row, choose_threshold, metrics, run
from lift.retrieval.text import STOPWORDS

# The grid scripts/eval_retrieval.py --tune searches (on the augmented tuning half): reciprocal
# rank fusion with several k and BM25 weights, and score fusion (cosine + w * ln(1 + BM25)), either
# over all candidates or as a re-ranking of the dense top ``dense_pool`` (0 = all).
_COMMON = {"dense_views": (("full",), ("full", "title", "text"), ("full", "title", "text", "asked")), "normalize": (False, True)}
GRIDS = (
    {"method": ("rrf",), "k": (10, 30, 60), "bm25_weight": (0.25, 0.5, 0.75, 1.0), **_COMMON},
    {"method": ("score",), "lexical_weight": (0.05, 0.1, 0.2, 0.3, 0.4, 0.5), "dense_pool": (0, 3, 5, 10), **_COMMON},
)


def in_tuning_half(question: str) -> bool:
    return hashlib.sha256(question.strip().lower().encode("utf-8")).digest()[0] % 2 == 0


def split_dev(items: Sequence[DevItem]) -> Tuple[List[DevItem], List[DevItem]]:
    """(tuning half, reporting half)."""
    tune = [it for it in items if in_tuning_half(it.question)]
    report = [it for it in items if not in_tuning_half(it.question)]
    return tune, report


def _typo(question: str) -> str:
    rnd = random.Random(hashlib.sha256(question.encode("utf-8")).hexdigest())
    words = question.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rnd.sample(candidates, min(len(candidates), 2)):
        w, j = words[i], rnd.randrange(1, len(words[i]) - 1)
        op = rnd.choice("dst")  # drop, swap with the next letter, double
        if op == "d":
            words[i] = w[:j] + w[j + 1:]
        elif op == "s":
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        else:
            words[i] = w[:j] + w[j] + w[j:]
    return " ".join(words)


def _terse(question: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9']+", question.lower()) if w not in STOPWORDS]
    return " ".join(words) or question


def augment(items: Sequence[DevItem]) -> List[DevItem]:
    """The items, then each with typos, then each with typos as a terse keyword string."""
    typos = [DevItem(_typo(it.question), it.doc_id, it.also) for it in items]
    terse = [DevItem(_terse(t.question), t.doc_id, t.also) for t in typos]
    return list(items) + typos + terse


def tuning_set(tune: Sequence[DevItem], voice: Sequence[DevItem] = ()) -> List[DevItem]:
    """Everything fusion and threshold are chosen on: the tuning half with its variants, then
    the voice set as written (it is already in a shopper's voice)."""
    return augment(tune) + list(voice)


def held_out(items: Sequence[DevItem], *tuned: Sequence[DevItem]) -> List[DevItem]:
    """``items`` without the questions that also occur (case-insensitively) in a tuned-on set:
    short questions written apart sometimes coincide word for word, and those are not held out."""
    seen = {it.question.strip().lower() for group in tuned for it in group}
    return [it for it in items if it.question.strip().lower() not in seen]


class _CachedEncoder:
    def __init__(self, encoder):
        self._encoder, self._cache = encoder, {}
        self.dim = encoder.dim

    def encode_one(self, text: str):
        if text not in self._cache:
            self._cache[text] = self._encoder.encode_one(text)
        return self._cache[text]


def objective(rows: Sequence[Row]) -> Tuple[float, float, float]:
    """What the fusion search maximises: fused MRR, then hit@5, then the share answered correctly."""
    m = metrics(rows, "fused")
    return round(m.mrr, 4), round(m.hit5, 4), round(choose_threshold(rows).coverage, 4)


def search_fusion(retriever, items: Sequence[DevItem], base: dict) -> List[Tuple[tuple, dict]]:
    """Every GRID setting on ``items``, best first: [(objective, fusion), ...]. Restores ``base``."""
    out = []
    encoder = retriever.encoder
    retriever.encoder = _CachedEncoder(encoder)  # the grid asks for the same queries again and again
    try:
        for grid in GRIDS:
            keys = list(grid)
            for values in itertools.product(*(grid[k] for k in keys)):
                fusion: Dict = {**base, **dict(zip(keys, values))}
                fusion["dense_views"] = list(fusion["dense_views"])
                retriever.set_fusion(fusion)
                out.append((objective(run(retriever, items)), fusion))
    finally:
        retriever.encoder = encoder
        retriever.set_fusion(base)
    out.sort(key=lambda x: x[0], reverse=True)
    return out
