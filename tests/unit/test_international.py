"""Delivery abroad as the shipping policy states it: the US, Canada, the UK and the EU; standard
delivery only, 5-10 business days, duties paid by the recipient; other countries refused."""
import datetime as dt
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.checkout import ActionAskCheckoutConfirmed, ValidateCheckoutForm
from lift.commerce.destinations import INTERNATIONAL_DAYS, POLICY_COUNTRIES, ask_country, country_unknown, destination, with_country
from lift.commerce.orders import SHIPPING_METHODS, method_problem
from tests.support.trackers import ent, make_tracker, slot_events, texts

POLICY = (Path(__file__).resolve().parents[2] / "kb" / "policies" / "shipping.md").read_text()
CART = [{"sku": "KIT-001", "qty": 1, "unit_price": "89.00"}]


@pytest.mark.parametrize("address,country", [
    ("50 Queen St, Toronto ON M5H 2N2 Canada", "CA"),
    ("221B Baker Street, London NW1 6XE, United Kingdom", "GB"),
    ("7 Elm Road, Leeds LS6 2AB", "GB"),  # a British postcode alone
    ("Hauptstr. 5, 10115 Berlin, Germany", "DE"),
    ("1 George St, Sydney NSW 2000, Australia", "AU"),
    ("12 Main St, Springfield, 12345, USA", "US"),
    # the country in its own language (CLDR names via Babel), with or without its accents
    ("Via Roma 1, 00184 Roma, Italia", "IT"),
    ("Ringstrasse 1, 1010 Wien, Österreich", "AT"),
    ("calle mayor 3, 28013 madrid, espana", "ES"),
    ("Bahnhofstrasse 1, 8001 Zürich, Schweiz", "CH"),
    # no country named: a US address, as before ("OR" and "CA" are states here, not countries)
    ("40 Oak Ave, Portland OR 97201", None),
    ("1 Sunset Blvd, Los Angeles, CA 90028", None),
    ("12 Market Street, Springfield 12345", None),
    # no country named, but written the way another country writes addresses
    ("5 Smith St Fitzroy VIC 3065", "AU"), ("14 MG Road, Bengaluru 560001", "IN"), ("14 MG Road, Bengaluru 560 001", "IN"),
    ("1 Sunset Blvd, Los Angeles, CA 90028-1234", None), ("123456 Main St, Anchorage AK 99501", None),
])
def test_the_country_is_read_from_the_address(address, country):
    dest = destination(address)
    assert (dest.country if dest else None) == country


def test_abroad_only_standard_delivery_and_only_where_we_ship():
    assert "5-10 business days" in POLICY and f"5-{INTERNATIONAL_DAYS}" in "5-10"
    assert "We ship to the United States, Canada, the United Kingdom and most countries of the European Union" in POLICY
    assert "express and next-day delivery are for addresses in the United States" in POLICY
    toronto = "50 Queen St, Toronto ON M5H 2N2 Canada"
    assert "are for US addresses; to Canada we send standard delivery" in method_problem("next_day", toronto)
    assert method_problem("standard", toronto) is None and method_problem("pickup", toronto) is None
    sydney = "1 George St, Sydney NSW 2000, Australia"
    assert method_problem("standard", sydney) == f"Sorry, we don't deliver to Australia: we ship to {POLICY_COUNTRIES}."
    monday = dt.datetime(2026, 12, 7, 9, 0)
    assert SHIPPING_METHODS["standard"].arrives_by(monday, toronto) == dt.date(2026, 12, 21)  # 10 business days
    assert SHIPPING_METHODS["standard"].arrives_by(monday, "12 Main St, Springfield IL 62701") == dt.date(2026, 12, 14)


async def test_switching_to_next_day_abroad_at_the_summary_keeps_standard(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("actually next day please", "inform", active_loop="checkout_form",
                           slots={"cart": CART, "email": "a@b.io", "shipping_address": "50 Queen St, Toronto ON M5H 2N2 Canada",
                                  "shipping_method": "standard", "requested_slot": "checkout_confirmed"})
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events) == {"checkout_confirmed": None}
    assert "to Canada we send standard delivery" in texts(d) and "Changed" not in texts(d)


async def test_checkout_refuses_a_country_we_dont_ship_to(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("1 George St, Sydney NSW 2000, Australia", "inform", active_loop="checkout_form",
                           slots={"cart": CART, "email": "a@b.io", "requested_slot": "shipping_address"})
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events)["shipping_address"] is None and "don't deliver to Australia" in texts(d)


async def test_summary_abroad_gives_the_international_date_and_duties(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("standard", "inform", active_loop="checkout_form",
                           slots={"cart": CART, "email": "a@b.io", "shipping_address": "50 Queen St, Toronto ON M5H 2N2 Canada",
                                  "shipping_method": "standard", "requested_slot": "checkout_confirmed"})
    await ActionAskCheckoutConfirmed().run(d, tracker, domain)
    assert "Import duties and local taxes, if any, are charged by Canada and paid on delivery." in texts(d)
    assert "Shipping (Standard international (5-10 business days)): $0.00" in texts(d)  # $89: free from $50
    express = make_tracker("express", "inform", active_loop="checkout_form",
                           slots={"cart": CART, "email": "a@b.io", "shipping_address": "50 Queen St, Toronto ON M5H 2N2 Canada",
                                  "requested_slot": "shipping_method"})
    d2 = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(d2, express, domain)
    assert slot_events(events)["shipping_method"] is None and "to Canada we send standard delivery" in texts(d2)


async def test_asking_at_the_summary_whether_we_ship_to_a_country_gets_the_policys_answer(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("wait do u even ship to india", "delivery_options", active_loop="checkout_form", slots={
        "cart": CART, "email": "a@b.io", "shipping_address": "1 Main St, Springfield IL 62701", "shipping_method": "standard",
        "requested_slot": "checkout_confirmed"})
    await ValidateCheckoutForm().run(d, tracker, domain)
    assert "we don't deliver to India" in texts(d), texts(d)


@pytest.mark.parametrize("address,place", [
    ("12 rue de Rivoli, 75001 Paris", "75001 Paris"), ("Hauptstr. 5, 10115 Berlin", "10115 Berlin"),
    ("Keizersgracht 1, 1012 AB Amsterdam", "1012 AB Amsterdam"), ("Via Roma 3 00184 Roma", "00184 Roma"),
    # US addresses, and ones that name their country, are not asked about
    ("12 Market Street, Springfield, IL 62701", None), ("55 W 12th St, New York, NY 10011", None),
    ("12345 Main Street", None), ("PO Box 1234 Springfield", None), ("5 Elm, 12345 Main Street", None),
    ("1600 Pennsylvania Avenue Washington DC", None), ("12 rue de Rivoli, 75001 Paris, France", None),
])
def test_an_address_written_the_european_way_without_a_country_is_not_taken_as_a_us_one(address, place):
    assert country_unknown(address) == place
    assert (ask_country(address) is None) is (place is None)


def test_a_country_alone_completes_the_address():
    assert with_country("12 rue de Rivoli, 75001 Paris", "france") == "12 rue de Rivoli, 75001 Paris, France"
    assert with_country("Hauptstr. 5, 10115 Berlin", "its germany.") == "Hauptstr. 5, 10115 Berlin, Germany"
    assert with_country("12 rue de Rivoli, 75001 Paris", "ok") is None
    assert with_country("12 rue de Rivoli, 75001 Paris", "5 Oak St, Boston MA 02108, USA") is None
    assert with_country(None, "france") is None


async def test_checkout_asks_the_country_of_a_paris_address_then_takes_france(res, domain):
    d = CollectingDispatcher()
    slots = {"cart": CART, "email": "a@b.io", "requested_slot": "shipping_address"}
    tracker = make_tracker("12 rue de Rivoli, 75001 Paris", "inform", active_loop="checkout_form", slots=slots)
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    assert events["shipping_address"] is None and events["address_without_country"] == "12 rue de Rivoli, 75001 Paris"
    assert "Which country is “75001 Paris” in?" in texts(d) and "US" not in texts(d)
    d2 = CollectingDispatcher()
    reply = make_tracker("france", "inform", active_loop="checkout_form",
                         slots={**slots, "address_without_country": "12 rue de Rivoli, 75001 Paris"})
    events = slot_events(await ValidateCheckoutForm().run(d2, reply, domain))
    assert events["shipping_address"].startswith("12 rue de Rivoli, 75001 Paris, France")
    assert destination(events["shipping_address"]).country == "FR" and events["address_without_country"] is None


async def test_an_address_in_passing_without_a_country_is_asked_about_not_taken(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("actually ship it to 12 rue de Rivoli, 75001 Paris", "inform", active_loop="checkout_form", slots={
        "cart": CART, "email": "a@b.io", "shipping_address": "1 Main St, Springfield IL 62701", "shipping_method": "standard",
        "requested_slot": "checkout_confirmed"})
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    assert "shipping_address" not in events and events["address_without_country"].endswith("75001 Paris")
    assert "Which country is “75001 Paris” in?" in texts(d)


async def test_an_address_without_a_country_carried_with_the_email_is_left_for_its_question(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("fay@example.com, 12 rue de Rivoli, 75001 Paris, standard", "inform", active_loop="checkout_form",
                           entities=[ent("email", "fay@example.com")], slots={"cart": CART, "requested_slot": "email"})
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    # the delivery it carries is taken; the address is asked at its turn, where its country is asked
    assert events.get("shipping_method") == "standard" and events.get("shipping_address") is None


async def test_a_country_we_dont_ship_to_named_at_the_address_question_is_refused_there(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("can i send it to my mate in nz instead?", "inform", active_loop="checkout_form",
                           slots={"cart": CART, "email": "a@b.io", "requested_slot": "shipping_address"})
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    assert events["shipping_address"] is None and "we don't deliver to New Zealand" in texts(d), texts(d)
    assert "full street address" not in texts(d)
