"""Cart actions with references and quantities in words: real Trackers, the real domain and catalog."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cart import ActionAddToCart, ActionRemoveFromCart
from actions.catalog import ActionShowProducts
from actions.price import ActionShowPrice
from actions.pick import ActionPickProduct
from tests.support.trackers import ent, make_tracker, slot_events, texts

ARIA = {"sku": "AUD-001", "qty": 2, "unit_price": "129.00"}


async def run(action, domain, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return events, dispatcher


def qty(value):
    """A quantity entity as LiftEntityParsers reports it (an int value)."""
    return {"entity": "quantity", "value": value, "start": 0, "end": len(str(value))}


async def test_product_cards_record_what_was_shown(res, domain):
    events, d = await run(ActionShowProducts(), domain,
                          make_tracker("show me headphones", "search_product", entities=[ent("category", "headphones")]))
    shown = [p["sku"] for p in d.messages[0]["custom"]["products"]]
    assert slot_events(events)["last_shown"] == shown and len(shown) > 1
    events, _ = await run(ActionShowProducts(), domain,
                          make_tracker("show me the nimbus 14 laptop", "search_product", entities=[ent("product", "nimbus 14")]))
    assert slot_events(events)["last_shown"] == ["CMP-001"]


async def test_show_then_add_it(res, domain):
    """'show me the nimbus 14 laptop' then 'ok add it to my cart' adds the laptop, once."""
    events, _ = await run(ActionShowProducts(), domain,
                          make_tracker("show me the nimbus 14 laptop", "search_product", entities=[ent("product", "nimbus 14")]))
    shown = slot_events(events)["last_shown"]
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("ok add it to my cart", "add_to_cart", slots={"last_shown": shown}))
    assert slot_events(events)["cart"] == [{"sku": "CMP-001", "qty": 1, "unit_price": "899.00"}]
    assert "Added 1 × Nimbus 14 Laptop" in texts(d)


@pytest.mark.parametrize("text,index", [("the second one", 1), ("the last one", -1), ("add the first one", 0)])
async def test_add_by_position(res, domain, catalog, text, index):
    shown = [p.sku for p in catalog.products_in("audio")[:3]]
    events, _ = await run(ActionAddToCart(), domain, make_tracker(text, "add_to_cart", slots={"last_shown": shown}))
    assert [i["sku"] for i in slot_events(events)["cart"]] == [shown[index]]


async def test_add_the_cheaper_one_and_both(res, domain, catalog):
    a, b = catalog.get("AUD-001"), catalog.get("AUD-002")
    cheaper = min((a, b), key=lambda p: p.price).sku
    events, _ = await run(ActionAddToCart(), domain,
                          make_tracker("add the cheaper one", "add_to_cart", slots={"last_shown": ["AUD-001", "AUD-002"]}))
    assert [i["sku"] for i in slot_events(events)["cart"]] == [cheaper]
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("i'll take both", "add_to_cart", slots={"last_shown": ["AUD-001", "AUD-002"]}))
    assert sorted(i["sku"] for i in slot_events(events)["cart"]) == ["AUD-001", "AUD-002"]
    assert "Added 1 × Aria Wireless Headphones and 1 ×" in texts(d)


async def test_add_the_lighter_one_picks_by_the_catalog_attribute(res, domain):
    """'the lighter one' / 'the one with the bigger screen' after laptop cards: the catalog's
    weight and screen size pick it, as "which is lighter" answers; an attribute the cards don't
    have still asks which one."""
    laptops = ["CMP-001", "CMP-002"]  # Nimbus 14: 1.3 kg, 14 in; Nimbus 16 Pro: 2 kg, 16 in
    for text, sku in (("add the lighter one", "CMP-001"), ("i'll take the heavier one", "CMP-002"),
                      ("the one with the bigger screen please, add it", "CMP-002")):
        events, d = await run(ActionAddToCart(), domain, make_tracker(text, "add_to_cart", slots={"last_shown": laptops}))
        assert [i["sku"] for i in slot_events(events).get("cart", [])] == [sku], (text, texts(d))
    # among three cards the heaviest (and biggest screen) is the sold-out Vertex: that is the one refused
    events, d = await run(ActionAddToCart(), domain, make_tracker(
        "i'll take the heavier one", "add_to_cart", slots={"last_shown": laptops + ["CMP-003"]}))
    assert "Vertex Gaming Laptop is out of stock" in texts(d)
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("add the waterproof one", "add_to_cart", slots={"last_shown": laptops}))
    assert events == [] and "Which one do you mean" in texts(d)


async def test_ambiguous_reference_asks_and_changes_nothing(res, domain):
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("add the second one", "add_to_cart", slots={"last_shown": ["CMP-001"]}))
    assert events == [] and "only showed you one product, the Nimbus 14 Laptop" in texts(d)
    assert d.messages[0]["buttons"][0]["payload"] == '/add_to_cart{"product":"CMP-001"}'
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("add it", "add_to_cart", slots={"last_shown": ["AUD-001", "AUD-002"]}))
    assert events == [] and "Which one do you mean" in texts(d) and len(d.messages[0]["buttons"]) == 2


async def test_two_of_those_after_three_cards_asks_which_and_adds_nothing(res, domain):
    shown = {"last_shown": ["SMH-001", "SMH-002", "PHN-007"]}
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("add 2 of those", "add_to_cart", entities=[qty(2)], slots=shown))
    assert events == [] and texts(d).startswith("I showed you 3 products.") and len(d.messages[0]["buttons"]) == 3
    assert all('"quantity":"2"' in b["payload"] for b in d.messages[0]["buttons"])  # a pick adds 2
    events, _ = await run(ActionAddToCart(), domain,
                          make_tracker("add 2 of those", "add_to_cart", entities=[qty(2)], slots={"last_shown": ["SMH-002"]}))
    assert slot_events(events)["cart"] == [{"sku": "SMH-002", "qty": 2, "unit_price": "25.00"}]


async def test_quantity_in_words(res, domain, catalog):
    crema = catalog.find("crema espresso machine")
    events, d = await run(ActionAddToCart(), domain, make_tracker(
        "i'd like 2 of the crema espresso machines please", "add_to_cart", entities=[ent("product", "crema espresso machines")]))
    assert slot_events(events)["cart"][0]["sku"] == crema.sku and slot_events(events)["cart"][0]["qty"] == 2
    events, _ = await run(ActionAddToCart(), domain, make_tracker(
        "add a couple of aria headphones", "add_to_cart", entities=[ent("product", "aria headphones")]))
    assert slot_events(events)["cart"][0]["qty"] == 2


async def test_number_in_a_product_name_is_not_a_quantity(res, domain):
    events, _ = await run(ActionAddToCart(), domain, make_tracker(
        "add the nimbus 14 laptop", "add_to_cart", entities=[ent("product", "nimbus 14 laptop")]))
    assert slot_events(events)["cart"] == [{"sku": "CMP-001", "qty": 1, "unit_price": "899.00"}]


@pytest.mark.parametrize("text,quantity,says", [
    ("add -1 aria headphones", -1, "at least 1"), ("add 0 aria headphones", None, "at least 1"),
    ("add 1e9 aria headphones", 1000000000, "at most 20"), ("add lots of aria headphones", None, "How many exactly?"),
    ("add 2.5 aria headphones", "2.5", "whole number"),
])
async def test_bad_quantities_get_a_reason_and_change_nothing(res, domain, text, quantity, says):
    entities = [ent("product", "aria headphones")] + ([qty(quantity)] if quantity is not None else [])
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker(text, "add_to_cart", entities=entities, slots={"cart": [ARIA]}))
    assert events == [] and says in texts(d)


async def test_remove_one_of_two(res, domain):
    events, d = await run(ActionRemoveFromCart(), domain, make_tracker(
        "remove one of the aria wireless headphones", "remove_from_cart",
        entities=[ent("product", "aria wireless headphones")], slots={"cart": [ARIA]}))
    assert slot_events(events)["cart"] == [{**ARIA, "qty": 1}] and "You now have 1 × Aria" in texts(d)


async def test_make_it_3_and_remove_all_use_the_last_line_touched(res, domain):
    cart = [{"sku": "CMP-001", "qty": 1, "unit_price": "899.00"}, ARIA]
    # "make it 3" is often classified as add_to_cart: it still sets, it does not add 3 more
    events, d = await run(ActionAddToCart(), domain, make_tracker(
        "make it 3", "add_to_cart", entities=[qty(3)], slots={"cart": cart, "last_product": "AUD-001",
                                                                          "last_shown": ["ACC-003"]}))
    assert slot_events(events)["cart"] == [cart[0], {**ARIA, "qty": 3}] and "You now have 3 × Aria" in texts(d)
    events, d = await run(ActionRemoveFromCart(), domain, make_tracker(
        "remove all", "remove_from_cart", slots={"cart": cart, "last_product": "AUD-001"}))
    assert slot_events(events)["cart"] == [cart[0]]


async def test_set_quantity_respects_stock_and_limits(res, domain):
    events, d = await run(ActionRemoveFromCart(), domain, make_tracker(
        "make it 50", "remove_from_cart", slots={"cart": [ARIA], "last_product": "AUD-001"}))
    assert events == [] and "at most 20" in texts(d)
    events, d = await run(ActionAddToCart(), domain, make_tracker(
        "make it 0", "add_to_cart", slots={"cart": [ARIA], "last_product": "AUD-001"}))
    assert events == [] and "at least 1" in texts(d)


async def test_remove_without_a_target_asks_which(res, domain):
    cart = [{"sku": "CMP-001", "qty": 1, "unit_price": "899.00"}, ARIA]
    events, d = await run(ActionRemoveFromCart(), domain, make_tracker("remove one", "remove_from_cart", slots={"cart": cart}))
    assert events == [] and "Which item" in texts(d) and len(d.messages[0]["buttons"]) == 2
    events, d = await run(ActionRemoveFromCart(), domain, make_tracker(
        "remove the nimbus", "remove_from_cart", entities=[ent("product", "slate mini")], slots={"cart": [ARIA]}))
    assert events == [] and "isn't in your cart" in texts(d)


async def test_upsell_offer_becomes_it(res, domain):
    events, d = await run(ActionAddToCart(), domain, make_tracker(
        "add the aria headphones", "add_to_cart", entities=[ent("product", "aria headphones")]))
    slots = slot_events(events)
    assert slots["last_shown"] == [slots["upsell_sku"]] and slots["last_product"] == "AUD-001"


async def test_price_of_the_second_one(res, domain):
    _, d = await run(ActionShowPrice(), domain, make_tracker(
        "how much is the second one", "ask_price", slots={"last_shown": ["AUD-001", "CMP-001"]}))
    assert "Nimbus 14 Laptop costs $899.00" in texts(d)


async def test_which_line_buttons_repeat_the_change(res, domain):
    cart = [{"sku": "CMP-001", "qty": 1, "unit_price": "899.00"}, ARIA]
    _, d = await run(ActionRemoveFromCart(), domain, make_tracker("remove one", "remove_from_cart", slots={"cart": cart}))
    assert [b["payload"] for b in d.messages[0]["buttons"]] == [
        '/remove_from_cart{"product":"CMP-001","quantity":1}', '/remove_from_cart{"product":"AUD-001","quantity":1}']
    _, d = await run(ActionAddToCart(), domain, make_tracker("make it 3", "add_to_cart", slots={"cart": cart}))
    payloads = [b["payload"] for b in d.messages[0]["buttons"]]
    assert payloads == ["make the Nimbus 14 Laptop 3", "make the Aria Wireless Headphones 3"]
    # the button's text, read back, sets that line to 3
    events, _ = await run(ActionAddToCart(), domain, make_tracker(
        payloads[1], "add_to_cart", entities=[ent("product", "Aria Wireless Headphones")], slots={"cart": cart}))
    assert slot_events(events)["cart"] == [cart[0], {**ARIA, "qty": 3}]


async def test_a_bare_pointer_picks_among_the_cards_shown(res, domain):
    """'the cheaper one' on its own (intent inform, no form) shows the one meant and makes it what
    'add it' refers to; the earlier cards are no longer candidates."""
    shown = ["AUD-001", "AUD-002", "AUD-003"]  # 129, 249, 89
    events, d = await run(ActionPickProduct(), domain, make_tracker("the cheaper one", "inform", slots={"last_shown": shown}))
    assert [p["sku"] for p in d.messages[0]["custom"]["products"]] == ["AUD-003"]
    assert slot_events(events)["last_shown"] == ["AUD-003"] and slot_events(events)["last_product"] == "AUD-003"
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("add it", "add_to_cart", slots={"last_shown": slot_events(events)["last_shown"]}))
    assert [i["sku"] for i in slot_events(events)["cart"]] == ["AUD-003"]
    events, d = await run(ActionPickProduct(), domain, make_tracker("the second one", "inform", slots={"last_shown": shown}))
    assert slot_events(events)["last_shown"] == ["AUD-002"]


async def test_a_pointer_that_cannot_be_resolved_asks_or_falls_back(res, domain):
    events, d = await run(ActionPickProduct(), domain, make_tracker("the third one", "inform", slots={"last_shown": ["CMP-001"]}))
    assert events == [] and "only showed you one product, the Nimbus 14 Laptop" in texts(d)
    assert d.messages[0]["buttons"][0]["payload"] == '/search_product{"product":"CMP-001"}'
    # nothing shown, nothing named: Rasa's default fallback, exactly as without this action
    for text, slots in (("the cheaper one", {}), ("my name is Bob", {"last_shown": ["AUD-001", "AUD-002"]})):
        events, d = await run(ActionPickProduct(), domain, make_tracker(text, "inform", slots=slots))
        assert events == [{"event": "followup", "timestamp": None, "name": "action_default_fallback"}] and not d.messages


@pytest.mark.parametrize("text, named", [("ps5", "ps5"), ("playstation", "playstation"), ("a ps5 pls", "ps5")])
async def test_a_bare_name_of_something_we_dont_sell_is_searched_for(res, domain, text, named):
    """Outside a form, "ps5" (read as inform, with nothing shown to point at) gets the catalog's
    answer — what we don't carry and the departments we have — not "Sorry, I can't help"."""
    events, d = await run(ActionPickProduct(), domain, make_tracker(text, "inform"))
    assert texts(d).startswith(f"We don't carry anything matching “{named}”. We carry: Audio")
    assert [b["title"] for b in d.messages[0]["buttons"]][:2] == ["Audio", "Computers"] and events == []


async def test_a_bare_name_of_another_makers_tablet_shows_our_tablets(res, domain):
    events, d = await run(ActionPickProduct(), domain, make_tracker("kindle paperwhite", "inform"))
    assert texts(d) == "We don't carry anything matching “kindle paperwhite”. Here are the tablets we do carry:"
    assert slot_events(events)["last_shown"] == ["PHN-004", "PHN-005"]


async def test_a_bare_name_close_to_what_we_sell_shows_the_closest(res, domain):
    events, d = await run(ActionPickProduct(), domain, make_tracker("nimbus laptop", "inform"))
    assert [p["sku"] for p in d.messages[0]["custom"]["products"]][0] == "CMP-001"
    assert slot_events(events)["last_shown"][0] == "CMP-001"


@pytest.mark.parametrize("action, text, intent", [
    (ActionPickProduct(), "LFT100003", "inform"), (ActionPickProduct(), "and what about LFT100003?", "inform"),
    (ActionShowProducts(), "whats in LFT100003", "search_product"),
])
async def test_an_order_number_read_as_another_intent_looks_up_the_order(res, domain, action, text, intent):
    """A bare order number (or "whats in <order>") is that order, not a product or a fallback."""
    tracker = make_tracker(text, intent, entities=[ent("order_id", "LFT100003")], slots={"last_shown": ["AUD-001"]})
    events, d = await run(action, domain, tracker)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_handle_order"}] and not d.messages


async def test_make_it_n_after_an_add_changes_that_line_not_the_cross_sell_card(res, domain):
    """After "add aria pro" the cross-sell card (the carrying case) is what "add it" means, but
    "make it 2" (read as inform) is about the line just added."""
    slots = {"cart": [{"sku": "AUD-002", "qty": 1, "unit_price": "249.00"}], "last_product": "AUD-002",
             "last_shown": ["ACC-003"], "upsell_sku": "ACC-003"}
    for text, qty in (("make it 2", 2), ("actually just one", 1), ("no wait, only 3 please", 3)):
        # changed in the same turn: no rule follows action_pick_product with a second action
        events, d = await run(ActionPickProduct(), domain, make_tracker(text, "inform", slots=slots))
        assert slot_events(events)["cart"] == [{"sku": "AUD-002", "qty": qty, "unit_price": "249.00"}], texts(d)
        assert not any(e.get("event") == "followup" for e in events)


async def test_actually_n_of_those_after_an_add_sets_that_line_not_the_add_on_offered(res, domain):
    """"Actually I'll have four of those" right after the case was offered added four cases."""
    from actions.cart import ActionAddToCart

    slots = {"cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}], "last_product": "AUD-001",
             "last_shown": ["ACC-003"], "upsell_sku": "ACC-003"}
    text = "Actually I'll have four of those"
    tracker = make_tracker(text, "add_to_cart", entities=[{"entity": "quantity", "value": "four", "start": 19, "end": 23}],
                           slots=slots)
    events, d = await run(ActionAddToCart(), domain, tracker)
    assert slot_events(events).get("cart") == [{"sku": "AUD-001", "qty": 4, "unit_price": "129.00"}], (texts(d), events)


@pytest.mark.parametrize("text, said", [
    ("same but in black", "The Orbit X Smartphone comes in midnight only; we don't have it in black."),
    ("got it in midnight?", "Yes: the Orbit X Smartphone is midnight."),
])
async def test_a_colour_asked_of_the_product_on_screen_is_answered(res, domain, text, said):
    """"same but in black" after the Orbit X showed its card again."""
    tracker = make_tracker(text, "inform", slots={"last_product": "PHN-001", "last_shown": ["PHN-001"]})
    events, d = await run(ActionPickProduct(), domain, tracker)
    assert texts(d) == said and slot_events(events)["last_shown"] == ["PHN-001"]


async def test_show_me_the_first_one_shows_that_card(res, domain):
    events, d = await run(ActionShowProducts(), domain,
                          make_tracker("show me the first one", "search_product", slots={"last_shown": ["AUD-002", "AUD-001"]}))
    assert [p["sku"] for p in d.messages[0]["custom"]["products"]] == ["AUD-002"]
    assert slot_events(events)["last_shown"] == ["AUD-002"]


def at(text, entity, value):
    """An entity with its real span in ``text`` (the per-item quantities read around it)."""
    start = text.lower().index(value.lower())
    return {"entity": entity, "value": value, "start": start, "end": start + len(value)}


@pytest.mark.parametrize("text,expected", [
    ("can I get 3 aria headphones and a boom go speaker", {"AUD-001": 3, "AUD-005": 1}),
    ("two aria headphones and 4 boom go speakers", {"AUD-001": 2, "AUD-005": 4}),
    ("aria headphones and boom go speaker, 2 of each", {"AUD-001": 2, "AUD-005": 2}),
    ("add 2 aria headphones and boom go speaker both", {"AUD-001": 2, "AUD-005": 2}),
])
async def test_several_products_each_with_its_own_quantity(res, domain, text, expected):
    entities = [at(text, "product", "aria headphones"), at(text, "product", "boom go speaker")]
    events, d = await run(ActionAddToCart(), domain, make_tracker(text, "add_to_cart", entities=entities))
    assert {i["sku"]: i["qty"] for i in slot_events(events)["cart"]} == expected, texts(d)


async def test_add_a_number_with_two_cards_on_screen_asks_which_keeping_the_number(res, domain, catalog):
    """"add 2" after two cards named neither: the bot asks which one, and the buttons add 2 of the pick."""
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("add 2", "add_to_cart", entities=[qty(2)], slots={"last_shown": ["AUD-001", "AUD-002"]}))
    assert "cart" not in slot_events(events)
    assert "I showed you 2 products" in texts(d) and "couldn't find" not in texts(d)
    payloads = [b["payload"] for b in d.messages[0]["buttons"]]
    assert payloads == ['/add_to_cart{"product":"AUD-001","quantity":"2"}', '/add_to_cart{"product":"AUD-002","quantity":"2"}']
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker(payloads[1], "add_to_cart", entities=[ent("product", "AUD-002"), ent("quantity", "2")],
                                       slots={"last_shown": ["AUD-001", "AUD-002"]}))
    assert slot_events(events)["cart"][0]["sku"] == "AUD-002" and slot_events(events)["cart"][0]["qty"] == 2


async def test_add_to_cart_with_two_cards_and_no_number_asks_which(res, domain):
    events, d = await run(ActionAddToCart(), domain,
                          make_tracker("pop in my basket", "add_to_cart", slots={"last_shown": ["AUD-001", "AUD-002"]}))
    assert "cart" not in slot_events(events)
    assert [b["payload"] for b in d.messages[0]["buttons"]] == ['/add_to_cart{"product":"AUD-001"}',
                                                                '/add_to_cart{"product":"AUD-002"}']


@pytest.mark.parametrize("text, skus, intro", [
    ("anything under 900?", ["CMP-001"], "For $900.00 or less:"),
    ("any under 500", ["CMP-001"], "Nothing like that costs $500.00 or less; the lowest price is $899.00:"),
])
async def test_a_budget_alone_after_cards_filters_that_kind(res, domain, text, skus, intro):
    """"laptops", then "anything under 900?": the laptops within it, not every computer."""
    shown = {"last_shown": ["CMP-001", "CMP-002", "CMP-003"]}
    events, d = await run(ActionPickProduct(), domain, make_tracker(text, "inform", slots=shown))
    cards = [p["sku"] for m in d.messages if m.get("custom") for p in m["custom"]["products"]]
    assert texts(d) == intro and cards == skus
    assert slot_events(events)["last_shown"] == skus
