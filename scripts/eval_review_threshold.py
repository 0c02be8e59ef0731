#!/usr/bin/env python3
"""How much the review queue's low-confidence rule catches, per threshold: `make eval-review`.

Parses messages the trained model (models/current.tar.gz) never saw — tests/nlu/fresh_voice.yml
(another voice, in and out of scope) and tests/nlu/clinc150_oos_heldout.yml (CLINC150
validation, out of scope) — and reports, for each candidate ``LIFT_REVIEW_CONFIDENCE``:

  queued     share of all messages the NLU rules would put in the review queue
             (``nlu_fallback`` always, plus accepted intents below the threshold)
  errors     share of the misunderstood messages among them (recall of the queue)
  precision  share of queued messages that were misunderstood

A message is misunderstood when the predicted intent is not its label; for out-of-scope
labels ``nlu_fallback`` counts as right (the assistant declines either way). Only the NLU
side is measured here: "not sure" answers and handoffs are queued whatever the threshold.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETS = [ROOT / "tests" / "nlu" / "fresh_voice.yml", ROOT / "tests" / "nlu" / "clinc150_oos_heldout.yml"]
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


async def predictions(model: Path):
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(str(model))
    out = []
    for path in SETS:
        for msg in load_data(str(path)).intent_examples:
            parsed = await agent.parse_message(msg.get("text"))
            out.append((msg.get("intent"), parsed["intent"]["name"], float(parsed["intent"]["confidence"] or 0.0)))
    return out


def table(preds, thresholds=THRESHOLDS):
    from lift.nlu.intents import NLU_FALLBACK, OUT_OF_SCOPE

    def wrong(gold, pred):
        return not (pred == gold or (gold == OUT_OF_SCOPE and pred == NLU_FALLBACK))

    n, errors = len(preds), sum(wrong(g, p) for g, p, _ in preds)
    rows = []
    for t in thresholds:
        queued = [(g, p) for g, p, c in preds if p == NLU_FALLBACK or c < t]
        caught = sum(wrong(g, p) for g, p in queued)
        rows.append({"threshold": t, "queued": len(queued) / n, "errors_caught": caught / errors if errors else 0.0,
                     "precision": caught / len(queued) if queued else 0.0})
    return n, errors, rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if not args.model.exists():
        print(f"eval_review_threshold: no model at {args.model}: run `make train`", file=sys.stderr)
        return 1
    logging.disable(logging.WARNING)
    n, errors, rows = table(asyncio.run(predictions(args.model)))
    print(f"{n} held-out messages ({', '.join(p.name for p in SETS)}), {errors} misunderstood\n")
    print("| LIFT_REVIEW_CONFIDENCE | queued | misunderstood caught | queued that were misunderstood |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['threshold']:.1f} | {r['queued']:.1%} | {r['errors_caught']:.1%} | {r['precision']:.1%} |")
    if args.json:
        args.json.write_text(json.dumps({"messages": n, "misunderstood": errors, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
