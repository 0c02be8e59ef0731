#!/usr/bin/env python
"""`make bench-experiments`: are the experiment statistics right, and what does assignment cost?

1. Statistics by simulation (seeded): false-positive rate of A/A experiments, power at a
   designed effect against statsmodels' power calculation, and the false-positive rate when
   the report is read 10 times during an experiment (fixed-horizon test vs. always-valid).
2. Per-turn overhead of assignment, same run, same database: 10-turn conversations where
   every turn asks the experiment layer what the conversation gets (session start: assign
   and record, half of them new conversations and half returning ones that need a SELECT;
   later turns: behaviour lookup), against the same turns with no assignment
   (the hash alone, which is all session start did before experiments).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lift.experiments import stats  # noqa: E402
from lift.experiments.stats import Arm  # noqa: E402
from scripts.benchlib import percentile  # noqa: E402


def aa_fpr(runs: int, n_total: int, p: float, seed: int) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(runs):
        n_a = rng.binomial(n_total, 0.5)
        n_b = n_total - n_a
        c = stats.compare(Arm("a", n_a, rng.binomial(n_a, p)), Arm("b", n_b, rng.binomial(n_b, p)))
        hits += c["p_value"] < 0.05
    return hits / runs


def power(runs: int, n: int, p_a: float, p_b: float, seed: int):
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    planned = NormalIndPower().power(effect_size=proportion_effectsize(p_b, p_a), nobs1=n, alpha=0.05, ratio=1.0)
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(runs):
        c = stats.compare(Arm("a", n, rng.binomial(n, p_a)), Arm("b", n, rng.binomial(n, p_b)))
        hits += c["p_value"] < 0.05 and c["abs_lift"] > 0
    return hits / runs, planned


def peeking(runs: int, peeks: int, per_peek: int, p: float, seed: int):
    rng = np.random.default_rng(seed)
    fixed = seq = 0
    for _ in range(runs):
        na = ca = cb = 0
        f_hit = s_hit = False
        for _ in range(peeks):
            na += per_peek
            ca += rng.binomial(per_peek, p)
            cb += rng.binomial(per_peek, p)
            a, b = Arm("a", na, ca), Arm("b", na, cb)
            f_hit = f_hit or stats.compare(a, b)["p_value"] < 0.05
            s = stats.sequential(a, b)
            s_hit = s_hit or s["ci_low"] > 0 or s["ci_high"] < 0
        fixed += f_hit
        seq += s_hit
    return fixed / runs, seq / runs


def pct(values, q):
    """Percentile of timings in seconds, in ms."""
    return percentile(values, q) * 1000.0


def overhead(db_url: str, conversations: int, turns: int):
    from lift.measure.rules import load_conversions
    from lift.store.engine import make_engine
    from lift.experiments.assignment import Assigner
    from lift.experiments.config import load_experiments
    from lift.measure.variants import variant_for

    config = load_experiments(ROOT / "experiments.yml", load_conversions(ROOT / "conversions.yml").names)
    engine = make_engine(db_url)
    assigner = Assigner(engine, config)
    running = [e.name for e in assigner.running()]
    if not running:
        raise SystemExit("experiments.yml has no running experiment to measure")
    surface = running[0]
    with_turns, with_start, without_turns = [], [], []
    clock = time.perf_counter
    for i in range(conversations):
        sender = f"bench-{time.time_ns()}-{i}"
        # the same conversation, first without assignment (hash only), then with it
        for t in range(turns):
            t0 = clock()
            variant_for(sender)
            without_turns.append(clock() - t0)
        for t in range(turns):
            t0 = clock()
            if t == 0:
                # as action_session_start: half the conversations are new, half return after expiry
                assigner.slot_value(assigner.assign(sender, new_conversation=i % 2 == 0))
            else:
                assigner.variant(sender, surface)
            elapsed = clock() - t0
            with_turns.append(elapsed)
            if t == 0:
                with_start.append(elapsed)
    t0 = clock()
    assigner.flush()
    flush = clock() - t0
    engine.dispose()
    return with_turns, with_start, without_turns, flush


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2000, help="simulated experiments per figure")
    ap.add_argument("--conversations", type=int, default=500)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--db-url", help="database for the overhead part (default: a fresh SQLite file)")
    args = ap.parse_args()

    print("Statistics (seeded simulation, alpha = 0.05)")
    fpr = aa_fpr(args.runs, 4000, 0.10, seed=1)
    print(f"  A/A false-positive rate          {fpr:6.1%}   ({args.runs} experiments, 4,000 conversations, p = 10%)")
    got, planned = power(args.runs, 1500, 0.10, 0.13, seed=2)
    print(f"  power at 10% -> 13%, n=1,500/arm  {got:6.1%}   (statsmodels power calculation: {planned:.1%})")
    peek_runs = max(200, args.runs // 2)
    fixed, seq = peeking(peek_runs, 10, 300, 0.10, seed=3)
    print(f"  A/A FPR, report read 10 times    fixed-horizon test {fixed:.1%}  vs  always-valid interval {seq:.1%}"
          f"   ({peek_runs} experiments)")

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{tmp}/bench.db"
        with_turns, with_start, without_turns, flush = overhead(url, args.conversations, args.turns)
    backend = url.split(":", 1)[0]
    print(f"\nPer-turn cost of assignment ({args.conversations} conversations x {args.turns} turns, {backend}, same run)")
    print(f"  no assignment (hash only)   p50 {pct(without_turns, 50):.4f} ms   p95 {pct(without_turns, 95):.4f} ms")
    print(f"  with assignment, per turn   p50 {pct(with_turns, 50):.4f} ms   p95 {pct(with_turns, 95):.4f} ms")
    print(f"  overhead per turn           p50 {pct(with_turns, 50) - pct(without_turns, 50):.4f} ms"
          f"   p95 {pct(with_turns, 95) - pct(without_turns, 95):.4f} ms   (target <= 1 ms p95)")
    print(f"  session-start turn only     p50 {pct(with_start, 50):.3f} ms   p95 {pct(with_start, 95):.3f} ms"
          f"   (returning: one indexed SELECT; rows written by the background writer)")
    print(f"  mean per turn: {statistics.mean(with_turns) * 1000:.4f} ms with vs {statistics.mean(without_turns) * 1000:.4f} ms"
          f" without; writer drained the last rows in {flush * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
