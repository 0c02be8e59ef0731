"""The checkout's delivery options say and charge what the shipping policy the bot cites says
(kb/policies/shipping.md), and the form's buttons show the same prices: one table
(lift.commerce.orders.SHIPPING_METHODS), checked against both texts."""
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from lift.commerce.money import format_price
from lift.commerce.orders import SHIPPING_METHODS, parse_shipping_method

ROOT = Path(__file__).resolve().parents[2]
POLICY = (ROOT / "kb" / "policies" / "shipping.md").read_text(encoding="utf-8")


def _price(words: str) -> Decimal:
    match = re.search(words + r"[^.$]*\$(\d+(?:\.\d\d)?)", POLICY)
    assert match, f"the shipping policy no longer says {words!r} with a price"
    return Decimal(match.group(1))


def test_costs_and_free_threshold_are_the_policys():
    assert SHIPPING_METHODS["standard"].cost == _price("Standard delivery costs")
    assert SHIPPING_METHODS["standard"].free_over == _price("free on orders of")
    assert SHIPPING_METHODS["express"].cost == _price("Express delivery costs")
    assert SHIPPING_METHODS["next_day"].cost == _price("next-day delivery costs")
    assert SHIPPING_METHODS["pickup"].cost == 0 and "Store pickup is free" in POLICY


def test_delivery_days_are_the_policys():
    for key, words in (("standard", "Standard delivery arrives in 3-5"), ("express", "Express delivery arrives in 1-2"),
                       ("next_day", "Next-day delivery arrives on the next business day")):
        assert words in POLICY
    assert [SHIPPING_METHODS[k].days for k in ("standard", "express", "next_day")] == [5, 2, 1]


def test_the_forms_buttons_show_every_method_at_its_price():
    domain = yaml.safe_load((ROOT / "domain" / "checkout.yml").read_text(encoding="utf-8"))
    buttons = domain["responses"]["utter_ask_shipping_method"][0]["buttons"]
    assert [b["payload"] for b in buttons] == list(SHIPPING_METHODS)
    for b in buttons:
        method = SHIPPING_METHODS[b["payload"]]
        assert (format_price(method.cost, "USD") in b["title"]) or (method.cost == 0 and "free" in b["title"])
        if method.free_over is not None:
            assert f"free from {format_price(method.free_over, 'USD').replace('.00', '')}" in b["title"]
        assert parse_shipping_method(b["title"]) == method.key


def test_standard_is_free_from_the_threshold_after_discounts():
    standard = SHIPPING_METHODS["standard"]
    assert standard.cost_for(Decimal("49.99")) == Decimal("4.99")
    assert standard.cost_for(Decimal("50.00")) == Decimal("0.00")


@pytest.mark.parametrize("placed, key, arrives", [
    ("2026-12-07 10:00", "next_day", "2026-12-08"),   # Monday morning: leaves Monday, there Tuesday
    ("2026-12-07 15:00", "next_day", "2026-12-09"),   # after the 2 pm cut-off: leaves Tuesday
    ("2026-12-04 18:00", "express", "2026-12-09"),    # Friday evening: leaves Monday, 2 business days
    ("2026-12-05 21:00", "express", "2026-12-09"),    # Saturday: leaves Monday
    ("2026-12-05 09:00", "standard", "2026-12-14"),   # Saturday: leaves Monday, 5 business days
])
def test_arrival_counts_business_days_from_dispatch(placed, key, arrives):
    when = dt.datetime.strptime(placed, "%Y-%m-%d %H:%M")
    assert SHIPPING_METHODS[key].arrives_by(when) == dt.date.fromisoformat(arrives)


async def test_a_price_question_while_choosing_the_delivery_gets_the_options_prices(res, dispatcher, domain):
    from actions.price import ActionShowPrice
    from tests.support.trackers import make_tracker, texts

    tracker = make_tracker("how much is each option?", "ask_price", active_loop="checkout_form",
                           slots={"requested_slot": "shipping_method", "cart": [], "last_product": "AUD-001"})
    await ActionShowPrice().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert said.startswith("Standard (3-5 business days): $4.99, free from $50.00; Express") and "Aria" not in said
    assert all(m.title in said for m in SHIPPING_METHODS.values())


def test_express_and_next_day_refuse_a_po_box_as_the_policy_says(res, catalog):
    from lift.commerce.orders import OrderError, STREET_ONLY, create_order, method_problem

    assert "express and next-day delivery need a street address" in POLICY
    assert set(STREET_ONLY) == {"express", "next_day"}
    assert method_problem("standard", "PO Box 12, Austin") is None and method_problem("express", "1 Main St") is None
    with pytest.raises(OrderError, match="street address"):
        create_order(res.engine, catalog, sender_id="s", cart=[{"sku": "ACC-002", "qty": 1, "unit_price": "15.00"}],
                     email="a@b.io", shipping_address="P.O. Box 12, Austin, TX", shipping_method="next_day")


async def test_abroad_the_delivery_question_offers_only_what_ships_there(res, domain):
    """A UK address: the ask shows standard international and pickup, not express and next day
    (refused abroad), as Rasa's response filter picks the variation for ``shipping_abroad``."""
    from rasa.core.nlg.generator import ResponseVariationFilter
    from rasa_sdk.executor import CollectingDispatcher

    from actions.checkout import ValidateCheckoutForm
    from tests.support.trackers import make_tracker, slot_events

    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    address = "10 Downing Street, London SW1A 2AA, United Kingdom"
    tracker = make_tracker(address, "inform", active_loop="checkout_form",
                           slots={"cart": cart, "email": "a@b.io", "requested_slot": "shipping_address"})
    slots = slot_events(await ValidateCheckoutForm().run(CollectingDispatcher(), tracker, domain))
    assert slots["shipping_address"] and slots["shipping_abroad"] is True
    responses = yaml.safe_load((ROOT / "domain" / "checkout.yml").read_text(encoding="utf-8"))["responses"]
    picked = ResponseVariationFilter(responses).responses_for_utter_action(
        "utter_ask_shipping_method", "rest", {"shipping_abroad": True})
    assert [[b["payload"] for b in r["buttons"]] for r in picked] == [["standard", "pickup"]]
    assert "international" in picked[0]["buttons"][0]["title"]
    home = ResponseVariationFilter(responses).responses_for_utter_action(
        "utter_ask_shipping_method", "rest", {"shipping_abroad": False, "shipping_po_box": False})
    assert [[b["payload"] for b in r["buttons"]] for r in home] == [list(SHIPPING_METHODS)]
    box = ResponseVariationFilter(responses).responses_for_utter_action(
        "utter_ask_shipping_method", "rest", {"shipping_abroad": False, "shipping_po_box": True})
    assert [[b["payload"] for b in r["buttons"]] for r in box] == [["standard", "pickup"]]


@pytest.mark.parametrize("address, abroad, po_box", [
    ("12 Baker Street, London NW1 6XE, United Kingdom", True, False),
    ("P.O. Box 12, Austin, TX 78701", False, True),
    ("40 Oak Ave, Portland OR 97201", False, False),
])
async def test_an_address_given_with_the_email_sets_what_the_delivery_question_offers(res, domain, address, abroad,
                                                                                     po_box):
    """"jo@example.com, <address>" at the email question: the carried address tells the delivery
    question what ships there, as an address answered on its own does."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.checkout import ValidateCheckoutForm
    from tests.support.trackers import make_tracker, slot_events

    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    tracker = make_tracker(f"jo@example.com, {address}", "inform", active_loop="checkout_form",
                           slots={"cart": cart, "requested_slot": "email"})
    slots = slot_events(await ValidateCheckoutForm().run(CollectingDispatcher(), tracker, domain))
    assert slots["shipping_address"] and (slots["shipping_abroad"], slots["shipping_po_box"]) == (abroad, po_box)


@pytest.mark.parametrize("text, starts", [
    ("do you ship to australia", "Sorry, we don't deliver to Australia"),
    ("what about new zealand", "Sorry, we don't deliver to New Zealand"),
    ("how long it take to Germany please", "Yes, we deliver to Germany by standard international shipping: 5-10"),
    ("ok uk then, how long", "Yes, we deliver to the United Kingdom"),
    ("do u ship to canada?", "Yes, we deliver to Canada"),
    # a city says the country; so does a country named mid-sentence
    ("Hello, I'm in Toronto. If I order a pair of headphones today with express delivery, when would they arrive?",
     "Yes, we deliver to Canada"),
    ("Good afternoon. I live in Munich and I am considering ordering a desk chair from you. Could you tell me how "
     "long delivery to Germany would take and what it would cost me?", "Yes, we deliver to Germany"),
    ("how long does standard delivery take? We need stock in our London office by Friday.",
     "Yes, we deliver to the United Kingdom"),
    ("shipping to dublin?", "Yes, we deliver to Ireland"), ("deliver to sydney", "Sorry, we don't deliver to Australia"),
    # the words the scope guard reads as a delivery question are the ones answered here
    ("how long for express to reach ireland", "Yes, we deliver to Ireland"),
    ("do ya shiup to Hungary", "Yes, we deliver to Hungary"),
    ("can the courier bring it to my flat in Vienna", "Yes, we deliver to Austria"),
    # several countries in one message: each answered
    ("do you ship to canada, germany and japan?", "Yes, we deliver to Canada and Germany by standard international"),
    ("shipping to new zealand and australia?", "Sorry, we don't deliver to New Zealand and Australia: we ship to"),
])
def test_a_question_about_a_country_is_answered_from_the_policys_table(text, starts):
    from lift.commerce.destinations import load_country_names
    from lift.commerce.abroad import destination_answer

    load_country_names()
    assert destination_answer(text, "USD").startswith(starts), destination_answer(text, "USD")


def test_several_countries_get_one_answer_each():
    from lift.commerce.abroad import destination_answer

    said = destination_answer("do u deliver to france, the uk, brazil and spain? how much", "USD")
    assert said.startswith("Yes, we deliver to France, the United Kingdom and Spain by standard international shipping: "
                           "5-10 business days, $4.99"), said
    assert said.endswith("But we don't deliver to Brazil: we ship to the United States, Canada, the United Kingdom and "
                         "the European Union."), said
    assert destination_answer("ship to toronto or to my office in london", "USD").startswith(
        "Yes, we deliver to Canada and the United Kingdom")


@pytest.mark.parametrize("text", ["how long does shipping take", "do you ship to the us", "what about the aria",
                                  "i live in texas, how long", "i live in portland, how long does delivery take",
                                  "deliver to Paris, Texas", "is the turkey roaster shipped fast",
                                  "how long does delivery take, i'm at home all week", "invoice LFT100004 pdf pls"])
def test_no_country_abroad_no_country_answer(text):
    from lift.commerce.abroad import destination_answer

    assert destination_answer(text, "USD") is None


def test_a_deadline_says_which_options_make_it():
    from lift.commerce.orders import deadline_verdict

    monday = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)  # standard Mon 14, express Wed 09, next day Tue 08
    methods = ["standard", "express", "next_day"]
    assert deadline_verdict(methods, monday, dt.date(2026, 12, 11)) == \
        "By Fri 11 Dec: Express and Next-day make it; Standard would not."
    assert deadline_verdict(methods, monday, dt.date(2026, 12, 14)) == "Yes: ordered now, it gets there by Mon 14 Dec."
    assert deadline_verdict(methods, monday, dt.date(2026, 12, 7)).startswith("Ordered now, none of the delivery")


async def test_will_it_arrive_by_friday_says_which_options_make_it(res, domain):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.knowledge import ActionAnswerQuestion
    from lift.understanding.dates import When
    from tests.support.trackers import make_tracker

    friday = dt.date.today() + dt.timedelta(days=(4 - dt.date.today().weekday()) % 7 or 7)
    start = dt.datetime.combine(friday, dt.time(0), tzinfo=dt.timezone.utc)
    entity = {"entity": "date_time", "value": When(start, start + dt.timedelta(days=1)).to_value(), "start": 18, "end": 24}
    d = CollectingDispatcher()
    await ActionAnswerQuestion().run(d, make_tracker("will it arrive by friday", "delivery_period",
                                                     entities=[entity]), domain)
    said = " ".join(m.get("text") or "" for m in d.messages)
    assert f"{friday:%a %d %b}" in said and "Ordered now with Express" in said, said
    assert said.startswith(("By ", "Yes: ordered now", "Ordered now, none")), said


async def test_the_deadline_is_the_date_after_by_not_the_day_of_ordering(res, domain):
    """"If I order an Aria headset today will it get to me by Friday?" said "none of the delivery options
    gets there by Mon 07 Dec" (today), then listed Express and Next-day arriving before Friday."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.knowledge import ActionAnswerQuestion
    from lift.understanding.dates import When
    from tests.support.trackers import make_tracker

    text = "If I order an Aria headset today will it get to me by Friday? It's for my son's birthday."
    today = dt.datetime.combine(dt.date.today(), dt.time(0), tzinfo=dt.timezone.utc)
    friday = dt.date.today() + dt.timedelta(days=(4 - dt.date.today().weekday()) % 7 or 7)
    start = dt.datetime.combine(friday, dt.time(0), tzinfo=dt.timezone.utc)
    entities = [{"entity": "date_time", "value": When(today, today + dt.timedelta(days=1)).to_value(),
                 "start": text.index("today"), "end": text.index("today") + 5},
                {"entity": "date_time", "value": When(start, start + dt.timedelta(days=1)).to_value(),
                 "start": text.index("Friday"), "end": text.index("Friday") + 6}]
    d = CollectingDispatcher()
    await ActionAnswerQuestion().run(d, make_tracker(text, "delivery_period", entities=entities), domain)
    said = " ".join(m.get("text") or "" for m in d.messages)
    verdict = said.split(".")[0]  # "By Fri 11 Dec: Express and Next-day make it; ..." or "Yes: ordered now, ..."
    assert f"{friday:%a %d %b}" in verdict and f"{dt.date.today():%a %d %b}" not in verdict, said


@pytest.mark.parametrize("text", ["is there any faster option to ireland?", "anything quicker to germany"])
def test_a_faster_delivery_abroad_is_answered_with_what_goes_there(text):
    """At the order summary "is there any faster option to ireland?" got "I'm not sure about that one"."""
    from lift.commerce.abroad import destination_answer
    answer = destination_answer(text, "USD")
    assert answer and "Express and next-day delivery are for US addresses only." in answer
