"""Buying and checking out in one message, over REST with the trained model: the product named goes
in the (empty) cart, every answer the message carries is taken, and the order is placed after the
summary's yes; then that order's email is changed ("wrong email on that order"). Written in a voice
unlike the training data."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from tests.support.servers import new_sender, texts

pytestmark = pytest.mark.e2e


def test_product_email_address_and_delivery_in_one_message(stack):
    me = new_sender()
    replies = stack.say(me, "ok sold, check me out with the volt charger - lee@example.com, 22 Birch Rd, Denver CO 80203, "
                            "standard shipping")
    said = texts(replies)
    assert said.startswith("Added 1 × Volt 65W USB-C Charger to your cart."), said
    assert "lee@example.com" in said and "22 Birch Rd" in said  # straight to the summary: nothing asked again
    slots = stack.tracker(me)["slots"]
    assert slots["requested_slot"] == "checkout_confirmed" and slots["shipping_method"] == "standard", slots
    said = texts(stack.say(me, "yep go ahead"))
    order_id = re.search(r"Order placed! Your order number is (LFT\d{6})", said).group(1)
    engine = sa.create_engine(stack.db_url, future=True)
    try:
        with engine.connect() as c:
            items = c.execute(sa.text("SELECT items FROM orders WHERE order_id = :o"), {"o": order_id}).scalar_one()
    finally:
        engine.dispose()
    items = json.loads(items) if isinstance(items, str) else items
    assert [(i["sku"], i["qty"]) for i in items] == [("ACC-001", 1)], items


def test_a_number_before_the_product_is_how_many(stack):
    me = new_sender()
    said = texts(stack.say(me, "pls checkout with 2 swift electric kettles"))
    assert said.startswith("Added 2 × Swift Electric Kettle to your cart."), said
    assert stack.tracker(me)["slots"]["requested_slot"] == "email"


def test_the_email_of_the_order_just_placed_can_be_changed(stack):
    me = new_sender()
    stack.say(me, "checkout with the volt charger, lee@example.com, 22 Birch Rd, Denver CO 80203, standard shipping")
    said = texts(stack.say(me, "yes place it"))
    assert "Order placed!" in said, said
    order_id = re.search(r"Order placed! Your order number is (LFT\d{6})", said).group(1)
    said = texts(stack.say(me, "argh wrong email on that order, it should be lee.w@example.com"))
    assert "from: lee@example.com\nto: lee.w@example.com" in said, said
    said = texts(stack.say(me, "yes"))
    assert said.startswith(f"Updated: emails about order {order_id} now go to lee.w@example.com."), said
    engine = sa.create_engine(stack.db_url, future=True)
    try:
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT email FROM orders WHERE order_id = :o"), {"o": order_id}).scalar_one() \
                == "lee.w@example.com"
    finally:
        engine.dispose()
