"""What the Prometheus instrumentation costs per turn, with vs without, in the same run.

    make bench-metrics    # or: .venv/bin/python scripts/bench_metrics.py [--conversations 200]

Each turn is a real ConversionTrackerStore save of real Rasa events (SQLite in a temp dir)
behind a channel handler. "with" = the instrumented path Rasa runs (``timed_turns`` around
the handler, ``save()`` with its save-duration histogram and TurnObserver); "without" = the
same work through the un-instrumented ``_save()`` and the bare handler. Conversations
alternate between the two so machine noise hits both alike. The database sits in /dev/shm
when there is one, so disk flushes do not drown the difference.

Because a turn's own spread (tens of ms) is far larger than the instrumentation, the script
also times the instrumentation alone on every turn's events (the same TurnObserver, save
and turn histograms, into a scratch registry): that p95 is the figure held to 1 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered  # noqa: E402

from prometheus_client import CollectorRegistry  # noqa: E402

from lift.config import Settings  # noqa: E402
from lift.observability.metrics import ChatMetrics  # noqa: E402
from lift.observability.turns import TurnObserver  # noqa: E402
from lift.observability.turns import timed_turns  # noqa: E402
from lift.rasa_plugins.tracker_store import ConversionTrackerStore  # noqa: E402
from scripts.benchlib import percentile, table  # noqa: E402


def user(text, intent, confidence=0.93):
    data = {"name": intent, "confidence": confidence}
    return UserUttered(text, intent=data, parse_data={"intent": data, "entities": [], "text": text},
                       input_channel="rest")


def turns():
    return [
        [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("variant", "control"),
         ActionExecuted("action_listen"), user("hi", "greet"), ActionExecuted("utter_greet"),
         ActionExecuted("action_listen")],
        [user("I want a demo", "request_demo"), ActionExecuted("lead_form"), ActiveLoop("lead_form"),
         SlotSet("requested_slot", "person_name"), ActionExecuted("action_listen")],
        [user("Jane Doe", "inform"), ActionExecuted("lead_form"), SlotSet("person_name", "Jane Doe"),
         SlotSet("requested_slot", "email"), ActionExecuted("action_listen")],
        [user("jane@example.org", "inform"), ActionExecuted("lead_form"), SlotSet("email", "jane@example.org"),
         SlotSet("requested_slot", "company"), ActionExecuted("action_listen")],
        [user("how long do returns take?", "ask_question"), ActionExecuted("action_answer_question"),
         SlotSet("kb_doc_id", "policy:returns#1"), ActionExecuted("action_listen")],
        [user("asdf", "nlu_fallback", 0.2), ActionExecuted("action_two_stage_fallback"),
         ActionExecuted("action_listen")],
        [user("thanks", "thank"), ActionExecuted("utter_thank"), ActionExecuted("action_listen")],
    ]


class Msg:
    def __init__(self, sender, events):
        self.sender_id, self.events, self.input_channel = sender, events, "rest"


async def run(conversations: int):
    domain = Domain.load(str(ROOT / "domain"))
    shm = Path("/dev/shm")
    scratch = TurnObserver(ChatMetrics(CollectorRegistry()), domain.intents, domain.action_names_or_texts)
    alone = []
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        settings = Settings(root=ROOT, db_url=f"sqlite:///{Path(tmp) / 'bench.db'}", index_dir=Path(tmp) / "index")
        store = ConversionTrackerStore(domain=domain, settings=settings)

        async def turn(msg, save):
            tracker = await store.get_or_create_tracker(msg.sender_id)
            for ev in msg.events:
                tracker.update(ev)
            await save(tracker)

        async def with_metrics(msg):
            await turn(msg, store.save)

        def instrumentation_alone(msg):
            start = time.perf_counter()
            scratch.observe(msg.events, ())
            scratch.metrics.tracker_save.observe(0.01)
            scratch.metrics.turn_duration.labels("rest").observe(0.05)
            return time.perf_counter() - start

        async def without_metrics(msg):
            await turn(msg, store._save)

        handlers = {"with": timed_turns(with_metrics), "without": without_metrics}
        times = {"with": [], "without": []}
        for i in range(conversations + 2):
            for kind in (("with", "without") if i % 2 else ("without", "with")):
                for events in turns():
                    msg = Msg(f"bench-{kind}-{i}", events)
                    start = time.perf_counter()
                    await handlers[kind](msg)
                    if i >= 2:  # two warm-up conversations each
                        times[kind].append(time.perf_counter() - start)
                        if kind == "with":
                            alone.append(instrumentation_alone(msg))
        store.engine.dispose()
    times["alone"] = alone
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=200)
    args = ap.parse_args()
    times = asyncio.run(run(args.conversations))
    times = {kind: [t * 1000 for t in xs] for kind, xs in times.items()}  # ms
    w, wo = times["with"], times["without"]
    print(f"turns per variant: {len(w)} ({args.conversations} conversations x {len(turns())} turns)")
    print(table([(kind, percentile(times[kind], 50), percentile(times[kind], 95)) for kind in ("without", "with")],
                ["", "p50 ms", "p95 ms"], floatfmt=".3f"))
    print(f"with - without: p50 {percentile(w, 50) - percentile(wo, 50):+.3f} ms, p95 {percentile(w, 95) - percentile(wo, 95):+.3f} ms "
          f"(ratio p50 {percentile(w, 50) / percentile(wo, 50):.3f}, p95 {percentile(w, 95) / percentile(wo, 95):.3f})")
    alone = percentile(times["alone"], 95)
    print(f"instrumentation alone per turn: p50 {percentile(times['alone'], 50):.3f} ms, p95 {alone:.3f} ms "
          f"({alone / percentile(wo, 95) * 100:.2f}% of a turn's p95); target p95 <= 1 ms: {'OK' if alone <= 1.0 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
