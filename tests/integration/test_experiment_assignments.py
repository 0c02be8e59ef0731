"""Assignment under concurrency on real databases (SQLite file and PostgreSQL): several
assigners (as in several action-server processes) racing on the same conversations store
exactly one row per (sender_id, experiment), and every process agrees with it."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from lift.store.engine import make_engine
from lift.experiments.assignment import Assigner
from lift.experiments.config import parse_experiments
from lift.store.models import ExperimentAssignment

CONFIG = parse_experiments({
    "experiments": [
        {"name": "greeting_copy", "surface": "greeting", "status": "running",
         "variants": [{"name": "control", "weight": 50}, {"name": "short", "weight": 50}], "metric": "m"},
        {"name": "cross_sell", "surface": "cross_sell", "status": "running",
         "variants": [{"name": "complement", "weight": 70}, {"name": "off", "weight": 30}], "metric": "m"},
    ]
}, ["m"])


def test_racing_assigners_store_one_row_each(db_url):
    engines = [make_engine(db_url) for _ in range(4)]
    assigners = [Assigner(e, CONFIG) for e in engines]
    senders = [f"race-{i}" for i in range(60)]
    try:
        def work(k):
            a = assigners[k % len(assigners)]
            return [(s, a.assign(s)) for s in (senders if k % 2 else reversed(senders))]

        with ThreadPoolExecutor(max_workers=8) as pool:
            seen = [pair for part in pool.map(work, range(8)) for pair in part]
        assert all(a.flush() for a in assigners)
        with engines[0].connect() as conn:
            rows = conn.execute(sa.select(ExperimentAssignment.sender_id, ExperimentAssignment.experiment,
                                          ExperimentAssignment.variant)).all()
        assert len(rows) == len({(r[0], r[1]) for r in rows}) == 2 * len(senders)
        stored = {(r[0], r[1]): r[2] for r in rows}
        for sender, assignment in seen:
            assert assignment == {"greeting_copy": stored[(sender, "greeting_copy")],
                                  "cross_sell": stored[(sender, "cross_sell")]}
        # a fresh process reads the stored rows back
        fresh = Assigner(make_engine(db_url), CONFIG)
        assert all(fresh.assign(s)["cross_sell"] == stored[(s, "cross_sell")] for s in senders)
        fresh.engine.dispose()
    finally:
        for e in engines:
            e.dispose()
