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
