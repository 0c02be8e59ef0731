"""What the deterministic entity parsers cost inside an NLU parse.

Loads the trained model (models/current.tar.gz), parses a set of shopper messages with the full
pipeline, and times, in the same run on the same messages, the LiftEntityParsers step alone
(lift.rasa_plugins.entity_parsers.extract, given the entities the other extractors found).
Prints p50/p95 of both and the share of a parse the parsers take. Usage:

    .venv/bin/python scripts/bench_entities.py [--repeats 5] [--model models/current.tar.gz]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.benchlib import percentile  # noqa: E402

MESSAGES = [
    "i'd like 2 of the crema espresso machines please", "show me the nimbus 14 laptop", "ok add it to my cart",
    "Hi, I'm Dana Whitfield from Whitfield Interiors (dana@whitfield.com). Can we book a demo?",
    "can we do tomorrow at 10am?", "next Tuesday afternoon works", "friday 3pm", "in two days",
    "remove one of the aria wireless headphones", "make it 3", "remove all", "add a couple of usb-c cables",
    "half a dozen smart plugs", "the second one", "the cheaper one", "both", "add 3x volt cables",
    "my name is priya nair", "we're Acme Corp and want laptops in bulk", "I work for globex",
    "where is my order LFT100002", "how long does delivery take?", "what's the weather like in paris tomorrow",
    "hi", "thanks!", "WHAT IS IN MY CART", "add lots of aria headphones", "add -1 aria headphones",
    "this is Tom Becker at Globex Corp, call me on +1 415 555 0134", "do you ship to canada",
]




async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if not Path(args.model).exists():
        print(f"no trained model at {args.model}: run `make train`", file=sys.stderr)
        return 3
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent

    from lift.rasa_plugins.entity_parsers import extract

    agent = Agent.load(args.model)
    for text in MESSAGES:  # warm-up: first calls load lazily initialised parts
        await agent.parse_message(text)
    parse_ms, parser_ms = [], []
    now = dt.datetime.now(dt.timezone.utc)
    for _ in range(args.repeats):
        for text in MESSAGES:
            t0 = time.perf_counter()
            parsed = await agent.parse_message(text)
            parse_ms.append((time.perf_counter() - t0) * 1000)
            others = [e for e in parsed.get("entities", []) if e.get("extractor") != "LiftEntityParsers"]
            t0 = time.perf_counter()
            extract(text, others, now)
            parser_ms.append((time.perf_counter() - t0) * 1000)
    print(f"{len(MESSAGES)} messages x {args.repeats} repeats")
    print(f"full NLU parse      p50 {statistics.median(parse_ms):7.2f} ms   p95 {percentile(parse_ms, 95):7.2f} ms")
    print(f"LiftEntityParsers   p50 {statistics.median(parser_ms):7.2f} ms   p95 {percentile(parser_ms, 95):7.2f} ms")
    print(f"parsers / parse     {sum(parser_ms) / sum(parse_ms):.3f} of the total time")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
