"""Where a Lift turn's time goes: `make bench`'s scripted conversations handled by an in-process
Rasa Agent (same model, endpoints.yml, conversion tracker store) against a real action server,
with the processor's phases timed (wall clock) and every action-server call timed by name.

    .venv/bin/python scripts/profile_turns.py [--conversations 15]

Prints per turn: parse (NLU), policy predictions, action-server calls (count and wall time,
HTTP included), tracker load and save. A diagnostic for `scripts/bench_turns.py`'s ratio; the
timers wrap Rasa methods in this process only.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench_turns import LIFT_SCRIPT  # noqa: E402
from scripts.benchlib import percentile as pct  # noqa: E402
from tests.support.servers import MODEL, LiftStack, free_port  # noqa: E402

PHASES = ("handle_message", "parse_message", "run_action_extract_slots", "_run_prediction_loop",
          "fetch_tracker_and_update_session", "save_tracker")


class Timers:
    def __init__(self) -> None:
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)

    def add(self, key: str, seconds: float) -> None:
        self.seconds[key] += seconds
        self.calls[key] += 1

    def wrap(self, owner, name: str, key: str) -> None:
        original = getattr(owner, name)
        if asyncio.iscoroutinefunction(original):
            @functools.wraps(original)
            async def timed(obj, *a, **k):
                t0 = time.perf_counter()
                try:
                    return await original(obj, *a, **k)
                finally:
                    self.add(key if key != "{name}" else obj.name(), time.perf_counter() - t0)
        else:
            @functools.wraps(original)
            def timed(obj, *a, **k):
                t0 = time.perf_counter()
                try:
                    return original(obj, *a, **k)
                finally:
                    self.add(key, time.perf_counter() - t0)
        setattr(owner, name, timed)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=15, help="10 turns each")
    args = ap.parse_args()
    env = {"LIFT_METRICS_PORT": str(free_port()), "LIFT_ACTION_METRICS_PORT": str(free_port())}
    with LiftStack(Path(tempfile.mkdtemp(prefix="lift-profile-")), env=env) as stack:
        os.environ.update(stack.env)  # the in-process Agent talks to this stack's action server and DB
        os.environ["LIFT_METRICS_PORT"] = "0"  # the stack's Rasa serves /metrics already
        from rasa.core.actions.action import RemoteAction
        from rasa.core.agent import load_agent
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
        from rasa.core.processor import MessageProcessor
        from rasa.core.utils import AvailableEndpoints
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

        configure_logging_and_warnings(logging.WARNING)
        configure_structlog(logging.WARNING)
        phases, remote = Timers(), Timers()
        for name in PHASES:
            phases.wrap(MessageProcessor, name, name)
        phases.wrap(MessageProcessor, "_predict_next_with_tracker", "policy predictions")
        from rasa.core.policies.memoization import MemoizationPolicy
        from rasa.core.policies.rule_policy import RulePolicy
        from rasa.core.policies.ted_policy import TEDPolicy

        for policy in (MemoizationPolicy, RulePolicy, TEDPolicy):  # inside "policy predictions"
            phases.wrap(policy, "predict_action_probabilities", f"  {policy.__name__}")
        remote.wrap(RemoteAction, "run", "{name}")

        async def run() -> None:
            agent = await load_agent(model_path=str(MODEL),
                                     endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")))

            async def turn(sender: str, text: str) -> float:
                t0 = time.perf_counter()
                await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
                return time.perf_counter() - t0

            for text in LIFT_SCRIPT:  # warm-up
                await turn("warm-up", text)
            for t in (phases, remote):
                t.seconds.clear()
                t.calls.clear()
            walls = []
            for _ in range(args.conversations):
                sender = f"profile-{uuid.uuid4().hex[:8]}"
                walls += [await turn(sender, text) for text in LIFT_SCRIPT]
            n = len(walls)
            print(f"{n} turns (load average {os.getloadavg()[0]:.1f}): p50 {1000 * pct(walls, 50):.1f} ms, "
                  f"p95 {1000 * pct(walls, 95):.1f} ms, mean {1000 * statistics.mean(walls):.1f} ms")
            print(f"  {'phase':<40}{'calls/turn':>11}{'ms/turn':>10}")
            for key in sorted(phases.seconds, key=lambda k: -phases.seconds[k]):
                print(f"  {key:<40}{phases.calls[key] / n:>11.2f}{1000 * phases.seconds[key] / n:>10.2f}")
            print("  action-server calls (wall, HTTP included):")
            for key in sorted(remote.seconds, key=lambda k: -remote.seconds[k]):
                print(f"    {key:<38}{remote.calls[key] / n:>11.2f}{1000 * remote.seconds[key] / n:>10.2f}")
            print(f"    {'all':<38}{sum(remote.calls.values()) / n:>11.2f}{1000 * sum(remote.seconds.values()) / n:>10.2f}")

        asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
