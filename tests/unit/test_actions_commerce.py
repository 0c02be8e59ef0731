"""Catalog, cart and checkout actions with real Trackers, the real domain and catalog, and SQLite."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cart import ActionAcceptUpsell, ActionAddToCart, ActionRemoveFromCart, ActionViewCart
from actions.coupons import ActionApplyCoupon
from actions.catalog import ActionShowProducts
from actions.price import ActionShowPrice
from actions.checkout import ActionAskCheckoutConfirmed, ActionPlaceOrder, ValidateCheckoutForm
from lift.store.engine import session_scope
from lift.store.models import Order
from tests.support.trackers import ent, make_tracker, slot_events, texts


async def run(action, dispatcher, domain, tracker):
    return await action.run(dispatcher, tracker, domain)


async def test_show_products_for_a_category(res, dispatcher, domain):
    events = await run(ActionShowProducts(), dispatcher, domain,
                       make_tracker("show me headphones", "search_product", entities=[ent("category", "headphones")]))
    cards = dispatcher.messages[0]["custom"]
    assert cards["type"] == "product_cards" and 1 <= len(cards["products"]) <= 4
    assert all(res.catalog.get(p["sku"]).category == "audio" for p in cards["products"])
    card = cards["products"][0]
    assert {"sku", "name", "price", "stock", "image", "buttons"} <= set(card)
    assert slot_events(events)["last_product"] == card["sku"]


async def test_show_products_named_product(res, dispatcher, domain):
    events = await run(ActionShowProducts(), dispatcher, domain,
                       make_tracker("do you sell the nimbus 14?", "search_product", entities=[ent("product", "nimbus 14")]))
    assert slot_events(events)["last_product"] == "CMP-001"


async def test_show_products_unknown(res, dispatcher, domain):
    events = await run(ActionShowProducts(), dispatcher, domain, make_tracker("do you have unicorn saddles", "search_product"))
    assert events == [] and texts(dispatcher).startswith("We don't carry anything matching “unicorn saddles”.")
    assert dispatcher.messages[0]["buttons"]


@pytest.mark.parametrize("text", ["what do you sell", "what kinda stuff do u guys have"])
async def test_asking_what_we_sell_gets_the_departments(res, dispatcher, domain, text):
    events = await run(ActionShowProducts(), dispatcher, domain, make_tracker(text, "search_product"))
    assert texts(dispatcher) == "What are you looking for? Here are our departments:" and events == []
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]][:2] == ["Audio", "Computers"]


@pytest.mark.parametrize("text", ["how much now", "ok how much is it now"])
async def test_how_much_now_after_a_change_is_the_cart(res, dispatcher, domain, text):
    cart = [{"sku": "AUD-003", "qty": 1, "unit_price": "89.00"}]
    await run(ActionShowPrice(), dispatcher, domain, make_tracker(text, "ask_price", slots={"cart": cart, "last_product": "KIT-004"}))
    assert texts(dispatcher).startswith("Your cart:") and "Subtotal: $89.00" in texts(dispatcher), texts(dispatcher)


@pytest.mark.parametrize("text", ["yo got any chairs", "hellow i search chairs for my daugther not too expensiv pls"])
async def test_chat_words_and_a_long_typo_list_are_not_named_as_missing(res, dispatcher, domain, text):
    await run(ActionShowProducts(), dispatcher, domain, make_tracker(text, "search_product", entities=[ent("category", "chairs")]))
    assert "We don't have anything matching" not in texts(dispatcher), texts(dispatcher)


async def test_how_much_all_together_is_the_cart_not_the_card_offered(res, dispatcher, domain):
    """After "add 3 smart plugs and the thermostat" the hub card is on screen: "how much is that all
    together" is the cart's total, not the hub's price."""
    cart = [{"sku": "AUD-001", "qty": 2, "unit_price": "129.00"}, {"sku": "ACC-003", "qty": 1, "unit_price": "29.00"}]
    await run(ActionShowPrice(), dispatcher, domain, make_tracker(
        "how much is that all together", "ask_price", slots={"cart": cart, "last_product": "AUD-002", "last_shown": ["AUD-002"]}))
    said = texts(dispatcher)
    assert said.startswith("Your cart:") and "Subtotal: $287.00" in said and "Aria Pro" not in said, said
    assert dispatcher.messages[0]["buttons"] == [{"title": "Check out", "payload": "/checkout"}]


async def test_how_much_is_shipping_outside_checkout_lists_the_options(res, dispatcher, domain):
    events = await run(ActionShowPrice(), dispatcher, domain,
                       make_tracker("ok and how much is shipping", "ask_price", slots={"last_product": "AUD-001"}))
    said = texts(dispatcher)
    assert "Express" in said and "$14.99" in said and "Aria" not in said and events == [], said


async def test_price_of_last_product(res, dispatcher, domain):
    await run(ActionShowPrice(), dispatcher, domain, make_tracker("how much is it", "ask_price", slots={"last_product": "AUD-001"}))
    assert "Aria Wireless Headphones costs $129.00" in texts(dispatcher)


async def test_add_to_cart_offers_a_complement(res, dispatcher, domain):
    events = await run(ActionAddToCart(), dispatcher, domain,
                       make_tracker("add 2 aria headphones", "add_to_cart", entities=[ent("product", "aria headphones")]))
    slots = slot_events(events)
    assert slots["cart"] == [{"sku": "AUD-001", "qty": 2, "unit_price": "129.00"}]
    assert slots["upsell_sku"] in res.catalog.get("AUD-001").complements
    assert "Want me to add it?" in texts(dispatcher)


@pytest.mark.parametrize("text,expect", [
    ("add 0 aria headphones", "at least 1"),
    ("add -1 aria headphones", "at least 1"),
    ("add 50 aria headphones", "at most 20 of one product"),
])
async def test_add_to_cart_bad_quantities(res, dispatcher, domain, text, expect):
    events = await run(ActionAddToCart(), dispatcher, domain,
                       make_tracker(text, "add_to_cart", entities=[ent("product", "aria headphones")]))
    assert events == [] and expect in texts(dispatcher)


async def test_more_than_a_cart_line_takes_offers_the_limit_or_a_quote(res, dispatcher, domain):
    """"needs 50 Beacon Smart Plugs. Please add them": the limit, then "Add 20" or the sales team's
    quote as buttons (it was a dead end with the 10%-from-50 discount out of reach)."""
    events = await run(ActionAddToCart(), dispatcher, domain,
                       make_tracker("add 50 aria headphones", "add_to_cart", entities=[ent("product", "aria headphones")]))
    buttons = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    assert events == [] and "quote" in texts(dispatcher)
    assert buttons == ['/add_to_cart{"product":"AUD-001","quantity":"20"}', "/request_demo"], buttons


@pytest.mark.parametrize("text, qty", [("ok add the 16 pro", 1), ("i'll take the nimbus 16 pro", 1), ("2 x nimbus 16 pro", 2)])
async def test_the_number_in_a_product_name_is_not_a_quantity(res, dispatcher, domain, text, qty):
    at = text.index("16")
    entities = [{"entity": "quantity", "value": 16, "start": at, "end": at + 2}]
    if text.startswith("2 x"):
        entities = [{"entity": "quantity", "value": "2", "start": text.index("2"), "end": text.index("2") + 1}]
    events = await run(ActionAddToCart(), dispatcher, domain, make_tracker(text, "add_to_cart", entities=entities))
    assert slot_events(events).get("cart") == [{"sku": "CMP-002", "qty": qty, "unit_price": "1599.00"}], texts(dispatcher)


async def test_add_above_stock_and_out_of_stock(res, dispatcher, domain):
    events = await run(ActionAddToCart(), dispatcher, domain,
                       make_tracker("add 3 slate mini", "add_to_cart", entities=[ent("product", "slate mini")]))
    # nothing added; the product is remembered for a new number in the next message ("actually 2")
    assert events == [{"event": "slot", "name": "refused_product", "timestamp": None, "value": "PHN-005"}]
    assert "only have 2" in texts(dispatcher)
    d2 = type(dispatcher)()
    events = await run(ActionAddToCart(), d2, domain,
                       make_tracker("add the bookshelf", "add_to_cart", entities=[ent("product", "bookshelf")]))
    # nothing added; the alternatives offered are what "the first one" means next
    assert "out of stock" in texts(d2) and "cart" not in slot_events(events)
    assert slot_events(events) == {"last_shown": [p["sku"] for m in d2.messages if m.get("custom")
                                                  for p in m["custom"]["products"]]}


async def test_add_unknown_product_does_not_fall_back_to_last_viewed(res, dispatcher, domain):
    events = await run(ActionAddToCart(), dispatcher, domain,
                       make_tracker("add a hovercraft to my cart", "add_to_cart", slots={"last_product": "AUD-001"}))
    assert events == [] and "couldn't find" in texts(dispatcher)


async def test_add_it_uses_last_viewed(res, dispatcher, domain):
    events = await run(ActionAddToCart(), dispatcher, domain,
                       make_tracker("add it to my cart", "add_to_cart", slots={"last_product": "CMP-001"}))
    assert slot_events(events)["cart"][0]["sku"] == "CMP-001"


async def test_accept_upsell(res, dispatcher, domain):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    events = await run(ActionAcceptUpsell(), dispatcher, domain,
                       make_tracker("yes", "affirm", slots={"cart": cart, "upsell_sku": "ACC-003"}))
    slots = slot_events(events)
    assert slots["upsell_accepted"] is True and [i["sku"] for i in slots["cart"]] == ["AUD-001", "ACC-003"]


async def test_upsell_button_counts_as_accepted(res, dispatcher, domain):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    events = await run(ActionAddToCart(), dispatcher, domain,
                       make_tracker('/add_to_cart{"product":"ACC-003"}', "add_to_cart", entities=[ent("product", "ACC-003")],
                                    slots={"cart": cart, "upsell_sku": "ACC-003"}))
    assert slot_events(events)["upsell_accepted"] is True


async def test_remove_and_view(res, dispatcher, domain):
    cart = [{"sku": "AUD-001", "qty": 2, "unit_price": "129.00"}, {"sku": "ACC-002", "qty": 1, "unit_price": "15.00"}]
    events = await run(ActionRemoveFromCart(), dispatcher, domain,
                       make_tracker("remove the aria", "remove_from_cart", entities=[ent("product", "aria")], slots={"cart": cart}))
    assert slot_events(events)["cart"] == [cart[1]]
    d2 = type(dispatcher)()
    await run(ActionViewCart(), d2, domain, make_tracker("my cart", "view_cart", slots={"cart": cart, "coupon_code": "WELCOME10"}))
    text = texts(d2)
    assert "2 × Aria Wireless Headphones — $258.00" in text and "Subtotal: $273.00" in text and "WELCOME10: −$27.30" in text


async def test_each_named_product_gets_its_own_number_in_words(res, dispatcher, domain):
    text = "i want two orbit x cases and one usb-c cable"
    entities = [{"entity": "product", "value": "orbit x cases", "start": 11, "end": 24},
                {"entity": "product", "value": "usb-c cable", "start": 33, "end": 44}]
    events = await run(ActionAddToCart(), dispatcher, domain, make_tracker(text, "add_to_cart", entities=entities))
    assert {i["sku"]: i["qty"] for i in slot_events(events)["cart"]} == {"ACC-004": 2, "ACC-002": 1}


async def test_removing_a_product_type_the_cart_lacks_removes_nothing(res, dispatcher, domain):
    """"remove the mouse" with only a tablet in the cart: never the only (or last) line."""
    cart = [{"sku": "PHN-004", "qty": 1, "unit_price": "499.00"}]
    events = await run(ActionRemoveFromCart(), dispatcher, domain, make_tracker(
        "remove the mouse", "remove_from_cart", entities=[ent("category", "mouse")],
        slots={"cart": cart, "last_product": "PHN-004"}))
    assert "cart" not in slot_events(events)
    assert texts(dispatcher).startswith("There's no mouse in your cart.")


async def test_removing_a_product_type_removes_the_line_of_that_type(res, dispatcher, domain):
    cart = [{"sku": "CMP-008", "qty": 1, "unit_price": "39.00"}, {"sku": "PHN-004", "qty": 1, "unit_price": "499.00"}]
    events = await run(ActionRemoveFromCart(), dispatcher, domain, make_tracker(
        "take the mouse out", "remove_from_cart", entities=[ent("category", "mouse")],
        slots={"cart": cart, "last_product": "PHN-004"}))
    assert slot_events(events)["cart"] == [cart[1]]


@pytest.mark.parametrize("text", ["remove one mouse", "remove a mouse"])
async def test_removing_one_of_a_type_lowers_that_line_even_after_a_cross_sell_card(res, dispatcher, domain, text):
    """Two mice and a keyboard, the keyboard added last with its cross-sell card showing: one mouse
    goes ("one" is not the card, "a" is one), never the keyboard or both mice."""
    cart = [{"sku": "CMP-008", "qty": 2, "unit_price": "39.00"}, {"sku": "CMP-007", "qty": 1, "unit_price": "89.00"}]
    events = await run(ActionRemoveFromCart(), dispatcher, domain, make_tracker(
        text, "remove_from_cart", entities=[ent("category", "mouse")],
        slots={"cart": cart, "last_product": "CMP-007", "last_shown": ["ACC-001"], "upsell_sku": "ACC-001"}))
    assert slot_events(events)["cart"] == [{**cart[0], "qty": 1}, cart[1]], texts(dispatcher)


async def test_view_empty_cart(res, dispatcher, domain):
    await run(ActionViewCart(), dispatcher, domain, make_tracker("cart", "view_cart"))
    assert "empty" in texts(dispatcher)


async def test_coupon_valid_and_invalid(res, dispatcher, domain):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    events = await run(ActionApplyCoupon(), dispatcher, domain,
                       make_tracker("use WELCOME10", "apply_coupon", entities=[ent("coupon_code", "WELCOME10")], slots={"cart": cart}))
    assert slot_events(events) == {"coupon_code": "WELCOME10"}
    d2 = type(dispatcher)()
    events = await run(ActionApplyCoupon(), d2, domain,
                       make_tracker("use FAKE99", "apply_coupon", entities=[ent("coupon_code", "FAKE99")], slots={"cart": cart}))
    assert events == [] and "couldn't find" in texts(d2)


async def test_checkout_form_ends_at_once_with_an_empty_cart(res, dispatcher, domain):
    events = await ValidateCheckoutForm().run(dispatcher, make_tracker("checkout", "checkout", active_loop="checkout_form"), domain)
    assert {"event": "active_loop", "name": None} in [{"event": e["event"], "name": e.get("name")} for e in events]


async def test_checkout_form_validates_answers(res, dispatcher, domain):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    tracker = make_tracker("Market street", "inform", active_loop="checkout_form",
                           slots={"cart": cart, "email": "a@b.io", "requested_slot": "shipping_address"})
    events = await ValidateCheckoutForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["shipping_address"] is None
    assert dispatcher.messages[0]["response"] == "utter_wrong_shipping_address"
    d2 = type(dispatcher)()
    tracker = make_tracker("express", "inform", active_loop="checkout_form",
                           slots={"cart": cart, "email": "a@b.io", "shipping_address": "1 Main St, Town",
                                  "requested_slot": "shipping_method"})
    events = await ValidateCheckoutForm().run(d2, tracker, domain)
    assert slot_events(events)["shipping_method"] == "express"
    # the shipping policy: express and next-day need a street address, a PO box gets standard
    for method, ok in (("express", False), ("next day", False), ("standard", True)):
        d3 = type(dispatcher)()
        tracker = make_tracker(method, "inform", active_loop="checkout_form",
                               slots={"cart": cart, "email": "a@b.io", "shipping_address": "PO Box 123, Dallas, TX 75201",
                                      "requested_slot": "shipping_method"})
        events = await ValidateCheckoutForm().run(d3, tracker, domain)
        assert (slot_events(events)["shipping_method"] is not None) == ok, texts(d3)
        assert ok or "need a street address" in texts(d3)


@pytest.mark.parametrize("text, chosen, says", [
    ("whats the fastest option", None, "Next-day is the fastest. "), ("which one is cheapest?", None, "Standard"),
    ("fastest please", "next_day", None), ("how about express", "express", None), ("fast is fine", "express", None),
    ("can i get it tomorrow", "next_day", None),
])
async def test_a_question_while_choosing_the_delivery_is_answered_not_taken(res, domain, text, chosen, says):
    """"whats the fastest option" names next-day and its price and asks again; it never picks one."""
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    d = CollectingDispatcher()
    tracker = make_tracker(text, "delivery_options", active_loop="checkout_form",
                           slots={"cart": cart, "email": "a@b.io", "shipping_address": "1 Main St, Springfield, IL 62701",
                                  "requested_slot": "shipping_method"})
    events = await ValidateCheckoutForm().run(d, tracker, domain)
    assert slot_events(events).get("shipping_method") == chosen, (events, texts(d))
    if says:
        assert texts(d).startswith(says) or says in texts(d), texts(d)
        assert "Next-day (1 business day): $24.99" in texts(d), texts(d)


@pytest.mark.parametrize("text,intent,confirmed", [
    ("place order", "inform", True), ("go ahead and buy it", "checkout", True), ("place the order now", "place_order", True),
    ("don't place it yet", "inform", None), ("what's the total again", "ask_price", None),
])
async def test_typed_go_ahead_at_the_summary_confirms(res, domain, text, intent, confirmed):
    slots = {"cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}], "email": "a@b.io",
             "shipping_address": "1 Main St, Town", "shipping_method": "standard", "requested_slot": "checkout_confirmed"}
    d = CollectingDispatcher()
    events = await ValidateCheckoutForm().run(d, make_tracker(text, intent, active_loop="checkout_form", slots=slots), domain)
    assert slot_events(events).get("checkout_confirmed") is confirmed


async def test_coupon_typed_in_lower_case(res, dispatcher, domain):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    events = await run(ActionApplyCoupon(), dispatcher, domain,
                       make_tracker("use coupon welcome10", "apply_coupon", slots={"cart": cart}))
    assert slot_events(events) == {"coupon_code": "WELCOME10"} and "applied" in texts(dispatcher)


async def test_add_a_number_of_the_one_product_just_shown(res, domain):
    d = CollectingDispatcher()
    events = await run(ActionAddToCart(), d, domain, make_tracker("add 2", "add_to_cart", entities=[ent("quantity", "2")],
                                                                 slots={"last_shown": ["SMH-002"]}))
    assert [(i["sku"], i["qty"]) for i in slot_events(events)["cart"]] == [("SMH-002", 2)]
    d = CollectingDispatcher()
    events = await run(ActionAddToCart(), d, domain, make_tracker("add 2", "add_to_cart", entities=[ent("quantity", "2")],
                                                                 slots={"last_shown": ["SMH-001", "SMH-002"]}))
    # two shown: nothing added, and the question names both (tests/unit/test_actions_references.py)
    assert "cart" not in slot_events(events) and texts(d).startswith("I showed you 2 products.")


async def test_question_during_checkout_is_not_taken_as_an_answer(res, dispatcher, domain):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    tracker = make_tracker("do you ship to Canada at 12 Main St?", "ask_question", active_loop="checkout_form",
                           slots={"cart": cart, "email": "a@b.io", "requested_slot": "shipping_address"})
    events = await ValidateCheckoutForm().run(dispatcher, tracker, domain)
    assert "shipping_address" not in slot_events(events)


async def test_a_coupon_during_checkout_is_not_taken_as_the_address(res, dispatcher, domain):
    cart = [{"sku": "PHN-001", "qty": 1, "unit_price": "799.00"}]
    tracker = make_tracker("apply WELCOME10", "apply_coupon", active_loop="checkout_form",
                           entities=[ent("coupon_code", "WELCOME10")],
                           slots={"cart": cart, "email": "ben@example.com", "requested_slot": "shipping_address"})
    events = await ValidateCheckoutForm().run(dispatcher, tracker, domain)
    assert "shipping_address" not in slot_events(events)


async def test_store_pickup_asked_instead_of_an_address_needs_none(res, dispatcher, domain):
    cart = [{"sku": "SMH-002", "qty": 2, "unit_price": "25.00"}]
    tracker = make_tracker("idk my address yet, can i pick it up in store instead?", "ask_question",
                           active_loop="checkout_form",
                           slots={"cart": cart, "email": "jon@example.com", "requested_slot": "shipping_address"})
    slots = slot_events(await ValidateCheckoutForm().run(dispatcher, tracker, domain))
    assert slots["shipping_address"] == "store pickup" and slots["shipping_method"] == "pickup"
    assert "street address" not in texts(dispatcher)
    summary_slots = {"cart": cart, "email": "jon@example.com", **slots}
    d2 = type(dispatcher)()
    await run(ActionAskCheckoutConfirmed(), d2, domain, make_tracker("pickup", "inform", slots=summary_slots))
    assert "Store pickup" in texts(d2) and "Ship to" not in texts(d2)


@pytest.mark.parametrize("requested", ["checkout_confirmed", "shipping_method"])
async def test_a_new_quantity_during_checkout_changes_the_cart_and_asks_again(res, dispatcher, domain, requested):
    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]
    slots = {"cart": cart, "email": "a@b.io", "shipping_address": "12 Market Street, Springfield, IL 62701",
             "shipping_method": "express", "requested_slot": requested, "last_product": "AUD-001"}
    tracker = make_tracker("actually make it 2 headphones", "inform", active_loop="checkout_form", slots=slots,
                           entities=[{"entity": "quantity", "value": 2, "start": 17, "end": 18}])
    events = slot_events(await ValidateCheckoutForm().run(dispatcher, tracker, domain))
    assert events["cart"] == [{"sku": "AUD-001", "qty": 2, "unit_price": "129.00"}] and events["checkout_confirmed"] is None
    assert "You now have 2 × Aria Wireless Headphones" in texts(dispatcher)


async def test_confirmation_summary_and_order(res, dispatcher, domain):
    slots = {"cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}], "email": "jane@acme.io",
             "shipping_address": "12 Market Street, Springfield", "shipping_method": "express",
             "coupon_code": "WELCOME10", "checkout_confirmed": True}
    await run(ActionAskCheckoutConfirmed(), dispatcher, domain, make_tracker("express", "inform", slots=slots))
    summary = texts(dispatcher)
    assert "Total: $131.09" in summary and "Coupon WELCOME10" in summary
    d2 = type(dispatcher)()
    events = await run(ActionPlaceOrder(), d2, domain, make_tracker("yes", "affirm", slots=slots, sender_id="buyer"))
    placed = slot_events(events)
    assert placed["cart"] == [] and placed["placed_order_id"].startswith("LFT")
    with session_scope(res.engine) as s:
        order = s.get(Order, placed["placed_order_id"])
        assert order.sender_id == "buyer" and float(order.total) == 131.09 and order.email == "jane@acme.io"
    assert placed["placed_order_id"] in texts(d2)


async def test_place_order_declined_or_empty(res, dispatcher, domain):
    slots = {"cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}], "checkout_confirmed": False}
    events = await run(ActionPlaceOrder(), dispatcher, domain, make_tracker("no", "deny", slots=slots))
    assert "placed_order_id" not in slot_events(events)
    assert dispatcher.messages[0]["response"] == "utter_checkout_cancelled"
    d2 = type(dispatcher)()
    events = await run(ActionPlaceOrder(), d2, domain, make_tracker("checkout", "checkout"))
    assert "placed_order_id" not in slot_events(events) and d2.messages[0]["response"] == "utter_cart_empty_checkout"


async def test_cross_sell_follows_its_experiment_and_flag(res, domain):
    """Surface cross_sell: variant `off` makes no offer; flag cross_sell_offer is the kill switch."""
    from lift.experiments.rollout import set_experiment_status, set_flag_percent

    experiments = res.experiments
    set_experiment_status(res.engine, experiments.config, "cross_sell_strategy", "start", actor="t", reason="test")
    experiments.refresh()
    offered = {}
    for i in range(40):
        d = CollectingDispatcher()
        tracker = make_tracker("add aria headphones", "add_to_cart", entities=[ent("product", "aria headphones")],
                               sender_id=f"shopper-{i}")
        events = await ActionAddToCart().run(d, tracker, domain)
        offered[f"shopper-{i}"] = "upsell_sku" in slot_events(events)
    variants = {s: experiments.variant(s, "cross_sell_strategy") for s in offered}
    assert set(variants.values()) == {"complement", "off"}
    assert all(offered[s] == (variants[s] == "complement") for s in offered)

    set_flag_percent(res.engine, experiments.config, "cross_sell_offer", 0, actor="t", reason="kill")
    experiments.refresh()
    complement = next(s for s, v in variants.items() if v == "complement")
    d = CollectingDispatcher()
    events = await ActionAddToCart().run(d, make_tracker("add aria headphones", "add_to_cart",
                                                         entities=[ent("product", "aria headphones")], sender_id=complement), domain)
    assert "upsell_sku" not in slot_events(events) and "Want me to add it?" not in texts(d)


async def test_the_cheapest_camera_is_a_camera_not_the_departments_cheapest_tripod(res, dispatcher, domain):
    events = await run(ActionShowPrice(), dispatcher, domain,
                       make_tracker("cheapest camera u got", "ask_price", entities=[ent("category", "cameras")]))
    said = texts(dispatcher)
    assert "Camera" in said.split(" at ")[0] and "Tripod" not in said, said
    assert slot_events(events)["last_product"].startswith("CAM-")


async def test_a_type_over_budget_offers_what_its_department_has_within_it(res, dispatcher, domain):
    """No headphones cost $100 or less; the earbuds, their substitute in the catalog, do."""
    await run(ActionShowProducts(), dispatcher, domain,
              make_tracker("need headphones under 100", "search_product", entities=[ent("category", "headphones")]))
    said = texts(dispatcher)
    assert said == "No headphones cost $100.00 or less; these do the same job:", said
    skus = [p["sku"] for p in dispatcher.messages[0]["custom"]["products"]]
    assert skus == ["AUD-003"]
