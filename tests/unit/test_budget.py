"""A budget said once is remembered: used when a later message points back to it, and an add over it
says so. Real Trackers, the real catalog."""
import pytest

from actions.cart import ActionAddToCart
from actions.catalog import ActionShowProducts
from lift.understanding.prices import refers_to_budget
from tests.support.trackers import make_tracker, slot_events, texts


def _cards(dispatcher):
    return [p["sku"] for m in dispatcher.messages for p in (m.get("custom") or {}).get("products", [])]


@pytest.mark.parametrize("text, refers", [
    ("which ones r under my budget", True), ("r any of those in my budget?", True), ("anything within budget", True),
    ("which ones fit my budget", True),
    ("under my budget of 80", False),  # a new one
    ("what's your budget laptop", False), ("show me headphones", False),
])
def test_a_message_pointing_back_to_the_budget(text, refers):
    assert refers_to_budget(text) is refers


async def test_a_budget_given_is_remembered(res, dispatcher, domain):
    tracker = make_tracker("need xmas gift for my 15yo son, budget is like 100 max", "search_product")
    assert slot_events(await ActionShowProducts().run(dispatcher, tracker, domain))["budget"] == 100.0


async def test_which_of_the_cards_shown_are_within_the_budget(res, dispatcher, domain):
    """It showed the $129 Aria to "which ones r under my budget" with a $100 budget."""
    tracker = make_tracker("which ones r under my budget", "search_product",
                           slots={"budget": 100.0, "last_shown": ["AUD-001", "AUD-003", "AUD-004"]})
    events = slot_events(await ActionShowProducts().run(dispatcher, tracker, domain))
    res_catalog = __import__("actions.resources", fromlist=["get"]).get().catalog
    assert _cards(dispatcher) and all(res_catalog.get(s).price <= 100 for s in _cards(dispatcher))
    assert texts(dispatcher) in ("These are within your $100.00 budget:", "None of those is within your $100.00 budget; these are:")
    assert events["last_shown"] == _cards(dispatcher)


async def test_none_of_the_cards_within_the_budget_shows_their_kind_that_is(res, dispatcher, domain):
    tracker = make_tracker("r any of those in my budget?", "search_product",
                           slots={"budget": 100.0, "last_shown": ["AUD-001", "AUD-002"]})  # $129, $249 headphones
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ("None of those is within your $100.00 budget, nor anything else like them; from the "
                                 "same department, these are:") and _cards(dispatcher)  # no headphones: the earbuds


async def test_a_later_search_pointing_back_uses_the_budget(res, dispatcher, domain):
    tracker = make_tracker("any headphones within my budget", "search_product", slots={"budget": 150.0},
                           entities=[{"entity": "category", "value": "headphones", "start": 4, "end": 14}])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert "AUD-002" not in _cards(dispatcher) and _cards(dispatcher)  # the $249 Aria Pro


async def test_an_add_over_the_budget_says_so(res, dispatcher, domain):
    tracker = make_tracker("ok add the aria pro", "add_to_cart", slots={"budget": 150.0},
                           entities=[{"entity": "product", "value": "aria pro", "start": 7, "end": 15}])
    await ActionAddToCart().run(dispatcher, tracker, domain)
    assert "The Aria Pro Noise-Cancelling Headphones costs $249.00, over the $150.00 budget you mentioned." in texts(dispatcher)
    dispatcher.messages.clear()
    await ActionAddToCart().run(dispatcher, make_tracker("ok add the aria pro", "add_to_cart", entities=[
        {"entity": "product", "value": "aria pro", "start": 7, "end": 15}]), domain)
    assert "budget" not in texts(dispatcher)


async def test_a_gift_search_then_what_the_person_likes_keeps_the_budget(res, dispatcher, domain):
    """"hiya need xmas gift for my 15yo son, budget is like 100 max" showed "I don't have exactly that";
    then "he likes gaming n music" ignored the budget."""
    tracker = make_tracker("hiya need xmas gift for my 15yo son, budget is like 100 max", "search_product")
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == "Some of what we have for $100.00 or less:"
    dispatcher.messages.clear()
    await ActionShowProducts().run(dispatcher, make_tracker("he likes gaming n music", "search_product",
                                                            slots={"budget": 100.0}), domain)
    catalog = __import__("actions.resources", fromlist=["get"]).get().catalog
    assert _cards(dispatcher) and all(catalog.get(s).price <= 100 for s in _cards(dispatcher)), texts(dispatcher)


@pytest.mark.parametrize("text, terms", [
    ("What's the volume discount on that?", True), ("any bulk pricing on the mouse", True),
    ("is there a discount for buying 20", True), ("how much is it", False), ("any deals on the aria?", False),
])
async def test_the_volume_terms_asked_by_name_are_the_tiers(res, dispatcher, domain, text, terms):
    """"What's the volume discount on that?" after adding a mouse asked which product, then gave $39."""
    from actions.price import ActionShowPrice
    tracker = make_tracker(text, "ask_price", slots={"last_product": "CMP-008", "last_shown": ["CMP-008"]})
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert texts(dispatcher).startswith("Orders of 10 or more of one product get 5% off") is terms, texts(dispatcher)


@pytest.mark.parametrize("text", [
    "birthday gift for my nephew, he's turning 13. budget is about 80 dollars",  # "I couldn't find a product"
    "shopping for my 14 yo son's christmas present, max 100 bucks",  # the Nimbus 14's sleeve, for "14"
])
async def test_a_gift_with_a_budget_and_nothing_named_lists_what_the_budget_buys(res, dispatcher, domain, text):
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    assert texts(dispatcher).startswith("Some of what we have for $") and _cards(dispatcher), texts(dispatcher)


@pytest.mark.parametrize("text", ["which of these is under 100?", "any of those below $100", "are those under 100?",
                                  "which ones cost less than 100"])
async def test_a_limit_asked_of_the_cards_shown_filters_them(res, dispatcher, domain, text):
    """"which of these is under 100?" after three headphones ($129, $89, $69): the two that are, not a
    new search over the whole store."""
    tracker = make_tracker(text, "search_product", slots={"last_shown": ["AUD-001", "AUD-003", "AUD-004"]})
    events = slot_events(await ActionShowProducts().run(dispatcher, tracker, domain))
    assert texts(dispatcher) == "These are under $100.00:" and _cards(dispatcher) == ["AUD-003", "AUD-004"]
    assert events["last_shown"] == ["AUD-003", "AUD-004"] and "budget" not in events  # asked of these, not a budget


async def test_no_card_shown_under_the_limit_asked_shows_their_kind_that_is(res, dispatcher, domain):
    tracker = make_tracker("which of these are under 100", "search_product", slots={"last_shown": ["AUD-001", "AUD-002"]})
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == "None of those is under $100.00, nor anything else like them; from the same department, these are:"
    assert _cards(dispatcher) and all(s.startswith("AUD-") for s in _cards(dispatcher))


async def test_none_shown_under_the_limit_shows_the_same_kind_first(res, dispatcher, domain):
    tracker = make_tracker("anything under 200?", "search_product", slots={"last_shown": ["AUD-002"]})  # $249 headphones
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == "None of those is under $200.00; these are:" and _cards(dispatcher) == ["AUD-001"]


async def test_anything_under_a_limit_after_cards_is_of_their_kind(res, dispatcher, domain):
    """Phones shown ($799, $399), then "ngl thats kinda pricey, anything under 300??": no phone is, and it
    says so (it showed a $129 gimbal, which "ok bet add it" then added)."""
    tracker = make_tracker("ngl thats kinda pricey, anything under 300??", "search_product",
                           slots={"last_shown": ["PHN-001", "PHN-002"]})
    events = slot_events(await ActionShowProducts().run(dispatcher, tracker, domain))
    assert texts(dispatcher) == ("None of those is under $300.00, nor anything else like them; from the same department, "
                                 "these are:")
    assert _cards(dispatcher) == ["PHN-006", "PHN-007"] and events["last_shown"] == ["PHN-006", "PHN-007"]  # the watches


async def test_a_limit_with_a_kind_named_is_a_new_search_not_the_cards_shown(res, dispatcher, domain):
    tracker = make_tracker("which kettles are under 100", "search_product", slots={"last_shown": ["AUD-001", "AUD-003"]},
                           entities=[{"entity": "category", "value": "kettles", "start": 6, "end": 13}])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert _cards(dispatcher) and not any(s.startswith("AUD-") for s in _cards(dispatcher))
