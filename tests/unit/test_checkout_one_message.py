"""Buying and checking out in one message: "checkout with the volt charger, email ..., ship to ...,
express please" with an empty cart puts what it names in the cart and takes every answer it
carries; a number in the address is never a quantity. Entities come from the real extractors
(the project's email regex, lift.rasa_plugins.entity_parsers) plus the product span spaCy's
catalog patterns give; the validator is the real one."""
import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.checkout import ValidateCheckoutForm
from tests.support.trackers import make_tracker, slot_events, texts
from tests.unit.test_forms_prefill import parsed


def _with_products(text, *names):
    spans = []
    for name in names:
        m = re.search(re.escape(name), text, re.IGNORECASE)
        spans.append({"entity": "product", "value": name, "start": m.start(), "end": m.end()})
    return spans + parsed(text)


@pytest.fixture
def run_form(domain):
    async def run(text, intent, names, slots=None):
        d = CollectingDispatcher()
        entities = _with_products(text, *names)
        tracker = make_tracker(text, intent, entities=entities, active_loop="checkout_form", slots=slots or {})
        for e in entities:  # what action_extract_slots set before the form ran (email's from_entity mapping)
            if e["entity"] == "email":
                tracker.events.append({"event": "slot", "name": "email", "value": e["value"]})
        return slot_events(await ValidateCheckoutForm().run(d, tracker, domain)), d
    return run


async def test_the_product_named_is_bought_with_every_answer_the_message_carries(res, run_form):
    text = "I want to checkout with the volt charger, email fay@example.com, ship to 15 Aspen Ct, Boulder CO 80301, express please"
    slots, d = await run_form(text, "checkout", ["volt charger"])
    assert [(i["sku"], i["qty"]) for i in slots["cart"]] == [("ACC-001", 1)]  # never 15 or 80301 chargers
    assert texts(d).startswith("Added 1 × Volt 65W USB-C Charger to your cart."), texts(d)
    assert slots.get("email", "fay@example.com") == "fay@example.com"  # taken by the mapping, checked by the form
    assert "15 Aspen Ct" in slots["shipping_address"] and slots["shipping_method"] == "express"


async def test_the_number_before_the_name_is_the_quantity(res, run_form):
    slots, d = await run_form("checkout with 2 boom go speakers, send them to 4 Elm St, Austin TX 78701",
                              "checkout", ["boom go"])
    assert [(i["sku"], i["qty"]) for i in slots["cart"]] == [("AUD-005", 2)], texts(d)


async def test_a_cart_with_items_is_checked_out_as_it_is(res, run_form):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    slots, d = await run_form("checkout with the volt charger", "checkout", ["volt charger"], {"cart": cart})
    assert "cart" not in slots and "Added" not in texts(d)


@pytest.mark.parametrize("text, intent, names", [
    ("checkout", "checkout", []),  # names nothing: the empty cart ends the form, as before
    ("tell me about the volt charger", "ask_question", ["volt charger"]),  # not a checkout
])
async def test_otherwise_an_empty_cart_still_ends_the_form(res, run_form, text, intent, names):
    slots, d = await run_form(text, intent, names)
    assert "cart" not in slots and slots.get("requested_slot", "unset") is None


async def test_a_product_out_of_stock_is_refused_and_the_form_ends(res, run_form):
    from lift.store.engine import session_scope
    from lift.store.models import StockLevel

    with session_scope(res.engine) as s:
        s.get(StockLevel, "ACC-001").stock = 0  # the last chargers went to someone else
    slots, d = await run_form("checkout with the volt charger", "checkout", ["volt charger"])
    assert "cart" not in slots and slots.get("requested_slot", "unset") is None
    assert "out of stock" in texts(d).lower(), texts(d)


async def test_everything_in_one_message_takes_the_address_after_to_and_applies_the_code(res, run_form):
    text = "buy 1 aria pro headphones ship express to 500 Oak Ave, Austin TX 78701, email rick@example.com, code SAVE20"
    slots, d = await run_form(text, "checkout", ["aria pro headphones"])
    assert slots["shipping_address"] == "500 Oak Ave, Austin TX 78701", slots  # not "1 aria pro headphones ship ..."
    assert slots["shipping_method"] == "express" and slots["coupon_code"] == "SAVE20", texts(d)


async def test_too_many_to_buy_remembers_the_product_for_the_next_number(res, run_form):
    """"I would like to order five of the Aria Pro": only 3 are in stock; "ok 3 then" next adds 3."""
    slots, d = await run_form("I would like to order 5 aria pro headphones", "place_order", ["aria pro headphones"])
    assert "We only have 3" in texts(d) and "cart" not in slots, texts(d)
    assert slots["refused_product"] == "AUD-002" and slots.get("requested_slot", "unset") is None


def test_what_follows_an_address_is_not_part_of_it():
    from lift.commerce.validation import normalize_address

    assert normalize_address("500 Oak Ave, Austin TX 78701. and u forgot my code SAVE20") == "500 Oak Ave, Austin TX 78701"
    assert normalize_address("500 Oak Ave, Austin TX 78701, email rick@example.com") == "500 Oak Ave, Austin TX 78701"


@pytest.mark.parametrize("text, bought", [("buy", True), ("ok buy it", True), ("i'll buy this one now", True),
                                          ("buy something nice", False)])
async def test_buy_with_one_card_on_screen_and_an_empty_cart_buys_that_one(res, run_form, text, bought):
    slots, d = await run_form(text, "checkout", [], {"last_shown": ["AUD-002"], "last_product": "AUD-002"})
    assert bool(slots.get("cart")) is bought, (slots, texts(d))
    if bought:
        assert [i["sku"] for i in slots["cart"]] == ["AUD-002"], slots


@pytest.mark.parametrize("text, taken", [("where is teh store for pickup is there one in york", None),
                                         ("is there a store near me for pick up?", None),
                                         ("store pickup please", "pickup"), ("express", "express")])
async def test_a_question_about_where_pickup_is_chooses_nothing(res, domain, text, taken):
    d = CollectingDispatcher()
    tracker = make_tracker(text, "inform", active_loop="checkout_form",
                           slots={"requested_slot": "shipping_method", "shipping_address": "12 Oak St, Austin TX 78701"})
    got = ValidateCheckoutForm().validate_shipping_method(text, d, tracker, domain)
    assert got == {"shipping_method": taken}, texts(d)
    assert ("can't give the store's location" in texts(d)) is (taken is None)


@pytest.mark.parametrize("text, taken", [
    ("Deliver to 8 Rose Court, Bath BA1 2QP, United Kingdom, please.", "8 Rose Court, Bath BA1 2QP, United Kingdom"),
    ("ok send to our Berlin office then: Friedrichstr. 10, 10117 Berlin, Germany",
     "Friedrichstr. 10, 10117 Berlin, Germany"),
    ("do you deliver to the uk?", None),  # a question only: answered, the address asked again
])
async def test_an_address_in_a_delivery_question_at_the_address_step_is_taken(res, domain, text, taken):
    tracker = make_tracker(text, "delivery_options", active_loop="checkout_form",
                           slots={"requested_slot": "shipping_address"})
    got = await ValidateCheckoutForm().extract_shipping_address(CollectingDispatcher(), tracker, domain)
    assert got.get("shipping_address") == taken


@pytest.mark.parametrize("requested", ["email", "shipping_address", "checkout_confirmed"])
async def test_no_longer_wanting_to_order_ends_the_checkout(res, domain, requested):
    """"actually nvm i dont want to order anymore" (cancel_order) at any step: the form ends, the
    order request its mapping set is cleared (it quoted the order-cancellation policy and asked on)."""
    tracker = make_tracker("actually nvm i dont want to order anymore", "cancel_order", active_loop="checkout_form",
                           slots={"requested_slot": requested, "cart": [{"sku": "CMP-008", "qty": 1, "unit_price": "39.00"}]})
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert slot_events(events) == {"order_request": None, "requested_slot": None} and not d.messages


def test_the_summary_says_why_a_first_order_coupon_is_off(res, order):
    """The email on the order summary has ordered before (the ``order`` fixture): WELCOME10 is shown
    as not applied, with the reason, and the total has no discount."""
    from actions.checkout import order_summary

    tracker = make_tracker("standard", "inform", slots={
        "cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}], "coupon_code": "WELCOME10",
        "shipping_method": "standard", "shipping_address": "12 Oak St, Austin TX 78701", "email": "owner@example.com"})
    summary = order_summary(tracker, res)
    assert "Coupon not applied: WELCOME10 is for a first order only" in summary and "Total: $129.00" in summary, summary


@pytest.mark.parametrize("address, line", [
    ("12 Oak St, Austin TX 78701", "Sales tax for the delivery address, if any, is added when your card is charged at dispatch."),
    ("4 Rue de Rivoli, 75001 Paris, France", "Import duties and local taxes, if any, are charged by France and paid on delivery."),
])
def test_the_summary_says_what_its_total_leaves_out(res, address, line):
    """The payments policy promised sales tax at checkout; the summary's total had none and said nothing."""
    from actions.checkout import order_summary

    tracker = make_tracker("standard", "inform", slots={
        "cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}], "shipping_method": "standard",
        "shipping_address": address, "email": "new.shopper@example.com"})
    summary = order_summary(tracker, res)
    assert line in summary, summary
    other = "Import duties" if line.startswith("Sales tax") else "Sales tax"
    assert other not in summary


async def test_pickup_chosen_when_checkout_starts_needs_no_address(res, run_form):
    """"checkout. pickup." set store pickup and still asked "What's the shipping address?"."""
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    slots, d = await run_form("checkout. pickup.", "checkout", [], {"cart": cart, "requested_slot": "email"})
    assert slots.get("shipping_method") == "pickup" and slots.get("shipping_address") == "store pickup", (slots, texts(d))
