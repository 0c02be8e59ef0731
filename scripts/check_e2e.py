#!/usr/bin/env python3
"""Score the end-to-end test conversations and fail below the thresholds.

`rasa test core --e2e` parses every user message of tests/e2e_stories through the trained
NLU, predicts every bot action, writes results/e2e/story_report.json, and exits 0 even
when conversations fail. This script reads that report and exits 1 when
  - intent accuracy over the user messages,
  - macro-F1 of the support intents or of the sales / chit-chat intents,
  - out-of-scope recall,
  - or bot-action accuracy
falls below the thresholds below. They are regression guards set from the measured
figures, not the issue's targets: the e2e messages are written in a fresh voice like
tests/nlu/fresh_voice.yml. With config.yml's DIET at 60 epochs and the fallback at 0.15
(seeded, random_seed 42), the 124 conversations gave intent accuracy 0.85, support / sales
macro-F1 0.77 / 0.92, out-of-scope recall 0.75 and action accuracy 1.0 on the i9 branch,
but 0.797, 0.693 / 0.86, 0.875, 1.0 once merged with the other branches' data and the new
stemmer (fresh clone, `CI=true bash .ci/run`): the seed does not make TensorFlow training
reproducible across data changes. The guards sit about 5 points below the lower run, for
data changes and run-to-run noise. Raise them as the NLU improves.
With the linear intent classifier that replaced DIET (deterministic, same data) the run gave
0.88, 0.791 / 0.925, 1.0, 1.0, the same in two from-scratch trainings; with up to 110 Bitext
examples per support intent 0.895, 0.824 / 0.925, 1.0, 1.0; with 12 more situation-style
examples per support intent in data/nlu/support_extra.yml (2026-12-05) 0.955, 0.96 / 0.938,
1.0, 1.0. The guards sit about 5 points below that (out-of-scope recall: one of the 8 out-of-scope messages may be
missed).
Conversation accuracy is printed too; it also counts entity differences, which belong
to the entity extractors' own tests.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lift.nlu.intents import OUT_OF_SCOPE, SALES_INTENTS, SUPPORT_INTENTS  # noqa: E402

THRESHOLDS = {
    "intent_accuracy": 0.90,
    "macro_f1_support": 0.91,
    "macro_f1_sales": 0.89,
    "oos_recall": 0.85,
    "action_accuracy": 0.98,
}


def scores(report: dict) -> dict:
    intents = set(SUPPORT_INTENTS) | set(SALES_INTENTS) | {OUT_OF_SCOPE}
    labels = {k: v for k, v in report.items() if isinstance(v, dict) and "support" in v}
    intent_rows = {k: v for k, v in labels.items() if k in intents}
    action_rows = {k: v for k, v in labels.items() if k.startswith(("action_", "utter_")) or k.endswith("_form")}

    def accuracy(rows):
        n = sum(r["support"] for r in rows.values())
        return sum(r["recall"] * r["support"] for r in rows.values()) / n if n else float("nan")

    def macro(group):
        f1 = [intent_rows[i]["f1-score"] for i in group if i in intent_rows and intent_rows[i]["support"]]
        return sum(f1) / len(f1) if f1 else float("nan")

    conv = report.get("conversation_accuracy", {})
    return {
        "intent_accuracy": accuracy(intent_rows),
        "macro_f1_support": macro(SUPPORT_INTENTS),
        "macro_f1_sales": macro(SALES_INTENTS),
        "oos_recall": intent_rows.get(OUT_OF_SCOPE, {}).get("recall", float("nan")),
        "action_accuracy": accuracy(action_rows),
        "conversations": conv.get("total", 0),
        "conversation_accuracy": conv.get("accuracy", float("nan")),
        "user_messages": int(sum(r["support"] for r in intent_rows.values())),
    }


def main(argv=None) -> int:
    path = Path((argv or sys.argv[1:] or [str(ROOT / "results" / "e2e" / "story_report.json")])[0])
    if not path.is_file():
        print(f"check_e2e: no report at {path} (run rasa test core --e2e first)", file=sys.stderr)
        return 2
    got = scores(json.loads(path.read_text(encoding="utf-8")))
    failed = [k for k, minimum in THRESHOLDS.items() if not got[k] >= minimum]  # NaN fails too
    for key, value in got.items():
        mark = "" if key not in THRESHOLDS else (f"  (min {THRESHOLDS[key]:.2f})" + ("  FAIL" if key in failed else ""))
        print(f"e2e {key:<22} {value if isinstance(value, int) else round(value, 3)}{mark}")
    if failed:
        print(f"check_e2e: below threshold: {', '.join(failed)}; see {path.parent / 'failed_test_stories.yml'}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
