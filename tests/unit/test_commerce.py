"""Cart, coupons, orders, leads, handoff and onboarding logic on a real SQLite database."""
import datetime as dt
from decimal import Decimal

import pytest

from lift.commerce import cart as c
from lift.commerce import handoff, leads, onboarding, orders, servicing
from lift.store.models import CustomerProfile, HandoffTicket, Lead, Order
from lift.store.engine import session_scope


@pytest.fixture
def engine(res):
    return res.engine


def test_add_merges_and_checks_stock(catalog):
    p = catalog.get("AUD-001")
    cart = c.add_item([], p, 2)
    cart = c.add_item(cart, p, 1)
    assert cart == [{"sku": "AUD-001", "qty": 3, "unit_price": "129.00"}]
    with pytest.raises(c.CartError, match="at least 1"):
        c.add_item(cart, p, 0)
    with pytest.raises(c.CartError, match="at least 1"):
        c.add_item(cart, p, -2)
    low = next(x for x in catalog.products if 0 < x.stock <= 3)
    with pytest.raises(c.CartError, match=f"only have {low.stock}"):
        c.add_item([], low, low.stock + 1)
    out = next(x for x in catalog.products if x.stock == 0)
    with pytest.raises(c.CartError, match="out of stock"):
        c.add_item([], out, 1)
    with pytest.raises(c.CartError, match="at most 20"):
        c.add_item([], p, 21)


def test_remove_and_subtotal(catalog):
    cart = c.add_item(c.add_item([], catalog.get("AUD-001"), 2), catalog.get("ACC-002"), 1)
    assert c.subtotal(cart) == Decimal("273.00")
    cart = c.remove_item(cart, "AUD-001", 1)
    assert c.quantity_of(cart, "AUD-001") == 1
    cart = c.remove_item(cart, "AUD-001")
    assert [i["sku"] for i in cart] == ["ACC-002"]
    with pytest.raises(c.CartError):
        c.remove_item(cart, "AUD-001")


def test_malformed_cart_slot_is_tolerated():
    assert c.normalize_cart("garbage") == []
    assert c.normalize_cart([{"sku": "X"}, 5, {"sku": "A", "qty": "2", "unit_price": "1.5"}]) == [
        {"sku": "A", "qty": 2, "unit_price": "1.50"}]


def test_coupons(engine, catalog):
    cart = c.add_item([], catalog.get("AUD-001"), 1)  # 129.00
    ok = c.check_coupon(engine, "welcome10", cart)
    assert ok.ok and ok.discount == Decimal("12.90")
    assert not c.check_coupon(engine, "SAVE20", cart).ok  # needs 150
    assert c.check_coupon(engine, "SAVE20", c.add_item(cart, catalog.get("ACC-002"), 2)).ok
    assert "expired" in c.check_coupon(engine, "EXPIRED5", cart).message
    assert "couldn't find" in c.check_coupon(engine, "NOPE99", cart).message
    assert "empty" in c.check_coupon(engine, "WELCOME10", []).message


def test_create_order_prices_from_catalog(engine, catalog):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "0.01"}]  # a tampered slot price is ignored
    order = orders.create_order(engine, catalog, sender_id="s1", cart=cart, email="a@b.io",
                                shipping_address="1 Main St, Town", shipping_method="standard", coupon_code="WELCOME10")
    assert order.order_id.startswith("LFT") and len(order.order_id) == 9
    assert order.subtotal == Decimal("129.00") and order.discount == Decimal("12.90")
    assert order.shipping_cost == Decimal("0.00")  # free from $50 after discount
    assert order.total == Decimal("116.10")
    with session_scope(engine) as s:
        assert s.get(Order, order.order_id).status == "processing"
    with pytest.raises(orders.OrderError, match="empty"):
        orders.create_order(engine, catalog, sender_id="s1", cart=[], email="a@b.io", shipping_address="x",
                            shipping_method="standard")


def test_cancel_and_change_address(engine, catalog):
    order = orders.create_order(engine, catalog, sender_id="s", cart=c.add_item([], catalog.get("ACC-002"), 1),
                                email="a@b.io", shipping_address="1 Main St, Town", shipping_method="express")
    assert order.total == Decimal("29.99")
    who = servicing.sender_actor("s")
    assert servicing.change_address(engine, order.order_id, "9 Elm Road, City", actor=who).shipping_address == "9 Elm Road, City"
    assert servicing.cancel_order(engine, order.order_id, actor=who).order.status == "cancelled"
    with pytest.raises(orders.OrderError, match="already cancelled"):
        servicing.cancel_order(engine, order.order_id, actor=who)
    with pytest.raises(orders.OrderError, match="can't be changed"):
        servicing.change_address(engine, order.order_id, "x", actor=who)
    shipped = next(o for o in ["LFT100001", "LFT100002", "LFT100003", "LFT100004", "LFT100005"]
                   if orders.get_order(engine, o).status == "shipped")
    with pytest.raises(orders.OrderError, match="can't be cancelled"):
        servicing.cancel_order(engine, shipped, actor=who)
    with pytest.raises(orders.OrderError, match="couldn't find"):
        servicing.cancel_order(engine, "LFT999999", actor=who)
    # each change recorded once, newest first: who, old -> new
    kinds = [(ch.kind, ch.actor, ch.old_value, ch.new_value) for ch in servicing.changes_of(engine, order.order_id)]
    assert kinds == [("cancel", "sender:s", {"status": "processing"}, {"status": "cancelled"}),
                     ("change_address", "sender:s", {"shipping_address": "1 Main St, Town"},
                      {"shipping_address": "9 Elm Road, City"})]


@pytest.mark.parametrize("text,key", [("express", "express"), ("Store pickup (free)", "pickup"),
                                      ("the cheapest one", "standard"), ("fast or pickup", None), ("", None)])
def test_parse_shipping_method(text, key):
    assert orders.parse_shipping_method(text) == key


def test_demo_slots_skip_weekends_and_booked(engine):
    monday = dt.datetime(2030, 1, 7, 8, 0)  # a Monday
    friday_evening = dt.datetime(2030, 1, 4, 20, 0)
    slots = leads.free_demo_slots(engine, now=friday_evening)
    assert all(s.start.weekday() < 5 for s in slots) and slots[0].start.date() == monday.date()
    leads.save_lead(engine, sender_id="s", person_name="Jane Doe", email="j@a.io", company="Acme", team_size=5,
                    demo_time=slots[0].start)
    again = leads.free_demo_slots(engine, now=friday_evening)
    assert slots[0] not in again and len(again) == 3
    assert leads.match_slot("2", again) == again[1]
    assert leads.match_slot(again[0].key, again) == again[0]
    assert leads.match_slot("next year", again) is None
    assert leads.match_slot(slots[0].key, again) is None  # taken


@pytest.mark.parametrize("text, hour", [("the afternoon one at 2 please", 14), ("the one at 2", 14), ("at 4", 16),
                                        ("2pm", 14), ("tuesday at 10", 10), ("the afternoon one", None), ("at 9", None),
                                        ("the 4 o'clock one works", 16), ("The two o'clock slot would suit me nicely", 14)])
def test_an_offered_demo_time_picked_by_its_hour(text, hour):
    """"the afternoon one at 2 please" with 10:00, 14:00 and 16:00 offered got "Please pick one of the times
    offered": a bare hour from 1 to 7 is the afternoon's (demos run 08:00-20:00 UTC)."""
    offered = [leads.DemoSlot(dt.datetime(2026, 12, 8, h)) for h in (10, 14, 16)]
    picked = leads.match_slot(text, offered, dt.datetime(2026, 12, 7, 20))
    assert (picked.start.hour if picked else None) == hour


def test_handoff_ticket_and_summary(engine):
    events = [{"event": "user", "text": "my blender broke", "parse_data": {"intent": {"name": "complaint"}}},
              {"event": "bot", "text": "Sorry about that"}]
    summary = handoff.summarize(events, {"cart": [{"sku": "KIT-001", "qty": 1}], "email": "a@b.io"})
    assert "Shopper: my blender broke  [complaint]" in summary and "1x KIT-001" in summary
    t1 = handoff.queue_ticket(engine, sender_id="s", channel="rest", reason="complaint", summary=summary)
    t2 = handoff.queue_ticket(engine, sender_id="s2", channel="rest", reason="fallback", summary="x")
    assert handoff.queue_position(engine, t2) == 2
    with session_scope(engine) as s:
        assert s.get(HandoffTicket, t1).status == "queued"
    with pytest.raises(ValueError):
        handoff.queue_ticket(engine, sender_id="s", channel=None, reason="bogus", summary="x")


def test_onboarding_profile(engine, catalog):
    assert onboarding.parse_interests("audio and kitchen", catalog) == ["audio", "kitchen"]
    assert onboarding.parse_interests("nothing useful", catalog) is None
    onboarding.save_profile(engine, sender_id="s", email="a@b.io", person_name="Sam", interests=["audio"], newsletter_opt_in=True)
    onboarding.save_profile(engine, sender_id="s", email="a@b.io", person_name="Sam", interests=["kitchen"], newsletter_opt_in=False)
    with session_scope(engine) as s:
        p = s.get(CustomerProfile, "s")
        assert p.interests == ["kitchen"] and p.newsletter_opt_in is False
        assert s.query(Lead).count() == 0


def test_find_order_reads_the_number_as_shoppers_type_it(engine):
    from lift.commerce.orders import find_order

    assert find_order(engine, "it's lft-100002").order_id == "LFT100002"
    assert find_order(engine, "LFT999999") is None and find_order(engine, "no number") is None


@pytest.mark.parametrize("now, said", [
    ("2026-12-07 10:00", "usually within 15 minutes"),                 # Monday morning: open
    ("2026-12-07 06:30", "when we open, today at 08:00 UTC"),          # Monday before opening
    ("2026-12-07 21:00", "when we open, tomorrow at 08:00 UTC"),       # Monday evening
    ("2026-12-04 20:00", "when we open, Monday at 08:00 UTC"),         # Friday at closing time
    ("2026-12-05 21:30", "when we open, Monday at 08:00 UTC"),         # Saturday night
    ("2026-12-06 23:00", "when we open, tomorrow at 08:00 UTC"),       # Sunday night
])
def test_the_reply_time_promised_follows_opening_hours(now, said):
    import datetime as dt

    from lift.commerce.handoff import when_answered

    text = when_answered(dt.datetime.strptime(now, "%Y-%m-%d %H:%M"))
    assert said in text
    assert ("15 minutes" in text) == (said == "usually within 15 minutes")


@pytest.mark.parametrize("typed, picked", [
    ("tuesday at 2pm", 0), ("Tue 15 Dec 14:00", 0), ("tue 15 dec, 14:00 utc", 0), ("wednesday 10am", 2),
    ("2pm", 0), ("the 4pm one", 1), ("monday at 2pm", None), ("tuesday", None), ("friday", None),
])
def test_an_offered_demo_slot_typed_in_words(typed, picked):
    """The slots offered were Tue 15 Dec 14:00 and 16:00 and Wed 16 Dec 10:00; dateparser alone
    would read "tuesday" as the coming one (the 8th) and find no slot."""
    import datetime as dt

    offered = [leads.DemoSlot(dt.datetime(2026, 12, 15, 14)), leads.DemoSlot(dt.datetime(2026, 12, 15, 16)),
               leads.DemoSlot(dt.datetime(2026, 12, 16, 10))]
    assert leads.match_slot(typed, offered) == (None if picked is None else offered[picked])


def test_a_pickup_order_is_described_as_pickup_not_shipping():
    when = dt.datetime(2026, 12, 9)
    pickup = Order(order_id="LFT123456", status="processing", shipping_method="pickup", estimated_delivery=when)
    assert orders.describe_status(pickup) == "Order LFT123456 is being prepared for store pickup. It should be ready by Wed 09 Dec."
    shipped = Order(order_id="LFT123457", status="processing", shipping_method="standard", estimated_delivery=when)
    assert orders.describe_status(shipped) == "Order LFT123457 is being prepared for shipping. It should arrive by Wed 09 Dec."


def test_a_first_order_coupon_is_refused_once_the_email_has_ordered(engine, catalog):
    """WELCOME10 ("10% off your first order") was accepted on a customer's second order."""
    cart = c.add_item([], catalog.get("AUD-001"), 1)
    first = orders.create_order(engine, catalog, sender_id="s1", cart=cart, email="Mgr@BrightDental.co",
                                shipping_address="1 Main St, Town", shipping_method="standard", coupon_code="WELCOME10")
    assert first.coupon_code == "WELCOME10" and first.discount == Decimal("12.90")
    again = c.check_coupon(engine, "WELCOME10", cart, email="mgr@brightdental.co")
    assert not again.ok and "first order only" in again.message
    assert c.check_coupon(engine, "WELCOME10", cart, email="new@brightdental.co").ok
    assert "check that against your email at checkout" in c.check_coupon(engine, "WELCOME10", cart).message
    assert c.check_coupon(engine, "SAVE20", c.add_item(cart, catalog.get("ACC-002"), 2), email="mgr@brightdental.co").ok
    second = orders.create_order(engine, catalog, sender_id="s2", cart=cart, email="mgr@brightdental.co",
                                 shipping_address="1 Main St, Town", shipping_method="standard", coupon_code="WELCOME10")
    assert second.coupon_code is None and second.discount == Decimal("0.00")
    q = orders.quote(engine, catalog, cart, "standard", "WELCOME10", email="mgr@brightdental.co")
    assert q.coupon_code is None and "first order only" in q.coupon_problem
