"""Stock in the database: what can be sold, reserved in the order's own transaction.

The catalog file only seeds ``stock_levels`` (:func:`lift.store.seed.seed_stock`); from then on
the table is the truth. Reserving is one conditional ``UPDATE ... SET stock = stock - q WHERE
sku = ? AND stock >= q`` per line: atomic on SQLite and PostgreSQL alike (on PostgreSQL the
row lock makes a racing transaction wait and re-check the condition), so two shoppers racing
for the last unit cannot both get it.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, Iterable, List, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lift.store.engine import session_scope
from lift.store.models import StockLevel


class OutOfStock(ValueError):
    """A line could not be reserved; ``str(err)`` is safe to show to the shopper."""

    def __init__(self, sku: str, name: str, left: int):
        self.sku, self.name, self.left = sku, name, left
        if left <= 0:
            msg = f"Sorry, {name} just sold out."
        else:
            msg = f"Sorry, only {left} of {name} {'is' if left == 1 else 'are'} left now."
        super().__init__(msg)


def levels(engine: Engine, skus: Iterable[str]) -> Dict[str, int]:
    """Units on hand per sku (a sku without a row has none)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    with session_scope(engine) as s:
        rows = s.execute(sa.select(StockLevel.sku, StockLevel.stock).where(StockLevel.sku.in_(wanted))).all()
    found = {sku: int(n) for sku, n in rows}
    return {sku: found.get(sku, 0) for sku in wanted}


def live(engine: Engine, product):
    """``product`` with the stock the database has now (None stays None)."""
    if product is None:
        return None
    return dataclasses.replace(product, stock=levels(engine, [product.sku])[product.sku])


def live_all(engine: Engine, products: Iterable) -> List:
    products = [p for p in products if p is not None]
    now = levels(engine, [p.sku for p in products])
    return [dataclasses.replace(p, stock=now[p.sku]) for p in products]


def in_stock_substitutes(engine: Engine, catalog, sku: str, limit: int = 3,
                         ranked: Optional[Iterable[str]] = None) -> List:
    """Substitutes for ``sku`` that the database has in stock now: the ``ranked`` skus in their
    order (the product graph's ranking), else the catalog's declared substitutes."""
    product = catalog.get(sku)
    if product is None:
        return []
    refs = list(ranked) if ranked is not None else product.substitutes
    subs = live_all(engine, (catalog.get(ref) for ref in refs if ref != sku))
    return [p for p in subs if p.stock > 0][:limit]


def reserve(session: Session, lines: Iterable[Mapping], names: Optional[Mapping[str, str]] = None) -> None:
    """Take ``qty`` of every line's ``sku`` out of stock inside the caller's transaction; raises
    :class:`OutOfStock` (the caller's transaction must then roll back) when one can't be had.
    Lines are taken in sku order so two orders never wait on each other's rows (no deadlock)."""
    for line in sorted(lines, key=lambda item: item["sku"]):
        qty = int(line["qty"])
        res = session.execute(sa.update(StockLevel)
                              .where(StockLevel.sku == line["sku"], StockLevel.stock >= qty)
                              .values(stock=StockLevel.stock - qty))
        if res.rowcount != 1:
            left = session.execute(sa.select(StockLevel.stock).where(StockLevel.sku == line["sku"])).scalar()
            name = (names or {}).get(line["sku"]) or line.get("name") or line["sku"]
            raise OutOfStock(line["sku"], name, int(left or 0))


def restore(session: Session, lines: Iterable[Mapping]) -> None:
    """Put every line's ``qty`` back (a cancelled order)."""
    for line in sorted(lines, key=lambda item: item["sku"]):
        session.execute(sa.update(StockLevel).where(StockLevel.sku == line["sku"])
                        .values(stock=StockLevel.stock + int(line["qty"])))
