"""Refund options of one order (lift.commerce.returns), in the returns policy's own figures."""
import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from lift.commerce.returns import (CHANGE_OF_MIND_FEE, RETURN_DAYS, WARRANTY_YEARS, RefundRecord, faulty_item_options,
                                   refund_options, says_faulty)

POLICY = (Path(__file__).resolve().parents[2] / "kb" / "policies" / "returns.md").read_text(encoding="utf-8")
TODAY = dt.date(2026, 12, 5)


def _order(status, delivered=None):
    return SimpleNamespace(order_id="LFT123456", status=status, estimated_delivery=delivered)


def test_the_figures_are_the_returns_policys():
    assert f"within {RETURN_DAYS} days of delivery" in POLICY
    assert f"${CHANGE_OF_MIND_FEE}" in POLICY and "Order History" in POLICY and "Return items" in POLICY
    assert "5-10 business days" in POLICY


@pytest.mark.parametrize("status, delivered, said", [
    ("processing", None, "hasn't shipped yet, so there is nothing to send back"),
    ("shipped", None, "Once it's delivered you have 30 days to return items"),
    ("delivered", TODAY - dt.timedelta(days=4), "within 30 days of delivery (until about Thu 31 Dec)"),
    ("delivered", TODAY - dt.timedelta(days=45), "the return window has closed"),
    ("cancelled", None, "no refund is recorded"),
])
def test_options_follow_the_status(status, delivered, said):
    assert said in refund_options(_order(status, delivered), [], TODAY, "USD")


def test_a_recorded_refund_is_reported_and_a_voided_one_is_not():
    pending = RefundRecord(7, Decimal("258.00"), "pending", dt.datetime(2026, 12, 1, 10))
    voided = RefundRecord(6, Decimal("10.00"), "voided", dt.datetime(2026, 11, 30, 10))
    text = refund_options(_order("cancelled"), [voided, pending], TODAY, "USD")
    assert text == ("For order LFT123456: refund R7 of $258.00 is on its way to your original payment method "
                    "(5-10 business days from Tue 01 Dec).")


WARRANTY = (Path(__file__).resolve().parents[2] / "kb" / "policies" / "warranty.md").read_text(encoding="utf-8")


def test_the_free_return_and_warranty_are_the_policies():
    assert "Returns are free when the item is faulty, damaged in transit or not what you ordered" in POLICY
    assert f"for {WARRANTY_YEARS} years from the delivery date" in WARRANTY


@pytest.mark.parametrize("text", [
    "the kettle arrived broken", "my blender came DAMAGED", "screen is cracked", "it doesnt work",
    "the speaker won't turn on", "stopped working after a day", "you sent me the wrong colour",
    "this is not what i ordered", "headphones are defective", "it won't charge",
    "received a different model than the one i ordered", "that's not the one i ordered",
    "instead of the two desk lamps I ordered there was a single toaster in the box",
    "they sent me a toaster instead of my lamp",
])
def test_faulty_wording_is_recognised(text):
    assert says_faulty(text)


@pytest.mark.parametrize("text", [
    "this is taking forever", "your service is terrible", "i was charged twice", "where is my order",
    "the delivery was late", "work headphones please", "can i get the blue one instead of the black one",
    "i'd like express instead of standard",
])
def test_other_complaints_are_not_faulty(text):
    assert not says_faulty(text)


@pytest.mark.parametrize("status, delivered, said", [
    ("delivered", TODAY - dt.timedelta(days=4), "returned free of charge within 30 days of delivery (until about Thu 31 Dec)"),
    ("shipped", None, "returned free of charge within 30 days of delivery: sign in"),
    ("delivered", TODAY - dt.timedelta(days=45), "covered by our 2-year warranty"),
])
def test_a_faulty_item_is_a_free_return_or_the_warranty(status, delivered, said):
    text = faulty_item_options(_order(status, delivered), [], TODAY, "USD")
    assert said in text and "$5.95" not in text


@pytest.mark.parametrize("status", ["processing", "cancelled"])
def test_an_order_that_cannot_hold_a_damaged_item_gets_none(status):
    assert faulty_item_options(_order(status), [], TODAY, "USD") is None


def test_a_recorded_refund_leaves_it_to_the_refund_answer():
    pending = RefundRecord(7, Decimal("258.00"), "pending", dt.datetime(2026, 12, 1, 10))
    assert faulty_item_options(_order("delivered", TODAY), [pending], TODAY, "USD") is None


@pytest.mark.parametrize("text, starts", [
    ("hey so my air fryer stopped working after like 3 months, is there warranty??", "Yes: at that age it's within our 2-year"),
    ("my laptop screen died after 8 months, am i covered?", "Yes: at that age it's within our 2-year"),
    ("it arrived broken 2 days ago, is that covered", "Yes: within 30 days of delivery"),
    ("the kettle broke after 3 years, is it under guarantee", "Our warranty covers manufacturing defects for 2 years"),
    ("my coffee machine stopped heating after 8 months is that covered by warranty or what",
     "Yes: at that age it's within our 2-year"),
])
def test_the_warranty_verdict_for_the_age_given(text, starts):
    from lift.commerce.returns import warranty_verdict

    assert warranty_verdict(text).startswith(starts)


@pytest.mark.parametrize("text", ["how long is the warranty", "my blender stopped working, is it covered?",
                                  "is the 3 month old model covered by a deal"])
def test_no_verdict_without_a_fault_an_age_and_a_question_of_cover(text):
    from lift.commerce.returns import warranty_verdict

    assert warranty_verdict(text) is None


async def test_a_warranty_question_with_an_age_gets_the_verdict_cited(res):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.knowledge import ActionAnswerQuestion
    from tests.support.trackers import make_tracker, slot_events

    d = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(d, make_tracker(
        "hey so my air fryer stopped working after like 3 months, is there warranty??", "ask_question"), {})
    said = d.messages[0]["text"]
    assert said.startswith("Yes: at that age") and said.endswith("(policy:warranty#warranty-coverage)"), said
    assert slot_events(events) == {"kb_doc_id": "policy:warranty#warranty-coverage"}


def test_the_claim_steps_are_the_warranty_policys():
    from lift.commerce.returns import HOW_TO_CLAIM

    warranty = (Path(__file__).resolve().parents[2] / "kb" / "policies" / "warranty.md").read_text(encoding="utf-8")
    assert f"for {WARRANTY_YEARS} years from the delivery date" in warranty and "{#warranty-coverage}" in warranty
    for fact in ("order number", "photo or video", "within 2 business days", "prepaid label"):
        assert fact in warranty and fact in HOW_TO_CLAIM


@pytest.mark.parametrize("text, reports", [
    ("ordered headphones got a toaster lol. what do i do", True), ("my kettle arrived broken", True),
    ("i ordered the aria and got the aria pro", True), ("a kettle that won't break", False),
    ("headphones that dont work with iphone?", False), ("i bought a blender last week and got charged twice", False),
    # theirs broke and they shop for a new one: products, not the damaged-item steps
    ("Hello dear, my old coffee machine broke. Do you have coffee makers or espresso machines?", False),
    ("bruh my charger died, u got chargers or cables?", False),
    ("my kettle i ordered from you broke, do you have a replacement?", True), ("you got me the wrong item", True),
    ("I received a kettle but I ordered a lamp", True), ("you sent me a blender, i ordered a toaster", True),
    ("I got a new kettle and I ordered a lamp too", False), ("i received the lamp i ordered", False),
    ("i got the kettle, i ordered it last week and love it", False),
    ("box came today n its a kettle, i ordered a blender??", True),
    ("I have ordered the Slate Mini tablet but in the package is a phone case. This is not my product.", True),
    ("it's a gift, i ordered a blender for my mum, when will it come", False),
    ("the parcel arrived, its a great kettle, i ordered another one", False),
])
def test_an_item_of_theirs_reported_faulty_or_wrong(text, reports):
    from lift.commerce.returns import reports_faulty_item

    assert reports_faulty_item(text) is reports


async def test_a_wrong_item_read_as_a_search_gets_the_free_return_not_a_card(res, domain):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.catalog import ActionShowProducts
    from tests.support.trackers import make_tracker, texts

    d = CollectingDispatcher()
    await ActionShowProducts().run(d, make_tracker("ordered headphones got a toaster lol. what do i do", "search_product"), domain)
    assert texts(d).startswith("Sorry about that. An item that arrived damaged, faulty or not what you ordered"), texts(d)
    assert not any(m.get("custom") for m in d.messages)
