"""Per-turn forecast cost: conversation signals from a tracker's events + one model score.

Compares, in the same run on the same conversations, the fast single-row path the bot uses
(:meth:`Forecaster.for_events`) with scikit-learn's public ``predict_proba`` on the same
features, checks both give the same probability, and reports p50/p95 and the ratio.

Then the whole per-turn call as the action server serves it (``action_forecast_purchase``,
run by Rasa's action_extract_slots after every user message): the JSON request decoded,
rasa-sdk's ActionExecutor running the real action, the response encoded — next to the very
same call of an action that does nothing, so the difference is what forecasting adds to a
turn. With ``--http`` it also starts the real action server (`rasa run actions`, free
loopback port, throwaway SQLite) and times the same requests over HTTP: the round trip that
action_extract_slots now makes once per user message.
Needs the model: `lift forecast train`.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
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
    """The request body Rasa POSTs to the action server for action_forecast_purchase."""
    slots = {"cart": None, "purchase_probability": None, "last_product": None, "variant": "control"}
    for e in events:
        if e.get("event") == "slot":
            slots[e["name"]] = e["value"]
    latest = next(e for e in reversed(events) if e.get("event") == "user")
    tracker = {"sender_id": sender, "slots": slots, "latest_message": {**latest["parse_data"], "text": latest["text"],
                                                                      "metadata": latest.get("metadata") or {}},
               "events": events, "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    return json.dumps({"next_action": "action_forecast_purchase", "sender_id": sender, "tracker": tracker,
                       "domain": {}, "version": "3.6.21"}).encode()


def bench_action_calls(forecaster, convs, repeats: int = 1):
    """(with, without): (wall, cpu) seconds per decoded-run-encoded action call, same payloads, interleaved."""
    from rasa_sdk.executor import ActionExecutor

    from actions import resources
    from actions.forecast import ActionForecastPurchase
    from lift.commerce.catalog import Catalog

    settings = get_settings()
    resources.use(resources.Resources(settings=settings, engine=None, catalog=Catalog.load(settings.catalog_path),
                                      forecaster=forecaster))
    executor = ActionExecutor()
    executor.register_action(ActionForecastPurchase)
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
        serve(body, "action_forecast_purchase")
        serve(body, "action_noop")
    with_fc, without = [], []
    for _ in range(repeats):
        for body in bodies:
            with_fc.append(serve(body, "action_forecast_purchase"))
            without.append(serve(body, "action_noop"))
    loop.close()
    return with_fc, without


def bench_http(bodies, rounds: int):
    """Wall seconds per POST /webhook of action_forecast_purchase to a real action server."""
    import secrets
    import tempfile
    import urllib.request

    from tests.support.servers import VENV_BIN, base_env, free_port

    port, token = free_port(), secrets.token_urlsafe(16)
    work = Path(tempfile.mkdtemp(prefix="bench-forecast-"))
    env = base_env(LIFT_ACTION_TOKEN=token, LIFT_DB_URL=f"sqlite:///{work / 'lift.db'}", LIFT_ACTION_METRICS_PORT="0")
    root = Path(__file__).resolve().parents[1]
    with open(work / "actions.log", "wb") as log:
        proc = subprocess.Popen([str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
                                cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"bench_forecast: the action server did not start; see {work / 'actions.log'}")
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/webhook?token={token}"
        out = []
        for _ in range(rounds):
            for body in bodies:
                req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
                t = time.perf_counter()
                with urllib.request.urlopen(req, timeout=30) as resp:
                    resp.read()
                out.append(time.perf_counter() - t)
        return out[50:]  # the first calls warm the server up
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=2000, help="conversations (turns scored)")
    ap.add_argument("--turns", type=int, default=20, help="user turns per conversation")
    ap.add_argument("--http", action="store_true", help="also time the call over HTTP against a real action server")
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
    print(f"per-turn action-server call (JSON in, ActionExecutor, JSON out), {len(with_fc)} calls each, interleaved")
    for label, calls in (("action_forecast_purchase", with_fc), ("no-op action, same body", without)):
        wall, cpu = [w for w, _ in calls], [c for _, c in calls]
        print(f"  {label:25s}: wall p50 {ms(statistics.median(wall)):.3f} ms  p95 {ms(percentile(wall, 95)):.3f} ms"
              f" | cpu p50 {ms(statistics.median(cpu)):.3f} ms  p95 {ms(percentile(cpu, 95)):.3f} ms")
    for i, kind in ((0, "wall"), (1, "cpu")):
        added = [a[i] - b[i] for a, b in zip(with_fc, without)]
        print(f"  forecasting adds per turn ({kind}): p50 {ms(statistics.median(added)):.3f} ms  "
              f"p95 {ms(percentile(added, 95)):.3f} ms; target p95 <= 2 ms: "
              f"{'met' if percentile(added, 95) <= 0.002 else 'NOT met'}")
    if args.http:
        bodies = [action_call(events, f"bench-http-{i}") for i, events in enumerate(convs[:500])]
        rtt = bench_http(bodies, rounds=1)
        print(f"over HTTP to a real action server (loopback, {len(rtt)} POST /webhook): "
              f"wall p50 {ms(statistics.median(rtt)):.3f} ms  p95 {ms(percentile(rtt, 95)):.3f} ms")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
