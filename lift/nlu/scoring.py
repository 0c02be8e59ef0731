"""Scores for predicted intents against gold labels: per-intent F1, macro-F1 per intent
group, out-of-scope rejection and in-scope false rejection, and the top confusions."""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, List, Sequence

from sklearn.metrics import precision_recall_fscore_support

from lift.nlu.intents import NLU_FALLBACK, OUT_OF_SCOPE, REJECTED, SALES_INTENTS, SUPPORT_INTENTS


def _rate(hits: int, n: int) -> float:
    return round(hits / n, 4) if n else float("nan")


def score(gold: Sequence[str], pred: Sequence[str], top: int = 10) -> Dict[str, object]:
    """Scores one test set. ``gold`` may contain ``out_of_scope``; a prediction of
    ``out_of_scope`` or ``nlu_fallback`` is a rejection."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    in_scope = sorted({g for g in gold if g != OUT_OF_SCOPE})
    per_intent: Dict[str, Dict[str, float]] = {}
    if in_scope:
        p, r, f, n = precision_recall_fscore_support(gold, pred, labels=in_scope, zero_division=0)
        per_intent = {label: {"precision": round(float(pi), 4), "recall": round(float(ri), 4),
                              "f1": round(float(fi), 4), "n": int(ni)}
                      for label, pi, ri, fi, ni in zip(in_scope, p, r, f, n)}

    def macro(group: Iterable[str]) -> float:
        values = [per_intent[i]["f1"] for i in group if i in per_intent]
        return round(sum(values) / len(values), 4) if values else float("nan")

    oos = [p_ for g, p_ in zip(gold, pred) if g == OUT_OF_SCOPE]
    ins = [p_ for g, p_ in zip(gold, pred) if g != OUT_OF_SCOPE]
    confusions: List[Dict[str, object]] = [
        {"gold": g, "pred": p_, "count": c}
        for (g, p_), c in Counter((g, p_) for g, p_ in zip(gold, pred) if g != p_).most_common(top)
    ]
    return {
        "n": len(gold),
        "accuracy": _rate(sum(g == p_ for g, p_ in zip(gold, pred)), len(gold)),
        "macro_f1_support": macro(SUPPORT_INTENTS),
        "macro_f1_sales": macro(SALES_INTENTS),
        "oos_n": len(oos),
        "oos_rejection": _rate(sum(p_ in REJECTED for p_ in oos), len(oos)),
        "in_scope_n": len(ins),
        "in_scope_rejected": _rate(sum(p_ in REJECTED for p_ in ins), len(ins)),
        "per_intent": per_intent,
        "top_confusions": confusions,
    }


def support_by_source(gold: Sequence[str], pred: Sequence[str], from_corpus: Sequence[bool]) -> Dict[str, float]:
    """Support macro-F1 with the support messages of one source only: ``corpus`` keeps those
    taken from the labelled corpus (``from_corpus`` true: Bitext), ``hand_written`` the others.
    Every message outside the support intents stays in both, so a sales or out-of-scope
    message read as a support intent still costs that intent its precision."""
    out = {}
    for name, keep in (("corpus", True), ("hand_written", False)):
        idx = [i for i, g in enumerate(gold) if g not in SUPPORT_INTENTS or bool(from_corpus[i]) is keep]
        out[name] = score([gold[i] for i in idx], [pred[i] for i in idx])["macro_f1_support"]
        out[f"{name}_n"] = sum(1 for i in idx if gold[i] in SUPPORT_INTENTS)
    return out


def with_fallback(top: str, confidence: float, second: float, threshold: float, ambiguity: float) -> str:
    """The intent Rasa's FallbackClassifier leaves for a classifier ranking: ``nlu_fallback``
    when the best confidence is below ``threshold`` or within ``ambiguity`` of the second."""
    if confidence < threshold or confidence - second < ambiguity:
        return NLU_FALLBACK
    return top


def sweep(predictions: Sequence[Dict[str, object]], thresholds: Iterable[float],
          ambiguities: Iterable[float]) -> List[Dict[str, object]]:
    """Scores every (threshold, ambiguity) pair on stored predictions (``gold``, ``top``,
    ``confidence``, ``second``), so fallback settings are chosen without retraining."""
    gold = [str(p["gold"]) for p in predictions]
    rows = []
    for threshold in thresholds:
        for ambiguity in ambiguities:
            pred = [with_fallback(str(p["top"]), float(p["confidence"]), float(p.get("second") or 0.0),
                                  threshold, ambiguity) for p in predictions]
            s = score(gold, pred)
            rows.append({"threshold": threshold, "ambiguity": ambiguity,
                         **{k: s[k] for k in ("accuracy", "macro_f1_support", "macro_f1_sales",
                                              "oos_rejection", "in_scope_rejected")}})
    return rows
