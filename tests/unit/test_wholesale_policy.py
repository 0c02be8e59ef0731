"""The wholesale policy says what the basket does: the same volume tiers, for every customer,
never combined with a promo code (the larger saving applies)."""
import re
from decimal import Decimal
from pathlib import Path

from lift.commerce.pricing import VOLUME_TIERS, describe_volume_discounts, line_volume_percent

POLICY = (Path(__file__).resolve().parents[2] / "kb" / "policies" / "wholesale.md").read_text()


def _section(title: str) -> str:
    return POLICY.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_policy_tiers_are_the_baskets():
    text = _section("Volume discounts")
    stated = {(int(n), Decimal(p)) for n, p in re.findall(r"(\d+) or more units[^,.]*? get (\d+)% off", text)}
    assert stated == set(VOLUME_TIERS)
    for minimum, percent in VOLUME_TIERS:
        assert line_volume_percent(minimum) == percent and line_volume_percent(minimum - 1) != percent


def test_policy_and_assistant_agree_on_who_gets_it():
    text = _section("Volume discounts")
    assert "every customer" in text and "business accounts" not in text.replace("with or without a business account", "")
    assert "cannot be combined with promo codes" in text and "larger saving applies" in text
    assert "larger saving applies" in describe_volume_discounts()
