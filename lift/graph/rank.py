"""Rankings over the product graph: substitutes under a constraint, and cross-sell by strategy.

Substitutes: candidates are the product's category plus its declared substitutes, never the
product itself; score = attribute similarity (Jaccard of attribute keys and of key=value pairs)
+ a bonus for a declared substitute + a little co-view evidence. A constraint filters first:
``cheaper`` (lower price), ``smaller`` (a shared size attribute with a lower value), ``wireless``.

Cross-sell strategies (selectable by experiments, see :data:`CROSS_SELL_STRATEGIES`):
``catalog`` — the catalog's declared complements in their listed order (the old behaviour, the
baseline); ``graph`` — complements and accessories plus co-purchase evidence (decayed weight).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

import networkx as nx

CONSTRAINTS = ("cheaper", "pricier", "smaller", "wireless")
CROSS_SELL_STRATEGIES = ("catalog", "graph")
DEFAULT_CROSS_SELL_STRATEGY = "graph"
# Size attributes, most telling first; "smaller" compares the first one both products have.
SIZE_KEYS = ("screen_in", "weight_kg", "weight_g", "case_mm", "size_l", "capacity_l", "capacity_qt",
             "capacity_cups", "width_cm", "folded_cm", "capacity_mah")
_WIRELESS_WORDS = ("bluetooth", "wireless", "wi-fi", "wifi", "zigbee", "thread")


@dataclass(frozen=True)
class Ranked:
    sku: str
    score: float
    reasons: Tuple[str, ...]


def _product(g: nx.MultiDiGraph, sku: str) -> Optional[Dict[str, Any]]:
    data = g.nodes.get(sku)
    return data if data and data.get("kind") == "product" else None


def is_wireless(node: Dict[str, Any]) -> bool:
    attrs = node.get("attributes") or {}
    text = " ".join([node.get("name", "")] + [str(v) for k, v in attrs.items()
                                              if k in ("connectivity", "protocols", "subwoofer")]).lower()
    return any(w in text for w in _WIRELESS_WORDS) or attrs.get("wireless_charging_compatible") is True


def size_of(node: Dict[str, Any], key: str) -> Optional[float]:
    value = (node.get("attributes") or {}).get(key)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def meets(base: Dict[str, Any], cand: Dict[str, Any], constraint: Optional[str]) -> bool:
    if constraint is None:
        return True
    if constraint == "cheaper":
        return cand["price"] < base["price"]
    if constraint == "pricier":
        return cand["price"] > base["price"]
    if constraint == "wireless":
        return is_wireless(cand)
    if constraint == "smaller":
        for key in SIZE_KEYS:
            a, b = size_of(base, key), size_of(cand, key)
            if a is not None and b is not None:
                return b < a
        return False
    raise ValueError(f"unknown constraint {constraint!r}; expected one of {', '.join(CONSTRAINTS)}")


def attribute_similarity(a: Dict[str, Any], b: Dict[str, Any]) -> float:
    aa, bb = a.get("attributes") or {}, b.get("attributes") or {}
    keys_a, keys_b = set(aa), set(bb)
    pairs_a = {(k, str(v).lower()) for k, v in aa.items()}
    pairs_b = {(k, str(v).lower()) for k, v in bb.items()}
    jk = len(keys_a & keys_b) / len(keys_a | keys_b) if keys_a | keys_b else 0.0
    jp = len(pairs_a & pairs_b) / len(pairs_a | pairs_b) if pairs_a | pairs_b else 0.0
    return 0.5 * jk + 0.5 * jp


def _edge(g: nx.MultiDiGraph, u: str, v: str, rel: str) -> Optional[Dict[str, Any]]:
    return (g.get_edge_data(u, v) or {}).get(rel)


# A product that is not a listed alternative must share at least this much to be offered as one.
MIN_SIMILARITY = 0.3


def substitutes(g: nx.MultiDiGraph, sku: str, constraint: Optional[str] = None, in_stock_only: bool = True,
                limit: int = 3) -> List[Ranked]:
    base = _product(g, sku)
    if base is None:
        return []
    declared = {v for _, v, rel in g.out_edges(sku, keys=True) if rel == "substitute"}
    pool = {n for n, d in g.nodes(data=True) if d.get("kind") == "product" and d.get("category") == base["category"]}
    ranked = []
    for cand_sku in sorted(pool | declared):
        cand = g.nodes[cand_sku]
        if cand_sku == sku or (in_stock_only and cand["stock"] <= 0) or not meets(base, cand, constraint):
            continue
        score = attribute_similarity(base, cand)
        if cand_sku not in declared and score < MIN_SIMILARITY:
            continue
        reasons = [f"similarity {score:.2f}"]
        if cand_sku in declared:
            score += 0.5
            reasons.append("listed alternative")
        view = _edge(g, sku, cand_sku, "co_view")
        if view:
            score += 0.1 * min(view["weight"], 5.0) / 5.0
            reasons.append(f"viewed together {view['support']}x")
        if constraint:
            reasons.append(constraint)
        ranked.append(Ranked(cand_sku, round(score, 4), tuple(reasons)))
    ranked.sort(key=lambda r: (-r.score, g.nodes[r.sku]["price"], r.sku))
    return ranked[:limit]


def cross_sell(g: nx.MultiDiGraph, sku: str, exclude: Iterable[str] = (), strategy: str = DEFAULT_CROSS_SELL_STRATEGY,
               limit: int = 3) -> List[Ranked]:
    if strategy not in CROSS_SELL_STRATEGIES:
        raise ValueError(f"unknown cross-sell strategy {strategy!r}; expected one of {', '.join(CROSS_SELL_STRATEGIES)}")
    if _product(g, sku) is None:
        return []
    skip = set(exclude) | {sku}
    scores: Dict[str, float] = {}
    reasons: Dict[str, List[str]] = {}
    max_weight = max((d["weight"] for _, _, k, d in g.out_edges(sku, keys=True, data=True) if k == "co_purchase"),
                     default=0.0)
    for _, target, rel, data in g.out_edges(sku, keys=True, data=True):
        if rel in ("complement", "accessory"):
            scores[target] = scores.get(target, 0.0) + 1.0 - 0.05 * data.get("rank", 0)
            reasons.setdefault(target, []).append(f"listed {rel}")
        elif rel == "co_purchase" and strategy == "graph" and max_weight > 0:
            scores[target] = scores.get(target, 0.0) + data["weight"] / max_weight
            reasons.setdefault(target, []).append(f"bought together {data['support']}x")
    ranked = [Ranked(t, round(s, 4), tuple(reasons[t])) for t, s in scores.items()
              if t not in skip and g.nodes[t]["stock"] > 0]
    ranked.sort(key=lambda r: (-r.score, r.sku))
    return ranked[:limit]


def policies_for(g: nx.MultiDiGraph, sku: str) -> List[str]:
    base = _product(g, sku)
    if base is None:
        return []
    cat = f"category:{base['category']}"
    return sorted(g.nodes[u]["name"] for u, _, rel in g.in_edges(cat, keys=True) if rel == "applies_to")


# Words of a request that set a constraint on the alternatives ("like X but cheaper").
_CONSTRAINT_WORDS = {
    "cheaper": ("cheaper", "less expensive", "lower price", "cheapest", "budget", "more affordable", "cheap",
                "less money", "costs less", "cost less", "for less", "less pricey", "lower cost", "not as pricey"),
    # "is there a more premium one": a step up from the one shown
    "pricier": ("pricier", "more premium", "premium", "more expensive", "higher end", "high end", "fancier",
                "step up", "upgrade", "top of the range", "top end", "dearer"),
    "smaller": ("smaller", "more compact", "lighter", "smallest", "tinier"),
    "wireless": ("wireless", "cordless", "bluetooth", "without a cable", "without cables", "no wires"),
}


def constraint_in(text: str) -> Optional[str]:
    """The constraint a shopper's message asks for, or None ("similar but cheaper" -> "cheaper")."""
    words = " " + " ".join(re_words(text)) + " "
    for constraint, phrases in _CONSTRAINT_WORDS.items():
        if any(f" {p} " in words for p in phrases):
            return constraint
    return None


def re_words(text: str) -> List[str]:
    import re

    return re.findall(r"[a-z0-9]+", (text or "").lower())


def cross_sell_strategy(variant: Optional[str]) -> str:
    """The strategy for a conversation: an experiment variant named after a strategy
    (``catalog`` / ``graph``) selects it; any other variant gets the default."""
    return variant if variant in CROSS_SELL_STRATEGIES else DEFAULT_CROSS_SELL_STRATEGY
