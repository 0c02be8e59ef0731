"""Coupons through action_apply_coupon with real Trackers and the seeded SQLite coupons: a code typed
in words, one coupon replacing another (said so), and taking a coupon off."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.coupons import ActionApplyCoupon
from tests.support.trackers import make_tracker, slot_events, texts

CART = [{"sku": "AUD-002", "qty": 1, "unit_price": "249.00"}]


async def apply(text, **slots):
    d = CollectingDispatcher()
    events = await ActionApplyCoupon().run(d, make_tracker(text, "apply_coupon", slots={"cart": CART, **slots}), {})
    return texts(d), slot_events(events)


@pytest.mark.parametrize("text", ["remove coupon", "take the discount code off please", "remove the discount code"])
async def test_a_coupon_can_be_taken_off(res, text):
    said, slots = await apply(text, coupon_code="SAVE20")
    assert slots == {"coupon_code": None} and said == "Done: coupon SAVE20 is off your order."
    said, slots = await apply(text)
    assert slots == {} and said == "There's no coupon on your order."


async def test_a_new_coupon_says_which_one_it_replaces(res):
    said, slots = await apply("use WELCOME10 instead", coupon_code="SAVE20")
    assert slots == {"coupon_code": "WELCOME10"} and "It replaces SAVE20" in said


@pytest.mark.parametrize("text, code", [("what about BLACKFRIDAY50", "BLACKFRIDAY50"), ("use code freeship", "FREESHIP")])
async def test_an_unknown_code_typed_in_words_is_checked_not_asked_for(res, text, code):
    said, slots = await apply(text)
    assert slots == {} and said == f"I couldn't find a coupon called {code}."


@pytest.mark.parametrize("text, slots, entities, sku", [
    ("ok the lite one pls, and i have code WELCOME10", {"last_shown": ["PHN-001", "PHN-002"]}, [], "PHN-002"),
    ("I'd like the Clarity 24-inch monitor please. Is WELCOME10 valid on it?", {},
     [{"entity": "product", "value": "Clarity 24-inch monitor", "start": 11, "end": 34}], "CMP-006"),
])
async def test_a_product_asked_for_with_a_code_is_added_then_the_code_applied(res, text, slots, entities, sku):
    """It said "Your cart is empty: add something first" and never added the product."""
    from actions.cart import ActionAddToCart
    tracker = make_tracker(text, "apply_coupon", slots={"cart": [], **slots}, entities=entities)
    d = CollectingDispatcher()
    events = await ActionApplyCoupon().run(d, tracker, {})
    assert events == [{"event": "followup", "name": "action_add_to_cart", "timestamp": None}] and not d.messages
    d = CollectingDispatcher()
    added = slot_events(await ActionAddToCart().run(d, tracker, {}))
    assert [i["sku"] for i in added["cart"]] == [sku] and added["coupon_code"] == "WELCOME10", texts(d)
    assert "WELCOME10" in texts(d)


@pytest.mark.parametrize("text", ["is WELCOME10 still valid?", "i have code WELCOME10"])
async def test_a_code_alone_with_an_empty_cart_is_not_an_add(res, text):
    events = await ActionApplyCoupon().run(CollectingDispatcher(), make_tracker(
        text, "apply_coupon", slots={"cart": [], "last_shown": ["PHN-002"]}), {})
    assert not any(e.get("event") == "followup" for e in events)
