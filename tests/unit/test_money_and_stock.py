"""One price format and one stock wording for chat text, product cards, web and channels;
email and phone parsing through email-validator and phonenumbers."""
from __future__ import annotations

from decimal import Decimal

import pytest

from actions import resources
from actions.price import ActionShowPrice
from lift.channels.cards import card_details
from lift.channels.slack import slack_product_blocks
from lift.commerce.cards import cards_message
from lift.commerce.cart import add_item, check_coupon
from lift.commerce.contacts import parse_email, parse_phone
from lift.commerce.money import format_price
from lift.commerce.products import LOW_STOCK, stock_label, stock_level
from lift.config import ConfigError, load_settings, reset_settings
from lift.store.engine import session_scope
from lift.store.models import StockLevel
from tests.support.trackers import make_tracker, texts


def test_price_currency_defaults_to_lift_currency(monkeypatch):
    monkeypatch.setenv("LIFT_CURRENCY", "EUR")
    reset_settings()
    try:
        assert format_price(Decimal("1234.5")) == "€1,234.50"
        assert format_price("10", "GBP") == "£10.00"  # an explicit currency wins
    finally:
        monkeypatch.delenv("LIFT_CURRENCY")
        reset_settings()
    assert format_price(Decimal("1234.5")) == "$1,234.50"


def test_stock_levels_share_one_threshold():
    assert [stock_level(n) for n in (0, 1, LOW_STOCK, LOW_STOCK + 1)] == ["out", "low", "low", "in"]
    assert stock_label(0) == "Out of stock"
    assert stock_label(2) == "Only 2 left"
    assert stock_label(LOW_STOCK + 1) == "In stock"


@pytest.mark.parametrize("stock", range(0, LOW_STOCK + 3))
async def test_chat_text_card_and_channels_word_stock_and_price_alike(stock, catalog, res, dispatcher, domain):
    with session_scope(res.engine) as s:  # stock is the database's (the catalog file only seeds it)
        s.get(StockLevel, "AUD-001").stock = stock
    await ActionShowPrice().run(dispatcher, make_tracker("how much is it", "ask_price",
                                                         slots={"last_product": "AUD-001"}), domain)
    text = texts(dispatcher)
    card = dispatcher.messages[0]["custom"]["products"][0]
    assert card["stock_label"] == stock_label(stock)
    assert f"({card['stock_label'].lower()})" in text
    assert card["price_label"] == "$129.00" and "costs $129.00" in text
    assert card_details(card) == f"$129.00 · {card['stock_label']}"
    settings = load_settings({})
    assert card["stock_label"] in slack_product_blocks([card], settings)[0]["text"]["text"]


def test_cards_message_carries_the_wording(catalog):
    cards = cards_message([catalog.get("AUD-001")], "USD")["products"]
    assert cards[0]["price_label"] == "$129.00" and cards[0]["stock_level"] in ("in", "low", "out")


def test_coupon_messages_use_the_price_format(res, catalog):
    cart = add_item([], catalog.get("AUD-001"), 1)
    check = check_coupon(res.engine, "SAVE20", cart, currency="USD")
    assert not check.ok and "at least $150.00" in check.message and "$129.00" in check.message
    cart = add_item([], catalog.get("CMP-001"), 2)
    assert "you save $20.00" in check_coupon(res.engine, "SAVE20", cart, currency="USD").message


def test_action_server_refuses_a_catalog_in_another_currency(tmp_path):
    settings = load_settings({"LIFT_CURRENCY": "EUR", "LIFT_DB_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    with pytest.raises(ConfigError, match="LIFT_CURRENCY=USD"):
        resources.build(settings)


@pytest.mark.parametrize("raw,expected", [
    ("+44 20 7946 0958", "+442079460958"), ("+1 (415) 555-0134", "+14155550134"),
    ("+999 1234567", None),  # no such country code
    ("0301234567", "0301234567"), ("12-34", None),
])
def test_parse_phone(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("<Jane.Doe@Acme.io>", "jane.doe@acme.io"), ("jöe@acme.io", "jöe@acme.io"),
    ("jane@localhost", None), ("jane@-acme.io", None), ("jane@acme", None),
])
def test_parse_email(raw, expected):
    assert parse_email(raw) == expected
