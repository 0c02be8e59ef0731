"""A new number for an add just refused for its number: "add 3 aria pro" -> "We only have 2 …" ->
"actually 2 not 3" adds 2 (the cart was empty, so there was no line to set)."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cart import ActionAcceptUpsell, ActionAddToCart
from actions.fallback import ActionOfferOptions
from actions.pick import ActionPickProduct
from tests.support.trackers import make_tracker, slot_events, texts

MIC = "AUD-008"  # Studio USB Microphone: 2 in stock


def _named(text):
    start = text.lower().index("studio usb microphone")
    return [{"entity": "product", "value": MIC, "start": start, "end": start + len("studio usb microphone")}]


async def _first_turn(domain, text="add 3 studio usb microphone"):
    dispatcher = CollectingDispatcher()
    events = await ActionAddToCart().run(dispatcher, make_tracker(text, "add_to_cart", entities=_named(text)), domain)
    return text, dispatcher, events


def _history(first_text, bot_events, intent="add_to_cart"):
    entities = _named(first_text) if intent == "add_to_cart" else []
    user = {"event": "user", "text": first_text,
            "parse_data": {"text": first_text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities}}
    return [user, {"event": "action", "name": "action_add_to_cart"}, *bot_events,
            {"event": "action", "name": "action_listen"}]


@pytest.mark.parametrize("action, intent, text", [
    (ActionAddToCart, "add_to_cart", "actually 2 not 3"),
    (ActionPickProduct, "inform", "oops i meant 2"),
    (ActionAddToCart, "add_to_cart", "ok make it 2 then"),
    (ActionAcceptUpsell, "affirm", "ok 2 then"),  # read as a yes to an old cross-sell offer: not that offer
    (ActionAcceptUpsell, "affirm", "ok just two then"),
    (ActionPickProduct, "inform", "fine, 2"),
    (ActionAcceptUpsell, "affirm", "alright fine, I'll settle for however many are left"),  # the 2 there are
    (ActionAddToCart, "add_to_cart", "ok i'll take what you have"),
    (ActionOfferOptions, "nlu_fallback", "my bad, make that two mics instead"),  # not understood: still the number
])
async def test_a_new_number_after_a_refused_add_adds_that_many(res, domain, action, intent, text):
    first, dispatcher, events = await _first_turn(domain)
    assert "We only have 2" in texts(dispatcher) and not slot_events(events).get("cart")
    assert slot_events(events)["refused_product"] == MIC

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, events=_history(first, events),
                           slots={"refused_product": MIC, "upsell_sku": "ACC-003"})
    got = slot_events(await action().run(dispatcher, tracker, domain))
    assert [(i["sku"], i["qty"]) for i in got["cart"]] == [(MIC, 2)], texts(dispatcher)
    assert "Added 2 × Studio USB Microphone" in texts(dispatcher)


async def test_only_right_after_the_refusal_and_never_for_a_sold_out_product(res, domain):
    first, _, events = await _first_turn(domain)
    later = _history(first, events) + _history("what about the warranty", [], "ask_question")  # another turn in between
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("actually 2 not 3", "add_to_cart", events=later, slots={"refused_product": MIC})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert not got.get("cart"), texts(dispatcher)

    dispatcher = CollectingDispatcher()  # another product named: that is a new request, not the number for this one
    tracker = make_tracker("ok 2 of the aria headphones then", "add_to_cart", events=_history(first, events),
                           entities=[{"entity": "product", "value": "AUD-001", "start": 10, "end": 26}],
                           slots={"refused_product": MIC})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert [i["sku"] for i in got.get("cart", [])] == ["AUD-001"], texts(dispatcher)

    dispatcher = CollectingDispatcher()  # still too many: told so, and the next number is still for it
    tracker = make_tracker("ok 3 then", "affirm", events=_history(first, events), slots={"refused_product": MIC})
    got = slot_events(await ActionAcceptUpsell().run(dispatcher, tracker, domain))
    assert "We only have 2" in texts(dispatcher) and got == {"refused_product": MIC}

    sold_out = [p for p in res.catalog.products if p.stock <= 0][0]
    text = f"add 3 {sold_out.name}"
    dispatcher = CollectingDispatcher()
    events = await ActionAddToCart().run(dispatcher, make_tracker(text, "add_to_cart", entities=[
        {"entity": "product", "value": sold_out.sku, "start": 6, "end": len(text)}]), domain)
    assert "refused_product" not in slot_events(events)  # nothing to retry with another number


@pytest.mark.parametrize("text, removed", [("and remove the cheaper one", "CMP-001"),
                                           ("take out the more expensive one", "CMP-002")])
async def test_the_cheaper_one_in_a_removal_is_among_the_cart_lines(res, domain, text, removed):
    """Two laptops in the cart and an unrelated cross-sell card on screen: "the cheaper one" is
    the cheaper line (it removed the dearer one)."""
    from actions.cart import ActionRemoveFromCart

    cart = [{"sku": "CMP-001", "qty": 2, "unit_price": "899.00"}, {"sku": "CMP-002", "qty": 2, "unit_price": "1599.00"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "remove_from_cart", slots={"cart": cart, "last_shown": ["ACC-003"],
                                                            "last_product": "CMP-002"})
    got = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert [i["sku"] for i in got["cart"]] == [s for s in ("CMP-001", "CMP-002") if s != removed], texts(dispatcher)


async def test_a_number_then_not_the_old_number_sets_the_line(res, domain):
    """"I want 12 ergo task chairs in my cart, not 10" with 10 in the cart: 12 in all (it tried 10 + 12)."""
    cart = [{"sku": "OFF-002", "qty": 10, "unit_price": "249.00"}]
    text = "I want 12 ergo task chairs in my cart, not 10"
    start = text.index("ergo task chair")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart", slots={"cart": cart, "last_product": "OFF-002"},
                           entities=[{"entity": "product", "value": "OFF-002", "start": start, "end": start + 15}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert [(i["sku"], i["qty"]) for i in got["cart"]] == [("OFF-002", 12)], texts(dispatcher)


async def test_set_the_quantity_of_a_line_read_as_a_cart_change(res, domain):
    """"set the quantity of Nimbus 14 laptops to 3" (change_order re-read by the scope guard as a cart
    change): the line becomes 3."""
    from actions.cart import ActionRemoveFromCart

    cart = [{"sku": "CMP-001", "qty": 1, "unit_price": "899.00"}, {"sku": "OFF-002", "qty": 2, "unit_price": "249.00"}]
    text = "set the quantity of Nimbus 14 laptops to 3"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "remove_from_cart", slots={"cart": cart, "last_product": "OFF-002"},
                           entities=[{"entity": "product", "value": "CMP-001", "start": 20, "end": 29}])
    got = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert [(i["sku"], i["qty"]) for i in got["cart"]] == [("CMP-001", 3), ("OFF-002", 2)], texts(dispatcher)


@pytest.mark.parametrize("text, counts", [
    ("ok add it and 2 of the usb c cables", {"CAM-004": 1, "ACC-002": 2}),
    ("add 2 of it plus a cable", {"CAM-004": 2, "ACC-002": 1}),
])
async def test_it_and_a_kind_named_adds_both_with_their_own_numbers(res, domain, text, counts):
    """The camera on screen and "2 of the usb c cables": one camera and two cables (it added 2 cameras)."""
    word = "cables" if "cables" in text else "cable"
    start = text.index(word)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart", slots={"last_shown": ["CAM-004"], "last_product": "CAM-004"},
                           entities=[{"entity": "category", "value": "accessories", "start": start, "end": start + len(word)}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert {i["sku"]: i["qty"] for i in got["cart"]} == counts, texts(dispatcher)


@pytest.mark.parametrize("text, counts", [
    ("grab me that one plus a couple usb-c cables", {"CAM-004": 1, "ACC-002": 2}),
    ("ok this and 3 volt usb-c cable 2m", {"CAM-004": 1, "ACC-002": 3}),
])
async def test_a_card_pointed_at_and_a_product_named_adds_both(res, domain, text, counts):
    """The camera on screen, "that one plus a couple usb-c cables": the camera and two cables (the
    camera was dropped)."""
    word = "usb-c cable"
    start = text.index(word)
    end = start + len(word) + (1 if text[start + len(word):start + len(word) + 1] == "s" else len(" 2m"))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart", slots={"last_shown": ["CAM-004"], "last_product": "CAM-004"},
                           entities=[{"entity": "product", "value": "ACC-002", "start": start, "end": end}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert {i["sku"]: i["qty"] for i in got["cart"]} == counts, texts(dispatcher)


async def test_that_one_among_several_cards_adds_the_named_and_asks_which(res, domain):
    """Four cameras on screen: the cables are added and the shopper is asked which camera, with a
    button per card; no camera is guessed."""
    text = "grab me that one plus a couple usb-c cables"
    start = text.index("usb-c cables")
    cams = ["CAM-001", "CAM-002", "CAM-004", "CAM-005"]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart", slots={"last_shown": cams, "last_product": "CAM-001"},
                           entities=[{"entity": "product", "value": "ACC-002", "start": start, "end": start + 12}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert {i["sku"]: i["qty"] for i in got["cart"]} == {"ACC-002": 2}, texts(dispatcher)
    payloads = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    assert all(any(c in p for p in payloads) for c in cams), payloads
    assert "Which one" in texts(dispatcher)


async def test_a_product_named_with_nothing_pointing_is_added_alone(res, domain):
    """Two products named and nothing pointing at a card: those two, not the camera on screen."""
    text = "add a usb-c cable and the lumina m50"
    a = text.index("usb-c cable")
    b = text.index("lumina m50")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart", slots={"last_shown": ["CAM-004"], "last_product": "CAM-004"},
                           entities=[{"entity": "product", "value": "ACC-002", "start": a, "end": a + 11},
                                     {"entity": "product", "value": "CAM-001", "start": b, "end": b + 10}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert set(i["sku"] for i in got["cart"]) == {"ACC-002", "CAM-001"}, texts(dispatcher)


@pytest.mark.parametrize("text", ["lowkey want the pro ones, add 5 pls", "ngl the pro version looks better, throw 2 in my cart"])
async def test_the_pro_ones_with_only_the_other_shown_is_the_pro(res, domain, text):
    """Only the Aria Wireless on screen: "the pro ones" is the Aria Pro (it added 5 Aria Wireless)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart", slots={"last_shown": ["AUD-001"], "last_product": "AUD-001"})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert "Aria Pro" in texts(dispatcher) and "Aria Wireless" not in texts(dispatcher), texts(dispatcher)
    assert all(i["sku"] == "AUD-002" for i in got.get("cart", [])), got


@pytest.mark.parametrize("text", ["pls bump the ergo chairs up to a dozen", "can u make it 12 chairs instead of 10"])
async def test_a_new_number_for_a_line_not_understood_still_sets_it(res, domain, text):
    """Read as nothing in particular (nlu_fallback) with chairs in the cart: the line becomes 12,
    not the plain-words options."""
    cart = [{"sku": "OFF-002", "qty": 10, "unit_price": "249.00"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "nlu_fallback", slots={"cart": cart, "last_product": "OFF-002"})
    got = slot_events(await ActionOfferOptions().run(dispatcher, tracker, domain))
    assert [(i["sku"], i["qty"]) for i in got["cart"]] == [("OFF-002", 12)], texts(dispatcher)


def _lines(got):
    return {i["sku"]: i["qty"] for i in got["cart"]}


@pytest.mark.parametrize("action, intent", [("remove", "remove_from_cart"), ("add", "add_to_cart")])
async def test_remove_a_line_not_there_and_add_another_keeps_the_cart(res, domain, action, intent):
    """5 task chairs in the cart, "remove the mesh one if its there, and add a desk lamp too": no
    mesh chair, so the chairs stay, and one lamp is added (the chairs were swapped for 5 lamps)."""
    from actions.cart import ActionRemoveFromCart

    text = "remove the mesh one if its there, and add a desk lamp too"
    start = text.index("desk lamp")
    cart = [{"sku": "OFF-002", "qty": 5, "unit_price": "329.00"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, slots={"cart": cart, "last_product": "OFF-002"},
                           entities=[{"entity": "product", "value": "desk lamp", "start": start, "end": start + 9}])
    run = ActionRemoveFromCart if action == "remove" else ActionAddToCart
    got = slot_events(await run().run(dispatcher, tracker, domain))
    lamp = res.catalog.find("desk lamp").sku
    assert _lines(got) == {"OFF-002": 5, lamp: 1}, texts(dispatcher)
    assert "no mesh one in your cart" in texts(dispatcher)


async def test_remove_a_line_named_and_add_another(res, domain):
    """"take out the kettle and add 2 toasters": the kettle goes, two toasters come in."""
    from actions.cart import ActionRemoveFromCart

    kettle, toaster = res.catalog.find("swift kettle"), res.catalog.find("toaster")
    text = "take out the swift kettle and add 2 toasters"
    k, t = text.index("swift kettle"), text.index("toasters")
    cart = [{"sku": kettle.sku, "qty": 1, "unit_price": str(kettle.price)},
            {"sku": "OFF-002", "qty": 1, "unit_price": "329.00"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "remove_from_cart", slots={"cart": cart},
                           entities=[{"entity": "product", "value": "swift kettle", "start": k, "end": k + 12},
                                     {"entity": "product", "value": "toaster", "start": t, "end": t + 8}])
    got = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {"OFF-002": 1, toaster.sku: 2}, texts(dispatcher)


async def test_it_and_the_x_one_adds_both(res, domain):
    """The espresso machine on screen, "add it pls, and the drip one too": both machines (the
    espresso machine was dropped)."""
    espresso, drip = res.catalog.find("crema espresso machine"), res.catalog.find("drip coffee maker")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("add it pls, and the drip one too", "add_to_cart",
                           slots={"last_shown": [espresso.sku], "last_product": espresso.sku})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {espresso.sku: 1, drip.sku: 1}, texts(dispatcher)


async def test_an_add_carrying_a_code_adds_then_applies_it(res, domain):
    """"add 3 pulse earbuds and use WELCOME10 pls": three earbuds, then the code on them, and no
    cross-sell offer in between (it said the cart was empty)."""
    text = "add 3 pulse earbuds and use WELCOME10 pls"
    start = text.index("pulse earbuds")
    earbuds = res.catalog.find("pulse earbuds")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart",
                           entities=[{"entity": "product", "value": "pulse earbuds", "start": start, "end": start + 13},
                                     {"entity": "coupon_code", "value": "WELCOME10", "start": text.index("WELCOME10"),
                                      "end": text.index("WELCOME10") + 9}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {earbuds.sku: 3}, texts(dispatcher)
    assert got.get("coupon_code") == "WELCOME10", texts(dispatcher)
    assert "Want me to add it?" not in texts(dispatcher)


async def test_a_pair_of_headphones_adds_one(res, domain):
    text = "Could you please add a pair of the Aria Wireless Headphones to my cart?"
    start = text.index("Aria Wireless Headphones")
    aria = res.catalog.find("aria wireless headphones")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart",
                           entities=[{"entity": "product", "value": "aria wireless headphones", "start": start, "end": start + 24}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {aria.sku: 1}, texts(dispatcher)


@pytest.mark.parametrize("text", ["I think I will have both of those, please.",
                                  "Ok I take both, one for mother and one for my aunt."])
async def test_a_polite_pick_read_as_out_of_scope_adds(res, domain, text):
    """Two headphones on screen: "I think I will have both of those, please." (out of scope) adds both."""
    from actions.fallback import ActionReplyOutOfScope

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "out_of_scope", slots={"last_shown": ["AUD-001", "AUD-002"], "last_product": "AUD-001"})
    got = slot_events(await ActionReplyOutOfScope().run(dispatcher, tracker, domain))
    assert _lines(got) == {"AUD-001": 1, "AUD-002": 1}, texts(dispatcher)


async def test_taking_the_expensive_one_out_read_as_nothing_removes_it(res, domain):
    from actions.fallback import ActionOfferOptions

    cart = [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}, {"sku": "AUD-002", "qty": 1, "unit_price": "249.00"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("Actually, please take the expensive one out, it is too dear for a boy.", "nlu_fallback",
                           slots={"cart": cart, "last_shown": ["AUD-001", "AUD-002"]})
    got = slot_events(await ActionOfferOptions().run(dispatcher, tracker, domain))
    assert _lines(got) == {"AUD-001": 1}, texts(dispatcher)


async def test_a_question_about_those_read_as_out_of_scope_adds_nothing(res, domain):
    from actions.fallback import ActionReplyOutOfScope

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("are those any good for running?", "out_of_scope",
                           slots={"last_shown": ["AUD-001", "AUD-002"], "last_product": "AUD-001"})
    got = slot_events(await ActionReplyOutOfScope().run(dispatcher, tracker, domain))
    assert "cart" not in got, texts(dispatcher)


async def test_a_pair_of_the_ones_on_screen_with_a_quantity_entity_adds_one(res, domain):
    """"ok add a pair of the true wireless ones" (the quantity entity said 2): one pair of earbuds."""
    buds = res.catalog.find("pulse true wireless earbuds")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ok add a pair of the true wireless ones", "add_to_cart",
                           entities=[{"entity": "quantity", "value": 2, "start": 7, "end": 16}],
                           slots={"last_shown": [buds.sku], "last_product": buds.sku})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {buds.sku: 1}, texts(dispatcher)


async def test_make_it_2_of_the_first_with_an_empty_cart_adds_two(res, domain):
    """Two chargers on screen and nothing in the cart: "make it 2 of the first" adds 2 of the first
    (it said "Your cart is empty.")."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("make it 2 of the first", "add_to_cart", slots={"last_shown": ["ACC-001", "ACC-002"]})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {"ACC-001": 2}, texts(dispatcher)


async def test_nah_swap_it_for_the_other_one_swaps(res, domain):
    """The task chair in the cart, the two chairs shown: "hmm nah swap it for the other one" (read as a
    no: "No problem.") swaps the chair for the other one."""
    from actions.fallback import ActionOfferOptions

    cart = [{"sku": "OFF-002", "qty": 1, "unit_price": "329.00"}]
    other = next(p.sku for p in res.catalog.products if p.sku != "OFF-002" and p.category == res.catalog.get("OFF-002").category
                 and p.name.split()[-1] == "Chair")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("hmm nah swap it for the other one", "nlu_fallback",
                           slots={"cart": cart, "last_shown": ["OFF-002", other], "last_product": "OFF-002"})
    got = slot_events(await ActionOfferOptions().run(dispatcher, tracker, domain))
    assert _lines(got) == {other: 1}, texts(dispatcher)


async def test_the_first_one_after_a_cross_sell_card_is_the_first_of_the_list(res, domain):
    """Two monitors shown, both added, the arm offered: "2 of the first one actually" means the first
    monitor (it showed the arm)."""
    shown = {"event": "slot", "name": "last_shown", "value": ["CMP-005", "CMP-006"]}
    offer = {"event": "slot", "name": "last_shown", "value": ["OFF-005"]}
    cart = [{"sku": "CMP-005", "qty": 1, "unit_price": "379.00"}, {"sku": "CMP-006", "qty": 1, "unit_price": "189.00"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("2 of the first one actually", "add_to_cart", events=[shown, offer],
                           slots={"cart": cart, "last_shown": ["OFF-005"], "upsell_sku": "OFF-005", "last_product": "CMP-006"})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert "cart" in got and _lines(got).get("CMP-005", 0) >= 2 and "OFF-005" not in _lines(got), texts(dispatcher)


async def test_the_first_one_after_a_question_about_the_second_is_the_first_of_the_list(res, domain):
    """Four kitchen cards, a question about the second (its page became the only card shown), then "I think
    I shall take the first one, please": the first of the four (it added the second, the blender)."""
    four = ["KIT-001", "KIT-003", "KIT-004", "KIT-006"]
    events = [{"event": "slot", "name": "last_shown", "value": four}, {"event": "slot", "name": "last_shown", "value": ["KIT-003"]}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("I think I shall take the first one, please.", "add_to_cart", events=events,
                           slots={"cart": [], "last_shown": ["KIT-003"], "last_product": "KIT-003"})
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {"KIT-001": 1}, texts(dispatcher)
    tracker = make_tracker("add it", "add_to_cart", events=events,  # "it" is still the one asked about
                           slots={"cart": [], "last_shown": ["KIT-003"], "last_product": "KIT-003"})
    got = slot_events(await ActionAddToCart().run(CollectingDispatcher(), tracker, domain))
    assert _lines(got) == {"KIT-003": 1}


async def test_remove_a_line_by_a_word_and_add_another(res, domain):
    """Mouse and keyboard in the cart: "remove the mouse, add 2 of the USB-C cables" removes the mouse
    and adds two cables (it said there was no such item)."""
    mouse, cable = res.catalog.find("glide wireless mouse"), res.catalog.find("volt usb-c cable 2m")
    other = next(p for p in res.catalog.products if p.category == mouse.category and p.sku != mouse.sku
                 and "mouse" not in p.name.lower())
    text = "remove the mouse, add 2 of the USB-C cables"
    start = text.index("USB-C cables")
    cart = [{"sku": mouse.sku, "qty": 1, "unit_price": str(mouse.price)}, {"sku": other.sku, "qty": 1, "unit_price": str(other.price)}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "add_to_cart", slots={"cart": cart},
                           entities=[{"entity": "product", "value": "usb-c cables", "start": start, "end": start + 12}])
    got = slot_events(await ActionAddToCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {other.sku: 1, cable.sku: 2}, texts(dispatcher)


async def test_remove_and_add_with_an_empty_cart_still_adds(res, domain):
    from actions.cart import ActionRemoveFromCart

    text = "remove the mouse, add 2 of the USB-C cables"
    start = text.index("USB-C cables")
    cable = res.catalog.find("volt usb-c cable 2m")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "remove_from_cart",
                           entities=[{"entity": "product", "value": "usb-c cables", "start": start, "end": start + 12}])
    got = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {cable.sku: 2}, texts(dispatcher)


@pytest.mark.parametrize("text, entities, qty", [
    ("nah mate bump the speakers up to 2", [{"entity": "quantity", "value": "2", "start": 33, "end": 34}], 2),
    ("could I have two of the speakers instead of one", [], 2),
])
async def test_a_bigger_number_read_as_a_removal_sets_the_line(res, domain, text, entities, qty):
    """Read as remove_from_cart (0.19, 0.56), with no word for taking anything out: the line was removed and
    the cart emptied. The number is the line's new quantity."""
    from actions.cart import ActionRemoveFromCart

    cart = [{"sku": "AUD-005", "qty": 1, "unit_price": "59.00"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "remove_from_cart", entities=entities,
                           slots={"cart": cart, "last_shown": ["AUD-005"], "last_product": "AUD-005"})
    got = slot_events(await ActionRemoveFromCart().run(dispatcher, tracker, domain))
    assert _lines(got) == {"AUD-005": qty}, texts(dispatcher)


async def test_a_removal_read_without_a_word_or_number_removes_nothing(res, domain):
    from actions.cart import ActionRemoveFromCart

    cart = [{"sku": "AUD-005", "qty": 1, "unit_price": "59.00"}]
    tracker = make_tracker("hmm what about the speakers", "remove_from_cart", slots={"cart": cart, "last_product": "AUD-005"})
    events = await ActionRemoveFromCart().run(CollectingDispatcher(), tracker, domain)
    assert "cart" not in slot_events(events) and events[-1] == {"event": "followup", "name": "action_offer_options",
                                                               "timestamp": None}
