#!/usr/bin/env python
"""Turn latency of a conversation with 20,000 stored events vs a new conversation, same run.

One real stack (action server + Rasa with Lift's tracker store, PostgreSQL from
scripts/pg.sh unless --db-url/--sqlite). Three kinds of conversation, measured turn by turn in
rotation so drift on a shared machine hits all alike:

* ``new``: a fresh conversation (its second message, so no session start is timed);
* ``sessions``: 20,000 events in 80 earlier sessions (a returning shopper) and a current
  session of 50 turns; the cart was filled in the first session and carried over by Rasa's
  ``carry_over_slots_to_new_session``;
* ``one_session``: 20,000 events in one session that has not expired (the worst case: Rasa
  loads a whole session).

Each turn is ``what's in my cart?`` (``/view_cart``) and the reply is checked to name the
product the cart got in the first session (the turn sees the slots it needs).

    .venv/bin/python scripts/bench_large_tracker.py [--turns 15] [--events 20000] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench_tracker import database_url  # noqa: E402
from scripts.benchlib import summary, table  # noqa: E402

TURN = 5  # events per seeded turn


def seeded_events(sku: str, price: str, total: int, sessions: int, now: float) -> List[object]:
    """``total`` events: ``sessions`` sessions (the last one current), the cart set in the first."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    cart = [{"sku": sku, "qty": 1, "unit_price": price}]
    per_session = total // sessions
    events: List[object] = []
    # old sessions an hour or more apart; the current one started 5 minutes ago
    for s in range(sessions):
        start = now - 300 if s == sessions - 1 else now - 3600 * 2 * (sessions - s)
        step = 240.0 / per_session if s == sessions - 1 else 1.0
        t = start
        head = [ActionExecuted("action_session_start", timestamp=t), SessionStarted(timestamp=t),
                SlotSet("variant", "control", timestamp=t)]
        if s:  # carried over from the session before, as Rasa's action_session_start does
            head.append(SlotSet("cart", cart, timestamp=t))
        head.append(ActionExecuted("action_listen", timestamp=t))
        events.extend(head)
        n = len(head)
        first_turn = s == 0
        while n + TURN <= per_session:
            t += step
            parse = {"intent": {"name": "greet", "confidence": 1.0}, "entities": [], "text": "hi"}
            turn = [UserUttered("hi", intent=parse["intent"], parse_data=parse, timestamp=t, input_channel="rest"),
                    ActionExecuted("utter_greet", timestamp=t), BotUttered("Hi!", timestamp=t)]
            turn.append(SlotSet("cart", cart, timestamp=t) if first_turn else SlotSet("last_product", sku, timestamp=t))
            turn.append(ActionExecuted("action_listen", timestamp=t))
            first_turn = False
            events.extend(turn)
            n += TURN
    return events


def seed(db_url: str, sender: str, events: List[object]) -> None:
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    from lift.rasa_plugins.tracker_spool import event_row

    engine = sa.create_engine(db_url)
    rows = []
    for ev in events:
        r = event_row(SQLTrackerStore.SQLEvent, sender, ev.as_dict())
        rows.append({c: getattr(r, c) for c in ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")})
    with engine.begin() as conn:
        conn.execute(SQLTrackerStore.SQLEvent.__table__.insert(), rows)
    engine.dispose()


def latest_session_events(db_url: str, sender: str) -> int:
    """Rows a load reads: the latest session's (what the tracker store retrieves)."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(
            "SELECT count(*) FROM events WHERE sender_id = :s AND id >= (SELECT max(id) FROM events "
            "WHERE sender_id = :s AND type_name = 'session_started')"), {"s": sender}).scalar()
    engine.dispose()
    return int(n)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db-url", help="database (default: throwaway PostgreSQL via scripts/pg.sh)")
    ap.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL")
    ap.add_argument("--turns", type=int, default=15, help="measured turns per kind of conversation")
    ap.add_argument("--events", type=int, default=20000, help="events stored in each large conversation")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from lift.commerce.catalog import Catalog
    from lift.config import get_settings
    from lift.store.engine import safe_url
    from tests.support.servers import LiftStack, texts

    if not (ROOT / "models" / "current.tar.gz").exists():
        print("bench_large_tracker: no model; run `make train`", file=sys.stderr)
        return 1
    product = next(p for p in Catalog.load(get_settings().catalog_path) if p.stock > 5)
    db_url, cleanup = database_url(args)
    run = uuid.uuid4().hex[:6]
    senders = {"sessions": f"large-s-{run}", "one_session": f"large-1-{run}"}
    times: Dict[str, List[float]] = {"new": [], "sessions": [], "one_session": []}
    wrong: List[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="lift-bench-large-") as tmp, LiftStack(Path(tmp), db_url=db_url) as stack:
            stack.say(f"warm-{run}", "/greet")  # tables exist, pools are warm
            now = time.time()
            seed(db_url, senders["sessions"], seeded_events(product.sku, str(product.price), args.events, 80, now))
            seed(db_url, senders["one_session"], seeded_events(product.sku, str(product.price), args.events, 1, now))
            for i in range(args.turns + 1):  # round 0 warms up
                new = f"large-new-{run}-{i}"
                stack.say(new, "/greet")
                order = ["new", "sessions", "one_session"]
                order = order[i % 3:] + order[:i % 3]
                for kind in order:
                    sender = new if kind == "new" else senders[kind]
                    t0 = time.perf_counter()
                    replies = stack.say(sender, "/view_cart")
                    ms = (time.perf_counter() - t0) * 1000
                    if kind != "new" and product.name not in texts(replies):
                        wrong.append(f"{kind}: {texts(replies)[:200]!r}")
                    if i:
                        times[kind].append(ms)
            loaded = {k: latest_session_events(db_url, s) for k, s in senders.items()}
    finally:
        cleanup()

    new = summary(times["new"])
    result = {"database": safe_url(db_url), "stored_events": args.events, "turns": args.turns, "new": new,
              "events_in_current_session": loaded, "window": get_settings().tracker_window, "cart_seen_every_turn": not wrong, "wrong": wrong[:3]}
    for kind in ("sessions", "one_session"):
        s = summary(times[kind])
        result[kind] = s
        result[f"turns_ms_{kind}"] = [round(t) for t in times[kind]]
        result[f"ratio_p50_{kind}_vs_new"] = round(s["p50_ms"] / new["p50_ms"], 2)
        result[f"ratio_p95_{kind}_vs_new"] = round(s["p95_ms"] / new["p95_ms"], 2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"database: {result['database']}; {args.events} stored events; {args.turns} turns per kind")
        print(f"  (a turn loads at most {result['window']} events + its state prefix)")
        rows = [(kind, result[kind]["p50_ms"], result[kind]["p95_ms"],
                 1.0 if kind == "new" else result[f"ratio_p50_{kind}_vs_new"], loaded.get(kind, ""))
                for kind in ("new", "sessions", "one_session")]
        print(table(rows, ["conversation", "p50 ms", "p95 ms", "ratio p50", "in session"],
                    floatfmt=("", ".1f", ".1f", ".2f", ""), indent="  "))
        print(f"  cart from the first session seen on every turn: {'yes' if not wrong else 'NO ' + str(wrong[:1])}")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
