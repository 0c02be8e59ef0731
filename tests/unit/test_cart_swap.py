"""Swapping a cart line for another product in one message, as a cart action and during checkout:
real Trackers, the real domain and catalog, SQLite stock."""
import pytest

from actions.cart import ActionAddToCart, ActionRemoveFromCart
from actions.checkout import ValidateCheckoutForm
from actions.fallback import ActionOfferOptions
from actions.graph import ActionShowAlternatives
from tests.support.trackers import make_tracker, slot_events, texts

TOASTER = {"sku": "KIT-008", "qty": 2, "unit_price": "59.00"}
MOUSE = {"sku": "CMP-008", "qty": 1, "unit_price": "39.00"}


def _named(text, *names):
    return [{"entity": "product", "value": n, "start": text.index(n), "end": text.index(n) + len(n)} for n in names]


@pytest.mark.parametrize("action, intent, text", [
    (ActionRemoveFromCart, "remove_from_cart", "actually remove the toaster, add the swift kettle instead"),
    (ActionAddToCart, "add_to_cart", "add the swift kettle instead of the toaster"),
    (ActionAddToCart, "add_to_cart", "swap the toaster for the swift kettle"),
])
async def test_the_new_product_takes_the_old_lines_place_and_quantity(res, dispatcher, domain, action, intent, text):
    tracker = make_tracker(text, intent, entities=_named(text, "toaster", "swift kettle"),
                           slots={"cart": [TOASTER, MOUSE]})
    events = slot_events(await action().run(dispatcher, tracker, domain))
    assert events["cart"] == [MOUSE, {"sku": "KIT-004", "qty": 2, "unit_price": "45.00"}]
    assert texts(dispatcher) == "Swapped the Toastie 4-Slice Toaster for 2 × Swift Electric Kettle. Your cart is now $129.00."


async def test_a_swap_at_the_order_summary_keeps_the_checkout_and_asks_again(res, dispatcher, domain):
    text = "actually remove the toaster, add the swift kettle instead"
    slots = {"cart": [TOASTER], "email": "a@b.io", "shipping_address": "12 Market Street, Springfield, IL 62701",
             "shipping_method": "standard", "coupon_code": "WELCOME10", "requested_slot": "checkout_confirmed"}
    tracker = make_tracker(text, "remove_from_cart", active_loop="checkout_form", slots=slots,
                           entities=_named(text, "toaster", "swift kettle"))
    events = slot_events(await ValidateCheckoutForm().run(dispatcher, tracker, domain))
    assert events["cart"] == [{"sku": "KIT-004", "qty": 2, "unit_price": "45.00"}] and events["checkout_confirmed"] is None
    assert "email" not in events and "shipping_address" not in events  # the answers so far are kept


async def test_naming_two_products_without_swapping_is_no_swap(res, dispatcher, domain):
    text = "remove the toaster and the mouse"
    tracker = make_tracker(text, "remove_from_cart", entities=_named(text, "toaster", "mouse"),
                           slots={"cart": [TOASTER, MOUSE]})
    await ActionRemoveFromCart().run(dispatcher, tracker, domain)
    assert "Swapped" not in texts(dispatcher)


async def test_removing_a_product_that_is_not_in_the_cart_removes_nothing(res, dispatcher, domain):
    """"remove the bulbs" with only the smart plug in the cart (no entity for "bulbs")."""
    plug = {"sku": "SMH-002", "qty": 3, "unit_price": "25.00"}
    tracker = make_tracker("remove the bulbs", "remove_from_cart", slots={"cart": [plug], "last_product": "SMH-002"})
    events = await ActionRemoveFromCart().run(dispatcher, tracker, domain)
    assert events == [] and texts(dispatcher).startswith("The Beacon Smart Bulb 4-Pack isn't in your cart.")
    d2 = type(dispatcher)()
    tracker = make_tracker("remove the plugs", "remove_from_cart", slots={"cart": [plug, MOUSE], "last_product": "CMP-008"})
    assert slot_events(await ActionRemoveFromCart().run(d2, tracker, domain))["cart"] == [MOUSE]


async def test_the_offer_after_an_add_is_never_another_of_what_the_cart_has(res, dispatcher, domain):
    """The Aria and then its case: not "often add the Aria Pro" (a substitute of the Aria)."""
    from actions.cart import ActionAddToCart

    aria = {"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}
    tracker = make_tracker("add the aria case too", "add_to_cart", slots={"cart": [aria]},
                           entities=[{"entity": "product", "value": "aria case", "start": 8, "end": 17}])
    events = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert [i["sku"] for i in events["cart"]] == ["AUD-001", "ACC-003"]
    assert events.get("upsell_sku") not in ("AUD-001", "AUD-002", "AUD-003"), texts(dispatcher)


ARIA_PRO = {"sku": "AUD-002", "qty": 1, "unit_price": "249.00"}
ARIA = {"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}
CASE_OFFERED = [{"event": "slot", "name": "last_shown", "value": ["AUD-001", "AUD-002"]},
                {"event": "slot", "name": "last_shown", "value": ["ACC-003"]}]


@pytest.mark.parametrize("action, intent, text, entities", [
    # the cheaper product of the name typed, not the accessory offered since
    (ActionShowAlternatives, "ask_alternatives", "no wait, the cheaper aria instead", [{"entity": "product", "value": "aria"}]),
    (ActionAddToCart, "add_to_cart", "actually make it the other one instead", []),
    (ActionRemoveFromCart, "remove_from_cart", "swap it for the first one", []),
    (ActionOfferOptions, "nlu_fallback", "actually the first one instead", []),
    (ActionAddToCart, "add_to_cart", "hmm the cheaper one instead", []),
])
async def test_a_swap_by_reference_replaces_the_line_with_a_product_of_its_kind(res, dispatcher, domain, action, intent,
                                                                               text, entities):
    tracker = make_tracker(text, intent, entities=entities, slots={"cart": [ARIA_PRO], "last_shown": ["ACC-003"]},
                           events=CASE_OFFERED)
    events = slot_events(await action().run(dispatcher, tracker, domain))
    assert events["cart"] == [ARIA]
    assert texts(dispatcher).startswith("Swapped the Aria Pro Noise-Cancelling Headphones for 1 × Aria Wireless Headphones.")


async def test_a_reference_with_nothing_of_its_kind_to_swap_to_is_no_swap(res, dispatcher, domain):
    """Only the case was shown: "the other one instead" has no headphones to swap to."""
    tracker = make_tracker("the other one instead", "add_to_cart", slots={"cart": [ARIA_PRO], "last_shown": ["ACC-003"]})
    await ActionAddToCart().run(dispatcher, tracker, domain)
    assert "Swapped" not in texts(dispatcher)


@pytest.mark.parametrize("text", ["empty my cart pls", "clear everything", "remove all the items"])
async def test_emptying_the_cart(res, dispatcher, domain, text):
    tracker = make_tracker(text, "remove_from_cart", slots={"cart": [TOASTER, MOUSE]})
    events = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert events["cart"] == [] and texts(dispatcher) == "Done: your cart is empty now."


async def test_an_ordinal_counting_cart_lines_removes_that_line(res, dispatcher, domain):
    """"remove the second item" counts the cart's lines, not the cards shown last."""
    tracker = make_tracker("remove the second item", "remove_from_cart",
                           slots={"cart": [TOASTER, MOUSE, ARIA], "last_shown": ["AUD-001", "AUD-002", "AUD-003"]})
    events = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert events.get("cart") == [TOASTER, ARIA], texts(dispatcher)


@pytest.mark.parametrize("text", ["can i pick it up in store instead?", "i'd rather pay by card instead",
                                  "instead of shipping can i collect it"])
async def test_instead_about_something_else_swaps_nothing(res, dispatcher, domain, text):
    """A smart-home card on screen and the plug in the cart: "it ... instead" about delivery is no swap."""
    plug = {"sku": "SMH-002", "qty": 1, "unit_price": "25.00"}
    tracker = make_tracker(text, "add_to_cart", slots={"cart": [plug], "last_shown": ["SMH-001"]})
    await ActionAddToCart().run(dispatcher, tracker, domain)
    assert "Swapped" not in texts(dispatcher)


@pytest.mark.parametrize("text", ["swap it for the other one", "actually, the cheaper one instead, please"])
async def test_the_accessory_on_offer_is_never_what_a_swap_means(res, dispatcher, domain, text):
    """Two mesh chairs in the cart and the footrest (same department, an accessory) offered."""
    mesh = {"sku": "OFF-003", "qty": 2, "unit_price": "479.00"}
    events = [{"event": "slot", "name": "last_shown", "value": ["OFF-003"]},
              {"event": "slot", "name": "last_shown", "value": ["OFF-008"]}]
    tracker = make_tracker(text, "add_to_cart", slots={"cart": [mesh], "last_shown": ["OFF-008"]}, events=events)
    await ActionAddToCart().run(dispatcher, tracker, domain)
    assert "Swapped the Ergo Plus Mesh Chair for 2 × Rest" not in texts(dispatcher)


@pytest.mark.parametrize("text", ["Sorry, only 1 piece needed", "actually just one pair"])
async def test_a_new_quantity_read_as_a_search_goes_to_the_cart(res, dispatcher, domain, text):
    from actions.catalog import ActionShowProducts

    tracker = make_tracker(text, "search_product", slots={"cart": [TOASTER], "last_product": "KIT-008"})
    events = await ActionShowProducts().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_remove_from_cart"}]
    d2 = type(dispatcher)()  # and the cart action sets the line just added to that number
    assert slot_events(await ActionRemoveFromCart().run(d2, tracker, domain)).get("cart") == [dict(TOASTER, qty=1)], texts(d2)


async def test_a_new_quantity_with_a_reason_read_as_out_of_scope_goes_to_the_cart(res, dispatcher, domain):
    """"actually only 2, my mum doesnt need one" after adding 3: the line becomes 2."""
    from actions.fallback import ActionReplyOutOfScope

    tracker = make_tracker("actually only 2, my mum doesnt need one", "out_of_scope",
                           slots={"cart": [dict(TOASTER, qty=3)], "last_product": "KIT-008"})
    events = await ActionReplyOutOfScope().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_remove_from_cart"}]
    d2 = type(dispatcher)()
    assert slot_events(await ActionRemoveFromCart().run(d2, tracker, domain)).get("cart") == [dict(TOASTER, qty=2)], texts(d2)


async def test_remove_one_keep_the_other(res, dispatcher, domain):
    """"remove the band, keep watch only" with both in the cart (no product entities): the band goes."""
    band = {"sku": "PHN-007", "qty": 1, "unit_price": "79.00"}
    watch = {"sku": "PHN-006", "qty": 1, "unit_price": "249.00"}
    tracker = make_tracker("remove the band, keep watch only", "remove_from_cart",
                           slots={"cart": [band, watch], "last_product": "PHN-006"})
    assert slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))["cart"] == [watch]


async def test_a_type_or_a_name_word_beats_a_reference_to_the_card_on_screen(res, dispatcher, domain):
    """The bulbs' card was shown last: "remove one of the speakers" is a speaker, "make it 3 bulb
    packs" the bulbs, not the doorbell added last."""
    speakers = {"sku": "AUD-006", "qty": 2, "unit_price": "149.00"}
    bulbs = {"sku": "SMH-001", "qty": 1, "unit_price": "49.00"}
    doorbell = {"sku": "SMH-004", "qty": 1, "unit_price": "129.00"}
    tracker = make_tracker("remove one of the speakers", "remove_from_cart", slots={
        "cart": [speakers, bulbs], "last_shown": ["SMH-001"], "last_product": "SMH-001"},
        entities=[{"entity": "category", "value": "speakers", "start": 18, "end": 26}, {"entity": "quantity", "value": "1"}])
    assert slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))["cart"] == [
        dict(speakers, qty=1), bulbs]
    d2 = type(dispatcher)()
    tracker = make_tracker("actually make it 3 bulb packs", "add_to_cart", slots={
        "cart": [bulbs, doorbell], "last_shown": ["SMH-004"], "last_product": "SMH-004"},
        entities=[{"entity": "quantity", "value": "3"}])
    assert slot_events(await ActionAddToCart().run(d2, tracker, domain))["cart"] == [dict(bulbs, qty=3), doorbell]


@pytest.mark.parametrize("text, followup", [
    ("I need 12 of the swift kettles for our cafe chain, does the 5% come off automatically?", True),
    ("we'd like 3 swift kettles", True),
    ("i dont need the swift kettles", False),
    ("remove the swift kettles", False),
])
async def test_asking_for_products_read_as_a_removal_with_an_empty_cart_is_an_add(res, dispatcher, domain, text, followup):
    """It said "Your cart is already empty." to a café ordering 12 kettles."""
    tracker = make_tracker(text, "remove_from_cart", entities=_named(text, "swift kettles"))
    events = await ActionRemoveFromCart().run(dispatcher, tracker, domain)
    assert (events == [{"event": "followup", "name": "action_add_to_cart", "timestamp": None}]) is followup
    assert (texts(dispatcher) == "Your cart is already empty.") is not followup


async def test_the_add_answers_the_question_that_came_with_it(res, dispatcher, domain):
    text = "I need 12 of the swift kettles for our cafe chain, does the 5% come off automatically?"
    tracker = make_tracker(text, "remove_from_cart", entities=_named(text, "swift kettles"))
    events = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert events["cart"] == [{"sku": "KIT-004", "qty": 12, "unit_price": "45.00"}]
    said = texts(dispatcher).split("\n")
    assert said[0].startswith("Added 12 × Swift Electric Kettle") and said[1].startswith("Orders of 10 or more of one product get 5% off")


async def test_a_smaller_number_at_the_order_summary_changes_the_line_before_any_yes(res, dispatcher, domain):
    """"actually just 1 pack of bulbs" at the summary (read as unsure) said "Sorry, I can't help with that
    one" and the next "ok confirm" placed 2 packs: now it is read as the cart change the form makes."""
    from lift.nlu.scope import guarded_intent
    text = "actually just 1 pack of bulbs"
    reading = guarded_intent({"name": "inform", "confidence": 0.27}, [{"name": "inform", "confidence": 0.27}], [], text)
    assert reading["name"] == "remove_from_cart"
    bulbs = {"sku": "SMH-001", "qty": 2, "unit_price": "49.00"}  # the Beacon Smart Bulb 4-Pack
    slots = {"cart": [bulbs], "email": "a@b.io", "shipping_address": "12 Market Street, Springfield, IL 62701",
             "shipping_method": "standard", "requested_slot": "checkout_confirmed"}
    tracker = make_tracker(text, "remove_from_cart", active_loop="checkout_form", slots=slots,
                           entities=_named(text, "bulbs"))
    events = slot_events(await ValidateCheckoutForm().run(dispatcher, tracker, domain))
    assert events.get("cart") == [{**bulbs, "qty": 1}] and events["checkout_confirmed"] is None, (events, texts(dispatcher))


async def test_a_removal_naming_two_lines_removes_the_one_after_its_verb(res, dispatcher, domain):
    """"I only wanted the small Boom Go speaker, not the Boom Home one. Please remove the Boom Home Smart
    Speaker." removed the Boom Go."""
    text = "I only wanted the small Boom Go speaker, not the Boom Home one. Please remove the Boom Home Smart Speaker."
    go, home = {"sku": "AUD-005", "qty": 1, "unit_price": "59.00"}, {"sku": "AUD-006", "qty": 1, "unit_price": "149.00"}
    entities = _named(text, "Boom Go") + [{"entity": "product", "value": "Boom Home", "start": text.index("Boom Home"),
                                            "end": text.index("Boom Home") + 9}] + _named(text, "Boom Home Smart Speaker")
    tracker = make_tracker(text, "remove_from_cart", entities=entities, slots={"cart": [go, home]})
    events = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert events["cart"] == [go], texts(dispatcher)


SPEAKER = {"sku": "AUD-005", "qty": 1, "unit_price": "59.00"}


@pytest.mark.parametrize("text, intent", [
    ("could you exchange those for the Aria Pro", "get_refund"),  # read as a refund request
    ("trade the speakers for the Aria Pro cans", "search_product"),
])
async def test_a_swap_read_as_a_refund_or_a_search_swaps_the_cart_line(res, dispatcher, domain, text, intent):
    from actions.catalog import ActionShowProducts
    from actions.knowledge import ActionAnswerQuestion

    action = ActionAnswerQuestion if intent == "get_refund" else ActionShowProducts
    tracker = make_tracker(text, intent, entities=_named(text, "Aria Pro"), slots={"cart": [SPEAKER]})
    events = slot_events(await action().run(dispatcher, tracker, domain))
    assert events["cart"] == [{"sku": "AUD-002", "qty": 1, "unit_price": "249.00"}], texts(dispatcher)
    assert texts(dispatcher).startswith("Swapped the Boom Go Portable Speaker for 1 × Aria Pro")


async def test_exchanging_something_bought_before_is_no_cart_swap(res, dispatcher, domain):
    from actions.knowledge import ActionAnswerQuestion

    text = "can i exchange the speaker i bought last week for the Aria Pro"
    tracker = make_tracker(text, "get_refund", entities=_named(text, "Aria Pro"), slots={"cart": [SPEAKER]})
    events = slot_events(await ActionAnswerQuestion().run(dispatcher, tracker, domain))
    assert "cart" not in events and "Swapped" not in texts(dispatcher)


async def test_a_product_asked_for_at_the_summary_before_confirming_is_added_never_placed(res, dispatcher, domain):
    """"The standing desk is missing from this order. Please add the Elevate Standing Desk before I confirm."
    (read as an order change) PLACED the order without the desk: "confirm" was taken as the go-ahead."""
    from lift.commerce.validation import says_confirm

    text = "The standing desk is missing from this order. Please add the Elevate Standing Desk before I confirm."
    assert not says_confirm(text) and says_confirm("ok, place the order")
    chair = {"sku": "OFF-002", "qty": 1, "unit_price": "329.00"}
    slots = {"cart": [chair], "email": "a@b.io", "shipping_address": "12 Market Street, Springfield, IL 62701",
             "shipping_method": "standard", "requested_slot": "checkout_confirmed"}
    tracker = make_tracker(text, "change_order", active_loop="checkout_form", slots=slots,
                           entities=_named(text, "standing desk", "Elevate Standing Desk"))
    events = slot_events(await ValidateCheckoutForm().run(dispatcher, tracker, domain))
    assert events["cart"] == [chair, {"sku": "OFF-001", "qty": 1, "unit_price": "549.00"}], texts(dispatcher)
    assert events["checkout_confirmed"] is None  # the summary is shown again; only a yes to it places the order
