"""Parse latency through a trained model: `make bench-nlu`.

    .venv/bin/python scripts/bench_nlu.py [--model models/current.tar.gz] [--baseline MODEL] [--rounds 5]

Parses the held-out fresh-voice messages (tests/nlu/fresh_voice.yml) plus bad input
(empty, emoji, 4,000 characters, mixed language, all caps) in-process through Rasa's
Agent, after a warm-up. With ``--baseline`` a second model is loaded in the same process
and the two are interleaved message by message, so machine noise hits both alike; the
ratio current / baseline is printed. Target: current p95 <= 30 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.benchlib import percentile  # noqa: E402

BAD_INPUT = ["", "🙂🙂🙂", "word " * 800, "hola, quiero comprar dos laptops por favor", "WHERE IS MY ORDER"]


def messages() -> List[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [m.get("text") for m in load_data(str(ROOT / "tests" / "nlu" / "fresh_voice.yml")).intent_examples] + BAD_INPUT




async def run(models: Dict[str, Path], rounds: int) -> Dict[str, List[float]]:
    from rasa.core.agent import Agent

    agents = {name: Agent.load(str(path)) for name, path in models.items()}
    texts = messages()
    for agent in agents.values():  # warm-up: first calls build graphs and caches
        for text in texts[:10]:
            await agent.parse_message(text)
    timings: Dict[str, List[float]] = {name: [] for name in agents}
    for _ in range(rounds):
        for text in texts:
            for name, agent in agents.items():
                started = time.perf_counter()
                await agent.parse_message(text)
                timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--baseline", type=Path, help="a second model to compare with (same run, interleaved)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    models = {"current": args.model}
    if args.baseline:
        models["baseline"] = args.baseline
    for path in models.values():
        if not path.is_file():
            print(f"bench_nlu: no model at {path} (run `make train`)", file=sys.stderr)
            return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    timings = asyncio.run(run(models, args.rounds))
    for name, values in timings.items():
        print(f"{name:<9} parses={len(values)} p50={statistics.median(values):.1f} ms p95={percentile(values, 95):.1f} ms "
              f"max={max(values):.1f} ms  ({models[name]})")
    if args.baseline:
        ratio = percentile(timings["current"], 95) / percentile(timings["baseline"], 95)
        print(f"p95 ratio current / baseline: {ratio:.2f}")
    print(f"target: current p95 <= 30 ms -> {'ok' if percentile(timings['current'], 95) <= 30 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
