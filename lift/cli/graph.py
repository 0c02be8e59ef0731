"""`lift graph build|show`: (re)build the product graph and look at one product in it."""
from __future__ import annotations

import datetime as dt
import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("graph", help="product knowledge graph: build it, show a product's neighbours")
    sub = p.add_subparsers(dest="graph_command", required=True)
    b = sub.add_parser("build", help="build the graph from the catalog, KB policies, orders and micro-conversions")
    b.add_argument("--min-support", type=int, default=2, help="baskets a pair needs to count (default 2)")
    b.add_argument("--half-life-days", type=float, default=90.0, help="recency decay half-life (default 90)")
    b.add_argument("--no-behaviour", action="store_true", help="catalog and KB only (no database)")
    b.set_defaults(func=_build)
    s = sub.add_parser("show", help="a product's category, band, complements, substitutes and behaviour edges")
    s.add_argument("sku")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_show)


def _err(msg: str) -> None:
    print(f"lift graph: {msg}", file=sys.stderr)


def _build(args) -> int:
    from lift.commerce.catalog import Catalog, CatalogError
    from lift.config import get_settings
    from lift.graph.behaviour import order_baskets, pair_counts, view_baskets
    from lift.graph.build import build_graph, read_policies
    from lift.graph.store import save_graph

    if args.min_support < 1 or args.half_life_days <= 0:
        _err("--min-support must be >= 1 and --half-life-days > 0")
        return 2
    s = get_settings()
    try:
        catalog = Catalog.load(s.catalog_path)
    except CatalogError as exc:
        _err(str(exc))
        return 2
    purchases = views = {}
    baskets = {"orders": 0, "conversations": 0}
    if not args.no_behaviour:
        from lift.store.schema import open_database

        engine = open_database(s.db_url)  # DatabaseUnavailable -> exit 3 in lift.cli
        try:
            skus = [p.sku for p in catalog.products]
            now = dt.datetime.utcnow()
            orders, convs = order_baskets(engine, skus), view_baskets(engine, skus)
            baskets = {"orders": len(orders), "conversations": len(convs)}
            purchases = pair_counts(orders, now, args.min_support, args.half_life_days)
            views = pair_counts(convs, now, args.min_support, args.half_life_days)
        finally:
            engine.dispose()
    policy_dir = s.kb_dir / "policies"
    g = build_graph(catalog, read_policies(policy_dir) if policy_dir.is_dir() else {}, purchases, views)
    manifest = save_graph(g, s.graph_dir, {
        "behaviour": {"min_support": args.min_support, "half_life_days": args.half_life_days,
                      "baskets": baskets, "co_purchase_pairs": len(purchases), "co_view_pairs": len(views)},
    })
    c = manifest["counts"]
    print(f"built graph {manifest['graph_version']}: {sum(v for k, v in c.items() if k.startswith('nodes.'))} nodes, "
          f"{sum(v for k, v in c.items() if k.startswith('edges.'))} edges ({len(purchases)} co-purchase pairs from "
          f"{baskets['orders']} orders, {len(views)} co-view pairs) -> {s.graph_dir}")
    return 0


def _show(args) -> int:
    from lift.commerce.catalog import Catalog
    from lift.config import get_settings
    from lift.graph.rank import cross_sell, policies_for, substitutes
    from lift.graph.store import GraphNotReady, load_graph

    s = get_settings()
    catalog = Catalog.load(s.catalog_path)
    try:
        g, manifest = load_graph(s.graph_dir, catalog)
    except GraphNotReady as exc:
        _err(str(exc))
        return 3
    product = catalog.get(args.sku)
    if product is None:
        _err(f"unknown SKU {args.sku!r}")
        return 2
    node = g.nodes[product.sku]
    goes_with = cross_sell(g, product.sku, limit=5)
    out = {
        "sku": product.sku, "name": product.name, "category": node["category"], "price_band": node["band"],
        "price": node["price"], "stock": node["stock"],
        "cross_sell": [r.__dict__ for r in goes_with],
        "substitutes": {c or "any": [r.__dict__ for r in substitutes(g, product.sku, c, limit=5)]
                        for c in (None, "cheaper", "smaller", "wireless")},
        "policies": policies_for(g, product.sku),
        "graph_version": manifest["graph_version"],
    }
    if args.json:
        print(json.dumps(out, default=list))
        return 0
    print(f"{product.sku} {product.name} — {node['category']}, {node['band']} band, stock {node['stock']}")
    print("goes with: " + (", ".join(f"{r.sku} ({'; '.join(r.reasons)})" for r in goes_with) or "—"))
    for c, rows in out["substitutes"].items():
        print(f"alternatives ({c}): " + (", ".join(f"{r['sku']} {r['score']}" for r in rows) or "—"))
    print("policies: " + (", ".join(out["policies"]) or "—"))
    return 0
