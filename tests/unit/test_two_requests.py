"""Two requests in one message, a command then a question: "add the aria headphones to my cart and
whats ur return policy" adds the headphones and answers the question (cited), instead of dropping
one. Real catalog, shipped knowledge base, real Trackers and domain."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

import lift.retrieval as lr
from actions.cart import ActionAddToCart
from lift.nlu.scope import guarded_intent
from lift.understanding.clauses import command_then_question
from tests.support.trackers import ent, make_tracker, slot_events, texts


@pytest.mark.parametrize("text, split", [
    ("add the aria headphones to my cart and whats ur return policy", ("add the aria headphones to my cart",
                                                                        "whats ur return policy")),
    ("add the standing desk pls, oh and is there a bulky item surcharge on it",
     ("add the standing desk pls", "is there a bulky item surcharge on it")),
    ("add the kettle. how long is delivery?", ("add the kettle", "how long is delivery?")),
    ("how much is the nimbus 14 and hows the battery", None), ("add 2 smart plugs", None), ("add it and the nimbus 16", None),
])
def test_a_command_then_a_question(text, split):
    assert command_then_question(text) == split


def test_the_add_is_the_intent_when_the_question_was_read():
    text = "add the aria headphones to my cart and whats ur return policy"
    ranking = [{"name": "ask_question", "confidence": 0.7}, {"name": "add_to_cart", "confidence": 0.2}]
    product = {"entity": "product", "value": "aria headphones", "start": 8, "end": 23}
    assert guarded_intent(ranking[0], ranking, [product], text)["name"] == "add_to_cart"
    late = {"entity": "product", "value": "aria", "start": 50, "end": 54}  # a product only in the question
    assert (guarded_intent(ranking[0], ranking, [late], "add it to my cart and whats the aria battery like") or {}).get(
        "name") != "add_to_cart"


async def test_the_add_happens_and_the_question_is_answered(shipped_retriever, res, domain):
    lr.set_retriever(shipped_retriever)
    try:
        d = CollectingDispatcher()
        text = "add the aria headphones to my cart and whats ur return policy"
        events = await ActionAddToCart().run(d, make_tracker(text, "add_to_cart", entities=[ent("product", "aria headphones")]),
                                             domain)
    finally:
        lr.set_retriever(None)
    assert [i["sku"] for i in slot_events(events)["cart"]] == ["AUD-001"]
    said = texts(d)
    assert said.startswith("Added 1 × Aria Wireless Headphones") and "(policy:returns#" in said, said
    assert "Want me to add it?" not in said  # no cross-sell offer on top of the answer


async def test_two_adds_then_tell_me_adds_both_and_answers(shipped_retriever, res, domain):
    """"Add the Glide Wireless Mouse and the Clarity 27-inch monitor to my cart, and tell me how long returns
    take." (read as a delivery question) added nothing and answered the delivery times."""
    text = "Add the Glide Wireless Mouse and the Clarity 27-inch monitor to my cart, and tell me how long returns take."
    ents = [{"entity": "product", "value": v, "start": text.index(v), "end": text.index(v) + len(v)}
            for v in ("Glide Wireless Mouse", "Clarity 27-inch monitor")]
    intent = {"name": "delivery_period", "confidence": 0.5}
    assert guarded_intent(intent, [intent], ents, text)["name"] == "add_to_cart"
    lr.set_retriever(shipped_retriever)
    try:
        d = CollectingDispatcher()
        events = await ActionAddToCart().run(d, make_tracker(text, "add_to_cart", entities=ents), domain)
    finally:
        lr.set_retriever(None)
    assert sorted(i["sku"] for i in slot_events(events)["cart"]) == ["CMP-005", "CMP-008"], texts(d)
    assert "(policy:returns#" in texts(d), texts(d)
