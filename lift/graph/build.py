"""Build the typed product graph (a networkx ``MultiDiGraph``; one edge per relation).

Node ``kind``: ``product`` (id = SKU), ``category`` (``category:<id>``), ``price_band``
(``band:<category>:budget|mid|premium``, terciles of the category's prices), ``attribute``
(``attr:<key>=<value>``) and ``policy`` (``policy:<file stem>``).
Edge ``rel`` (the multigraph key): ``in_category``, ``in_price_band``, ``has_attribute``,
``complement`` / ``accessory`` (catalog complements; accessory when the target is in the
accessories category), ``substitute``, ``co_purchase`` / ``co_view`` (both directions, with
``support`` and decayed ``weight``) and ``applies_to`` (policy -> category, when the policy
text names the category).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Mapping, Optional

import networkx as nx

from lift.commerce.catalog import Catalog
from lift.graph.behaviour import Pair, PairStat

ACCESSORY_CATEGORY = "accessories"
BANDS = ("budget", "mid", "premium")


def price_bands(catalog: Catalog) -> Dict[str, str]:
    """SKU -> band within its category (terciles by rank, so every category has all three)."""
    out: Dict[str, str] = {}
    for cat in catalog.categories:
        products = sorted(catalog.products_in(cat.id), key=lambda p: (p.price, p.sku))
        n = len(products)
        for i, p in enumerate(products):
            out[p.sku] = BANDS[min(2, (3 * i) // max(n, 1))]
    return out


def policy_categories(catalog: Catalog, policies: Mapping[str, str]) -> Dict[str, list]:
    """Policy name -> categories its text names (category name, id or a synonym, as written:
    plural synonyms like "phones" do not match "phone number")."""
    out: Dict[str, list] = {}
    for name, text in policies.items():
        words = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
        hits = []
        for cat in catalog.categories:
            aliases = {cat.id.replace("_", " "), cat.name, *cat.synonyms}
            phrases = {" ".join(re.findall(r"[a-z0-9]+", a.lower())) for a in aliases}
            if any(p and f" {p} " in words for p in phrases):
                hits.append(cat.id)
        out[name] = hits
    return out


def read_policies(policy_dir: Path) -> Dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(Path(policy_dir).glob("*.md"))}


def _attr_value(value) -> str:
    return str(value).strip().lower() if not isinstance(value, bool) else ("yes" if value else "no")


def build_graph(catalog: Catalog, policies: Optional[Mapping[str, str]] = None,
                co_purchase: Optional[Mapping[Pair, PairStat]] = None,
                co_view: Optional[Mapping[Pair, PairStat]] = None) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(catalog_version=catalog.version, currency=catalog.currency)
    bands = price_bands(catalog)
    for cat in catalog.categories:
        g.add_node(f"category:{cat.id}", kind="category", name=cat.name)
        for band in BANDS:
            g.add_node(f"band:{cat.id}:{band}", kind="price_band", category=cat.id, band=band)
    for p in catalog.products:
        g.add_node(p.sku, kind="product", name=p.name, category=p.category, price=float(p.price),
                   stock=p.stock, band=bands[p.sku],
                   attributes={k: (v if isinstance(v, (bool, int, float)) else str(v)) for k, v in p.attributes.items()})
        g.add_edge(p.sku, f"category:{p.category}", key="in_category", rel="in_category")
        g.add_edge(p.sku, f"band:{p.category}:{bands[p.sku]}", key="in_price_band", rel="in_price_band")
        for k, v in p.attributes.items():
            node = f"attr:{k}={_attr_value(v)}"
            g.add_node(node, kind="attribute", key=k, value=_attr_value(v))
            g.add_edge(p.sku, node, key="has_attribute", rel="has_attribute")
    for p in catalog.products:
        for rank, ref in enumerate(p.complements):
            target = catalog.get(ref)
            rel = "accessory" if target.category == ACCESSORY_CATEGORY else "complement"
            g.add_edge(p.sku, target.sku, key=rel, rel=rel, rank=rank)
        for rank, ref in enumerate(p.substitutes):
            g.add_edge(p.sku, catalog.get(ref).sku, key="substitute", rel="substitute", rank=rank)
    for rel, pairs in (("co_purchase", co_purchase or {}), ("co_view", co_view or {})):
        for (a, b), stat in pairs.items():
            if a in g and b in g:
                for u, v in ((a, b), (b, a)):
                    g.add_edge(u, v, key=rel, rel=rel, support=stat.support, weight=stat.weight)
    for name, cats in policy_categories(catalog, policies or {}).items():
        g.add_node(f"policy:{name}", kind="policy", name=name)
        for cid in cats:
            g.add_edge(f"policy:{name}", f"category:{cid}", key="applies_to", rel="applies_to")
    return g


def counts(g: nx.MultiDiGraph) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for _, data in g.nodes(data=True):
        out[f"nodes.{data['kind']}"] = out.get(f"nodes.{data['kind']}", 0) + 1
    for _, _, rel in g.edges(keys=True):
        out[f"edges.{rel}"] = out.get(f"edges.{rel}", 0) + 1
    return dict(sorted(out.items()))
