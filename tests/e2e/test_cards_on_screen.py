"""Several product cards on screen, over REST with the trained model: a bare number picks nothing
(the bot asks which, keeping the number), "compare" puts them side by side, and a price for
several different products totals all of them. Written in a voice unlike the training data."""
from __future__ import annotations

import pytest

from tests.support.servers import new_sender, texts

pytestmark = pytest.mark.e2e



def cards(replies):
    return [p["sku"] for r in replies for p in ((r.get("custom") or {}).get("products") or [])]


def test_a_number_with_several_cards_on_screen_asks_which_then_adds_that_many(stack):
    me = new_sender()
    shown = cards(stack.say(me, "wanna see the nimbus laptops"))
    assert 2 <= len(shown) <= 3, shown
    replies = stack.say(me, "stick 2 in my cart")
    assert texts(replies).startswith(f"I showed you {len(shown)} products."), texts(replies)
    pick = [b for r in replies for b in (r.get("buttons") or [])][1]
    assert '"quantity":"2"' in pick["payload"]
    replies = stack.say(me, pick["payload"])
    assert "Added 2 ×" in texts(replies)
    cart = stack.tracker(me)["slots"]["cart"]
    assert [(i["sku"], i["qty"]) for i in cart] == [(shown[1], 2)]


def test_compare_the_cards_on_screen(stack):
    me = new_sender()
    shown = cards(stack.say(me, "wanna see the nimbus laptops"))
    replies = stack.say(me, "hmm can u compare them")
    assert " vs " in texts(replies).splitlines()[0], texts(replies)
    assert sorted(cards(replies)) == sorted(shown)


def test_a_price_for_two_different_products_is_the_total_of_both(stack):
    me = new_sender()
    replies = stack.say(me, "what'd it cost for 2 nimbus 14 laptops plus one nimbus sleeve")
    assert "Together: 2 × Nimbus 14 Laptop + 1 × Nimbus 14 Laptop Sleeve = $1,833.00." in texts(replies), texts(replies)
