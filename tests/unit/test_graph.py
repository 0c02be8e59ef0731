"""The product graph: behaviour support/decay, building from the real catalog and KB policies,
substitute ranking under constraints, cross-sell strategies, and the saved graph's manifest."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from lift.commerce.catalog import Catalog
from lift.graph.behaviour import Basket, PairStat, decay, order_baskets, pair_counts
from lift.graph.build import build_graph, read_policies
from lift.graph.rank import cross_sell, policies_for, substitutes
from lift.graph.store import GraphNotReady, load_graph, save_graph

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 1)


def _b(skus, days_ago):
    return Basket(frozenset(skus), NOW - dt.timedelta(days=days_ago))


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load(ROOT / "kb" / "catalog.json")


@pytest.fixture(scope="module")
def graph(catalog):
    return build_graph(catalog, read_policies(ROOT / "kb" / "policies"))


def test_pairs_below_min_support_are_dropped():
    baskets = [_b({"A", "B"}, 1), _b({"A", "B", "C"}, 2), _b({"A", "C"}, 3)]
    pairs = pair_counts(baskets, NOW, min_support=2)
    assert set(pairs) == {("A", "B"), ("A", "C")}
    assert pairs[("A", "B")].support == 2
    assert ("B", "C") not in pairs  # seen once only
    assert set(pair_counts(baskets, NOW, min_support=1)) == {("A", "B"), ("A", "C"), ("B", "C")}


def test_recent_baskets_weigh_more():
    assert decay(0, 90) == 1.0 and decay(90, 90) == pytest.approx(0.5) and decay(180, 90) == pytest.approx(0.25)
    pairs = pair_counts([_b({"A", "B"}, 0), _b({"A", "B"}, 90), _b({"C", "D"}, 360), _b({"C", "D"}, 360)], NOW)
    assert pairs[("A", "B")].weight == pytest.approx(1.5)
    assert pairs[("C", "D")].weight == pytest.approx(2 * 0.5 ** 4)
    assert pairs[("A", "B")].support == pairs[("C", "D")].support == 2


def test_orders_table_feeds_co_purchase(tmp_path, catalog):
    from lift.store.engine import session_scope
    from lift.store.schema import open_database
    from lift.store.models import Order

    engine = open_database(f"sqlite:///{tmp_path / 'g.db'}")  # seeds demo orders too
    before = order_baskets(engine, [p.sku for p in catalog.products])
    with session_scope(engine) as s:
        for i, items in enumerate([["KIT-002", "KIT-007"], ["KIT-002", "KIT-007", "GONE-1"], ["KIT-002"]]):
            s.add(Order(order_id=f"LFT90000{i}", email="a@example.com", subtotal=1, total=1, shipping_address="x",
                        shipping_method="standard", items=[{"sku": k, "qty": 1} for k in items],
                        created_at=NOW - dt.timedelta(days=i)))
    baskets = order_baskets(engine, [p.sku for p in catalog.products])
    engine.dispose()
    from collections import Counter

    new = Counter(tuple(sorted(b.skus)) for b in baskets) - Counter(tuple(sorted(b.skus)) for b in before)
    assert new == Counter({("KIT-002", "KIT-007"): 2})  # unknown SKU dropped, 1-item order skipped
    assert pair_counts(baskets, NOW)[("KIT-002", "KIT-007")].support >= 2


def test_graph_is_typed(graph, catalog):
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    assert kinds == {"product", "category", "price_band", "attribute", "policy"}
    rels = {k for _, _, k in graph.edges(keys=True)}
    assert {"in_category", "in_price_band", "has_attribute", "complement", "accessory", "substitute",
            "applies_to"} <= rels
    assert graph.nodes["KIT-002"]["band"] == "premium" and graph.nodes["SMH-002"]["band"] == "budget"
    assert "warranty" in policies_for(graph, "KIT-002")
    assert "returns" in policies_for(graph, "AUD-001")


def test_goes_with_the_espresso_machine_is_the_grinder_never_itself(graph):
    ranked = cross_sell(graph, "KIT-002")
    assert [r.sku for r in ranked][:1] == ["KIT-007"]
    assert all(r.sku != "KIT-002" for r in ranked)


def test_cheaper_substitutes_are_cheaper_in_stock_and_never_the_product(graph):
    for sku in ("PHN-001", "AUD-002", "CMP-002", "KIT-002"):
        ranked = substitutes(graph, sku, "cheaper")
        base = graph.nodes[sku]["price"]
        assert ranked, sku
        assert all(r.sku != sku and graph.nodes[r.sku]["price"] < base and graph.nodes[r.sku]["stock"] > 0
                   for r in ranked)
    assert [r.sku for r in substitutes(graph, "PHN-001", "cheaper")][0] == "PHN-002"


def test_smaller_and_wireless_constraints(graph):
    smaller = substitutes(graph, "CMP-005", "smaller")
    assert [r.sku for r in smaller] == ["CMP-006"]  # 24 < 27 inch
    assert substitutes(graph, "PHN-001", "smaller") == []  # no smaller phone: say so, don't guess
    wireless = substitutes(graph, "AUD-004", "wireless")
    assert wireless and all("wireless" in r.reasons for r in wireless)
    with pytest.raises(ValueError, match="unknown constraint"):
        substitutes(graph, "AUD-001", "tastier")


def test_pricier_substitutes_are_a_step_up(graph):
    ranked = substitutes(graph, "PHN-002", "pricier")
    assert ranked and all(graph.nodes[r.sku]["price"] > graph.nodes["PHN-002"]["price"] for r in ranked)
    assert substitutes(graph, "PHN-003", "pricier") == []  # the dearest phone: say so


def test_out_of_stock_product_gets_in_stock_alternatives(graph):
    assert graph.nodes["AUD-004"]["stock"] == 0
    ranked = substitutes(graph, "AUD-004")
    assert ranked[0].sku == "AUD-003" and "listed alternative" in ranked[0].reasons


def test_cross_sell_strategies_differ_only_by_co_purchase_evidence(catalog):
    bought = {("AUD-001", "ACC-001"): PairStat(support=12, weight=9.0)}
    g = build_graph(catalog, {}, co_purchase=bought)
    assert [r.sku for r in cross_sell(g, "AUD-001", strategy="catalog")] == ["ACC-003", "ACC-002"]
    graph_ranked = cross_sell(g, "AUD-001", strategy="graph")
    assert graph_ranked[0].sku == "ACC-001" and "bought together 12x" in graph_ranked[0].reasons
    assert [r.sku for r in cross_sell(g, "AUD-001", exclude={"ACC-001", "ACC-003"})] == ["ACC-002"]
    with pytest.raises(ValueError, match="strategy"):
        cross_sell(g, "AUD-001", strategy="random")


def test_saved_graph_round_trips_and_refuses_another_catalog(tmp_path, graph, catalog):
    manifest = save_graph(graph, tmp_path, {"behaviour": {"min_support": 2}})
    g2, m2 = load_graph(tmp_path, catalog)
    assert m2["graph_version"] == manifest["graph_version"] and g2.number_of_edges() == graph.number_of_edges()
    assert [r.sku for r in cross_sell(g2, "KIT-002")] == [r.sku for r in cross_sell(graph, "KIT-002")]
    data = json.loads((ROOT / "kb" / "catalog.json").read_text())
    data["products"][0]["price"] = 1.0
    other = Catalog.from_dict(data, version="other")
    with pytest.raises(GraphNotReady, match="lift graph build"):
        load_graph(tmp_path, other)
    with pytest.raises(GraphNotReady, match="lift graph build"):
        load_graph(tmp_path / "missing")


@pytest.mark.parametrize("text, constraint", [
    ("the orbit x smartphone is a bit pricey, anything similar for less money?", "cheaper"),
    ("got anything like the aria headphones that costs less?", "cheaper"),
    ("something like it but more compact", "smaller"),
    ("same thing without a cable", "wireless"),
    ("is there a more premium one", "pricier"), ("anything higher end?", "pricier"),
    ("is there an alternative to the elevate desk", None),
])
def test_constraint_words(text, constraint):
    from lift.graph.rank import constraint_in

    assert constraint_in(text) == constraint
