#!/usr/bin/env python
"""Model switch without a restart vs. a restart, in the same run.

One action server and one Rasa (``tests/support/servers.LiftStack``) serving the trained model;
a second real model is the same archive with a new model_id (tests/support/models.py). Measured:

1. ``switch``: ``lift model promote`` / ``rollback`` through the registry (``PUT /model``),
   from the request to the first REST reply whose events carry the new model_id;
2. ``restart``: a fresh Rasa process on the other model (same database and action server),
   from launch to its first REST reply.

    .venv/bin/python scripts/bench_model_switch.py [--rounds 2] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from scripts.benchlib import table  # noqa: E402


def first_turn_model(stack, sender: str) -> str:
    stack.say(sender, "hi")
    users = [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    return users[-1]["metadata"]["model_id"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2, help="promote+rollback pairs (default 2)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from lift.governance.policy import parse_policy
    from lift.governance.registry import Registry
    from lift.store.engine import make_engine
    from tests.support.models import baseline_and_candidate, model_id_of
    from tests.support.servers import MODEL, LiftStack

    base = Path(tempfile.mkdtemp(prefix="lift-bench-switch-"))
    models = base / "models"
    a, a_id, _, b_id = baseline_and_candidate(models, MODEL)
    switch, restart = [], []
    with LiftStack(base / "stack", model=a) as stack:
        engine = make_engine(stack.db_url)
        reg = Registry(engine, models, ROOT, parse_policy({}), actor="bench")
        reg.promote(a_id, rasa_url=stack.rasa_url, token=stack.auth_token)
        for i in range(args.rounds):
            for step, want in (("promote", b_id), ("rollback", a_id)):
                t0 = time.monotonic()
                if step == "promote":
                    reg.promote(b_id, rasa_url=stack.rasa_url, token=stack.auth_token)
                else:
                    reg.rollback(rasa_url=stack.rasa_url, token=stack.auth_token)
                got = first_turn_model(stack, f"bench-{step}-{i}")
                assert got == want, (step, got, want)
                switch.append(time.monotonic() - t0)
        for i in range(args.rounds):
            other = models / ("candidate.tar.gz" if i % 2 == 0 else "baseline.tar.gz")
            t0 = time.monotonic()
            fresh = LiftStack(base / f"restart{i}", db_url=stack.db_url, model=other, start_actions=False)
            # Rasa only, talking to the running action server.
            fresh.env.update(LIFT_ACTION_URL=f"{stack.action_url}/webhook", LIFT_ACTION_TOKEN=stack.action_token)
            with fresh:
                assert first_turn_model(fresh, f"bench-restart-{i}") == model_id_of(other)
                restart.append(time.monotonic() - t0)
        engine.dispose()
    shutil.rmtree(base, ignore_errors=True)
    result = {"rounds": args.rounds, "switch_s": [round(x, 2) for x in switch], "restart_s": [round(x, 2) for x in restart],
              "switch_median_s": round(statistics.median(switch), 2), "restart_median_s": round(statistics.median(restart), 2)}
    result["switch_over_restart"] = round(result["switch_median_s"] / result["restart_median_s"], 2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(table([("PUT /model (promote/rollback, no restart)", f"{result['switch_median_s']:.1f} s", len(switch)),
                     ("restart Rasa on the other model", f"{result['restart_median_s']:.1f} s", len(restart))],
                    ["path", "median to first reply on the new model", "runs"], markdown=True))
        print(f"switch / restart = {result['switch_over_restart']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
