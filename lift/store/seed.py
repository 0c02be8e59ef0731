"""Store data every Lift database starts with: coupons, a few demo orders and the stock of
every catalog product (read from the catalog file's ``sku``/``stock`` fields).

Called by :func:`lift.store.schema.init_db` on every start of every process (Rasa, the action server,
the CLI), so it only inserts rows that are missing, one row per transaction, and treats a
primary-key clash as "another process got there first".
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from lift.store.engine import session_scope
from lift.store.models import Coupon, Order, StockLevel, utcnow

DEMO_EMAIL = "demo.customer@example.com"
DEMO_ORDER_IDS = tuple(f"LFT10000{i}" for i in range(1, 6))


def coupon_rows(now: dt.datetime) -> List[Dict[str, Any]]:
    return [
        dict(code="WELCOME10", percent_off=Decimal("10"), amount_off=None, min_subtotal=Decimal("0"),
             expires_at=None, active=True, description="10% off your first order", first_order_only=True),
        dict(code="SAVE20", percent_off=None, amount_off=Decimal("20"), min_subtotal=Decimal("150"),
             expires_at=None, active=True, description="$20 off orders of $150 or more"),
        dict(code="BUNDLE15", percent_off=Decimal("15"), amount_off=None, min_subtotal=Decimal("500"),
             expires_at=now + dt.timedelta(days=365), active=True, description="15% off orders of $500 or more"),
        dict(code="EXPIRED5", percent_off=Decimal("5"), amount_off=None, min_subtotal=Decimal("0"),
             expires_at=now - dt.timedelta(days=30), active=True, description="5% off (spring sale, expired)"),
        dict(code="SUMMER25", percent_off=Decimal("25"), amount_off=None, min_subtotal=Decimal("0"),
             expires_at=None, active=False, description="25% off (withdrawn promotion)"),
    ]


def _item(sku: str, name: str, qty: int, unit_price: str) -> Dict[str, Any]:
    # unit_price is a string: JSON has no decimal type and floats would drift in totals.
    return {"sku": sku, "name": name, "qty": qty, "unit_price": unit_price}


def _totals(items: List[Dict[str, Any]], discount: str = "0", shipping: str = "0") -> Dict[str, Decimal]:
    subtotal = sum((Decimal(i["unit_price"]) * i["qty"] for i in items), Decimal("0"))
    d, s = Decimal(discount), Decimal(shipping)
    return {"subtotal": subtotal, "discount": d, "shipping_cost": s, "total": subtotal - d + s}


def order_rows(now: dt.datetime) -> List[Dict[str, Any]]:
    today = now.date()
    day = dt.timedelta(days=1)
    addr = "12 Market Street, Springfield, IL 62701, USA"
    rows = []

    items = [_item("AUD-001", "Aria Wireless Headphones", 1, "129.00"), _item("ACC-003", "Aria Carrying Case", 1, "29.00")]
    rows.append(dict(order_id="LFT100001", status="processing", items=items, **_totals(items, shipping="5.99"),
                     coupon_code=None, shipping_method="standard", carrier=None, tracking_number=None,
                     estimated_delivery=today + 5 * day, created_at=now - dt.timedelta(hours=20)))

    items = [_item("CMP-001", "Nimbus 14 Laptop", 1, "899.00"), _item("CMP-008", "Glide Wireless Mouse", 1, "39.00")]
    rows.append(dict(order_id="LFT100002", status="processing", items=items,
                     **_totals(items, discount="93.80", shipping="0"), coupon_code="WELCOME10",
                     shipping_method="express", carrier=None, tracking_number=None,
                     estimated_delivery=today + 2 * day, created_at=now - dt.timedelta(hours=3)))

    items = [_item("KIT-002", "Crema Espresso Machine", 1, "449.00"), _item("KIT-007", "Grind Burr Coffee Grinder", 1, "69.00")]
    rows.append(dict(order_id="LFT100003", status="shipped", items=items, **_totals(items, discount="20.00"),
                     coupon_code="SAVE20", shipping_method="standard", carrier="UPS",
                     tracking_number="1Z999AA10123456784", estimated_delivery=today + 2 * day,
                     created_at=now - 3 * day))

    items = [_item("OFF-004", "Lumen LED Desk Lamp", 2, "59.00")]
    rows.append(dict(order_id="LFT100004", status="delivered", items=items, **_totals(items, shipping="5.99"),
                     coupon_code=None, shipping_method="standard", carrier="USPS",
                     tracking_number="9400111899223856921234", estimated_delivery=today - 4 * day,
                     created_at=now - 10 * day))

    items = [_item("PHN-005", "Slate Mini Tablet", 1, "329.00")]
    rows.append(dict(order_id="LFT100005", status="cancelled", items=items, **_totals(items, shipping="5.99"),
                     coupon_code=None, shipping_method="standard", carrier=None, tracking_number=None,
                     estimated_delivery=None, created_at=now - 6 * day))

    for row in rows:
        row.setdefault("email", DEMO_EMAIL)
        row.setdefault("sender_id", None)
        row.setdefault("shipping_address", addr)
        row["updated_at"] = row["created_at"]
    return rows


def _insert_missing(engine: Engine, model: type, key: str, rows: List[Dict[str, Any]]) -> int:
    inserted = 0
    for row in rows:
        try:
            with session_scope(engine) as session:
                if session.get(model, row[key]) is not None:
                    continue
                session.add(model(**row))
            inserted += 1
        except IntegrityError:
            # Another process inserted the same row between our check and our commit.
            continue
    return inserted


def seed_store_data(engine: Engine, now: Optional[dt.datetime] = None) -> Dict[str, int]:
    """Insert the coupons and demo orders that are missing; returns how many of each were added.

    Dates (coupon expiry, delivery estimates) are relative to ``now`` (default: UTC now) at the
    time a row is first inserted; existing rows are never touched.
    """
    now = now or utcnow()
    return {
        "coupons": _insert_missing(engine, Coupon, "code", coupon_rows(now)),
        "orders": _insert_missing(engine, Order, "order_id", order_rows(now)),
    }


def catalog_stock(catalog_path: Path) -> Dict[str, int]:
    """``{sku: stock}`` of the catalog file (validated properly by the catalog loader elsewhere;
    rows that are not a product with an integer stock >= 0 are skipped here)."""
    try:
        products = json.loads(Path(catalog_path).read_text(encoding="utf-8")).get("products") or []
    except (OSError, ValueError, AttributeError):
        return {}
    out = {}
    for p in products:
        if isinstance(p, dict) and isinstance(p.get("sku"), str) and type(p.get("stock")) is int and p["stock"] >= 0:
            out[p["sku"]] = p["stock"]
    return out


def seed_stock(engine: Engine, catalog_path: Path) -> int:
    """Give every catalog product without a stock row its catalog stock; live rows are never
    overwritten (the database, not the file, is the truth once a shop is running)."""
    wanted = catalog_stock(catalog_path)
    with session_scope(engine) as s:
        have = set(s.execute(sa.select(StockLevel.sku)).scalars())
    missing = {sku: n for sku, n in wanted.items() if sku not in have}
    if not missing:
        return 0
    try:
        with session_scope(engine) as s:
            s.add_all(StockLevel(sku=sku, stock=n) for sku, n in missing.items())
        return len(missing)
    except IntegrityError:  # a parallel starter inserted some: fall back to one row at a time
        return _insert_missing(engine, StockLevel, "sku", [{"sku": k, "stock": v} for k, v in missing.items()])
