""""When will it arrive?" right after placing an order is about that order, not the cross-sell
card shown before checkout: real Trackers through add to cart, order placement and the question,
the real domain, catalog and graph, SQLite, and a small KB that has the offered product's page."""
import json
import re
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

import lift.retrieval as lr
from actions.cart import ActionAddToCart
from actions.checkout import ActionPlaceOrder
from actions.knowledge import ActionAnswerQuestion
from lift.commerce.orders import asks_about_order
from lift.retrieval.index import build
from lift.retrieval.retriever import Retriever
from tests.support.trackers import ent, make_tracker, slot_events, texts
from tests.unit.test_retrieval_kb import make_small_kb

ROOT = Path(__file__).resolve().parents[2]
KETTLE, BREWMASTER = "KIT-004", "KIT-001"
CHECKOUT = {"email": "jane@example.com", "shipping_address": "12 Market Street, Springfield 12345",
            "shipping_method": "standard", "checkout_confirmed": True}


@pytest.fixture(scope="module")
def kettle_kb(tmp_path_factory):
    """The small KB (the kettle, shipping policy) plus the Brewmaster, the kettle's cross-sell."""
    from lift.retrieval.encoder import shared_encoder

    base = tmp_path_factory.mktemp("placed-kb")
    kb_dir = make_small_kb(base / "kb")
    full = json.loads((ROOT / "kb" / "catalog.json").read_text())
    catalog = json.loads((kb_dir / "catalog.json").read_text())
    catalog["products"] += [dict(p, complements=[], substitutes=[]) for p in full["products"] if p["sku"] == BREWMASTER]
    (kb_dir / "catalog.json").write_text(json.dumps(catalog, indent=1))
    build(kb_dir, base / "index", encoder=shared_encoder())
    return Retriever.load(base / "index", kb_dir, encoder=shared_encoder())


@pytest.fixture
def kb(kettle_kb):
    lr.set_retriever(kettle_kb)
    yield kettle_kb
    lr.set_retriever(None)


async def run(action, tracker, domain):
    d = CollectingDispatcher()
    events = await action.run(d, tracker, domain)
    return d, slot_events(events)


async def ordered_the_kettle(domain, sender="buyer-1"):
    """Add the kettle (the Brewmaster is offered), say nothing to the offer, check out: the slots after."""
    d, slots = await run(ActionAddToCart(), make_tracker("add the swift electric kettle", "add_to_cart",
                                                           entities=[ent("product", "swift electric kettle")],
                                                           sender_id=sender), domain)
    assert slots["upsell_sku"] == BREWMASTER and slots["last_shown"] == [BREWMASTER], texts(d)
    d, placed = await run(ActionPlaceOrder(), make_tracker("yes", "affirm", slots={**slots, **CHECKOUT}, sender_id=sender),
                          domain)
    order_id = re.search(r"LFT\d{6}", texts(d)).group(0)
    assert placed["placed_order_id"] == order_id
    return order_id, {**slots, **placed}


async def ask(text, intent, slots, domain, sender="buyer-1", entities=()):
    return await run(ActionAnswerQuestion(), make_tracker(text, intent, slots=slots, sender_id=sender,
                                                          entities=list(entities)), domain)


@pytest.mark.parametrize("text,intent", [
    ("when will it arrive", "delivery_period"), ("when will it arrive?", "ask_question"),
    ("where is it", "ask_question"), ("has it shipped yet?", "ask_question"), ("is it in stock?", "ask_question"),
    ("how long until my order gets here", "delivery_period"),
])
async def test_it_right_after_ordering_is_the_order(res, kb, domain, text, intent):
    order_id, slots = await ordered_the_kettle(domain)
    d, events = await ask(text, intent, slots, domain)
    reply = texts(d)
    assert reply.startswith(f"Order {order_id} is being prepared for shipping. It should arrive by "), reply
    assert "It contains 1 × Swift Electric Kettle, total" in reply
    assert "Brewmaster" not in reply and "product:" not in reply and not d.messages[0].get("custom")
    assert events == {"kb_doc_id": None, "order_id": order_id}


async def test_the_answer_is_what_tracking_the_order_says(res, kb, domain):
    from actions.orders import ActionHandleOrder

    order_id, slots = await ordered_the_kettle(domain)
    answered, _ = await ask("when will it arrive", "delivery_period", slots, domain)
    tracked, _ = await run(ActionHandleOrder(), make_tracker("where is my order", "track_order", sender_id="buyer-1",
                                                             slots={"order_id": order_id}), domain)
    assert texts(answered) == texts(tracked)


async def test_placing_the_order_forgets_the_cards_shown_before(res, kb, domain):
    _, slots = await ordered_the_kettle(domain)
    assert slots["last_shown"] == [] and slots["last_product"] is None and slots["upsell_sku"] is None


async def test_a_product_question_naming_a_product_is_still_about_it(res, kb, domain):
    _, slots = await ordered_the_kettle(domain)
    d, events = await ask("when will the kettle be back in stock", "ask_question", slots, domain,
                          entities=[ent("product", "kettle")])
    assert events["kb_doc_id"] == f"product:{KETTLE}" and "Swift Electric Kettle: In stock" in texts(d)


async def test_a_product_shown_after_the_order_is_it_again(res, kb, domain):
    _, slots = await ordered_the_kettle(domain)
    d, events = await ask("is it in stock?", "ask_question", {**slots, "last_shown": [KETTLE], "last_product": KETTLE}, domain)
    assert events["kb_doc_id"] == f"product:{KETTLE}" and "Order LFT" not in texts(d)


async def test_another_conversation_is_not_told_about_the_order(res, kb, domain):
    """The conversation that placed the order owns it: a slot naming it elsewhere proves nothing."""
    order_id, slots = await ordered_the_kettle(domain)
    d, events = await ask("when will it arrive", "delivery_period", slots, domain, sender="someone-else")
    assert order_id not in texts(d) and events.get("kb_doc_id") is not None


async def test_general_delivery_questions_after_an_order_get_the_policy(res, kb, domain):
    _, slots = await ordered_the_kettle(domain)
    d, events = await ask("how long does express delivery take?", "delivery_period", slots, domain)
    assert "Order LFT" not in texts(d) and events["kb_doc_id"] is not None  # the shipping FAQ or policy


@pytest.mark.parametrize("text,intent,about", [
    ("when will it arrive", "delivery_period", True), ("where is it?", None, True), ("has it shipped", None, True),
    ("is my order on its way", None, True), ("when does my package get here", None, True),
    ("how long does shipping take", "delivery_period", False), ("is it waterproof?", None, False),
    ("when will the kettle be back in stock", None, False), ("what payment methods do you take", None, False),
])
def test_asks_about_order(text, intent, about):
    assert asks_about_order(text, intent) is about


@pytest.mark.parametrize("text,intent", [("so wheres my refund", "track_refund"), ("any news on the money", "track_refund"),
                                         ("can i get my money back", "get_refund")])
async def test_the_refund_after_cancelling_is_that_orders_recorded_refund(res, kb, domain, text, intent):
    """After this chat placed and cancelled an order: the refund recorded for it, not the policy's general answer."""
    from lift.commerce.servicing import cancel_order

    order_id, slots = await ordered_the_kettle(domain)
    done = cancel_order(res.engine, order_id, actor="chat:buyer-1")
    d, events = await ask(text, intent, {**slots, "order_id": order_id}, domain)
    assert texts(d).startswith(f"For order {order_id}: refund R{done.refund_id} of "), texts(d)
    assert "on its way to your original payment method" in texts(d)
    assert events == {"kb_doc_id": None, "order_id": order_id}


async def test_returning_a_product_of_the_order_is_about_that_order(res, kb, domain):
    """"i want to return the kettle" right after ordering it: that order (not shipped yet: cancel it
    for the full amount), not the kettle's product page; a product the order lacks is still the KB's."""
    order_id, slots = await ordered_the_kettle(domain)
    d, events = await ask("i want to return the kettle", "get_refund", slots, domain, entities=[ent("product", "kettle")])
    assert texts(d).startswith(f"Order {order_id} hasn't shipped yet, so there is nothing to send back"), texts(d)
    assert events == {"kb_doc_id": None, "order_id": order_id}
    d, events = await ask("i want to return the brewmaster", "get_refund", slots, domain,
                          entities=[ent("product", "brewmaster")])
    assert order_id not in texts(d) and "kb_version" in events  # answered from the knowledge base


async def test_a_refund_question_without_an_order_this_chat_may_see_asks_which_order(res, kb, domain):
    """Another chat's order is never named; "so wheres my refund" asks which order (the form then
    asks for the proof), and "how long do refunds take" is the policy's."""
    order_id, slots = await ordered_the_kettle(domain)
    d, events = await ask("so wheres my refund", "track_refund", slots, domain, sender="someone-else")
    assert order_id not in texts(d) and events.get("order_request") == "refund"
    d, events = await ask("how long do refunds usually take", "track_refund", slots, domain, sender="someone-else")
    assert order_id not in texts(d) and "kb_version" in events  # answered from the knowledge base


def _delivered(engine, order_id, days_ago):
    """The order as the warehouse would leave it: delivered ``days_ago`` days ago."""
    import datetime as dt

    import sqlalchemy as sa

    from lift.store.engine import session_scope
    from lift.store.models import Order

    with session_scope(engine) as s:
        s.execute(sa.update(Order).where(Order.order_id == order_id).values(
            status="delivered", estimated_delivery=dt.date.today() - dt.timedelta(days=days_ago)))


async def test_an_item_that_arrived_broken_is_a_free_return_as_well_as_a_person(res, kb, domain):
    """"the kettle arrived broken" after this chat's order was delivered: the complaint still goes
    to a person, and the shopper also learns the return is free (no change-of-mind fee)."""
    from actions.handoff import ActionRequestHandoff

    order_id, slots = await ordered_the_kettle(domain)
    _delivered(res.engine, order_id, 3)
    tracker = make_tracker("ugh the kettle arrived broken", "complaint", slots={**slots, "order_id": order_id},
                           sender_id="buyer-1", entities=[ent("product", "kettle")])
    d = CollectingDispatcher()
    events = await ActionRequestHandoff().run(d, tracker, domain)
    said = texts(d)
    assert said.startswith(f"In the meantime: An item from order {order_id} that arrived damaged"), said
    assert "free of charge within 30 days of delivery" in said and "$5.95" not in said
    assert "passed your conversation to our support team" in said
    assert any(e.get("event") == "pause" for e in events)


@pytest.mark.parametrize("sender, text", [
    ("someone-else", "the kettle arrived broken"),  # not this chat's order: nothing about it
    ("buyer-1", "this is taking way too long"),  # a complaint about something else
])
async def test_other_complaints_only_go_to_a_person(res, kb, domain, sender, text):
    from actions.handoff import ActionRequestHandoff

    order_id, slots = await ordered_the_kettle(domain)
    _delivered(res.engine, order_id, 3)
    d = CollectingDispatcher()
    await ActionRequestHandoff().run(d, make_tracker(text, "complaint", slots={**slots, "order_id": order_id},
                                                     sender_id=sender), domain)
    said = texts(d)
    assert order_id not in said and "I've passed your conversation" in said, said
    # a fault with no order of this chat's in view: only the general free-return and warranty rules
    assert said.startswith("In the meantime: An item that arrived damaged") if "broken" in text else \
        said.startswith("I've passed your conversation"), said


async def test_money_back_for_a_broken_item_is_the_free_return(res, kb, domain):
    order_id, slots = await ordered_the_kettle(domain)
    _delivered(res.engine, order_id, 3)
    d, events = await ask("it came cracked, i want my money back", "get_refund", {**slots, "order_id": order_id}, domain)
    assert texts(d).startswith(f"An item from order {order_id} that arrived damaged"), texts(d)
    d, events = await ask("can i get my money back", "get_refund", {**slots, "order_id": order_id}, domain)
    assert "$5.95 return shipping fee" in texts(d)  # change of mind


async def test_a_fault_question_with_no_order_in_view_gets_the_policy_while_a_person_takes_it(res, kb, domain):
    """"my laptop screen died after 8 months. am i covered?": still a hand-off (a complaint), and
    the answer in the meantime: at 8 months it's within the 2-year warranty, and how to claim."""
    from actions.handoff import ActionRequestHandoff

    d = CollectingDispatcher()
    events = await ActionRequestHandoff().run(d, make_tracker("my laptop screen died after 8 months. am i covered?",
                                                              "complaint", sender_id="no-order"), domain)
    said = texts(d)
    assert said.startswith("In the meantime: Yes: at that age it's within our 2-year warranty") and "photo" in said, said
    d = CollectingDispatcher()
    await ActionRequestHandoff().run(d, make_tracker("my kettle arrived broken, am i covered?", "complaint",
                                                     sender_id="no-order-2"), domain)
    assert texts(d).startswith("In the meantime: An item that arrived damaged"), texts(d)  # no age: the general policy
    assert any(e.get("event") == "pause" for e in events)


@pytest.mark.parametrize("text, last_doc, steps", [
    ("how do I make a claim", "policy:warranty#warranty-coverage", True),
    ("ok so how do i file a claim then?", "policy:warranty#what-the-warranty-does-not-cover", True),
    ("i want to lodge a claim", "policy:warranty#warranty-coverage", True),
    ("how do I make a claim", "policy:returns#how-to-return", False),  # not after the warranty
    ("this is the worst service ever", "policy:warranty#warranty-coverage", False),  # no claim asked about
])
async def test_how_to_claim_after_the_warranty_gets_the_steps_while_a_person_takes_it(res, kb, domain, text, last_doc,
                                                                                     steps):
    from actions.handoff import ActionRequestHandoff

    d = CollectingDispatcher()
    events = await ActionRequestHandoff().run(d, make_tracker(text, "complaint", sender_id=f"claim-{len(text)}-{steps}",
                                                              slots={"kb_doc_id": last_doc}), domain)
    said = texts(d)
    assert said.startswith("In the meantime: To make a warranty claim, contact us with your order number") is steps, said
    assert any(e.get("event") == "pause" for e in events)  # the claim itself is for a person


async def test_why_is_it_taking_so_long_read_as_out_of_scope_gets_the_order_shown(res, kb, domain):
    from actions.fallback import ActionReplyOutOfScope

    order_id, slots = await ordered_the_kettle(domain)
    shown = {**slots, "placed_order_id": None, "order_id": order_id}  # looked up, not placed in this chat
    d, _ = await run(ActionReplyOutOfScope(), make_tracker("why is it taking so long", "out_of_scope", slots=shown,
                                                           sender_id="buyer-1"), domain)
    assert texts(d).startswith(f"Order {order_id} is being prepared for shipping."), texts(d)
    d, _ = await run(ActionReplyOutOfScope(), make_tracker("why is it taking so long", "out_of_scope", slots=shown,
                                                           sender_id="someone-else"), domain)
    assert order_id not in texts(d)  # another chat is never told


@pytest.mark.parametrize("text", [
    "my daughter got the toaster for her birthday and when she opened the box the side of it was all bashed in, "
    "what am I meant to do about that now",
    "I ordered a blender and you people sent me a toaster. Unbelievable.",
])
async def test_a_dented_or_wrong_item_told_in_other_words_gets_the_free_return_with_the_hand_off(res, kb, domain, text):
    """Both were handed to a person with nothing about the free return the policy gives them."""
    from actions.handoff import ActionRequestHandoff

    d = CollectingDispatcher()
    await ActionRequestHandoff().run(d, make_tracker(text, "complaint"), domain)
    assert texts(d).startswith("In the meantime: An item that arrived damaged"), texts(d)


@pytest.mark.parametrize("text", ["if the kettle turns out to be rubbish, can I send just that back later?",
                                  "I'm not asking to cancel, can I return it once it arrives?"])
async def test_a_return_asked_about_for_later_gets_the_returns_policy_not_how_to_cancel(res, kb, domain, text):
    """Right after ordering, "…can I send just that back?" got "hasn't shipped yet, so there is nothing to
    send back: if you cancel it…"."""
    order_id, slots = await ordered_the_kettle(domain)
    d, events = await ask(text, "get_refund", {**slots, "order_id": order_id}, domain)
    assert "nothing to send back" not in texts(d) and "cancel it" not in texts(d).lower(), texts(d)


async def test_a_refund_asked_now_right_after_ordering_is_still_that_orders(res, kb, domain):
    order_id, slots = await ordered_the_kettle(domain)
    d, events = await ask("can i get my money back", "get_refund", {**slots, "order_id": order_id}, domain)
    assert order_id in texts(d) or "cancel" in texts(d).lower(), texts(d)


async def test_same_address_as_last_time_takes_the_address_of_the_order_this_chat_placed(res, kb, domain):
    """"SAME AS LAST TIME" at the address question of a second order was refused as no address."""
    from actions.checkout import ValidateCheckoutForm

    order_id, slots = await ordered_the_kettle(domain)
    d = CollectingDispatcher()
    tracker = make_tracker("SAME AS LAST TIME", "inform", active_loop="checkout_form", slots={
        **slots, "cart": [{"sku": "ACC-001", "qty": 1, "unit_price": "49.00"}], "requested_slot": "shipping_address"})
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events)["shipping_address"] == CHECKOUT["shipping_address"], texts(d)
    assert "as last time" in texts(d)
