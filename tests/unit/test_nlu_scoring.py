"""Held-out NLU scoring (lift.nlu.scoring): rejection counts and the fallback sweep."""
from lift.nlu.scoring import score, sweep, with_fallback


def test_fallback_below_threshold_or_when_ambiguous():
    assert with_fallback("greet", 0.2, 0.1, threshold=0.25, ambiguity=0.05) == "nlu_fallback"
    assert with_fallback("greet", 0.5, 0.47, threshold=0.25, ambiguity=0.05) == "nlu_fallback"
    assert with_fallback("greet", 0.5, 0.4, threshold=0.25, ambiguity=0.05) == "greet"


def test_score_counts_rejections_per_group():
    s = score(["greet", "track_order", "out_of_scope", "out_of_scope"],
              ["nlu_fallback", "track_order", "out_of_scope", "greet"])
    assert s["in_scope_rejected"] == 0.5
    assert s["oos_rejection"] == 0.5
    assert s["per_intent"]["track_order"]["f1"] == 1.0


def test_sweep_trades_false_rejections_for_oos_rejection():
    preds = [{"gold": "greet", "top": "greet", "confidence": 0.3, "second": 0.1},
             {"gold": "out_of_scope", "top": "greet", "confidence": 0.35, "second": 0.2}]
    rows = {(r["threshold"], r["ambiguity"]): r for r in sweep(preds, [0.25, 0.4], [0.0])}
    assert rows[(0.25, 0.0)]["in_scope_rejected"] == 0.0 and rows[(0.25, 0.0)]["oos_rejection"] == 0.0
    assert rows[(0.4, 0.0)]["in_scope_rejected"] == 1.0 and rows[(0.4, 0.0)]["oos_rejection"] == 1.0


def test_support_by_source_splits_support_messages_and_keeps_the_rest_in_both():
    from lift.nlu.scoring import support_by_source

    gold = ["track_order", "track_order", "cancel_order", "cancel_order", "greet"]
    pred = ["track_order", "cancel_order", "cancel_order", "cancel_order", "track_order"]
    corpus = [True, False, True, False, False]
    out = support_by_source(gold, pred, corpus)
    assert out["corpus_n"] == 2 and out["hand_written_n"] == 2
    # corpus part: both support messages right, but "greet" read as track_order costs its precision
    assert abs(out["corpus"] - (2 * 0.5 * 1 / 1.5 + 1.0) / 2) < 1e-3
    # hand-written part: the track_order message went to cancel_order
    assert out["hand_written"] < out["corpus"]
