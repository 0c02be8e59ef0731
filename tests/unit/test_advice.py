"""Advice by use ("which is better for running, the earbuds or the headphones?", "best laptop for video
editing"): the use read from the question, the pick decided by the real encoder over the real catalog's
descriptions and quoted, the card shown; no pick when no use is asked or none stands out."""
import pytest

import lift.retrieval as lr
from actions.catalog import ActionShowProducts
from actions.knowledge import ActionAnswerQuestion
from lift.retrieval.uses import best_for, use_asked
from tests.support.trackers import make_tracker, slot_events, texts


@pytest.mark.parametrize("text, use", [
    ("which is better for running, the earbuds or the headphones?", "running"),
    ("best laptop for video editing", "video editing"),
    ("what would you recommend for a long trip without chargers", "a long trip without chargers"),
    ("which one is good for my son", None),  # a recipient, not a use
    ("which is better for under 100", None),  # a budget
    ("which one is lighter", None),
])
def test_the_use_is_read_from_the_question(text, use):
    assert use_asked(text) == use


@pytest.fixture
def retriever(shipped_retriever):
    lr.set_retriever(shipped_retriever)
    yield shipped_retriever
    lr.set_retriever(None)


def _ents(text, *pairs):
    return [{"entity": e, "value": v, "start": text.index(v), "end": text.index(v) + len(v)} for e, v in pairs]


def test_the_pick_is_the_description_that_speaks_to_the_use(retriever, catalog):
    laptops = [catalog.get(s) for s in ("CMP-001", "CMP-002", "CMP-003")]
    pick = best_for(retriever.encoder, "gaming", [(p.sku, p.description) for p in laptops])
    assert pick == ("CMP-003", "A 17-inch gaming laptop with a dedicated graphics card and a 240 Hz display.")
    # nothing in either description speaks to flights more than the other: no pick
    aria = [catalog.get(s) for s in ("AUD-001", "AUD-002")]
    assert best_for(retriever.encoder, "flights", [(p.sku, p.description) for p in aria]) is None


async def test_better_for_running_between_two_named_products_picks_one(retriever, res, dispatcher, domain):
    """It showed the specification table, without a pick."""
    text = "which is better for running, the pulse sport earbuds or the aria headphones?"
    tracker = make_tracker(text, "ask_question", entities=_ents(text, ("product", "pulse sport earbuds"),
                                                                ("product", "aria headphones")))
    events = await ActionAnswerQuestion().run(dispatcher, tracker, domain)
    assert texts(dispatcher).startswith("For running, I'd pick the Pulse Sport Earbuds: “Sweat-proof earbuds")
    assert slot_events(events)["last_product"] == "AUD-004"  # "add it" next adds the pick


async def test_best_of_a_kind_for_a_use_picks_one_of_that_kind(retriever, res, dispatcher, domain):
    text = "best laptop for video editing"
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=_ents(text, ("category", "laptop"))),
                                   domain)
    assert texts(dispatcher).startswith("For video editing, I'd pick the Nimbus 16 Pro Laptop:")


async def test_a_kind_asked_without_a_use_is_the_list_as_before(retriever, res, dispatcher, domain):
    text = "show me your laptops"
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=_ents(text, ("category", "laptops"))),
                                   domain)
    assert texts(dispatcher) == "Here are our laptops:"
