"""Co-purchase and co-view counts with a minimum support and exponential recency decay.

A *basket* is the set of SKUs bought in one order (or viewed in one conversation) with the
time it happened. A pair's support is the number of baskets containing both; its weight sums
``0.5 ** (age_days / half_life_days)`` over those baskets, so last week's pairs outweigh last
year's. Pairs below ``min_support`` are dropped: two coincidences are not a pattern.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from itertools import combinations
from typing import Dict, Iterable, List, Optional, Tuple

Pair = Tuple[str, str]


@dataclass(frozen=True)
class Basket:
    skus: frozenset
    at: dt.datetime  # UTC, naive (project convention)


@dataclass(frozen=True)
class PairStat:
    support: int
    weight: float


def decay(age_days: float, half_life_days: float) -> float:
    return 0.5 ** (max(age_days, 0.0) / half_life_days)


def pair_counts(baskets: Iterable[Basket], now: dt.datetime, min_support: int = 2,
                half_life_days: float = 90.0) -> Dict[Pair, PairStat]:
    """Unordered pairs (sorted SKU tuples) seen together in at least ``min_support`` baskets."""
    if min_support < 1 or half_life_days <= 0:
        raise ValueError("min_support must be >= 1 and half_life_days > 0")
    support: Dict[Pair, int] = {}
    weight: Dict[Pair, float] = {}
    for b in baskets:
        w = decay((now - b.at).total_seconds() / 86400.0, half_life_days)
        for pair in combinations(sorted(b.skus), 2):
            support[pair] = support.get(pair, 0) + 1
            weight[pair] = weight.get(pair, 0.0) + w
    return {p: PairStat(support[p], round(weight[p], 6)) for p in support if support[p] >= min_support}


def order_baskets(engine, known_skus: Optional[Iterable[str]] = None) -> List[Basket]:
    """One basket per order from the orders table (only SKUs still in the catalog)."""
    from lift.store.engine import session_scope
    from lift.store.models import Order

    known = set(known_skus) if known_skus is not None else None
    out: List[Basket] = []
    with session_scope(engine) as s:
        for items, created in s.query(Order.items, Order.created_at):
            skus = frozenset(i.get("sku") for i in (items or []) if isinstance(i, dict) and i.get("sku"))
            if known is not None:
                skus = skus & known
            if len(skus) >= 2:
                out.append(Basket(skus, created))
    return out


def _skus_of(value: Optional[str]) -> List[str]:
    """A micro-conversion value: a bare SKU, or the cart rendering ``{"item_count", "skus"}``."""
    if not value:
        return []
    text = value.strip()
    if text.startswith("{"):
        try:
            skus = json.loads(text).get("skus") or []
        except (ValueError, AttributeError):
            return []
        return [v for v in skus if isinstance(v, str)]
    return [text.strip('"')]


VIEW_CONVERSIONS = ("product_viewed", "cart_item_added", "upsell_offered")


def view_baskets(engine, known_skus: Optional[Iterable[str]] = None) -> List[Basket]:
    """One basket per conversation: the products it viewed or carted (from micro_conversions)."""
    from lift.store.models import MicroConversion
    from lift.store.engine import session_scope

    known = set(known_skus) if known_skus is not None else None
    seen: Dict[str, set] = {}
    latest: Dict[str, dt.datetime] = {}
    with session_scope(engine) as s:
        rows = s.query(MicroConversion.sender_id, MicroConversion.value, MicroConversion.occurred_at).filter(
            MicroConversion.name.in_(VIEW_CONVERSIONS))
        for sender, value, at in rows:
            skus = seen.setdefault(sender, set())
            skus.update(_skus_of(value))
            latest[sender] = max(latest.get(sender, at), at)
    out = []
    for sender, skus in seen.items():
        keep = frozenset(skus & known if known is not None else skus)
        if len(keep) >= 2:
            out.append(Basket(keep, latest[sender]))
    return out
