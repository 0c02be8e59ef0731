"""Turn latency over REST: Lift (action server + custom tracker store) against a plain
`rasa init` bot started in the same run, so machine noise hits both alike.

    make bench        # or: .venv/bin/python scripts/bench_turns.py [--conversations 25]

Conversations of the two bots are interleaved; each turn is one POST to the REST webhook.
Prints p50/p95 per bot and the ratio Lift / plain. Target: p95 ratio <= 1.5.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.benchlib import summary, table  # noqa: E402
from tests.support.plain_bot import PLAIN_SCRIPT, PlainBot, plain_bot_model  # noqa: E402
from tests.support.servers import LiftStack, http  # noqa: E402

LIFT_SCRIPT = [
    "hi", "show me your headphones", "how much are the aria headphones", "add the aria headphones to my cart",
    "no thanks", "what's in my cart?", "where is my order LFT100002", "are you a bot?", "thanks", "bye",
]


def converse(url: str, script, timings, per_message=None) -> None:
    me = f"bench-{uuid.uuid4().hex[:10]}"
    for message in script:
        t0 = time.perf_counter()
        status, _, _ = http("POST", f"{url}/webhooks/rest/webhook", {"sender": me, "message": message})
        ms = (time.perf_counter() - t0) * 1000
        timings.append(ms)
        if per_message is not None:
            per_message.setdefault(message, []).append(ms)
        if status != 200:
            raise RuntimeError(f"{url} answered {status} to {message!r}")


def _ms(timings) -> dict:
    """p50/p95/mean of one bot's turn latencies (ms), as the README quotes them."""
    s = summary(timings, 1)
    return {"p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"], "mean_ms": s["mean_ms"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=25, help="per bot (x10 turns); >= 20 gives >= 200 turns")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    plain_model = plain_bot_model()
    work = Path(tempfile.mkdtemp(prefix="lift-bench-"))
    with LiftStack(work) as lift:
        plain = PlainBot(plain_model, work)
        try:
            converse(lift.rasa_url, LIFT_SCRIPT, [])  # warm-up: first-call costs are not turn latency
            converse(plain.url, PLAIN_SCRIPT, [])
            lift_ms, plain_ms, lift_by_message = [], [], {}
            for _ in range(args.conversations):
                converse(lift.rasa_url, LIFT_SCRIPT, lift_ms, lift_by_message)
                converse(plain.url, PLAIN_SCRIPT, plain_ms)
        finally:
            plain.stop()
    result = {
        "turns_per_bot": len(lift_ms),
        "lift": _ms(lift_ms),
        "plain_rasa_init": _ms(plain_ms),
    }
    result["lift_p50_by_message_ms"] = {m: summary(v, 1)["p50_ms"] for m, v in lift_by_message.items()}
    result["ratio_p50"] = round(result["lift"]["p50_ms"] / result["plain_rasa_init"]["p50_ms"], 2)
    result["ratio_p95"] = round(result["lift"]["p95_ms"] / result["plain_rasa_init"]["p95_ms"], 2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"turns per bot: {result['turns_per_bot']}")
        print(table([(n, result[n]["p50_ms"], result[n]["p95_ms"], result[n]["mean_ms"]) for n in ("lift", "plain_rasa_init")],
                    ["bot", "p50 ms", "p95 ms", "mean ms"], floatfmt=".1f"))
        print("lift p50 by message:")
        print(table([(v, m) for m, v in result["lift_p50_by_message_ms"].items()], ["p50 ms", "message"], floatfmt=".1f", indent="  "))
        print(f"ratio lift/plain: p50 {result['ratio_p50']}x, p95 {result['ratio_p95']}x (target p95 <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
