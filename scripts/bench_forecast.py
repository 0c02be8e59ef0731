"""Per-turn forecast cost: conversation signals from a tracker's events + one model score.

Compares, in the same run on the same conversations, the fast single-row path the bot uses
(:meth:`Forecaster.for_events`) with scikit-learn's public ``predict_proba`` on the same
features, checks both give the same probability, and reports p50/p95 and the ratio.

Then what scoring adds to a hesitation turn (``action_view_cart`` with items in the cart,
:func:`actions.forecast.offer_purchase_help`; no other turn is scored) as the action server
serves it: the JSON request decoded, rasa-sdk's ActionExecutor running an action that does
exactly that scoring (:func:`actions.forecast.live_probability` + the slot event), the response
encoded — next to the very same call of an action that does nothing.
Needs the model: `lift forecast train`.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lift.config import get_settings  # noqa: E402
from lift.forecast.model import ForecastModelMissing, single_threaded  # noqa: E402
from lift.forecast.signals import Forecaster, conversation_signals, page_session, session_features  # noqa: E402
from scripts.benchlib import percentile  # noqa: E402


def synthetic_conversation(rng: random.Random, turns: int):
    """Events shaped like a real tracker's: user turns with intents, slots, actions, metadata."""
    t0 = 1_700_000_000.0
    events = [{"event": "session_started", "timestamp": t0}]
    cart = []
    for i in range(turns):
        t = t0 + i * rng.uniform(5, 60)
        meta = {"session": {"Administrative": rng.randint(0, 5), "ProductRelated": rng.randint(1, 60),
                            "ProductRelated_Duration": rng.uniform(10, 3000), "BounceRates": rng.uniform(0, 0.1),
                            "ExitRates": rng.uniform(0, 0.2), "PageValues": rng.choice([0, 0, 0, rng.uniform(1, 80)]),
                            "VisitorType": rng.choice(["Returning_Visitor", "New_Visitor"])}} if i % 3 == 0 else {}
        intent = rng.choice(["search_product", "ask_price", "add_to_cart", "ask_question", "nlu_fallback"])
        events.append({"event": "user", "timestamp": t, "text": "...", "metadata": meta,
                       "parse_data": {"intent": {"name": intent, "confidence": 0.9}}})
        if intent == "search_product":
            events.append({"event": "slot", "name": "last_product", "value": f"AUD-00{rng.randint(1, 8)}"})
        elif intent == "ask_price":
            events.append({"event": "action", "name": "action_show_price"})
        elif intent == "add_to_cart":
            cart = cart + [{"sku": "KIT-002", "qty": 1, "unit_price": "449.00"}]
            events.append({"event": "slot", "name": "cart", "value": cart})
        elif intent == "ask_question":
            events.append({"event": "slot", "name": "kb_doc_id", "value": "faq-1"})
        events.append({"event": "action", "name": "action_listen"})
    return events


def action_call(events, sender: str) -> bytes:
    """The request body Rasa POSTs to the action server (next_action set per call)."""
    slots = {"cart": None, "purchase_probability": None, "last_product": None, "variant": "control"}
    for e in events:
        if e.get("event") == "slot":
            slots[e["name"]] = e["value"]
    latest = next(e for e in reversed(events) if e.get("event") == "user")
    tracker = {"sender_id": sender, "slots": slots, "latest_message": {**latest["parse_data"], "text": latest["text"],
                                                                      "metadata": latest.get("metadata") or {}},
               "events": events, "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    return json.dumps({"next_action": "action_score_purchase", "sender_id": sender, "tracker": tracker,
                       "domain": {}, "version": "3.6.21"}).encode()


def bench_action_calls(forecaster, convs, repeats: int = 1):
    """(with, without): (wall, cpu) seconds per decoded-run-encoded action call, same payloads, interleaved."""
    from rasa_sdk.events import SlotSet
    from rasa_sdk.executor import ActionExecutor

    from actions import resources
    from actions.forecast import live_probability
    from lift.commerce.catalog import Catalog

    settings = get_settings()
    res = resources.Resources(settings=settings, engine=None, catalog=Catalog.load(settings.catalog_path),
                              forecaster=forecaster)
    executor = ActionExecutor()
    # the scoring offer_purchase_help does at a hesitation point, alone
    executor.register_function("action_score_purchase", lambda dispatcher, tracker, domain: [
        SlotSet("purchase_probability", round(live_probability(res, tracker), 4))])
    executor.register_function("action_noop", lambda dispatcher, tracker, domain: [])
    bodies = [action_call(events, f"bench-{i}") for i, events in enumerate(convs)]
    loop = asyncio.new_event_loop()

    def serve(body: bytes, name: str):
        t, c = time.perf_counter(), time.thread_time()
        call = json.loads(body)
        call["next_action"] = name
        result = loop.run_until_complete(executor.run(call))
        json.dumps(result)
        return time.perf_counter() - t, time.thread_time() - c

    for body in bodies[:50]:  # warm-up
        serve(body, "action_score_purchase")
        serve(body, "action_noop")
    with_fc, without = [], []
    for _ in range(repeats):
        for body in bodies:
            with_fc.append(serve(body, "action_score_purchase"))
            without.append(serve(body, "action_noop"))
    loop.close()
    return with_fc, without




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=2000, help="conversations (turns scored)")
    ap.add_argument("--turns", type=int, default=20, help="user turns per conversation")
    args = ap.parse_args()
    try:
        forecaster = Forecaster.load(get_settings().forecast_dir)
    except ForecastModelMissing as exc:
        print(f"bench_forecast: {exc}", file=sys.stderr)
        return 3
    rng = random.Random(7)
    convs = [synthetic_conversation(rng, args.turns) for _ in range(args.n)]
    now = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.timezone.utc)
    fast, public, fast_cpu, public_cpu = [], [], [], []
    worst = 0.0
    for events in convs[:50]:  # warm-up
        forecaster.for_events(events, now)
    for events in convs:
        t, c = time.perf_counter(), time.thread_time()
        p_fast = forecaster.for_events(events, now)
        fast.append(time.perf_counter() - t)
        fast_cpu.append(time.thread_time() - c)
        t, c = time.perf_counter(), time.thread_time()
        row = session_features(conversation_signals(events), page_session(events), now)
        with single_threaded():
            p_public = float(forecaster.estimator.predict_proba(row)[0, 1])
        public.append(time.perf_counter() - t)
        public_cpu.append(time.thread_time() - c)
        worst = max(worst, abs(p_fast - p_public))
    ms = lambda s: s * 1000  # noqa: E731
    print(f"per-turn forecast, {args.n} conversations x {args.turns} user turns (signals + score)")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall time includes waiting "
          f"for a core, thread CPU time does not)")
    for label, wall, cpu in (("fast path (Forecaster.for_events) ", fast, fast_cpu),
                             ("sklearn predict_proba, same inputs", public, public_cpu)):
        print(f"  {label}: wall p50 {ms(statistics.median(wall)):.3f} ms  p95 {ms(percentile(wall, 95)):.3f} ms"
              f" | cpu p50 {ms(statistics.median(cpu)):.3f} ms  p95 {ms(percentile(cpu, 95)):.3f} ms")
    print(f"  p50 ratio public/fast: {statistics.median(public) / statistics.median(fast):.1f}x wall, "
          f"{statistics.median(public_cpu) / statistics.median(fast_cpu):.1f}x cpu; "
          f"max |p_fast - p_public| = {worst:.2e}")
    print(f"  target p95 <= 2 ms: wall {'met' if percentile(fast, 95) <= 0.002 else 'NOT met'}, "
          f"cpu {'met' if percentile(fast_cpu, 95) <= 0.002 else 'NOT met'}")
    with_fc, without = bench_action_calls(forecaster, convs)
    print(f"hesitation-turn scoring in an action-server call (JSON in, ActionExecutor, JSON out), {len(with_fc)} "
          f"calls each, interleaved")
    for label, calls in (("scoring action", with_fc), ("no-op action, same body", without)):
        wall, cpu = [w for w, _ in calls], [c for _, c in calls]
        print(f"  {label:25s}: wall p50 {ms(statistics.median(wall)):.3f} ms  p95 {ms(percentile(wall, 95)):.3f} ms"
              f" | cpu p50 {ms(statistics.median(cpu)):.3f} ms  p95 {ms(percentile(cpu, 95)):.3f} ms")
    for i, kind in ((0, "wall"), (1, "cpu")):
        added = [a[i] - b[i] for a, b in zip(with_fc, without)]
        print(f"  scoring adds per hesitation turn ({kind}): p50 {ms(statistics.median(added)):.3f} ms  "
              f"p95 {ms(percentile(added, 95)):.3f} ms; target p95 <= 2 ms: "
              f"{'met' if percentile(added, 95) <= 0.002 else 'NOT met'}")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
