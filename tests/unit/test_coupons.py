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
