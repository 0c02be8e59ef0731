"""Changing the email on a placed order, through the actions with real Trackers and SQLite: "change
the email on my order" (read as change_order, or as change_shipping_address for "email address")
asks for the new address and a yes; the owner's chat or one that proved the order may do it; both
addresses are told; an agent can revert it; a cancelled order is refused."""
import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.order_requests import order_request
from actions.orders import ActionAskOrderChangeConfirmed, ActionHandleOrder, ValidateOrderForm
from lift.commerce import orders
from lift.commerce.orders import OrderError
from lift.commerce.servicing import cancel_order, change_email, revert_change
from lift.store.engine import session_scope
from lift.store.models import OrderChange, OutboxMessage
from tests.support.trackers import make_tracker, slot_events, texts

OWNER, STRANGER = "owner-1", "stranger-1"


def _email(value, text):
    start = text.index(value)
    return {"entity": "email", "value": value, "start": start, "end": start + len(value)}


@pytest.mark.parametrize("text, intent, slot, expected", [
    ("change the email on my order", "change_order", "change", "change_email"),
    ("update the email address on my order", "change_shipping_address", "change_address", "change_email"),
    ("change the delivery address on my order", "change_shipping_address", "change_address", "change_address"),
    ("swap the kettle in my order for the toaster", "change_order", "change", "change"),
    ("i never got an email about my order", "track_order", "track", "track"),
    ("never got the confirmation email, and change the address to 4 Elm St", "change_shipping_address",
     "change_address", "change_address"),
])
def test_a_change_about_email_is_a_change_of_the_orders_email(text, intent, slot, expected):
    assert order_request(make_tracker(text, intent, slots={"order_request": slot})) == expected


async def test_the_owner_changes_the_email_with_the_new_address_and_a_yes(res, order, domain):
    text = f"change the email on order {order.order_id} to new@example.com"
    tracker = make_tracker(text, "change_order", sender_id=OWNER, entities=[_email("new@example.com", text)],
                           slots={"order_id": order.order_id, "order_request": "change"})
    d = CollectingDispatcher()
    events = await ActionHandleOrder().run(d, tracker, domain)
    slots = slot_events(events)
    assert slots["order_request"] == "change_email" and texts(d) == ""  # the form takes it from here
    assert [e["name"] for e in events if e["event"] == "active_loop"] == ["order_form"]
    # the form's first run takes the address the message named and asks for the yes
    start = make_tracker(text, "change_order", sender_id=OWNER, active_loop="order_form",
                         entities=[_email("new@example.com", text)],
                         slots={"order_id": order.order_id, "order_request": "change_email"})
    ran = slot_events(await ValidateOrderForm().run(CollectingDispatcher(), start, domain))
    assert ran["order_new_email"] == "new@example.com" and ran["requested_slot"] == "order_change_confirmed"
    ask = CollectingDispatcher()
    await ActionAskOrderChangeConfirmed().run(ask, make_tracker(sender_id=OWNER, slots={
        "order_id": order.order_id, "order_request": "change_email", "order_new_email": "new@example.com"}), {})
    assert "from: owner@example.com\nto: new@example.com" in texts(ask)
    d = CollectingDispatcher()
    events = await ActionHandleOrder().run(d, make_tracker(sender_id=OWNER, slots={
        "order_id": order.order_id, "order_request": "change_email", "order_new_email": "new@example.com",
        "order_change_confirmed": True}), domain)
    assert texts(d).startswith(f"Updated: emails about order {order.order_id} now go to new@example.com.")
    assert slot_events(events)["order_new_email"] is None  # the request is done
    assert orders.get_order(res.engine, order.order_id).email == "new@example.com"
    with session_scope(res.engine) as s:
        sent = set(s.execute(sa.select(OutboxMessage.kind, OutboxMessage.recipient)).all())
        change = s.execute(sa.select(OrderChange)).scalar_one()
        assert (change.kind, change.old_value, change.new_value) == ("change_email", {"email": "owner@example.com"},
                                                                      {"email": "new@example.com"})
    assert {("email_change", "new@example.com"), ("email_change_notice", "owner@example.com")} <= sent


async def test_an_address_named_before_the_order_is_known_is_kept(res, order, domain):
    """"change the email on my order to new@example.com" with no order in view: the form asks for the
    order number first, and then does not ask for the new address again."""
    text = "change the email on my order to new@example.com"
    start = make_tracker(text, "change_order", sender_id=OWNER, active_loop="order_form",
                         entities=[_email("new@example.com", text)], slots={"order_request": "change"})
    ran = slot_events(await ValidateOrderForm().run(CollectingDispatcher(), start, domain))
    assert ran["order_new_email"] == "new@example.com" and ran["order_request"] == "change_email"
    assert ran.get("requested_slot") in (None, "order_id")  # Rasa asks for the order number next
    ran.pop("requested_slot", None)
    number = make_tracker(order.order_id, "inform", sender_id=OWNER, active_loop="order_form",
                          entities=[{"entity": "order_id", "value": order.order_id, "start": 0, "end": 9}],
                          slots={"requested_slot": "order_id", "order_id": order.order_id, **ran})
    ran = slot_events(await ValidateOrderForm().run(CollectingDispatcher(), number, domain))
    assert ran.get("requested_slot") == "order_change_confirmed", ran


async def test_the_new_address_is_the_one_after_to_not_the_old_one_named_too(res, order, domain):
    """"change the email on my order X to new.me@example.org, old one is owner@example.com" from a
    stranger: the old one gets the code at once, the new one is the one to confirm."""
    text = f"pls change the email on my order {order.order_id} to new.me@example.org, old one is owner@example.com"
    tracker = make_tracker(text, "change_order", sender_id="stranger-9", active_loop="order_form",
                           entities=[_email("new.me@example.org", text), _email("owner@example.com", text)],
                           slots={"order_request": "change", "order_id": order.order_id})
    ran = slot_events(await ValidateOrderForm().run(CollectingDispatcher(), tracker, domain))
    assert ran["order_new_email"] == "new.me@example.org" and ran["order_request"] == "change_email", ran
    assert ran.get("order_email") == "owner@example.com" and ran.get("requested_slot") == "order_code", ran


async def required_for(sender, order, domain):
    """The slots order_form needs for an email change of ``order`` asked in ``sender``'s chat."""
    tracker = make_tracker("x", "inform", active_loop="order_form", sender_id=sender,
                           slots={"requested_slot": "order_id", "order_id": order.order_id, "order_request": "change_email"})
    return await ValidateOrderForm().required_slots(["order_id"], CollectingDispatcher(), tracker, domain)


async def test_the_new_address_is_asked_and_checked(res, order, domain):
    assert await required_for(OWNER, order, domain) == \
        ["order_id", "order_new_email", "order_change_confirmed"]
    d = CollectingDispatcher()
    asked = make_tracker("not an email", "inform", active_loop="order_form", sender_id=OWNER,
                         slots={"requested_slot": "order_new_email", "order_id": order.order_id,
                                "order_request": "change_email"})
    ran = slot_events(await ValidateOrderForm().run(d, asked, domain))
    assert ran["order_new_email"] is None and d.messages[0]["response"] == "utter_wrong_order_new_email"


async def test_no_leaves_the_email_as_it_was(res, order, domain):
    d = CollectingDispatcher()
    await ActionHandleOrder().run(d, make_tracker(sender_id=OWNER, slots={
        "order_id": order.order_id, "order_request": "change_email", "order_new_email": "new@example.com",
        "order_change_confirmed": False}), domain)
    assert "haven't changed anything" in texts(d) and orders.get_order(res.engine, order.order_id).email == "owner@example.com"


async def test_a_stranger_must_prove_the_order_first(res, order, domain):
    assert await required_for(STRANGER, order, domain) == \
        ["order_id", "order_email", "order_code"]
    d = CollectingDispatcher()
    events = await ActionHandleOrder().run(d, make_tracker(sender_id=STRANGER, slots={
        "order_id": order.order_id, "order_request": "change_email", "order_new_email": "thief@example.com",
        "order_change_confirmed": True}), domain)
    assert orders.get_order(res.engine, order.order_id).email == "owner@example.com"
    assert "thief" not in texts(d) and [e["name"] for e in events if e["event"] == "active_loop"] == ["order_form"]


def test_an_agent_reverts_it_and_a_cancelled_order_is_refused(res, order):
    change_email(res.engine, order.order_id, "new@example.com", actor="sender:owner-1")
    with session_scope(res.engine) as s:
        change_id = s.execute(sa.select(OrderChange.id).where(OrderChange.kind == "change_email")).scalar_one()
    revert_change(res.engine, change_id, actor="agent:sam")
    assert orders.get_order(res.engine, order.order_id).email == "owner@example.com"
    cancel_order(res.engine, order.order_id, actor="sender:owner-1")
    with pytest.raises(OrderError, match="is cancelled"):
        change_email(res.engine, order.order_id, "new@example.com", actor="sender:owner-1")
