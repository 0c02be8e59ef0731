"""Volume discounts in pricing, the dev maildir transport, and `lift agent` / `lift outbox` on
bad input (exit 2 with a reason, nothing changed)."""
import mailbox
from decimal import Decimal

import pytest

from lift.cli import main
from lift.commerce import cart as c
from lift.commerce import orders
from lift.commerce.pricing import best_discount, volume_discount
from lift.notify.outbox import deliver_pending, list_messages
from lift.notify.transport import MaildirTransport, transport_for


def test_volume_tiers_per_line():
    lines = [{"qty": 9, "unit_price": "10.00"}, {"qty": 10, "unit_price": "10.00"}, {"qty": 50, "unit_price": "1.99"}]
    assert volume_discount(lines) == Decimal("5.00") + Decimal("9.95")
    assert best_discount(Decimal("5.00"), Decimal("12.00")) == ("coupon", Decimal("12.00"))
    assert best_discount(Decimal("5.00"), Decimal("0")) == ("volume", Decimal("5.00"))
    assert best_discount(Decimal("0"), Decimal("0"))[0] == "none"


def test_quote_applies_the_larger_of_volume_and_coupon(res, catalog):
    cart = c.add_item([], catalog.get("ACC-003"), 12)  # 12 x 29.00 = 348.00
    q = orders.quote(res.engine, catalog, cart, "standard", None)
    assert (q.discount_kind, q.discount, q.total) == ("volume", Decimal("17.40"), Decimal("330.60"))
    q = orders.quote(res.engine, catalog, cart, "standard", "WELCOME10")  # 10 % beats 5 %, never both
    assert (q.discount_kind, q.discount, q.coupon_code) == ("coupon", Decimal("34.80"), "WELCOME10")


def test_order_confirmation_lands_in_the_dev_maildir(res, catalog, tmp_path):
    orders.create_order(res.engine, catalog, sender_id="s", cart=c.add_item([], catalog.get("ACC-003"), 1),
                        email="a@b.io", shipping_address="1 Main St, Town", shipping_method="standard")
    transport = transport_for(f"maildir:{tmp_path / 'mail'}")
    assert isinstance(transport, MaildirTransport)
    assert deliver_pending(res.engine, transport, "Lift <x@y.z>").sent == 1
    [msg] = list(mailbox.Maildir(str(tmp_path / "mail")))
    assert msg["To"] == "a@b.io" and "Your Lift order LFT" in msg["Subject"]
    assert [m.status for m in list_messages(res.engine)] == ["sent"]
    body = msg.get_payload(decode=True).decode()
    assert "Shipping (Standard" in body and "(standard)" not in body  # the option's name, never its key


@pytest.mark.parametrize("argv,message", [
    (["agent", "claim", "999", "--agent", "sam"], "no ticket 999"),
    (["agent", "revert", "999", "--agent", "sam"], "no order change 999"),
    (["agent", "unlock", "LFT100001", "nobody"], "has no lock"),
    (["agent", "reply", "999", "  ", "--agent", "sam"], "empty"),
])
def test_agent_cli_bad_input_exits_2(res, monkeypatch, capsys, argv, message):
    monkeypatch.setenv("LIFT_DB_URL", str(res.engine.url))
    from lift import config

    config.reset_settings()
    try:
        assert main(argv) == 2
    finally:
        config.reset_settings()
    assert message in capsys.readouterr().err


def test_volume_discounts_are_described_from_the_tiers_and_asked_about():
    from lift.commerce.pricing import VOLUME_TIERS, asks_about_volume_price, describe_volume_discounts

    text = describe_volume_discounts()
    for minimum, percent in VOLUME_TIERS:
        assert f"{minimum} or more" in text and f"{percent}%" in text
    assert asks_about_volume_price("we're a school buying 30 tablets, is there a discount?")
    assert asks_about_volume_price("any bulk pricing for 60 chairs")
    assert asks_about_volume_price("Do you do a cheaper price if I buy 12 for my team?")
    assert not asks_about_volume_price("book a demo for next tuesday")
