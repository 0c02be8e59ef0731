"""Changing an earlier checkout answer mid-checkout: the parser, and the actions with real Trackers."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.checkout import ActionStopCheckout, ValidateCheckoutForm
from actions.knowledge import ActionAnswerQuestion
from lift.commerce.amend import checkout_amendments
from tests.support.trackers import make_tracker, slot_events, texts

FILLED = {"email": "jane@example.com", "shipping_address": "12 Main St, Springfield IL 62701",
          "shipping_method": "standard"}
CART = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]


@pytest.mark.parametrize("text,asking,expected", [
    ("actually express instead", "checkout_confirmed", {"shipping_method": "express"}),
    ("switch to store pickup please", "checkout_confirmed", {"shipping_method": "pickup"}),
    ("can i change to next day delivery", "checkout_confirmed", {"shipping_method": "next_day"}),
    ("wait, wrong address, use 40 Oak Ave, Portland OR 97201", "shipping_method",
     {"shipping_address": "40 Oak Ave, Portland OR 97201"}),
    ("ship it to my office instead: 9 Elm St, Austin TX 73301", "checkout_confirmed",
     {"shipping_address": "9 Elm St, Austin TX 73301"}),
    ("use jane.doe@work.com instead", "checkout_confirmed", {"email": "jane.doe@work.com"}),
    # the slot mapping already took the new address ("filled"): still the change said, never "which email?"
    ("no wait wrong email, its jane@example.com", "shipping_address", {"email": "jane@example.com"}),
    # naming the field without a new value asks that question again
    ("can i change the shipping method", "checkout_confirmed", {"shipping_method": None}),
    ("oops wrong email", "checkout_confirmed", {"email": None}),
    ("change the address", "shipping_method", {"shipping_address": None}),
    # "go back" re-asks the question before the current one
    ("go back", "checkout_confirmed", {"shipping_method": None}),
    ("go back", "shipping_method", {"shipping_address": None}),
])
def test_changes_are_read(text, asking, expected):
    assert checkout_amendments(text, asking, FILLED) == expected


@pytest.mark.parametrize("text,asking", [
    ("yes place the order", "checkout_confirmed"),
    ("no", "checkout_confirmed"),
    ("how much is express?", "checkout_confirmed"),  # a question about an option, not a choice
    ("no wait, standard is fine", "checkout_confirmed"),  # standard is what was chosen
    ("make it 2 instead", "checkout_confirmed"),
    ("express", "shipping_method"),  # the current question's answer is the form's own work
    ("use 40 Oak Ave, Portland OR 97201", "shipping_address"),
    ("go back", "email"),
    ("only 1 hub pls not 2", "checkout_confirmed"),  # a number and words, but no street: not an address
    ("actually i need 3 of the 2 pack", "shipping_method"),
])
def test_answers_and_questions_change_nothing(text, asking):
    assert checkout_amendments(text, asking, FILLED) == {}


def _at_summary(text, intent, **slots):
    tracker = make_tracker(text, intent, active_loop="checkout_form",
                           slots={"cart": CART, **FILLED, "requested_slot": "checkout_confirmed", **slots})
    if "checkout_confirmed" in slots:  # set from the message by the slot's from_intent mapping, as Rasa does
        tracker.events.append({"event": "slot", "name": "checkout_confirmed", "value": slots["checkout_confirmed"]})
    return tracker


async def test_form_takes_a_new_method_at_the_summary_and_asks_again(res, domain):
    d = CollectingDispatcher()
    # the slot mapping already read "no" in "no, express instead" as a refusal: it is undone
    events = await ValidateCheckoutForm().run(d, _at_summary("no, express instead", "deny", checkout_confirmed=False),
                                              domain)
    assert slot_events(events) == {"shipping_method": "express", "checkout_confirmed": None}
    assert "Express (1-2 business days)" in texts(d)


async def test_form_takes_a_new_address_at_the_delivery_question(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("wait, wrong address, use 40 Oak Ave, Portland OR 97201", "inform", active_loop="checkout_form",
                           slots={"cart": CART, "email": "jane@example.com", "shipping_address": "12 Main St, Springfield",
                                  "requested_slot": "shipping_method"})
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events)["shipping_address"] == "40 Oak Ave, Portland OR 97201"
    assert "shipping_method" not in slot_events(events)  # not read as a (wrong) delivery answer
    assert "Please choose" not in texts(d)


async def test_a_po_box_drops_express(res, domain):
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(
        d, _at_summary("actually ship it to PO Box 12, Dallas TX 75201 instead", "inform", shipping_method="express"), domain)
    assert slot_events(events)["shipping_address"] == "PO Box 12, Dallas TX 75201"
    assert slot_events(events)["shipping_method"] is None and "need a street address" in texts(d)


async def test_stop_that_changes_an_answer_goes_on(res, domain):
    d = CollectingDispatcher()
    events = await ActionStopCheckout().run(d, _at_summary("actually express instead", "stop"), domain)
    assert slot_events(events)["shipping_method"] == "express"
    assert {"event": "followup", "name": "checkout_form"} in [{"event": e["event"], "name": e.get("name")} for e in events]


async def test_plain_stop_ends_checkout(res, domain):
    d = CollectingDispatcher()
    events = await ActionStopCheckout().run(d, _at_summary("forget it", "stop"), domain)
    assert {"event": "active_loop", "name": None} in [{"event": e["event"], "name": e.get("name")} for e in events]
    assert not any(e["event"] == "followup" for e in events) and not d.messages


async def test_delivery_question_that_changes_the_method(res, domain):
    d = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(d, _at_summary("can i change to next day delivery", "delivery_options"),
                                              domain)
    assert slot_events(events)["shipping_method"] == "next_day" and "Next-day" in texts(d)
    # outside checkout the same words are a question
    d2 = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(d2, make_tracker("can i change to next day delivery", "delivery_options"),
                                              domain)
    assert "shipping_method" not in slot_events(events) and d2.messages


async def test_price_of_a_delivery_option_at_the_summary(res, domain):
    from actions.price import ActionShowPrice
    d = CollectingDispatcher()
    events = await ActionShowPrice().run(d, _at_summary("how much is standard?", "ask_price"), domain)
    assert events == [] and "Standard (3-5 business days): $4.99, free from $50.00" in texts(d)
    assert "couldn't find" not in texts(d)


async def test_when_will_it_arrive_at_checkout_names_the_chosen_option(res, domain):
    d = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(d, _at_summary("when would it get here?", "delivery_period",
                                                             shipping_method="express"), domain)
    assert events == [] and "Ordered now with Express (1-2 business days), it should arrive by" in texts(d)
    assert "Source:" not in texts(d)


def test_arrival_sentence_counts_business_days():
    import datetime as dt
    from lift.commerce.orders import arrival_sentence
    friday_evening = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.timezone.utc)
    assert arrival_sentence("next_day", friday_evening) == "Estimated delivery: Tue 08 Dec."
    assert arrival_sentence("pickup", friday_evening) == "Ready to collect from: Tue 08 Dec."
    assert arrival_sentence("next_day", friday_evening, asked=True) == \
        "Ordered now with Next-day (1 business day), it should arrive by Tue 08 Dec."


@pytest.mark.parametrize("text,intent", [("next day", "inform"), ("hmm can I pick it up instead", "inform"),
                                         ("pickup please", "out_of_scope")])
async def test_naming_another_option_at_the_summary_switches(res, domain, text, intent):
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(d, _at_summary(text, intent, shipping_method="express"), domain)
    assert slot_events(events)["shipping_method"] in ("next_day", "pickup") and slot_events(events)["checkout_confirmed"] is None


async def test_ok_do_that_after_pricing_an_option_switches_to_it(res, domain):
    from actions.price import ActionShowPrice
    d = CollectingDispatcher()
    events = await ActionShowPrice().run(d, _at_summary("hmm, how much would next day cost?", "ask_price"), domain)
    assert slot_events(events) == {"offered_shipping_method": "next_day"} and "Say yes to switch to Next-day" in texts(d)
    # asked in words the classifier doesn't read as a price question, the form answers the same way
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(d, _at_summary("and what would next day be", "inform"), domain)
    assert slot_events(events) == {"checkout_confirmed": None, "offered_shipping_method": "next_day"}
    # the slot mapping read "ok do that" as a yes to the order: it switches instead
    tracker = _at_summary("ok do that", "affirm", checkout_confirmed=True, offered_shipping_method="next_day")
    events = await ValidateCheckoutForm().run(CollectingDispatcher(), tracker, domain)
    assert slot_events(events) == {"shipping_method": "next_day", "checkout_confirmed": None, "offered_shipping_method": None}
    # "no" to the switch keeps the order as it was, and does not cancel it
    d = CollectingDispatcher()
    tracker = _at_summary("no", "deny", checkout_confirmed=False, offered_shipping_method="next_day")
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events) == {"checkout_confirmed": None, "offered_shipping_method": None}
    assert "keeping the delivery" in texts(d)


async def test_a_shipping_question_at_the_summary_is_answered_whatever_the_intent(res, domain):
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(
        d, _at_summary("what's the difference between express and next day", "out_of_scope"), domain)
    assert slot_events(events) == {"checkout_confirmed": None}  # the form goes on: the summary again
    assert "Express (1-2 business days): $14.99" in texts(d) and "Next-day (1 business day): $24.99" in texts(d)


@pytest.mark.parametrize("text", ["what's the total with shipping then", "How much is all together with the shipping?"])
async def test_the_total_with_shipping_at_the_summary_points_to_its_total(res, domain, text):
    """It listed every delivery option's price (for a Spanish address, US-only ones too)."""
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(d, _at_summary(text, "delivery_options"), domain)
    assert slot_events(events) == {"checkout_confirmed": None}  # the summary again, with its total
    assert texts(d) == "The total in the order summary includes the shipping:"


@pytest.mark.parametrize("text,expected", [
    ("fay@example.com, 15 Aspen Ct, Boulder CO 80301, express",
     {"email": "fay@example.com", "shipping_address": "15 Aspen Ct, Boulder CO 80301", "shipping_method": "express"}),
    ("15 Aspen Ct, Boulder CO 80301 and next day please",
     {"shipping_address": "15 Aspen Ct, Boulder CO 80301", "shipping_method": "next_day"}),
    ("jo@example.com", {"email": "jo@example.com"}),
    ("how much is express?", {}),
    ("its rob_h@yahoo.com and ship to 55 W 12th St, New York, NY 10011, next day pls",
     {"email": "rob_h@yahoo.com", "shipping_address": "55 W 12th St, New York, NY 10011", "shipping_method": "next_day"}),
    ("350 5th Ave, New York, NY 10118", {"shipping_address": "350 5th Ave, New York, NY 10118"}),
    ("only 1 hub pls not 2", {}),
])
def test_answers_a_message_carries(text, expected):
    from lift.commerce.amend import carried_answers
    found = carried_answers(text)
    assert found == expected


async def test_the_email_answer_also_fills_the_address_and_delivery_it_carries(res, domain):
    d = CollectingDispatcher()
    text = "fay@example.com, 15 Aspen Ct, Boulder CO 80301, express"
    tracker = make_tracker(text, "inform", active_loop="checkout_form", slots={"cart": CART, "requested_slot": "email"},
                           entities=[{"entity": "email", "value": "fay@example.com", "start": 0, "end": 15}])
    tracker.events.append({"event": "slot", "name": "email", "value": "fay@example.com"})  # the from_entity mapping
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events) == {"email": "fay@example.com", "shipping_address": "15 Aspen Ct, Boulder CO 80301",
                                   "shipping_method": "express", "shipping_abroad": False, "shipping_po_box": False}


async def test_a_delivery_choice_typed_where_the_email_is_asked_is_taken_and_the_email_asked_again(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("standard is fine", "inform", active_loop="checkout_form",
                           slots={"cart": CART, "requested_slot": "email"})
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events) == {"email": None, "shipping_method": "standard"}
    assert texts(d) == "Got it, I'll use that.", texts(d)


@pytest.mark.parametrize("text", ["can i pay with klarna?", "can we pay by invoice / net 30", "do you take apple pay"])
async def test_a_payment_question_at_the_summary_never_places_the_order(res, domain, text):
    """"pay" is a go-ahead word ("ok pay now"), but asked about it is a question: answered, then the summary."""
    from lift.commerce.validation import says_confirm

    assert not says_confirm(text) and says_confirm("ok pay now")
    d = CollectingDispatcher()
    events = slot_events(await ValidateCheckoutForm().run(d, _at_summary(text, "check_payment_methods"), domain))
    assert events == {"checkout_confirmed": None} and texts(d)


async def test_an_add_during_checkout_makes_no_offer(res, domain):
    """The summary follows the add: a "yes" to an offer there would place the order."""
    from actions.cart import ActionAddToCart

    d = CollectingDispatcher()
    tracker = _at_summary("add the aria pro too", "add_to_cart")
    tracker.latest_message["entities"] = [{"entity": "product", "value": "aria pro", "start": 8, "end": 16}]
    events = await ActionAddToCart().run(d, tracker, domain)
    assert "Added 1 × Aria Pro" in texts(d) and "Want me to add it?" not in texts(d)
    assert "upsell_sku" not in slot_events(events)


async def test_a_delivery_change_abroad_names_the_international_option(res, domain):
    d = CollectingDispatcher()
    tracker = _at_summary("actually standard instead", "inform", shipping_method="pickup",
                          shipping_address="221B Baker Street, London NW1 6XE, United Kingdom")
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    assert events["shipping_method"] == "standard"
    assert "Changed the delivery to Standard international (5-10 business days)." in texts(d)


async def test_asking_which_option_is_fastest_at_the_summary_offers_it_and_changes_nothing(res, domain):
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(d, _at_summary("whats the fastest option", "delivery_options"), domain)
    assert "shipping_method" not in slot_events(events), events
    assert "Say yes to switch to Next-day" in texts(d), texts(d)


async def test_a_first_address_in_a_sentence_is_not_called_a_change(res, domain):
    d = CollectingDispatcher()
    tracker = make_tracker("its rob_h@yahoo.com and ship to 55 W 12th St, New York, NY 10011", "inform",
                           active_loop="checkout_form", slots={"cart": CART, "requested_slot": "email",
                                                                "shipping_method": "standard"},
                           entities=[{"entity": "email", "value": "rob_h@yahoo.com", "start": 4, "end": 19}])
    await ValidateCheckoutForm().run(d, tracker, domain)
    assert "Shipping to 55 W 12th St, New York, NY 10011." in texts(d) and "Changed" not in texts(d), texts(d)


def test_no_rush_means_standard_not_express():
    express = {**FILLED, "shipping_method": "express"}
    assert checkout_amendments("actually change to standard, no rush", "checkout_confirmed", express) == {
        "shipping_method": "standard"}
    from lift.commerce.orders import parse_shipping_method

    assert parse_shipping_method("im not in a rush") == "standard" and parse_shipping_method("rush it") == "express"


@pytest.mark.parametrize("text, address", [
    ("its unit 21 not 12", "Unit 21, 40 Oak Ave, Portland OR 97201"),
    ("the zip is 97210 not 97201", "Unit 12, 40 Oak Ave, Portland OR 97210"),
])
async def test_one_part_of_the_address_corrected_at_the_summary_keeps_the_rest(res, domain, text, address):
    """"its unit 21 not 12" was read as 21 of the product: "You can order at most 20 of one product"."""
    d = CollectingDispatcher()
    tracker = _at_summary(text, "inform", shipping_address="Unit 12, 40 Oak Ave, Portland OR 97201")
    tracker.latest_message["entities"] = [{"entity": "quantity", "value": 21, "start": 9, "end": 11}]
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    assert events["shipping_address"] == address and "cart" not in events, texts(d)
    assert "at most 20" not in texts(d)


async def test_a_house_number_put_right_in_a_sentence_keeps_the_rest_of_the_address(res, domain):
    """"crap wrong address its 19 birch lane not 9 can u fix" became the whole address ("Ship to: 19 birch
    lane not 9 can u fix"), losing the city, the postcode and the country."""
    d = CollectingDispatcher()
    text = "crap wrong address its 19 birch lane not 9 can u fix"
    tracker = _at_summary(text, "change_shipping_address", shipping_address="9 Birch Lane, Leeds, LS6 2AB, UK",
                          shipping_method="express")
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    assert events["shipping_address"] == "19 Birch Lane, Leeds, LS6 2AB, UK", texts(d)
    assert "not 9" not in texts(d)


@pytest.mark.parametrize("text", ["actually 2 not 3", "2 not 12", "actually 2 not 12"])
def test_a_bare_small_number_corrected_is_no_address_change(text):
    from lift.commerce.amend import corrected_address

    assert corrected_address(text, "Unit 12, 40 Oak Ave, Portland OR 97201") is None


def test_an_address_after_a_colon_or_comma_wins_over_a_number_in_a_product_name():
    """The address was saved as "65W charger instead of the power bank, then check out: , 17 Harbor Rd, …"."""
    from lift.commerce.amend import carried_answers

    text = ("Add the Volt 65W charger instead of the power bank, then check out: nadia.f@fastmail.com, 17 Harbor Rd, "
            "Portland ME 04101, USA, standard shipping.")
    assert carried_answers(text) == {"email": "nadia.f@fastmail.com", "shipping_address": "17 Harbor Rd, Portland ME 04101, USA",
                                     "shipping_method": "standard"}


@pytest.mark.parametrize("text, email", [
    ("oops i meant .com not .con", "tiredmum3@gmial.com"),
    ("oops typo its gmail not gmial", "tiredmum3@gmail.con"),
])
def test_a_part_of_the_email_put_right_is_read_as_the_email(text, email):
    """"oops typo its gmail not gmial" at the address question got "I need a full street address"."""
    from lift.commerce.amend import checkout_amendments

    typed = "tiredmum3@gmial.con"
    assert checkout_amendments(text, "shipping_address", {"email": typed}) == {"email": email}
    assert checkout_amendments("its unit 21 not 12", "checkout_confirmed", {"email": "bob12@x.com"}) == {}


@pytest.mark.parametrize("typed, taken", [("tiredmum3@gmail.con", "tiredmum3@gmail.com"), ("jen@gmial.com", "jen@gmail.com"),
                                          ("jen@acme.co.uk", None)])
async def test_a_mistyped_mail_domain_is_put_right_and_said(res, domain, typed, taken):
    """"tiredmum3@gmail.con" was taken as typed: the confirmation could never arrive."""
    d = CollectingDispatcher()
    tracker = make_tracker(typed, "inform", active_loop="checkout_form", slots={"cart": CART, "requested_slot": "email"})
    events = slot_events(await ValidateCheckoutForm().run(d, tracker, domain))
    assert events["email"] == (taken or typed)
    assert (f"I've taken that as {taken}" in texts(d)) if taken else "typo" not in texts(d)
