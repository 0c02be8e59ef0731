"""Related products and the live purchase probability, over REST against the real stack (trained
model, action server, database), in a shopper's own words (none of these texts is training data):
"what goes with X", "something like X but cheaper", an out-of-stock product, an item that sells
out during checkout, and experiment purchase_assist acting on the probability, measured by
`lift report experiment`."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.support.servers import ROOT, LiftStack, base_env, free_port, http, texts

pytestmark = pytest.mark.e2e

# What a store page reports about a visit that looks like a buyer's (UCI column names).
KEEN_PAGE = {"PageValues": 38.5, "ProductRelated": 24, "ProductRelated_Duration": 900.0,
             "BounceRates": 0.0, "ExitRates": 0.012, "VisitorType": "Returning_Visitor"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The stack, with its metrics on free ports and ``stack.db`` an engine on its database."""
    env = {"LIFT_METRICS_PORT": str(free_port()), "LIFT_ACTION_METRICS_PORT": str(free_port())}
    with LiftStack(tmp_path_factory.mktemp("graph-forecast"), env=env) as st:
        st.action_metrics_port = int(env["LIFT_ACTION_METRICS_PORT"])
        st.db = sa.create_engine(st.db_url, future=True)
        try:
            yield st
        finally:
            st.db.dispose()


def sender(prefix: str = "graph") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def cards(replies):
    return [p["sku"] for r in replies if isinstance(r.get("custom"), dict) for p in r["custom"].get("products", [])]


def lift_cli(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lift.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=base_env(LIFT_DB_URL=stack.db_url, PYTHONPATH=str(ROOT)), timeout=120)


def set_stock(db, levels) -> None:
    with db.begin() as conn:
        for sku, n in levels.items():
            conn.execute(sa.text("UPDATE stock_levels SET stock = :n WHERE sku = :s"), {"n": n, "s": sku})


def test_what_goes_with_a_laptop(stack):
    replies = stack.say(sender(), "what else should I grab along with the nimbus 14 laptop?")
    assert "The Nimbus 14 Laptop goes well with" in texts(replies), replies
    assert cards(replies)[:3] == ["ACC-007", "CMP-008", "ACC-009"]  # listed accessories/complements, ranked


def test_similar_but_cheaper_never_shows_the_product_itself(stack):
    replies = stack.say(sender(), "the orbit x smartphone is a bit pricey, anything similar for less money?")
    assert "cheaper alternative" in texts(replies), replies
    assert cards(replies) == ["PHN-002"]  # the Orbit Lite ($399), not the Orbit X ($799)


def test_out_of_stock_product_offers_substitutes(stack):
    replies = stack.say(sender(), "put the pulse sport earbuds in my basket please")
    assert "out of stock" in texts(replies) and "instead" in texts(replies), replies
    assert cards(replies)[0] == "AUD-003" and "AUD-004" not in cards(replies)


def test_sold_out_during_checkout_offers_substitutes_in_stock(stack):
    me, db = sender("soldout"), stack.db
    assert "Added 1 × Aria Wireless Headphones" in texts(stack.say(me, "put the aria wireless headphones in my basket please"))
    stack.say(me, "no thanks")
    assert "email" in texts(stack.say(me, "let's pay now")).lower()
    assert "address" in texts(stack.say(me, "sam.rivers@example.org")).lower()
    stack.say(me, "4 Elm Road, Riverton 20455")
    assert "confirm" in texts(stack.say(me, "standard")).lower()
    set_stock(db, {"AUD-001": 0, "AUD-002": 0})  # another shopper took the last ones, and the Aria Pro's too
    try:
        replies = stack.say(me, "yes")
        assert "couldn't place the order" in texts(replies) and "just sold out" in texts(replies), replies
        assert cards(replies) == ["AUD-003"]  # next in the graph's ranking that the database has in stock
        with db.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM orders WHERE sender_id = :s"), {"s": me}).scalar() == 0
    finally:
        set_stock(db, {"AUD-001": 42, "AUD-002": 3})


def in_variant(variant: str) -> str:
    from lift.config import load_settings
    from lift.experiments.config import load_from_settings
    from lift.measure.variants import variant_for

    exp = load_from_settings(load_settings({})).experiment("purchase_assist")
    while True:
        me = sender(f"assist-{variant}")
        if variant_for(me, exp.weights, salt=exp.hash_salt) == variant:
            return me


def test_purchase_assist_experiment_offers_help_only_in_its_treatment(stack):
    started = lift_cli(stack, "experiment", "start", "purchase_assist", "--reason", "e2e")
    assert started.returncode == 0, started.stderr
    time.sleep(2.5)  # the action server re-reads rollout state every 2 s
    page = {"session": KEEN_PAGE}
    shown = {}
    for variant in ("assist", "control"):
        me = in_variant(variant)
        stack.say(me, "hey there", metadata=page)
        stack.say(me, "put the aria wireless headphones in my basket please", metadata=page)
        stack.say(me, "no thanks", metadata=page)
        replies = stack.say(me, "hmm show me what's in my basket", metadata=page)
        assert "Your cart:" in texts(replies), replies
        shown[variant] = "before you check out" in texts(replies)
        slots = stack.tracker(me)["slots"]
        assert slots["purchase_probability"] >= 0.3  # a keen page session: high intent
        assert slots["purchase_assist"] == ("offered" if variant == "assist" else "withheld")
    assert shown == {"assist": True, "control": False}

    report = lift_cli(stack, "report", "experiment", "purchase_assist", "--metric", "assist_offered", "--json")
    assert report.returncode == 0, report.stderr
    body = json.loads(report.stdout)
    by_name = {v["name"]: v for v in body["variants"]}
    assert by_name["assist"]["conversions"] == 1 and by_name["control"]["conversions"] == 0
    eligible = json.loads(lift_cli(stack, "report", "experiment", "purchase_assist", "--metric", "assist_eligible",
                                   "--json").stdout)
    assert {v["name"]: v["conversions"] for v in eligible["variants"]} == {"control": 1, "assist": 1}

    status, metrics, _ = http("GET", f"http://127.0.0.1:{stack.action_metrics_port}/metrics")
    assert status == 200
    assert 'lift_purchase_probability_count{source="page"}' in metrics
    labels = set(re.findall(r'^lift_purchase_probability\w*\{([^}]*)\}', metrics, re.M))
    assert labels and all(set(re.findall(r'(\w+)="', lab)) <= {"source", "le"} for lab in labels)  # low cardinality
