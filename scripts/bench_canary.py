#!/usr/bin/env python
"""What the model canary's extra hop costs a turn: conversations answered by the front Rasa's own
model vs. forwarded to the canary Rasa (lift.channels.canary), in the same run and the same stack.

One action server, a canary Rasa and a front Rasa (``tests/support/servers.LiftStack`` with
``canary_model``); the candidate is the trained model with a new model_id, so both paths run the
same model and the difference is the routing. Experiment ``model_canary`` runs 50/50; shoppers
of both variants take turns alternately (same load), and every turn's REST round trip is timed.

    .venv/bin/python scripts/bench_canary.py [--shoppers 20] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

TURNS = ("hi", "show me headphones", "add 2 aria headphones to my cart", "what's in my cart?")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shoppers", type=int, default=20, help="conversations per variant (default 20, max 200)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not 1 <= args.shoppers <= 200:
        ap.error("--shoppers must be between 1 and 200")

    from lift.measure.variants import variant_for
    from scripts.benchlib import summary, table
    from tests.support.models import baseline_and_candidate, canary_experiments_yml, model_id_of
    from tests.support.servers import MODEL, LiftStack

    base = Path(tempfile.mkdtemp(prefix="lift-bench-canary-"))
    current, _, candidate, candidate_id = baseline_and_candidate(base / "models", MODEL)
    (base / "experiments.yml").write_text(canary_experiments_yml("cart_item_added"))
    by_variant = {"current": [], "candidate": []}
    for sender in (f"bench-{i}" for i in range(100 * args.shoppers)):
        variant = variant_for(sender, {"current": 50, "candidate": 50}, salt="model_canary:")
        if len(by_variant[variant]) < args.shoppers:
            by_variant[variant].append(sender)
    seconds = {"current": [], "candidate": []}
    with LiftStack(base / "stack", model=current, canary_model=candidate,
                   env={"LIFT_EXPERIMENTS": str(base / "experiments.yml")}) as stack:
        stack.say("warm-up", "hi")
        for pair in zip(by_variant["current"], by_variant["candidate"]):
            for text in TURNS:
                for variant, sender in zip(("current", "candidate"), pair):
                    t0 = time.perf_counter()
                    stack.say(sender, text)
                    seconds[variant].append(time.perf_counter() - t0)
        served = {e["metadata"]["model_id"] for e in stack.tracker(by_variant["candidate"][0])["events"] if e["event"] == "user"}
        assert served == {candidate_id} != {model_id_of(current)}, served
    shutil.rmtree(base, ignore_errors=True)
    result = {"shoppers_per_variant": args.shoppers, "turns_per_variant": len(seconds["current"])}
    for variant, xs in seconds.items():
        s = summary(xs, 1, scale=1000)
        result[f"{variant}_p50_ms"], result[f"{variant}_p95_ms"] = s["p50_ms"], s["p95_ms"]
    result["p50_ratio"] = round(result["candidate_p50_ms"] / result["current_p50_ms"], 2)
    result["extra_p50_ms"] = round(result["candidate_p50_ms"] - result["current_p50_ms"], 1)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        rows = [(label, result["turns_per_variant"], f"{result[variant + '_p50_ms']:.0f} ms",
                 f"{result[variant + '_p95_ms']:.0f} ms")
                for variant, label in (("current", "front Rasa's own model"), ("candidate", "forwarded to the canary Rasa"))]
        print(table(rows, ["served by", "turns", "p50", "p95"], markdown=True))
        print(f"canary / front p50 = {result['p50_ratio']:.2f} ({result['extra_p50_ms']:+.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
