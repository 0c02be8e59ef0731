"""Several things to add in one message, some named by their kind or by a bare word the tagger missed:
real Trackers, the real catalog and SQLite stock. Nothing named is dropped without a word."""
import pytest

from actions.cart import ActionAddToCart
from tests.support.trackers import make_tracker, slot_events, texts


def _at(text, *pairs):
    return [{"entity": e, "value": v, "start": text.index(v), "end": text.index(v) + len(v)} for e, v in pairs]


def _cart(events):
    return [(i["sku"], i["qty"]) for i in slot_events(events).get("cart") or []]


@pytest.mark.parametrize("text, entities, cart", [
    # "lamp" is no entity: only the chair was added, the lamp dropped without a word
    ("add the lamp and the Ergo Task Chair", [("product", "Ergo Task Chair")], [("OFF-004", 1), ("OFF-002", 1)]),
    # the kind's cheapest, asked for by price
    ("add the nimbus 14 and the cheapest mouse", [("product", "nimbus 14"), ("category", "mouse")],
     [("CMP-001", 1), ("CMP-008", 1)]),
    # it added 2 thermostats and no bulbs
    ("I'll have the thermostat and two boxes of those bulbs then.", [("product", "thermostat")], [("SMH-003", 1), ("SMH-001", 2)]),
    ("I would like to order one desk together with the Ergo Task Chair.", [("category", "desk"), ("product", "Ergo Task Chair")],
     [("OFF-001", 1), ("OFF-002", 1)]),
])
async def test_every_item_named_is_added_with_its_own_number(res, dispatcher, domain, text, entities, cart):
    events = await ActionAddToCart().run(dispatcher, make_tracker(text, "add_to_cart", entities=_at(text, *entities)), domain)
    assert _cart(events) == cart, texts(dispatcher)


async def test_a_kind_with_several_products_is_asked_after_the_others_are_added(res, dispatcher, domain):
    """"add the desk and the chair": the desk (the one we sell), then which chair — not the desk alone."""
    text = "add the desk and the chair"
    events = await ActionAddToCart().run(dispatcher, make_tracker(text, "add_to_cart", entities=_at(
        text, ("category", "desk"), ("category", "chair"))), domain)
    assert _cart(events) == [("OFF-001", 1)]
    assert "Which chair would you like?" in texts(dispatcher)
    assert slot_events(events)["last_shown"] == ["OFF-002", "OFF-003"]


async def test_products_named_with_their_numbers_are_read_as_before(res, dispatcher, domain):
    text = "add 3 aria headphones and a boom go speaker"
    events = await ActionAddToCart().run(dispatcher, make_tracker(text, "add_to_cart", entities=_at(
        text, ("product", "aria headphones"), ("product", "boom go speaker"))), domain)
    assert _cart(events) == [("AUD-001", 3), ("AUD-005", 1)]


async def test_an_add_and_a_reference_stay_the_cards(res, dispatcher, domain):
    """"ok add it and 2 of the usb c cables" with the camera on screen: the camera and the cable."""
    text = "ok add it and 2 of the usb c cables"
    events = await ActionAddToCart().run(dispatcher, make_tracker(
        text, "add_to_cart", entities=_at(text, ("category", "cables")), slots={"last_shown": ["CAM-004"],
                                                                                "last_product": "CAM-004"}), domain)
    assert _cart(events) == [("CAM-004", 1), ("ACC-002", 2)], texts(dispatcher)


async def test_only_x_remove_a_kind_removes_that_kind_not_the_product_kept(res, dispatcher, domain):
    """"actually only the aria pro. remove earbuds" removed the Aria Pro and kept the earbuds."""
    from actions.cart import ActionRemoveFromCart

    text = "actually only the aria pro. remove earbuds"
    cart = [{"sku": "AUD-002", "qty": 1, "unit_price": "249.00"}, {"sku": "AUD-003", "qty": 1, "unit_price": "89.00"}]
    tracker = make_tracker(text, "remove_from_cart", entities=_at(text, ("product", "aria pro"), ("category", "earbuds")),
                           slots={"cart": cart})
    events = await ActionRemoveFromCart().run(dispatcher, tracker, domain)
    assert _cart(events) == [("AUD-002", 1)], texts(dispatcher)


async def test_the_price_of_two_kinds_asked_together_is_each_and_the_sum(res, dispatcher, domain):
    """"mech keyboard + mouse combo how much total" gave the keyboard's price only."""
    from actions.price import ActionShowPrice

    text = "mech keyboard + mouse combo how much total"
    await ActionShowPrice().run(dispatcher, make_tracker(text, "ask_price", entities=_at(
        text, ("category", "keyboard"), ("category", "mouse"))), domain)
    said = texts(dispatcher)
    assert "Glide Wireless Mouse costs $39.00" in said and "Together: 1 × " in said and " + 1 × " in said, said
