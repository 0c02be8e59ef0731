"""Orders, stock, codes, bookings and mail on real databases: every test runs on SQLite and on
PostgreSQL (``db_url``). The order actions run with real Trackers against that database;
races are real threads; mail goes to a real SMTP server (aiosmtpd) on loopback."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.orders import ActionHandleOrder, ValidateOrderForm
from lift.commerce import cart as c
from lift.commerce import handoff, leads, orders, ownership, servicing, stock
from lift.commerce.catalog import Catalog
from lift.config import load_settings
from lift.notify.outbox import deliver_pending
from lift.notify.transport import SmtpTransport
from lift.store.engine import session_scope
from lift.store.models import Lead, Order, OutboxMessage, StockLevel
from lift.store.schema import open_database
from tests.integration.conftest import ROOT
from tests.support.servers import free_port
from tests.support.trackers import make_tracker, texts

KEY = "integration-test-key"


@pytest.fixture
def res(db_url):
    settings = load_settings({"LIFT_DB_URL": db_url, "LIFT_REDACTION_KEY": KEY})
    r = resources.Resources(settings=settings, engine=open_database(db_url), catalog=Catalog.load(ROOT / "kb" / "catalog.json"))
    resources.use(r)
    yield r
    r.engine.dispose()


def place(res, sender, sku="AUD-001", qty=1, email="owner@example.com"):
    return orders.create_order(res.engine, res.catalog, sender_id=sender, cart=c.add_item([], res.catalog.get(sku), qty),
                               email=email, shipping_address="12 Market Street, Springfield", shipping_method="standard")


async def handle(slots, sender):
    d = CollectingDispatcher()
    events = await ActionHandleOrder().run(d, make_tracker(slots=slots, sender_id=sender), {})
    return texts(d), events


def codes_in_outbox(engine):
    with session_scope(engine) as s:
        bodies = s.execute(sa.select(OutboxMessage.body).where(OutboxMessage.kind == "verification_code")).scalars()
        return [re.search(r"code is: (\d{6})", b).group(1) for b in bodies]


async def test_another_conversation_cannot_read_or_cancel_without_the_code(res):
    order = place(res, "alice", qty=2)
    said, events = await handle({"order_id": order.order_id, "order_request": "track"}, "mallory")
    assert said == "" and any(e["event"] == "active_loop" and e["name"] == "order_form" for e in events)
    said, _ = await handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": True}, "mallory")
    assert orders.get_order(res.engine, order.order_id).status == "processing"
    # proof: the order's email, then the code that was mailed (typed with a space)
    form = ValidateOrderForm()
    form.validate_order_email("owner@example.com", CollectingDispatcher(),
                              make_tracker(slots={"order_id": order.order_id}, sender_id="mallory"), {})
    [code] = codes_in_outbox(res.engine)
    result = form.validate_order_code(f"{code[:3]} {code[3:]}", CollectingDispatcher(),
                                      make_tracker(slots={"order_id": order.order_id}, sender_id="mallory"), {})
    assert result == {"order_code": "verified"}
    said, _ = await handle({"order_id": order.order_id, "order_request": "track"}, "mallory")
    assert "being prepared" in said


async def test_five_wrong_codes_lock_the_order_for_that_conversation(res):
    order = place(res, "alice")
    assert ownership.request_code(res.engine, order, "mallory", "owner@example.com", KEY).sent
    [code] = codes_in_outbox(res.engine)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    # parallel guesses are all counted (atomic increment), whatever the database
    results = []
    threads = [threading.Thread(target=lambda: results.append(ownership.verify_code(res.engine, order, "mallory", wrong, KEY)))
               for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not any(r.ok for r in results)
    assert ownership.access_of(res.engine, order, "mallory") is ownership.Access.LOCKED
    assert not ownership.verify_code(res.engine, order, "mallory", code, KEY).ok  # even the right code now
    assert ownership.request_code(res.engine, order, "mallory", "owner@example.com", KEY).refused
    assert ownership.access_of(res.engine, order, "alice") is ownership.Access.OWNER
    said, _ = await handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": True}, "mallory")
    assert "Too many wrong codes" in said and orders.get_order(res.engine, order.order_id).status == "processing"


async def test_expired_code_is_refused(res):
    order = place(res, "alice")
    past = dt.datetime.utcnow() - dt.timedelta(hours=1)
    ownership.request_code(res.engine, order, "bob", "owner@example.com", KEY, now=past)
    [code] = codes_in_outbox(res.engine)
    check = ownership.verify_code(res.engine, order, "bob", code, KEY)
    assert not check.ok and check.expired and check.attempts_left == 4


async def test_cancel_only_after_yes_then_an_agent_reverts_it(res):
    order = place(res, "alice", sku="CMP-008", qty=3)
    left = stock.levels(res.engine, ["CMP-008"])["CMP-008"]
    said, events = await handle({"order_id": order.order_id, "order_request": "cancel"}, "alice")
    assert orders.get_order(res.engine, order.order_id).status == "processing"
    said, _ = await handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": False}, "alice")
    assert orders.get_order(res.engine, order.order_id).status == "processing"
    said, _ = await handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": True}, "alice")
    assert "is cancelled" in said and orders.get_order(res.engine, order.order_id).status == "cancelled"
    assert stock.levels(res.engine, ["CMP-008"])["CMP-008"] == left + 3
    [change] = servicing.changes_of(res.engine, order.order_id)
    revert = servicing.revert_change(res.engine, change.id, actor=servicing.agent_actor("sam"))
    assert orders.get_order(res.engine, order.order_id).status == "processing"
    assert stock.levels(res.engine, ["CMP-008"])["CMP-008"] == left
    assert [ch.kind for ch in servicing.changes_of(res.engine, order.order_id)] == ["revert", "cancel"]
    with pytest.raises(orders.OrderError, match="already reverted"):
        servicing.revert_change(res.engine, change.id, actor="agent:sam")
    assert revert.actor == "agent:sam"


def test_twenty_concurrent_checkouts_for_five_in_stock_make_five_orders(res):
    with session_scope(res.engine) as s:
        s.get(StockLevel, "KIT-002").stock = 5
    barrier = threading.Barrier(20)
    placed, sold_out, errors = [], [], []

    def checkout(i):
        barrier.wait()
        try:
            placed.append(place(res, f"racer-{i}", sku="KIT-002", qty=1, email=f"r{i}@example.com"))
        except stock.OutOfStock as err:
            sold_out.append(err)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(placed) == 5 and len(sold_out) == 15
    with session_scope(res.engine) as s:
        assert s.get(StockLevel, "KIT-002").stock == 0
        assert s.execute(sa.select(sa.func.count()).select_from(Order).where(Order.sender_id.like("racer-%"))).scalar() == 5
        # exactly one confirmation per order that exists, none for the losers
        assert s.execute(sa.select(sa.func.count()).select_from(OutboxMessage)
                         .where(OutboxMessage.kind == "order_confirmation")).scalar() == 5
    # the loser is told and offered a substitute that is in stock
    assert "sold out" in str(sold_out[0])
    subs = stock.in_stock_substitutes(res.engine, res.catalog, "KIT-002")
    assert subs and all(p.stock > 0 for p in subs)


def test_twenty_concurrent_bookings_for_five_slots_book_five(res):
    slots = leads.free_demo_slots(res.engine, count=5)
    barrier = threading.Barrier(20)
    booked, taken, errors = [], [], []

    def book(i):
        barrier.wait()
        try:
            booked.append(leads.save_lead(res.engine, sender_id=f"lead-{i}", person_name="Jo Lee", email=f"j{i}@x.io",
                                          company="Acme", team_size=5, demo_time=slots[i % 5].start))
        except leads.SlotTaken as err:
            taken.append(err)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(booked) == 5 and len(taken) == 15
    with session_scope(res.engine) as s:
        times = s.execute(sa.select(Lead.demo_time)).scalars().all()
    assert sorted(times) == sorted(sl.start for sl in slots)
    assert leads.free_demo_slots(res.engine, count=3)[0].start not in times


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_order_confirmation_and_code_reach_a_real_smtp_server(res, smtp_server):
    controller, inbox = smtp_server
    order = place(res, "alice", email="buyer@example.com")
    ownership.request_code(res.engine, order, "bob", "buyer@example.com", KEY)
    transport = SmtpTransport(f"smtp://127.0.0.1:{controller.port}")
    report = deliver_pending(res.engine, transport, "Lift Store <orders@lift.example>")
    assert (report.sent, report.failed) == (2, 0)
    assert [m[0] for m in inbox.messages] == [["buyer@example.com"], ["buyer@example.com"]]
    assert order.order_id in inbox.messages[0][1] and "Total: $129.00" in inbox.messages[0][1]
    [code] = re.findall(r"code is: (\d{6})", inbox.messages[1][1])
    assert ownership.verify_code(res.engine, order, "bob", code, KEY).ok
    assert deliver_pending(res.engine, transport, "x@y.z").sent == 0  # each message once


def test_unreachable_smtp_keeps_mail_queued(res):
    place(res, "alice")
    report = deliver_pending(res.engine, SmtpTransport(f"smtp://127.0.0.1:{free_port()}", timeout=2), "x@y.z")
    assert (report.sent, report.failed) == (0, 1)
    with session_scope(res.engine) as s:
        row = s.execute(sa.select(OutboxMessage)).scalar_one()
        assert row.status == "queued" and row.attempts == 1 and row.last_error


def test_queue_positions_are_real_and_tickets_have_a_life_cycle(res):
    first = handoff.queue_ticket(res.engine, sender_id="a", channel="rest", reason="user_request", summary="s")
    second = handoff.queue_ticket(res.engine, sender_id="b", channel="rest", reason="complaint", summary="s")
    assert handoff.queue_position(res.engine, second) == 2
    handoff.claim(res.engine, first, "sam")
    assert handoff.queue_position(res.engine, second) == 1
    assert [(t.id, t.position) for t in handoff.queue(res.engine)] == [(second, 1)]
    with pytest.raises(handoff.TicketError, match="already claimed by sam"):
        handoff.claim(res.engine, first, "kim")
    with pytest.raises(handoff.TicketError, match="claimed by sam, not kim"):
        handoff.close(res.engine, first, "kim")
    assert handoff.close(res.engine, first, "sam").status == "closed"
