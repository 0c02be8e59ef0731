#!/usr/bin/env python
"""Cost of recording micro-conversions: plain SQLTrackerStore vs ConversionTrackerStore.

Same run, same database (PostgreSQL from scripts/pg.sh unless --db-url/--sqlite), the two
stores measured turn by turn in alternation so drift on a shared machine hits both alike.

1. ``save``: Rasa's DialogueStateTracker with real events, ten scripted shopping turns per
   conversation (several of them complete micro-conversions), timing ``store.save`` only.
   This isolates the store's own cost, which REST round trips mostly drown in noise.
2. ``rest``: two real Rasa servers (one per store, same action server set-up, same DB) and
   the same ten turns over /webhooks/rest/webhook, timing each round trip.

Overhead per turn = p95(conversion store) - p95(plain); ratio = p95 conversion / p95 plain.
Target: overhead <= 5 ms at p95.

    .venv/bin/python scripts/bench_tracker.py [--conversations 20] [--skip-rest] [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from scripts.benchlib import percentile, postgres_database, summary, table  # noqa: E402


def compare(plain: List[float], conv: List[float], paired: List[float]) -> Dict[str, object]:
    p, c = summary(plain), summary(conv)
    return {
        "plain": p,
        "conversion": c,
        "overhead_p95_ms": round(c["p95_ms"] - p["p95_ms"], 3),
        "overhead_p50_ms": round(c["p50_ms"] - p["p50_ms"], 3),
        "paired_diff_p95_ms": round(percentile(paired, 95), 3),
        "ratio_p95": round(c["p95_ms"] / p["p95_ms"], 3) if p["p95_ms"] else None,
        "ratio_mean": round(c["mean_ms"] / p["mean_ms"], 3) if p["mean_ms"] else None,
    }


# --------------------------------------------------------------------------- database


def database_url(args):
    """(url, cleanup) for the run; only a database created here is removed afterwards."""
    if args.db_url:
        return args.db_url, lambda: None
    if args.sqlite:
        tmp = Path(tempfile.mkdtemp(prefix="lift-bench-"))
        return f"sqlite:///{tmp / 'bench.db'}", lambda: shutil.rmtree(tmp, ignore_errors=True)
    return postgres_database("bench_tracker")


# --------------------------------------------------------------------------- save bench


def scripted_turns(catalog):
    """Events of ten shopping turns, as the processor would append them."""
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered

    first = next(p for p in catalog if p.stock > 10 and catalog.complement_for(p.sku))
    offer = catalog.complement_for(first.sku)

    def user(intent, text, entities=()):
        ents = [{"entity": k, "value": v, "start": 0, "end": len(v)} for k, v in entities]
        return UserUttered(text, intent={"name": intent, "confidence": 0.97}, entities=ents,
                           parse_data={"intent": {"name": intent, "confidence": 0.97}, "entities": ents, "text": text,
                                       "intent_ranking": [{"name": intent, "confidence": 0.97}]},
                           input_channel="rest")

    def bot(text):
        return BotUttered(text, data={"buttons": [{"title": "Check out", "payload": "/checkout"}]})

    cart1 = [{"sku": first.sku, "qty": 1, "unit_price": str(first.price)}]
    cart2 = cart1 + [{"sku": offer.sku, "qty": 1, "unit_price": str(offer.price)}]
    listen = lambda: ActionExecuted("action_listen")  # noqa: E731
    return [
        lambda: [user("greet", "hi"), ActionExecuted("utter_greet"), bot("Hi!"), listen()],
        lambda: [user("search_product", f"show me {first.category}", [("category", first.category)]),
                 ActionExecuted("action_show_products"), bot("Here you go"), SlotSet("last_product", first.sku), listen()],
        lambda: [user("ask_price", "how much is it"), ActionExecuted("action_show_price"), bot("It costs..."),
                 SlotSet("last_product", first.sku), listen()],
        lambda: [user("add_to_cart", "add it"), ActionExecuted("action_add_to_cart"), bot("Added"),
                 SlotSet("cart", cart1), SlotSet("last_product", first.sku), SlotSet("upsell_sku", offer.sku), listen()],
        lambda: [user("affirm", "yes"), ActionExecuted("action_accept_upsell"), bot("Added the offer"),
                 SlotSet("cart", cart2), SlotSet("upsell_accepted", True), listen()],
        lambda: [user("view_cart", "my cart"), ActionExecuted("action_view_cart"), bot("Your cart"), listen()],
        lambda: [user("checkout", "check out"), ActionExecuted("checkout_form"), ActiveLoop("checkout_form"),
                 SlotSet("requested_slot", "email"), bot("Your email?"), listen()],
        lambda: [user("inform", "me@example.com", [("email", "me@example.com")]), ActionExecuted("checkout_form"),
                 SlotSet("email", "me@example.com"), SlotSet("requested_slot", "shipping_address"), bot("Address?"), listen()],
        lambda: [user("inform", "12 Market St, Springfield"), ActionExecuted("checkout_form"),
                 SlotSet("shipping_address", "12 Market St, Springfield"), SlotSet("requested_slot", "shipping_method"),
                 bot("Method?"), listen()],
        lambda: [user("thank", "thanks"), ActionExecuted("utter_youre_welcome"), bot("You're welcome"), listen()],
    ]


async def bench_save(db_url: str, domain, conversations: int) -> Dict[str, object]:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted

    from lift.commerce.catalog import Catalog
    from lift.config import get_settings
    from lift.rasa_plugins.tracker_store import ConversionTrackerStore

    settings = get_settings()
    catalog = Catalog.load(settings.catalog_path)
    turns = scripted_turns(catalog)
    stores = {
        "plain": SQLTrackerStore(domain=domain, host=db_url),
        "conversion": ConversionTrackerStore(domain=domain, host=db_url),
    }
    times: Dict[str, List[float]] = {"plain": [], "conversion": []}
    paired: List[float] = []
    run = uuid.uuid4().hex[:6]
    for c in range(conversations + 1):  # conversation 0 warms caches and pools
        order = list(stores) if c % 2 else list(reversed(stores))
        for turn in turns:
            measured = {}
            for label in order:
                store = stores[label]
                sender = f"bench-{run}-{label}-{c}"
                tracker = await store.retrieve(sender)
                if tracker is None:
                    tracker = store.init_tracker(sender)
                    tracker.update(ActionExecuted("action_listen"))
                tracker.model_id = "bench-model"
                for ev in turn():
                    tracker.update(ev)
                t0 = time.perf_counter()
                await store.save(tracker)
                measured[label] = (time.perf_counter() - t0) * 1000
            if c:
                for label, ms in measured.items():
                    times[label].append(ms)
                paired.append(measured["conversion"] - measured["plain"])
    recorded = len(list(stores["conversion"].recorded(f"bench-{run}-conversion-1")))
    for s in stores.values():
        s.engine.dispose()
    result = compare(times["plain"], times["conversion"], paired)
    result["conversions_recorded_per_conversation"] = recorded
    return result


# --------------------------------------------------------------------------- REST bench


def rest_script(catalog) -> List[str]:
    first = next(p for p in catalog if p.stock >= 60 and (c := catalog.complement_for(p.sku)) and c.stock >= 60)
    return [
        "/greet",
        f'/search_product{{"category":"{first.category}"}}',
        f'/ask_price{{"product":"{first.sku}"}}',
        f'/add_to_cart{{"product":"{first.sku}"}}',
        "/affirm",
        "/view_cart",
        f'/search_product{{"category":"{first.category}"}}',
        f'/ask_price{{"product":"{first.sku}"}}',
        "/view_cart",
        "/thank",
    ]


def bench_rest(db_url: str, conversations: int, workdir: Path) -> Dict[str, object]:
    import yaml

    from lift.commerce.catalog import Catalog
    from lift.config import get_settings
    from tests.support.servers import LiftStack

    project_endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    plain_endpoints = dict(project_endpoints, tracker_store={"type": "sql", "url": db_url})
    plain_file = workdir / "endpoints-plain.yml"
    plain_file.write_text(yaml.safe_dump(plain_endpoints))
    script = rest_script(Catalog.load(get_settings().catalog_path))

    stacks = {
        "plain": LiftStack(workdir / "plain", db_url=db_url, endpoints=plain_file),
        "conversion": LiftStack(workdir / "conversion", db_url=db_url),
    }
    times: Dict[str, List[float]] = {"plain": [], "conversion": []}
    paired: List[float] = []
    run = uuid.uuid4().hex[:6]
    try:
        for stack in stacks.values():
            stack.start()
        for c in range(conversations + 1):
            order = list(stacks) if c % 2 else list(reversed(stacks))
            for message in script:
                measured = {}
                for label in order:
                    t0 = time.perf_counter()
                    stacks[label].say(f"rest-{run}-{label}-{c}", message)
                    measured[label] = (time.perf_counter() - t0) * 1000
                if c:
                    for label, ms in measured.items():
                        times[label].append(ms)
                    paired.append(measured["conversion"] - measured["plain"])
    except Exception:
        for stack in stacks.values():
            print(stack.logs()[-3000:], file=sys.stderr)
        raise
    finally:
        for stack in stacks.values():
            stack.stop()
    return compare(times["plain"], times["conversion"], paired)


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", help="database for both stores (default: throwaway PostgreSQL via scripts/pg.sh)")
    ap.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL")
    ap.add_argument("--conversations", type=int, default=20, help="measured conversations per store (10 turns each)")
    ap.add_argument("--domain", default=str(ROOT / "domain"), help="domain for the save bench")
    ap.add_argument("--skip-rest", action="store_true", help="only the in-process save bench (no model needed)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()

    from rasa.shared.core.domain import Domain

    from lift.store.engine import safe_url

    model = ROOT / "models" / "current.tar.gz"
    if not args.skip_rest and not model.exists():
        print(f"bench_tracker: no model at {model}; run `make train` (or use --skip-rest)", file=sys.stderr)
        return 1
    domain = Domain.load(args.domain)
    db_url, cleanup = database_url(args)
    results: Dict[str, object] = {"database": safe_url(db_url), "turns_per_conversation": 10,
                                  "conversations": args.conversations}
    try:
        results["save"] = asyncio.run(bench_save(db_url, domain, args.conversations))
        if not args.skip_rest:
            with tempfile.TemporaryDirectory(prefix="lift-bench-") as tmp:
                results["rest"] = bench_rest(db_url, args.conversations, Path(tmp))
    finally:
        cleanup()

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"database: {results['database']}; {args.conversations} conversations x 10 turns per store")
    for part in ("save", "rest"):
        r = results.get(part)
        if not r:
            continue
        title = "store.save() in-process" if part == "save" else "REST turn round trip"
        print(f"\n{title}")
        print(table([(label, r[label]["p50_ms"], r[label]["p95_ms"], r[label]["mean_ms"]) for label in ("plain", "conversion")],
                    ["store", "p50 ms", "p95 ms", "mean ms"], floatfmt=".2f", indent="  "))
        verdict = "OK" if r["overhead_p95_ms"] <= 5 else "OVER TARGET"
        print(f"  overhead per turn: p95 {r['overhead_p95_ms']:+.2f} ms ({verdict}, target <= 5 ms), "
              f"p50 {r['overhead_p50_ms']:+.2f} ms, paired-diff p95 {r['paired_diff_p95_ms']:+.2f} ms")
        print(f"  ratio conversion/plain: p95 {r['ratio_p95']}, mean {r['ratio_mean']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
