"""Orders through the actions with real Trackers and SQLite: the owner is served, anyone else
learns only that the order exists (and its coarse status) until they prove it with the order's
email and the one-time code; cancelling and changing the address need an explicit yes."""
import re

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.orders import ActionAskOrderChangeConfirmed, ActionHandleOrder, ValidateOrderForm
from lift.commerce import orders, stock
from lift.commerce.ownership import Access, access_of
from lift.store.engine import session_scope
from lift.store.models import Order, OrderChange, OutboxMessage, Refund
from tests.support.trackers import make_tracker, slot_events, texts

OWNER, STRANGER = "owner-1", "stranger-1"


def form(requested, text, sender, intent="inform", **slots):
    return make_tracker(text, intent, active_loop="order_form", sender_id=sender,
                        slots={"requested_slot": requested, **slots})


def loop_events(events):
    return [e["name"] for e in events if e["event"] == "active_loop"]


def secret_parts(order):
    return [order.shipping_address, order.email, "Aria", "$", str(order.total)]


async def run_handle(slots, sender):
    d = CollectingDispatcher()
    events = await ActionHandleOrder().run(d, make_tracker(slots=slots, sender_id=sender), {})
    return d, events


async def test_owner_tracks_and_stranger_learns_only_existence(res, order, domain):
    d, events = await run_handle({"order_id": order.order_id, "order_request": "track"}, OWNER)
    assert "being prepared" in texts(d) and order.order_id in texts(d)
    assert "It contains 2 × Aria Wireless Headphones, total $258.00." in texts(d)  # "what's in my order?"
    d, events = await run_handle({"order_id": order.order_id.lower(), "order_request": "track"}, STRANGER)
    assert texts(d) == "" and loop_events(events) == ["order_form"]  # the form asks for proof
    # the form's run asks for the email; the ask (a domain response) says only that it exists
    ran = await ValidateOrderForm().run(CollectingDispatcher(), form("order_id", "", STRANGER, order_id=order.order_id,
                                                                     order_request="track"), domain)
    slots = slot_events(ran)
    assert slots["requested_slot"] == "order_email"
    said = await render("utter_ask_order_email", order_coarse=slots["order_coarse"])
    assert said.startswith(f"Order {order.order_id} exists and hasn't shipped yet. ") and "email address" in said
    assert not any(part in said for part in secret_parts(order))
    # asked again after a digression: no slot is set, so Rasa can tell "bye" is not an answer
    again = await ValidateOrderForm().run(CollectingDispatcher(), form(
        "order_email", "ok bye then", STRANGER, intent="goodbye", order_id=order.order_id, order_request="track",
        order_coarse=slots["order_coarse"]), domain)
    assert set(slot_events(again)) <= {"requested_slot"}, again


async def render(response, **slots):
    """A domain response as Rasa renders it, with these slot values."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    real = Domain.load("domain")
    tracker = DialogueStateTracker.from_events("s", [SlotSet(k, v) for k, v in slots.items()], real.slots)
    return (await TemplatedNaturalLanguageGenerator(real.responses).generate(response, tracker, "rest"))["text"]


async def test_stranger_cannot_cancel_without_the_code(res, order, domain):
    d, events = await run_handle({"order_id": order.order_id, "order_request": "cancel",
                                  "order_change_confirmed": True}, STRANGER)
    assert loop_events(events) == ["order_form"]
    assert orders.get_order(res.engine, order.order_id).status == "processing"
    tracker = form("order_id", "x", STRANGER, order_id=order.order_id, order_request="cancel")
    assert await ValidateOrderForm().required_slots(["order_id"], d, tracker, domain) == \
        ["order_id", "order_email", "order_code"]


async def code_sent(engine):
    with session_scope(engine) as s:
        rows = s.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == "verification_code")).scalars().all()
        return [re.search(r"code is: (\d{6})", r.body).group(1) for r in rows]


async def test_email_then_code_links_the_conversation(res, order, domain):
    v = ValidateOrderForm()
    d = CollectingDispatcher()
    out = v.validate_order_email("someone.else@example.com", d, form("order_email", "", STRANGER, order_id=order.order_id), domain)
    wrong_words = texts(d)
    assert out == {"order_email": "someone.else@example.com"} and await code_sent(res.engine) == []
    d = CollectingDispatcher()
    v.validate_order_email("Owner@Example.com", d, form("order_email", "", STRANGER, order_id=order.order_id), domain)
    # the same words whether or not the address is the order's
    assert texts(d).replace("owner@example.com", "X") == wrong_words.replace("someone.else@example.com", "X")
    [code] = await code_sent(res.engine)
    with session_scope(res.engine) as s:  # only a keyed hash is stored
        assert code not in str(s.execute(sa.text("SELECT * FROM order_access")).all())
    d = CollectingDispatcher()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert v.validate_order_code(wrong, d, form("order_code", wrong, STRANGER, order_id=order.order_id), domain) == {"order_code": None}
    assert "4 attempts left" in texts(d)
    d = CollectingDispatcher()
    assert v.validate_order_code("lots", d, form("order_code", "lots", STRANGER, order_id=order.order_id), domain) == {"order_code": None}
    assert "6 digits" in texts(d)  # malformed: no attempt used
    spaced = f"{code[:3]} {code[3:]}"
    d = CollectingDispatcher()
    assert v.validate_order_code(spaced, d, form("order_code", spaced, STRANGER, order_id=order.order_id), domain) == {"order_code": "verified"}
    assert access_of(res.engine, order, STRANGER) is Access.LINKED
    d, _ = await run_handle({"order_id": order.order_id, "order_request": "track"}, STRANGER)
    assert "being prepared" in texts(d)


async def test_i_never_got_the_code_sends_a_new_one_that_works(res, order, domain):
    v = ValidateOrderForm()
    slots = {"order_id": order.order_id, "order_email": "owner@example.com"}
    v.validate_order_email("owner@example.com", CollectingDispatcher(), form("order_email", "", STRANGER, **slots), domain)
    [first] = await code_sent(res.engine)
    d = CollectingDispatcher()
    said = "i never got the code"
    assert v.validate_order_code(said, d, form("order_code", said, STRANGER, **slots), domain) == {"order_code": None}
    assert "I've sent a new code" in texts(d) and "6 digits" not in texts(d)
    codes = await code_sent(res.engine)
    assert len(codes) == 2 and codes[0] == first
    d = CollectingDispatcher()
    assert v.validate_order_code(codes[1], d, form("order_code", codes[1], STRANGER, **slots), domain) == {"order_code": "verified"}


async def test_not_knowing_the_orders_email_offers_a_person(res, order, domain):
    said = "i don't know which email i used"
    tracker = form("order_email", said, STRANGER, intent="complaint", order_id=order.order_id)
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, tracker, domain)
    assert slot_events(events).get("order_email", "unset") is None
    assert "A person from our team can confirm it's yours" in texts(d) and "doesn't look like" not in texts(d)
    assert d.messages[0]["buttons"] == [{"title": "Talk to a person", "payload": "/contact_human_agent"}]
    assert await code_sent(res.engine) == []


async def test_a_sentence_asked_for_the_email_is_no_wrong_email(res, order, domain):
    said = "i want money back not new one"
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, form("order_email", said, STRANGER, intent="get_refund",
                                                   order_id=order.order_id), domain)
    assert slot_events(events).get("order_email", "unset") is None
    assert "doesn't look like an email" not in texts(d) and texts(d)
    assert d.messages[-1]["buttons"] == [{"title": "Talk to a person", "payload": "/contact_human_agent"}]
    assert await code_sent(res.engine) == []


async def test_five_wrong_codes_lock_the_order_for_that_conversation(res, order, domain):
    v = ValidateOrderForm()
    v.validate_order_email("owner@example.com", CollectingDispatcher(), form("order_email", "", STRANGER, order_id=order.order_id), domain)
    [code] = await code_sent(res.engine)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        v.validate_order_code(wrong, CollectingDispatcher(), form("order_code", wrong, STRANGER, order_id=order.order_id), domain)
    assert access_of(res.engine, order, STRANGER) is Access.LOCKED
    assert v.validate_order_code(code, CollectingDispatcher(), form("order_code", code, STRANGER, order_id=order.order_id), domain) == {"order_code": None}
    d, events = await run_handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": True}, STRANGER)
    assert "Too many wrong codes" in texts(d) and not loop_events(events)
    assert orders.get_order(res.engine, order.order_id).status == "processing"
    assert access_of(res.engine, order, "someone-else") is Access.NONE  # the lock is per conversation


async def test_cancel_is_summarised_and_done_only_after_yes(res, order, domain):
    before = stock.levels(res.engine, ["AUD-001"])["AUD-001"]
    d = CollectingDispatcher()
    tracker = form("order_id", "x", OWNER, order_id=order.order_id, order_request="cancel")
    assert await ValidateOrderForm().required_slots(["order_id"], d, tracker, domain) == ["order_id", "order_change_confirmed"]
    d, events = await run_handle({"order_id": order.order_id, "order_request": "cancel"}, OWNER)
    assert loop_events(events) == ["order_form"] and orders.get_order(res.engine, order.order_id).status == "processing"
    ask = CollectingDispatcher()
    await ActionAskOrderChangeConfirmed().run(ask, make_tracker(slots={"order_id": order.order_id, "order_request": "cancel"},
                                                                sender_id=OWNER), {})
    assert "about to cancel order" in texts(ask) and [b["payload"] for b in ask.messages[0]["buttons"]] == ["/affirm", "/deny"]
    extracted = await ValidateOrderForm().extract_order_change_confirmed(
        d, form("order_change_confirmed", "no, keep it", OWNER, intent="cancel_order"), domain)
    assert extracted == {"order_change_confirmed": False}
    d, _ = await run_handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": False}, OWNER)
    assert "haven't changed anything" in texts(d) and orders.get_order(res.engine, order.order_id).status == "processing"
    d, events = await run_handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": True}, OWNER)
    assert "is cancelled" in texts(d) and "refund of $258.00" in texts(d)
    assert slot_events(events)["order_change_confirmed"] is None
    with session_scope(res.engine) as s:
        assert s.get(Order, order.order_id).status == "cancelled"
        refund = s.execute(sa.select(Refund)).scalar_one()
        assert (refund.status, str(refund.amount)) == ("pending", "258.00")
        assert s.execute(sa.select(OrderChange.kind, OrderChange.actor)).all() == [("cancel", f"sender:{OWNER}")]
        kinds = set(s.execute(sa.select(OutboxMessage.kind)).scalars())
        assert kinds == {"order_confirmation", "cancellation"}
    assert stock.levels(res.engine, ["AUD-001"])["AUD-001"] == before + 2  # stock restored


async def test_address_change_needs_the_new_address_and_a_yes(res, order, domain):
    tracker = form("order_id", "x", OWNER, order_id=order.order_id, order_request="change_address")
    assert await ValidateOrderForm().required_slots(["order_id"], CollectingDispatcher(), tracker, domain) == \
        ["order_id", "shipping_address", "order_change_confirmed"]
    d, _ = await run_handle({"order_id": order.order_id, "order_request": "change_address",
                             "shipping_address": "45 Oak Avenue, Portland", "order_change_confirmed": True}, OWNER)
    assert "45 Oak Avenue" in texts(d)
    assert orders.get_order(res.engine, order.order_id).shipping_address == "45 Oak Avenue, Portland"


@pytest.mark.parametrize("typed,response", [("ORD-12345", "utter_order_id_format"), ("732201349959", "utter_order_id_format"),
                                            ("LFT999999", "utter_wrong_order_id")])
async def test_unknown_or_foreign_order_numbers(res, domain, typed, response):
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, form("order_id", typed, STRANGER), domain)
    assert slot_events(events)["order_id"] is None and d.messages[0]["response"] == response
    d, events = await run_handle({"order_id": typed, "order_request": "cancel"}, STRANGER)
    assert d.messages[0]["response"] == response and loop_events(events) == ["order_form"]
    if response == "utter_wrong_order_id":  # the number it could not find, said back (not "it looks like LFT123456")
        assert d.messages[0]["order_number"] == "LFT999999"


def test_a_number_not_found_is_said_back_with_a_way_to_a_person(domain):
    wrong = domain["responses"]["utter_wrong_order_id"][0]
    assert "{order_number}" in wrong["text"] and "LFT123456" not in wrong["text"]
    assert wrong["buttons"][0]["payload"] == "/contact_human_agent"


async def test_shipped_order_is_not_offered_a_cancel(res, domain):
    # LFT100003 is a seeded, shipped order of nobody's conversation: once linked, the cancel is refused with a reason.
    from lift.store.models import OrderAccess, utcnow

    with session_scope(res.engine) as s:
        s.add(OrderAccess(order_id="LFT100003", sender_id=STRANGER, verified_at=utcnow(), codes_sent=1, failed_attempts=0))
    tracker = form("order_id", "x", STRANGER, order_id="LFT100003", order_request="cancel")
    assert await ValidateOrderForm().required_slots(["order_id"], CollectingDispatcher(), tracker, domain) == ["order_id"]
    d, _ = await run_handle({"order_id": "LFT100003", "order_request": "cancel"}, STRANGER)
    assert "can't be cancelled" in texts(d)


async def test_a_form_run_reads_the_order_once_and_sees_its_own_changes(res, order, domain, monkeypatch):
    """rasa_sdk asks required_slots three times a run; the order and this chat's access are read
    once per slot values, and a run whose own validation changes them (a code verified, the last
    wrong code) decides the next slot from the new state."""
    import actions.orders as ao

    reads = []
    real_find = ao.find_order
    monkeypatch.setattr(ao, "find_order", lambda engine, typed: reads.append(typed) or real_find(engine, typed))
    slots = {"order_id": order.order_id, "order_request": "track", "order_email": "owner@example.com"}
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, form("order_code", "are you a bot?", STRANGER, "bot_challenge", **slots), domain)
    assert reads == [order.order_id] and "order_code" not in slot_events(events)

    ValidateOrderForm().validate_order_email("owner@example.com", CollectingDispatcher(),
                                             form("order_email", "", STRANGER, order_id=order.order_id), domain)
    [code] = await code_sent(res.engine)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        ValidateOrderForm().validate_order_code(wrong, CollectingDispatcher(),
                                                form("order_code", wrong, STRANGER, order_id=order.order_id), domain)
    # The fifth wrong code locks the order inside this run: the form asks for nothing more.
    events = await ValidateOrderForm().run(CollectingDispatcher(), form("order_code", wrong, STRANGER, **slots), domain)
    assert slot_events(events)["order_code"] is None and access_of(res.engine, order, STRANGER) is Access.LOCKED
    # (a stale read would still want the code and ask for it again: requested_slot=order_code)
    assert "requested_slot" not in slot_events(events)

    other = "stranger-2"
    ValidateOrderForm().validate_order_email("owner@example.com", CollectingDispatcher(),
                                             form("order_email", "", other, order_id=order.order_id), domain)
    code2 = (await code_sent(res.engine))[-1]
    events = await ValidateOrderForm().run(CollectingDispatcher(), form("order_code", code2, other, **slots), domain)
    assert slot_events(events)["order_code"] == "verified" and "requested_slot" not in slot_events(events)


async def test_a_refund_for_a_named_order_follows_its_status_and_refunds(res, order, domain):
    """"i want a refund for order X": for the owner, what gets the money back given the order's
    status (not yet shipped: cancel it), and once cancelled where the recorded refund stands;
    a stranger only learns that the order exists until proven."""
    d, events = await run_handle({"order_id": order.order_id, "order_request": "refund"}, STRANGER)
    assert texts(d) == "" and loop_events(events) == ["order_form"]
    d, _ = await run_handle({"order_id": order.order_id, "order_request": "refund"}, OWNER)
    assert "hasn't shipped yet, so there is nothing to send back" in texts(d)
    assert [b["payload"] for b in d.messages[0]["buttons"]] == ["/cancel_order", "/contact_human_agent"]
    await run_handle({"order_id": order.order_id, "order_request": "cancel", "order_change_confirmed": True}, OWNER)
    d, _ = await run_handle({"order_id": order.order_id, "order_request": "refund"}, OWNER)
    assert re.search(rf"For order {order.order_id}: refund R\d+ of \$258\.00 is on its way", texts(d)), texts(d)


async def test_no_order_number_gets_where_to_find_it_and_a_way_out(res, domain):
    d = CollectingDispatcher()
    text = "i dont have the order number, my aunt bought it"
    out = ValidateOrderForm().validate_order_id(text, d, form("order_id", text, STRANGER), domain)
    assert out == {"order_id": None}
    assert "confirmation email" in texts(d) and "person" in texts(d)
    assert [b["payload"] for b in d.messages[0]["buttons"]] == ["/contact_human_agent", "/stop"]
    d = CollectingDispatcher()  # a word that is no number: the format, as before
    ValidateOrderForm().validate_order_id("hmm", d, form("order_id", "hmm", STRANGER), domain)
    assert [m.get("response") for m in d.messages] == ["utter_order_id_format"]


async def test_a_cart_swap_read_as_an_order_change_leaves_the_order_form(res, domain):
    """"swap it for the mesh one" with a chair in the cart: the cart changes, no order number is asked."""
    text = "hmm actually swap it for the mesh one"
    tracker = make_tracker(text, "change_order", active_loop="order_form", sender_id=STRANGER,
                           slots={"cart": [{"sku": "OFF-002", "qty": 1, "unit_price": "329.00"}],
                                  "order_request": "change"})
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, tracker, domain)
    assert slot_events(events)["cart"] == [{"sku": "OFF-003", "qty": 1, "unit_price": "479.00"}]
    assert slot_events(events)["order_request"] is None and loop_events(events) == [None]
    d = CollectingDispatcher()  # the form's submit rule then runs action_handle_order: it says nothing
    assert await ActionHandleOrder().run(d, make_tracker(slots={"order_request": None}), {}) == [] and texts(d) == ""


async def test_yes_to_the_offer_of_a_person_hands_off(res, domain):
    """"yes please" after "a person from our team can look the order up": a hand-off, not an order number."""
    offer = {"event": "bot", "text": "Your order number is in ...", "data": {"buttons": [
        {"title": "Talk to a person", "payload": "/contact_human_agent"}, {"title": "Something else", "payload": "/stop"}]}}
    ask = {"event": "bot", "text": "What's your order number?", "data": {}}
    tracker = make_tracker("yes please", "affirm", active_loop="order_form", sender_id=STRANGER,
                           slots={"requested_slot": "order_id"}, events=[offer, ask])
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, tracker, domain)
    assert any(e["event"] == "pause" for e in events) and "ticket #" in texts(d)
    assert loop_events(events) == [None]
    d = CollectingDispatcher()  # without the offer, a yes is still read as an answer
    tracker = make_tracker("yes please", "affirm", active_loop="order_form", sender_id=STRANGER,
                           slots={"requested_slot": "order_id"}, events=[ask])
    assert not any(e["event"] == "pause" for e in await ValidateOrderForm().run(d, tracker, domain))


async def test_a_sentence_at_the_code_question_gets_an_answer_and_ways_out(res, order, domain):
    """"i will check my email later": not "that doesn't look like the code", but what is needed and the ways out."""
    v = ValidateOrderForm()
    d = CollectingDispatcher()
    text = "i will check my email later"
    assert v.validate_order_code(text, d, form("order_code", text, STRANGER, order_id=order.order_id), domain) == \
        {"order_code": None}
    assert "6-digit code" in texts(d) and "doesn't look like the code" not in texts(d)
    assert [b["title"] for b in d.messages[-1]["buttons"]] == ["Send a new code", "Talk to a person", "Something else"]
    d = CollectingDispatcher()
    v.validate_order_code("48291", d, form("order_code", "48291", STRANGER, order_id=order.order_id), domain)
    assert "doesn't look like the code" in texts(d)  # digits typed wrong are still a malformed code


@pytest.mark.parametrize("text", [
    "I am afraid I cannot find any code, I do not really know how to look at that email account. Is there another way?",
    "that's my old work email, i cant get into it anymore",
    "i cant get into that email tbh, can u just send a new one",  # not another code to that inbox
    "I can't get into that inbox anymore. Is there another way to verify, e.g. the postcode 62701?",  # digits, no code
    "I really can't get the code.",
])
async def test_no_way_to_the_code_gets_the_ways_out(res, order, domain, text):
    """The shopper can't get at the mailbox: a new code or a person, as buttons (it said "That doesn't
    look like the code" every time)."""
    d = CollectingDispatcher()
    got = ValidateOrderForm().validate_order_code(text, d, form("order_code", text, STRANGER, order_id=order.order_id),
                                                  domain)
    assert got == {"order_code": None} and "doesn't look like the code" not in texts(d), texts(d)
    assert [b["title"] for b in d.messages[-1]["buttons"]] == ["Send a new code", "Talk to a person", "Something else"]


@pytest.mark.parametrize("intent", ["apply_coupon", "out_of_scope"])
async def test_no_way_to_the_code_is_taken_by_the_form_whatever_the_reading(res, order, domain, intent):
    """"I really can't get the code." read as apply_coupon got "Which coupon code would you like to use?"
    (data/rules/orders.yml now hands that reading to the form, which must take the message)."""
    text = "I really can't get the code."
    tracker = form("order_code", text, STRANGER, intent=intent, order_id=order.order_id)
    assert await ValidateOrderForm().extract_order_code(CollectingDispatcher(), tracker, domain) == {"order_code": text}


async def test_asking_for_a_person_at_the_code_step_is_left_to_the_hand_off(res, order, domain):
    """"I haven't received any code. Can I just talk to someone please?" resent the code and ignored the
    person: the form now takes nothing from it, so the rule for a person in the order form runs."""
    text = "I haven't received any code. Can I just talk to someone please?"
    tracker = form("order_code", text, STRANGER, intent="contact_human_agent", order_id=order.order_id)
    assert await ValidateOrderForm().extract_order_code(CollectingDispatcher(), tracker, domain) == {}


async def test_yes_to_the_cancel_question_cancels_even_after_an_earlier_offer_of_a_person(res, order, domain):
    """A person was offered two turns ago ("Cancel the order | Talk to a person"); the shopper then
    pressed "Cancel the order" and says "Yes" to "Cancel it? [Yes | No, keep it]": that yes is the
    cancellation, not the old offer."""
    def user(text, intent):
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": []}}
    earlier = [user("how long does the refund take tho", "check_refund_policy"),
               {"event": "bot", "text": "Cards usually show the money within 5-10 business days.", "data": {}},
               {"event": "bot", "text": "If you cancel it, the full amount is refunded.", "data": {"buttons": [
                   {"title": "Cancel the order", "payload": "/cancel_order"},
                   {"title": "Talk to a person", "payload": "/contact_human_agent"}]}},
               user("Cancel the order", "cancel_order"),
               {"event": "bot", "text": "Cancel it?", "data": {"buttons": [
                   {"title": "Yes", "payload": "/affirm"}, {"title": "No, keep it", "payload": "/deny"}]}}]
    tracker = form("order_change_confirmed", "Yes", OWNER, intent="affirm", order_id=order.order_id,
                   order_request="cancel")
    tracker.events[:0] = earlier
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, tracker, domain)
    assert not any(e["event"] == "pause" for e in events) and "ticket #" not in texts(d), texts(d)
    assert slot_events(events).get("order_change_confirmed") is True, events


def _delivered(res, order, days_ago=4):
    import datetime as dt

    with session_scope(res.engine) as s:
        row = s.get(Order, order.order_id)
        row.status, row.estimated_delivery = "delivered", dt.date.today() - dt.timedelta(days=days_ago)


def _said(*texts_):
    return [{"event": "user", "text": t, "parse_data": {"intent": {"name": "inform"}, "entities": []}} for t in texts_]


async def test_a_broken_item_said_before_the_proof_gets_the_free_return_not_the_change_of_mind_fee(res, order, domain):
    _delivered(res, order)
    d = CollectingDispatcher()
    tracker = make_tracker("482913", "inform", sender_id=OWNER, slots={"order_id": order.order_id, "order_request": "refund"},
                           events=_said("the lamp is broken, the neck is snapped. i want a refund", "owner@example.com"))
    await ActionHandleOrder().run(d, tracker, domain)
    assert "returned free of charge" in texts(d) and "5.95" not in texts(d), texts(d)
    assert d.messages[-1]["buttons"] == [{"title": "Talk to a person", "payload": "/contact_human_agent"}]
    plain = CollectingDispatcher()  # without a problem said, the refund options as before
    await ActionHandleOrder().run(plain, make_tracker("482913", "inform", sender_id=OWNER, slots={
        "order_id": order.order_id, "order_request": "refund"}, events=_said("i want a refund", "owner@example.com")), domain)
    assert "returned free of charge" not in texts(plain)


async def test_a_missing_item_goes_to_a_person_not_no_longer_changeable(res, order, domain):
    _delivered(res, order)
    d = CollectingDispatcher()
    tracker = make_tracker("482913", "inform", sender_id=OWNER, slots={"order_id": order.order_id, "order_request": "change"},
                           events=_said(f"only one lamp was inside, i paid for two. order {order.order_id}"))
    await ActionHandleOrder().run(d, tracker, domain)
    assert "something is missing from order" in texts(d) and "no longer be changed" not in texts(d), texts(d)


async def test_the_new_address_in_the_request_is_taken_not_asked_again(res, order, domain):
    text = "wait can i still change the address to my work? 1 Capitol Sq, Madison WI 53703"
    tracker = make_tracker(text, "change_shipping_address", active_loop="order_form", sender_id=OWNER,
                           slots={"order_id": order.order_id, "order_request": "change_address"})
    events = slot_events(await ValidateOrderForm().run(CollectingDispatcher(), tracker, domain))
    assert events["shipping_address"] == "1 Capitol Sq, Madison WI 53703", events
    assert events.get("requested_slot") == "order_change_confirmed"


@pytest.mark.parametrize("text, intent", [("add 2 aria headphones to my cart", "add_to_cart"), ("whats in my cart", "view_cart")])
async def test_shopping_while_the_order_number_is_asked_drops_the_order_question(res, domain, text, intent):
    tracker = form("order_id", text, STRANGER, intent=intent, order_request="change")
    first = await ValidateOrderForm().run(CollectingDispatcher(), tracker, domain)
    assert None not in loop_events(first)  # before the shopping rule has run: the form leaves it to that rule
    tracker.events.append({"event": "action", "name": "action_add_to_cart" if intent == "add_to_cart" else "action_view_cart"})
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, tracker, domain)
    assert loop_events(events) == [None] and slot_events(events)["order_request"] is None and not d.messages


async def test_a_no_with_another_request_keeps_the_order_and_a_question_after_ok_is_no_yes(res, order, domain):
    """"Cancel it?" then "no keep it, but can i change to express?" (read as change_order, whose slot
    mapping set order_request to change): the pending cancel is answered no, not dropped; and
    "ok whatever. when will it arrive" (delivery_period) is never a yes to the cancellation."""
    asked = [{"event": "slot", "name": "order_request", "value": "cancel"},
             {"event": "bot", "text": "Cancel it?", "data": {}}]
    tracker = form("order_change_confirmed", "no keep it, but can i change to express to save money?", OWNER,
                   intent="change_order", order_id=order.order_id, order_request="change")
    tracker.events[:0] = asked
    tracker.events.append({"event": "slot", "name": "order_request", "value": "change"})  # the intent's mapping
    d = CollectingDispatcher()
    events = slot_events(await ValidateOrderForm().run(d, tracker, domain))
    assert events.get("order_request") == "cancel" and events.get("order_change_confirmed") is False, events
    for text, intent in (("ok whatever. when will it arrive", "delivery_period"), ("okay but why?", "inform"),
                         ("ok no", "deny")):
        extracted = await ValidateOrderForm().extract_order_change_confirmed(
            d, form("order_change_confirmed", text, OWNER, intent=intent, order_request="cancel"), domain)
        assert extracted.get("order_change_confirmed") is not True, text
    for text, intent in (("ok do it", "inform"), ("yes please, and will the refund go to my card?", "affirm")):
        extracted = await ValidateOrderForm().extract_order_change_confirmed(
            d, form("order_change_confirmed", text, OWNER, intent=intent, order_request="cancel"), domain)
        assert extracted == {"order_change_confirmed": True}, text
    assert orders.get_order(res.engine, order.order_id).status == "processing"


async def test_the_orders_email_named_in_the_request_gets_the_code_at_once_and_is_no_email_change(res, order, domain):
    """"I should like to cancel order X. The email on the order is owner@example.com.": the code goes
    to it at once and the next question is the code; with change_order ("my order arrived with the
    wrong item ... the email on the order is ...") it is not a change of the order's email."""
    text = (f"Good afternoon. I should like to cancel order {order.order_id} please, as I found it cheaper. "
            "The email on the order is Owner@Example.com.")
    tracker = make_tracker(text, "cancel_order", active_loop="order_form", sender_id=STRANGER,
                           slots={"order_id": order.order_id, "order_request": "cancel"})
    d = CollectingDispatcher()
    events = slot_events(await ValidateOrderForm().run(d, tracker, domain))
    assert events.get("order_email") == "owner@example.com" and events.get("requested_slot") == "order_code", events
    assert "sent a 6-digit code" in texts(d) and len(await code_sent(res.engine)) == 1
    said = (f"My order {order.order_id} arrived, but instead of the headphones there was a toaster. "
            "The email on the order is owner@example.com.")
    tracker = make_tracker(said, "change_order", active_loop="order_form", sender_id=STRANGER,
                           slots={"order_id": order.order_id, "order_request": "change"})
    events = slot_events(await ValidateOrderForm().run(CollectingDispatcher(), tracker, domain))
    assert events.get("order_request") != "change_email" and "order_new_email" not in events, events



async def test_a_code_in_a_sentence_read_as_track_order_keeps_the_pending_cancel(res, order, domain):
    asked = [{"event": "slot", "name": "order_request", "value": "cancel"},
             {"event": "bot", "text": "Please type the code from that email.", "data": {}}]
    tracker = form("order_code", "The code which I received is 566986, thank you very much.", STRANGER,
                   intent="track_order", order_id=order.order_id, order_request="track", order_email="owner@example.com")
    tracker.events[:0] = asked
    events = slot_events(await ValidateOrderForm().run(CollectingDispatcher(), tracker, domain))
    assert events.get("order_request") == "cancel", events


@pytest.mark.parametrize("said, shown", [
    ("you sent me the wrong colour headphones, I ordered black", "returned free of charge"),
    ("hi, only one of the two lamps was in the box, the other is missing", "something is missing from order"),
])
async def test_a_problem_said_in_a_request_read_as_tracking_gets_its_options_after_the_proof(res, order, domain, said, shown):
    _delivered(res, order)
    d = CollectingDispatcher()
    tracker = make_tracker("the password you sent is 482913", "inform", sender_id=OWNER,
                           slots={"order_id": order.order_id, "order_request": "track"},
                           events=_said(said, order.order_id, "owner@example.com"))
    await ActionHandleOrder().run(d, tracker, domain)
    assert shown in texts(d), texts(d)


async def test_another_email_at_the_code_question_gets_the_code(res, order, domain):
    """"Perhaps I used my work address, which is owner@example.com." while the code is asked: a code
    to that address (it said it had sent a new one to the first address)."""
    text = "Perhaps I used my work address, which is owner@example.com."
    tracker = form("order_code", text, STRANGER, order_id=order.order_id, order_email="j.farrow@gmail.com",
                   order_request="track")
    tracker.latest_message["entities"] = [{"entity": "email", "value": "owner@example.com"}]
    d = CollectingDispatcher()
    events = await ValidateOrderForm().run(d, tracker, domain)
    assert slot_events(events).get("order_email") == "owner@example.com", events
    assert "If owner@example.com is the email on order" in texts(d) and "j.farrow" not in texts(d)


@pytest.mark.parametrize("text, ends", [
    ("ok forget it, how long do refunds take after cancelling?", True),
    ("I said forget it. show me smart plugs", True), ("meh never mind that. do u ship to canada?", True),
    ("Oh, actually, let's leave it be. Can you tell me how long I have to return something?", True),
    ("i will never forget it, what a great shop", False),
    ("Oh dear, on reflection let's leave it be, I shan't cancel after all. Might I ask, do you deliver to the Isle of Wight?",
     True),
    ("forget it", False),  # a plain stop is the stop rule's (utter_form_stopped)
    ("what's the code for?", False),
])
async def test_calling_the_form_off_and_asking_something_else_ends_it(res, order, domain, text, ends):
    """At the code step, "ok forget it, how long do refunds take after cancelling?" was answered and then
    the code asked for again, turn after turn: the answer, and the form ends (nothing asked again)."""
    slots = {"order_id": order.order_id, "order_request": "cancel", "order_email": "owner@example.com"}
    d = CollectingDispatcher()
    events = slot_events(await ValidateOrderForm().run(d, form("order_code", text, STRANGER, "inform", **slots), domain))
    assert ("requested_slot" in events and events["requested_slot"] is None) is ends, events
    if ends:
        assert events["order_id"] is None and events["order_request"] is None and texts(d)  # answered, then done
        handled = await ActionHandleOrder().run(CollectingDispatcher(), make_tracker(text, "ask_question", slots={}), domain)
        assert handled == []  # the submit rule's action then does nothing


async def test_a_question_after_calling_the_form_off_is_answered_and_the_form_ends(res, order, domain, shipped_retriever):
    """The same read as a question (its rule: the answer, then the form): the answer ends the form."""
    from actions import knowledge
    from lift.retrieval import set_retriever

    set_retriever(shipped_retriever)
    try:
        for text, ends in (("ok forget it, how long do refunds take after cancelling?", True),
                           ("how long do refunds take after cancelling?", False)):
            d = CollectingDispatcher()
            tracker = form("order_code", text, STRANGER, "ask_question", order_id=order.order_id, order_request="cancel")
            events = await knowledge.ActionAnswerQuestion().run(d, tracker, domain)
            assert texts(d) and loop_events(events) == ([None] if ends else []), events
            assert any(e["event"] == "followup" and e["name"] == "action_listen" for e in events) is ends
    finally:
        set_retriever(None)



@pytest.mark.parametrize("text, entities, asks", [
    ("where is my order LFT999999", [{"entity": "order_id", "value": "LFT999999", "start": 18, "end": 27}], False),
    ("cancel my order please", [], True), ("ORD-12345", [], True),
])
async def test_the_number_is_not_asked_again_right_after_one_not_found(domain, text, entities, asks):
    """"I couldn't find order LFT999999 … send it again" was followed by "What's your order number? It looks
    like LFT123456": a number of the right form just typed has had its answer."""
    from actions.order_requests import ActionAskOrderId

    d = CollectingDispatcher()
    await ActionAskOrderId().run(d, make_tracker(text, "track_order", entities=entities, active_loop="order_form",
                                                 slots={"requested_slot": "order_id"}), domain)
    assert [m.get("response") for m in d.messages] == (["utter_ask_order_id"] if asks else [])
