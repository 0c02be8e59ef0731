"""Seed data: idempotent, race-tolerant, and consistent with the catalog."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from lift.commerce.catalog import Catalog
from lift.store.engine import make_engine, session_scope
from lift.store.schema import init_db
from lift.store.models import Coupon, Order
from lift.store.seed import DEMO_ORDER_IDS, seed_store_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'lift.db'}")
    yield eng
    eng.dispose()


def counts(engine):
    with engine.connect() as conn:
        return (conn.execute(sa.select(sa.func.count()).select_from(Coupon)).scalar_one(),
                conn.execute(sa.select(sa.func.count()).select_from(Order)).scalar_one())


def test_init_db_seeds_once(engine):
    init_db(engine)
    first = counts(engine)
    assert first == (5, 5)
    init_db(engine)
    assert seed_store_data(engine) == {"coupons": 0, "orders": 0}
    assert counts(engine) == first


def test_seed_keeps_existing_rows_untouched(engine):
    init_db(engine, seed=False)
    with session_scope(engine) as s:
        s.add(Coupon(code="WELCOME10", percent_off=Decimal("50"), min_subtotal=Decimal("0"),
                     active=True, description="edited by staff"))
    assert seed_store_data(engine) == {"coupons": 4, "orders": 5}
    with session_scope(engine) as s:
        assert s.get(Coupon, "WELCOME10").description == "edited by staff"


def test_concurrent_seeding_inserts_each_row_once(engine):
    init_db(engine, seed=False)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(seed_store_data(engine))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(r["coupons"] for r in results) == 5
    assert sum(r["orders"] for r in results) == 5
    assert counts(engine) == (5, 5)


def test_coupons(engine):
    now = dt.datetime(2030, 1, 15, 12, 0)
    init_db(engine, seed=False)
    seed_store_data(engine, now=now)
    with session_scope(engine) as s:
        welcome = s.get(Coupon, "WELCOME10")
        save = s.get(Coupon, "SAVE20")
        expired = s.get(Coupon, "EXPIRED5")
        inactive = s.query(Coupon).filter(Coupon.active.is_(False)).all()
    assert welcome.percent_off == 10 and welcome.active and welcome.expires_at is None
    assert save.amount_off == 20 and save.min_subtotal == 150
    assert expired.expires_at < now
    assert len(inactive) == 1


def test_demo_orders_reference_the_catalog_and_add_up(engine):
    catalog = Catalog.load(ROOT / "kb" / "catalog.json")
    now = dt.datetime(2030, 1, 15, 12, 0)
    init_db(engine, seed=False)
    seed_store_data(engine, now=now)
    with session_scope(engine) as s:
        orders = {o.order_id: o for o in s.query(Order).all()}
    assert sorted(orders) == list(DEMO_ORDER_IDS) == [f"LFT10000{i}" for i in range(1, 6)]
    statuses = sorted(o.status for o in orders.values())
    assert statuses == ["cancelled", "delivered", "processing", "processing", "shipped"]
    for o in orders.values():
        assert o.email.endswith("@example.com")
        subtotal = Decimal("0")
        for item in o.items:
            product = catalog.get(item["sku"])
            assert product is not None, item
            assert item["name"] == product.name
            assert item["qty"] >= 1
            subtotal += Decimal(item["unit_price"]) * item["qty"]
        assert Decimal(str(o.subtotal)) == subtotal
        assert Decimal(str(o.total)) == subtotal - Decimal(str(o.discount)) + Decimal(str(o.shipping_cost))
    shipped = next(o for o in orders.values() if o.status == "shipped")
    assert shipped.carrier and shipped.tracking_number
    assert shipped.estimated_delivery > now.date()
    delivered = next(o for o in orders.values() if o.status == "delivered")
    assert delivered.estimated_delivery < now.date()
    for o in orders.values():
        if o.status == "processing":
            assert o.estimated_delivery > now.date() and o.tracking_number is None
