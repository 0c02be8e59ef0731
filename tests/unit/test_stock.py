"""Stock comes from the database: seeded once from the catalog, never below zero, what the
cart checks against, and put back by a cancel."""
import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.cart import ActionAddToCart
from lift.commerce import stock
from lift.store.engine import session_scope
from lift.store.models import StockLevel
from lift.store.seed import seed_stock
from tests.support.trackers import ent, make_tracker, slot_events, texts


def set_stock(engine, sku, n):
    with session_scope(engine) as s:
        s.get(StockLevel, sku).stock = n


def test_seeded_from_the_catalog_and_never_overwritten(res, catalog):
    assert stock.levels(res.engine, ["AUD-001"])["AUD-001"] == catalog.get("AUD-001").stock
    set_stock(res.engine, "AUD-001", 1)
    assert seed_stock(res.engine, res.settings.catalog_path) == 0
    assert stock.levels(res.engine, ["AUD-001", "NOPE-1"]) == {"AUD-001": 1, "NOPE-1": 0}


def test_reserve_is_all_or_nothing_and_restore_puts_back(res):
    set_stock(res.engine, "AUD-001", 1)
    with pytest.raises(stock.OutOfStock, match="only 1 of Aria"):
        with session_scope(res.engine) as s:
            stock.reserve(s, [{"sku": "ACC-003", "qty": 2}, {"sku": "AUD-001", "qty": 2, "name": "Aria"}])
    before = stock.levels(res.engine, ["ACC-003"])["ACC-003"]
    assert stock.levels(res.engine, ["AUD-001"])["AUD-001"] == 1  # rolled back together
    with session_scope(res.engine) as s:
        stock.reserve(s, [{"sku": "ACC-003", "qty": 2}])
        stock.restore(s, [{"sku": "ACC-003", "qty": 2}])
    assert stock.levels(res.engine, ["ACC-003"])["ACC-003"] == before
    with pytest.raises(sa.exc.IntegrityError):  # the table refuses negative stock outright
        with session_scope(res.engine) as s:
            s.get(StockLevel, "ACC-003").stock = -1


async def test_adding_to_the_cart_checks_the_database_stock(res, domain):
    set_stock(res.engine, "AUD-001", 1)
    d = CollectingDispatcher()
    events = await ActionAddToCart().run(d, make_tracker("add 2 aria headphones", "add_to_cart",
                                                         entities=[ent("product", "aria headphones"), ent("quantity", "2")]), domain)
    assert "only have 1" in texts(d) and "cart" not in slot_events(events)
    set_stock(res.engine, "AUD-001", 0)
    d = CollectingDispatcher()
    await ActionAddToCart().run(d, make_tracker("add aria headphones", "add_to_cart",
                                                entities=[ent("product", "aria headphones")]), domain)
    assert "out of stock" in texts(d)
    cards = [m for m in d.messages if m.get("custom")]
    assert cards and all(p["stock"] > 0 for p in cards[0]["custom"]["products"])  # in-stock substitutes
