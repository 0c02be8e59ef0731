"""50 concurrent conversations x 10 turns over the REST channel of a real Rasa server (with
the real action server and the project's endpoints.yml, i.e. ConversionTrackerStore) record
exactly the expected micro-conversions: once per conversation and name, attributed.

Turns are sent as intent payloads (`/intent{"entity": ...}`) so the outcome does not depend
on NLU accuracy; the dialogue policy, actions and tracker store are the real ones.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from lift.commerce.catalog import Catalog
from lift.store.models import MicroConversion
from lift.store.models import ExperimentAssignment
from tests.support.servers import LiftStack, http

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = 50
EXPECTED = {"product_viewed", "price_viewed", "cart_item_added", "upsell_offered", "upsell_accepted"}


def shopping_script(catalog: Catalog):
    """Ten turns; the second half repeats conversions already recorded in the first half."""
    first = next(p for p in catalog if p.stock >= 60 and (c := catalog.complement_for(p.sku)) and c.stock >= 60)
    second = next(p for p in catalog if p.stock >= 60 and p.sku != first.sku
                  and p.sku != catalog.complement_for(first.sku).sku)
    return [
        "/greet",
        f'/search_product{{"category":"{first.category}"}}',
        f'/ask_price{{"product":"{first.sku}"}}',
        f'/add_to_cart{{"product":"{first.sku}"}}',  # cart_item_added + upsell_offered
        "/affirm",  # action_accept_upsell -> upsell_accepted
        "/view_cart",
        f'/search_product{{"category":"{second.category}"}}',
        f'/add_to_cart{{"product":"{second.sku}"}}',
        f'/ask_price{{"product":"{second.sku}"}}',
        "/thank",
    ]


def test_concurrent_rest_conversations_record_exactly_once(db_url, tmp_path):
    catalog = Catalog.load(ROOT / "kb" / "catalog.json")
    script = shopping_script(catalog)
    manifest = ROOT / "var" / "index" / "manifest.json"
    kb_version = json.loads(manifest.read_text()).get("kb_version") if manifest.exists() else "none"
    senders = [f"rest-{i:02d}" for i in range(CONVERSATIONS)]

    with LiftStack(tmp_path / "stack", db_url=db_url) as stack:
        status, body, _ = http("GET", f"{stack.rasa_url}/status?token={stack.auth_token}")
        assert status == 200, body
        model_id = body.get("model_id")
        started = dt.datetime.utcnow() - dt.timedelta(seconds=1)

        def converse(sender):
            for message in script:
                stack.say(sender, message)
            return sender

        with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
            done = list(pool.map(converse, senders))
        assert done == senders
        finished = dt.datetime.utcnow() + dt.timedelta(seconds=1)
        # The trackers really went through the turns (the policy ran the actions).
        tracker = stack.tracker(senders[0])
        assert tracker["slots"]["upsell_accepted"] is True, stack.logs()
        assert len(tracker["slots"]["cart"]) >= 3

    table = MicroConversion.__table__
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(sa.select(table))]
            assignments = [dict(r._mapping) for r in conn.execute(sa.select(ExperimentAssignment.__table__))]
    finally:
        engine.dispose()

    per_name = Counter(r["name"] for r in rows)
    assert per_name == {name: CONVERSATIONS for name in EXPECTED}, per_name
    by_sender = {}
    for r in rows:
        by_sender.setdefault(r["sender_id"], set()).add(r["name"])
    assert by_sender == {s: EXPECTED for s in senders}
    # experiments.yml runs aa_calibration: one sticky assignment per conversation, carried
    # into micro_conversions.variant.
    assigned = {a["sender_id"]: a["variant"] for a in assignments if a["experiment"] == "aa_calibration"}
    assert len(assignments) == len(assigned) == CONVERSATIONS
    assert set(assigned.values()) == {"control", "control_b"}
    for r in rows:
        assert r["channel"] == "rest"
        assert r["variant"] == assigned[r["sender_id"]]
        assert r["model_id"] == model_id and model_id
        assert r["kb_version"] == kb_version
        assert started <= r["occurred_at"] <= finished
