"""A yes/no question about one product's feature that its page never mentions ("does the nimbus 14
have a backlit keyboard") is said to be unmentioned, before the page, instead of the page alone
as if it answered. Real catalog, shipped knowledge base, real Trackers."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerQuestion
from lift.commerce.products import feature_not_mentioned
import lift.retrieval as lr
from tests.support.trackers import make_tracker, slot_events

_NIMBUS_PAGE = ("Nimbus 14 Laptop is in our Computers range, priced at $899.00. A light 14-inch laptop with 16 GB of "
                "memory, a 512 GB SSD and up to 15 hours of battery life. The aluminium body weighs 1.3 kg and charges "
                "over USB-C. Specifications: screen in: 14; ram gb: 16; storage gb: 512; color: space grey.")


@pytest.mark.parametrize("question, feature", [
    ("does the nimbus 14 have a backlit keyboard", "backlit keyboard"), ("is it good for gaming?", "gaming"),
    ("can it do 4k", "4k"), ("does it have a touchscreen", "touchscreen"),
    ("is it any good for video editing", "video editing"),
])
def test_a_feature_the_page_never_mentions_is_named(question, feature):
    assert feature_not_mentioned(_NIMBUS_PAGE, question, ["nimbus", "14", "laptop"]) == feature


@pytest.mark.parametrize("question", [
    "does it have usb-c", "does it have an ssd?", "what colours does it come in", "is the nimbus 14 light",
    "does it have a long battery", "does it come in grey", "does the nimbus 14 laptop have", "how much memory",
])
def test_a_feature_the_page_mentions_or_no_feature_asked_is_not_flagged(question):
    assert feature_not_mentioned(_NIMBUS_PAGE, question, ["nimbus", "14", "laptop"]) is None


async def _ask(text, **kw):
    d = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(d, make_tracker(text, "ask_question", **kw), {})
    return d, events


async def test_the_shopper_is_told_the_page_does_not_say_then_gets_the_page(shipped_retriever, res):
    lr.set_retriever(shipped_retriever)
    try:
        d, events = await _ask("does the nimbus 14 have a backlit keyboard")
        plain, _ = await _ask("how long does the nimbus 14 battery last")
    finally:
        lr.set_retriever(None)
    said = [m.get("text") or "" for m in d.messages]
    assert said[0].startswith("The Nimbus 14 Laptop's page doesn't mention backlit keyboard"), said
    assert d.messages[0]["buttons"] == [{"title": "Ask our team", "payload": "/contact_human_agent"}]
    assert slot_events(events)["kb_doc_id"] == "product:CMP-001" and "(product:CMP-001)" in said[-1], said
    assert "doesn't mention" not in str(plain.messages)
