"""Retrieval quality on a labelled development set, and the answer-threshold calibration.

Dev set format (``eval/retrieval_dev.jsonl``), one object per line::

    {"question": "...", "doc_id": "vxC9JJ39", "also": ["policy:returns#return-window"]}
    {"question": "tell me a joke", "doc_id": null}

``doc_id`` is the document that answers the question; ``also`` lists other documents that
answer it equally well (the FAQ contains near-duplicate entries, and some policy sections
restate an FAQ). ``doc_id: null`` marks questions the knowledge base cannot answer: they
measure how often the bot would answer when it should say it is not sure.

Which questions may be tuned on is decided in ``lift.retrieval.tuning``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

MODES = ("dense", "bm25", "fused")
DEPTH = 10  # ranks beyond this count as a miss for MRR

# Utility of a threshold: a correct answer is worth +1, a wrong or unwarranted answer costs
# WRONG_COST (a shopper misled is worse than one handed to a person); MAX_FALSE_ANSWER_RATE
# is a hard ceiling on answering questions the KB cannot answer.
WRONG_COST = 2.0
MAX_FALSE_ANSWER_RATE = 0.10


class DevSetError(ValueError):
    pass


@dataclass
class DevItem:
    question: str
    doc_id: Optional[str]
    also: Tuple[str, ...] = ()

    @property
    def gold(self) -> frozenset:
        return frozenset(((self.doc_id,) if self.doc_id else ()) + self.also)

    @property
    def kind(self) -> str:
        if self.doc_id is None:
            return "null"
        return self.doc_id.split(":", 1)[0] if ":" in self.doc_id else "faq"


def load_dev(path: Path, known_ids: Optional[set] = None,
             superseded: Optional[Dict[str, str]] = None) -> List[DevItem]:
    """The labelled questions in ``path``. ``superseded`` (FAQ id -> the policy section that
    answers instead, from kb/superseded.json) adds that section to the gold of a question
    labelled with the FAQ entry: either hit gives the shopper the same reply."""
    superseded = superseded or {}
    items = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                item = DevItem(d["question"], d.get("doc_id"), tuple(d.get("also") or ()))
                extra = tuple(sorted({superseded[g] for g in item.gold if g in superseded} - item.gold))
                if extra:
                    item = DevItem(item.question, item.doc_id, item.also + extra)
            except (ValueError, KeyError, TypeError) as exc:
                raise DevSetError(f"{path}:{n}: {exc}") from None
            if known_ids is not None:
                unknown = [x for x in item.gold if x not in known_ids]
                if unknown:
                    raise DevSetError(f"{path}:{n}: unknown doc_id(s) {unknown} (renamed section?)")
            items.append(item)
    return items


@dataclass
class Row:
    item: DevItem
    ranks: Dict[str, Optional[int]]  # 1-based rank of the first gold doc per mode, None = miss
    top: Dict[str, str]
    confidence: float  # Retriever.confidence of the fused hits (what the threshold is compared with)


def run(retriever, items: Sequence[DevItem]) -> List[Row]:
    rows = []
    for it in items:
        res = retriever.search_modes(it.question, k=DEPTH, modes=MODES)
        ranks, top = {}, {}
        for mode, hits in res.items():
            ranks[mode] = next((r for r, h in enumerate(hits, 1) if h.doc_id in it.gold), None)
            top[mode] = hits[0].doc_id if hits else ""
        rows.append(Row(it, ranks, top, retriever.confidence(res["fused"])))
    return rows


@dataclass
class Metrics:
    n: int
    hit1: float
    hit5: float
    mrr: float


def metrics(rows: Sequence[Row], mode: str) -> Metrics:
    rs = [r.ranks[mode] for r in rows if r.item.doc_id is not None]
    n = len(rs)
    if not n:
        return Metrics(0, 0.0, 0.0, 0.0)
    return Metrics(
        n=n,
        hit1=sum(1 for r in rs if r == 1) / n,
        hit5=sum(1 for r in rs if r is not None and r <= 5) / n,
        mrr=sum(1.0 / r for r in rs if r is not None) / n,
    )


@dataclass
class ThresholdChoice:
    threshold: float
    answered_correct: int
    answered_wrong: int
    false_answers: int
    n_answerable: int
    n_null: int
    utility: float
    curve: List[dict] = field(default_factory=list)

    @property
    def false_answer_rate(self) -> float:
        return self.false_answers / self.n_null if self.n_null else 0.0

    @property
    def wrong_rate(self) -> float:
        answered = self.answered_correct + self.answered_wrong
        return self.answered_wrong / answered if answered else 0.0

    @property
    def coverage(self) -> float:
        return self.answered_correct / self.n_answerable if self.n_answerable else 0.0

    def to_dict(self) -> dict:
        return {
            "threshold": round(self.threshold, 4),
            "answered_correct": self.answered_correct, "answered_wrong": self.answered_wrong,
            "false_answers": self.false_answers, "n_answerable": self.n_answerable, "n_null": self.n_null,
            "false_answer_rate": round(self.false_answer_rate, 4), "wrong_answer_rate": round(self.wrong_rate, 4),
            "answered_correct_rate": round(self.coverage, 4),
        }


def _outcome(rows: Sequence[Row], t: float) -> Tuple[int, int, int]:
    correct = wrong = false = 0
    for r in rows:
        if r.confidence < t:
            continue
        if r.item.doc_id is None:
            false += 1
        elif r.ranks["fused"] == 1:
            correct += 1
        else:
            wrong += 1
    return correct, wrong, false


def choose_threshold(rows: Sequence[Row]) -> ThresholdChoice:
    """The threshold with the best utility whose false-answer rate stays under the ceiling.

    Candidates sit half-way between consecutive observed confidences; among equally good
    ones the middle of the widest plateau is taken so small score shifts do not flip answers.
    """
    n_null = sum(1 for r in rows if r.item.doc_id is None)
    n_ans = len(rows) - n_null
    values = sorted({round(r.confidence, 6) for r in rows})
    cands = [values[0] - 1e-3] + [(a + b) / 2 for a, b in zip(values, values[1:])] + [values[-1] + 1e-3]
    scored = []
    for t in cands:
        c, w, f = _outcome(rows, t)
        ok = (f / n_null if n_null else 0.0) <= MAX_FALSE_ANSWER_RATE
        scored.append((t, c, w, f, c - WRONG_COST * (w + f), ok))
    feasible = [s for s in scored if s[5]] or scored
    best_u = max(s[4] for s in feasible)
    # Widest run of consecutive candidates sharing the best utility -> its middle.
    runs, cur = [], []
    for s in scored:
        if s[5] and s[4] == best_u:
            cur.append(s)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    run_ = max(runs, key=len) if runs else [max(feasible, key=lambda s: s[4])]
    lo, hi = run_[0][0], run_[-1][0]
    t = (lo + hi) / 2
    c, w, f = _outcome(rows, t)
    curve = [{"threshold": round(s[0], 4), "answered_correct": s[1], "answered_wrong": s[2],
              "false_answers": s[3], "utility": s[4]} for s in scored]
    return ThresholdChoice(t, c, w, f, n_ans, n_null, c - WRONG_COST * (w + f), curve)


def outcome_at(rows: Sequence[Row], t: float) -> ThresholdChoice:
    """What a fixed threshold (chosen elsewhere) does on ``rows``."""
    n_null = sum(1 for r in rows if r.item.doc_id is None)
    c, w, f = _outcome(rows, t)
    return ThresholdChoice(t, c, w, f, len(rows) - n_null, n_null, c - WRONG_COST * (w + f))


_MODE_NAMES = {"dense": "dense (MiniLM + FAISS, best view)", "bm25": "BM25", "fused": "fused"}


def set_table(title: str, rows: Sequence[Row], before: Sequence[Row], threshold: float) -> str:
    """Markdown for one question set: every ranking, the method before issue 9 for comparison,
    the FAQ-labelled questions alone, and what the answer threshold does on the set."""
    n_ans = sum(1 for r in rows if r.item.doc_id is not None)

    def line(name, m):
        return f"| {name} | {m.hit1:.3f} | {m.hit5:.3f} | {m.mrr:.3f} |"

    faq = [r for r in rows if r.item.kind == "faq"]
    faq_before = [r for r in before if r.item.kind == "faq"]
    lines = [f"**{title}** ({n_ans} answerable, {len(rows) - n_ans} out-of-KB)", "",
             "| retriever | hit@1 | hit@5 | MRR |", "|---|---|---|---|"]
    lines += [line(_MODE_NAMES[m], metrics(rows, m)) for m in MODES]
    lines.append(line("fused, before (1 vector per doc, RRF k=60, no normalisation)", metrics(before, "fused")))
    lines.append(line(f"fused, FAQ questions only (n={len(faq)})", metrics(faq, "fused")))
    lines.append(line("fused before, FAQ questions only", metrics(faq_before, "fused")))
    o = outcome_at(rows, threshold)
    lines += ["", f"Threshold {threshold:.3f}: answers {o.answered_correct}/{o.n_answerable} correctly "
              f"({o.coverage:.1%}), {o.answered_wrong} wrong answers ({o.wrong_rate:.1%} of answers), "
              f"false answers on out-of-KB questions {o.false_answers}/{o.n_null} ({o.false_answer_rate:.1%})."]
    return "\n".join(lines)
