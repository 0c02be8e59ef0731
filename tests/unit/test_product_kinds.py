"""A product type typed inside a category ("laptops" among computers, "earbuds" among audio)
narrows what is shown and priced; "the cheapest laptop" / "your most expensive headphones"
answer with that one product. Real catalog, real Trackers and domain."""
import pytest

from actions.catalog import ActionShowProducts
from actions.price import ActionShowPrice
from lift.commerce.compare import price_extreme
from tests.support.trackers import ent, make_tracker, slot_events, texts


def _cards(dispatcher):
    return [p["sku"] for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]


@pytest.mark.parametrize("words, skus", [
    ("laptops", ["CMP-001", "CMP-002", "CMP-003"]), ("laptop", ["CMP-001", "CMP-002", "CMP-003"]),
    ("gaming laptop", ["CMP-003"]), ("monitors", ["CMP-005", "CMP-006"]), ("pc", ["CMP-004"]),
])
def test_product_type_words_narrow_the_category(catalog, words, skus):
    assert [p.sku for p in catalog.of_kind("computers", words)] == skus


@pytest.mark.parametrize("words", ["computers", "computer", "", None, "unicorn"])
def test_category_words_or_unknown_ones_keep_the_whole_category(catalog, words):
    assert catalog.of_kind("computers", words) == catalog.products_in("computers")


@pytest.mark.parametrize("text, end", [("what's the cheapest laptop", "cheapest"), ("least expensive earbuds?", "cheapest"),
                                       ("your most expensive headphones", "dearest"), ("priciest tv", "dearest"),
                                       ("how much are laptops", None), ("cheap laptops", None)])
def test_price_extremes_are_read(text, end):
    assert price_extreme(text) == end


async def test_cheapest_laptop_is_the_cheapest_laptop_not_the_cheapest_computer(res, dispatcher, domain, catalog):
    tracker = make_tracker("what's the cheapest laptop", "ask_price", entities=[ent("category", "laptop")])
    events = await ActionShowPrice().run(dispatcher, tracker, domain)
    assert texts(dispatcher).startswith(
        f"The cheapest of our laptops is the Nimbus 14 Laptop at {catalog.format_price(899)} (in stock).")
    assert _cards(dispatcher) == ["CMP-001"]  # its card alone: "add it" means it
    assert slot_events(events)["last_product"] == "CMP-001"  # "add it" means the one named


async def test_most_expensive_headphones(res, dispatcher, domain, catalog):
    tracker = make_tracker("what are your most expensive headphones", "ask_price",
                           entities=[ent("category", "headphones")])
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert "The most expensive of our headphones is the Aria Pro Noise-Cancelling Headphones" in texts(dispatcher)
    assert _cards(dispatcher) == ["AUD-002"]


async def test_price_range_of_a_type_and_of_a_category(res, dispatcher, domain, catalog):
    tracker = make_tracker("how much are monitors", "ask_price", entities=[ent("category", "monitors")])
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert f"Our monitor range goes from {catalog.format_price(189)} to {catalog.format_price(379)}" in texts(dispatcher)
    dispatcher.messages.clear()
    tracker = make_tracker("cheapest thing in computers", "ask_price", entities=[ent("category", "computers")])
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert texts(dispatcher).startswith("The cheapest item in Computers is the Glide Wireless Mouse")


async def test_cheapest_uses_the_stock_the_database_has_now(res, dispatcher, domain):
    from sqlalchemy import text as sql

    with res.engine.begin() as conn:
        conn.execute(sql("UPDATE stock_levels SET stock = 0 WHERE sku = 'CMP-001'"))
    tracker = make_tracker("cheapest laptop?", "ask_price", entities=[ent("category", "laptops")])
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert "Nimbus 14 Laptop" in texts(dispatcher) and "(out of stock)" in texts(dispatcher)


async def test_show_me_laptops_shows_laptops(res, dispatcher, domain):
    tracker = make_tracker("show me laptops", "search_product", entities=[ent("category", "laptops")])
    events = await ActionShowProducts().run(dispatcher, tracker, domain)
    assert _cards(dispatcher) == ["CMP-001", "CMP-002", "CMP-003"]
    assert texts(dispatcher) == "Here are our laptops:"
    assert slot_events(events)["last_shown"] == ["CMP-001", "CMP-002", "CMP-003"]
    dispatcher.messages.clear()
    tracker = make_tracker("what computers do you have", "search_product", entities=[ent("category", "computers")])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert len(_cards(dispatcher)) == 4 and "computers picks" in texts(dispatcher)


@pytest.mark.parametrize("text, intro", [
    ("do you sell washing machines", "We don't carry “washing machines”; these come closest:"),
    ("do you guys sell bikes", "We don't carry “bikes”; these come closest:"),  # an action camera "for bikes"
    ("do you sell TVs? looking for a 55 inch", "We don't carry “TVs”; these come closest:"),
    ("washing machines", "I don't have exactly that; these come closest:"),
    ("something to keep my coffee hot", "Here's what I found:"),
])
async def test_a_partial_match_is_not_presented_as_what_was_asked_for(res, dispatcher, domain, text, intro):
    """The espresso machine shares only "machine" with "washing machines": shown as the closest
    thing, not as a washing machine."""
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    assert texts(dispatcher) == intro and _cards(dispatcher)


@pytest.mark.parametrize("text, named", [
    ("do you sell mini fridges", "“mini fridges”"),  # not the Mini PC and mini speakers
    ("does the store stock laminators", "“laminators”"),  # not "store laminators"
    ("got any electric scooters?", "“electric scooters”"),
])
async def test_a_thing_we_do_not_sell_gets_a_plain_no_not_cards_sharing_a_modifier(res, dispatcher, domain, text, named):
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    assert texts(dispatcher).startswith(f"We don't carry anything matching {named}.") and not _cards(dispatcher)


async def test_adding_a_product_type_we_sell_one_of_adds_it(res, dispatcher, domain):
    from actions.cart import ActionAddToCart

    tracker = make_tracker("i need 3 usb c cables", "add_to_cart",
                           entities=[ent("category", "cables"), ent("quantity", "3")], slots={"last_shown": ["AUD-001"]})
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    assert [(i["sku"], i["qty"]) for i in slot_events(events)["cart"]] == [("ACC-002", 3)]


async def test_adding_a_product_type_we_sell_several_of_asks_which(res, dispatcher, domain):
    from actions.cart import ActionAddToCart

    tracker = make_tracker("add a laptop to my cart", "add_to_cart", entities=[ent("category", "laptop")])
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    assert "Which of these" in texts(dispatcher)
    assert _cards(dispatcher) == ["CMP-001", "CMP-002", "CMP-003"]
    assert "cart" not in slot_events(events)


@pytest.mark.parametrize("text, spans, skus, intro", [
    # two category words side by side: the last names the thing ("desk chairs" are chairs)
    ("show me desk chairs", [(8, 12), (13, 19)], ["OFF-002", "OFF-003"], "Here are our chairs:"),
    # two requests: some of each (it kept the first only)
    # (the Lumen LED Desk Lamp is no desk)
    ("desks and chairs", [(0, 5), (10, 16)], ["OFF-001", "OFF-002", "OFF-003"], "Here are our desks and chairs:"),
])
async def test_the_last_of_two_category_words_side_by_side_is_the_thing_wanted(res, dispatcher, domain, text,
                                                                                 spans, skus, intro):
    entities = [{"entity": "category", "value": text[a:b], "start": a, "end": b} for a, b in spans]
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=entities), domain)
    assert _cards(dispatcher) == skus and texts(dispatcher) == intro


async def test_the_price_of_a_type_we_sell_one_of_is_its_price_not_a_range(res, dispatcher, domain):
    tracker = make_tracker("is it cheaper if i get 5 cables?", "ask_price",
                           entities=[ent("category", "cables"), {"entity": "quantity", "value": 5, "start": 19, "end": 20}])
    await ActionShowPrice().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert said.startswith("The Volt USB-C Cable 2m costs $15.00") and "5 × $15.00 = $75.00" in said, said
    assert "range" not in said and _cards(dispatcher) == ["ACC-002"]


@pytest.mark.parametrize("text, sku, intro", [
    ("do u have the pulse sport earbuds in stock", "AUD-004",
     "The Pulse Sport Earbuds is out of stock right now. These do the same job and are in stock:"),
    ("is the slate mini available?", "PHN-005", "Yes, but only 2 Slate Mini Tablet are left."),
    ("aria wireless headphones in stock?", "AUD-001", "Yes, the Aria Wireless Headphones is in stock."),
])
async def test_a_stock_question_about_one_product_gets_a_yes_or_no(res, dispatcher, domain, text, sku, intro):
    name = {"AUD-004": "pulse sport earbuds", "PHN-005": "slate mini", "AUD-001": "aria wireless headphones"}[sku]
    tracker = make_tracker(text, "search_product", entities=[ent("product", name)])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == intro and _cards(dispatcher)[0] == sku
    if sku == "AUD-004":
        assert "AUD-003" in _cards(dispatcher)[1:]


def _cats(text, *words):
    return [{"entity": "category", "value": w, "start": text.index(w), "end": text.index(w) + len(w)} for w in words]


async def test_a_kind_and_a_product_named_apart_show_both(res, dispatcher, domain):
    """"whats a good tablet or smartwatch": the tablets as well as the Tempo Smartwatch (it showed the watch)."""
    text = "whats a good tablet or smartwatch"
    entities = _cats(text, "tablet") + [{"entity": "product", "value": "smartwatch", "start": 23, "end": 33}]
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=entities), domain)
    assert _cards(dispatcher) == ["PHN-006", "PHN-004", "PHN-005"]


@pytest.mark.parametrize("text, words, intro", [
    ("show me ur headphones n earbuds", ("headphones", "earbuds"), "Here are our headphones and earbuds:"),
    ("got any speakers or headphones", ("speakers", "headphones"), "Here are our speakers and headphones:"),
])
async def test_two_kinds_asked_for_show_some_of_each(res, dispatcher, domain, text, words, intro):
    """It showed the smartwatches only (the second kind asked for, or the first)."""
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=_cats(text, *words)), domain)
    catalog = __import__("actions.resources", fromlist=["get"]).get().catalog
    kinds = {catalog.get(s).name.split()[-1].lower() for s in _cards(dispatcher)}
    assert texts(dispatcher) == intro and len(kinds) == 2, kinds


async def test_two_words_of_one_kind_stay_one_request(res, dispatcher, domain):
    text = "show me desk chairs"
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=_cats(text, "desk", "chairs")),
                                   domain)
    assert " and " not in texts(dispatcher)


async def test_other_is_no_product_word(res, dispatcher, domain):
    """"what other speakers" said "We don't have anything matching “other”"."""
    text = "what other speakers do u have"
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=_cats(text, "speakers")), domain)
    assert "matching" not in texts(dispatcher) and _cards(dispatcher)


@pytest.mark.parametrize("text, words, intro, skus", [
    # it showed the one phone under 400 as "Here are our phones:" and no tablet (the $329 Slate Mini is)
    ("phones or tablets under 400", ("phones", "tablets"), "Here are our phones and tablets for $400.00 or less:",
     {"PHN-002", "PHN-005"}),
    ("any headphones or earbuds under $100", ("headphones", "earbuds"),
     "No headphones cost $100.00 or less. Here are our earbuds for $100.00 or less:", {"AUD-003", "AUD-004"}),
    ("laptops or tablets under 50", ("laptops", "tablets"), "Nothing there costs $50.00 or less; the lowest prices are:",
     {"CMP-001", "PHN-005"}),
])
async def test_two_kinds_with_a_limit_show_those_of_each_within_it(res, dispatcher, domain, text, words, intro, skus):
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=_cats(text, *words)), domain)
    assert texts(dispatcher) == intro
    catalog = __import__("actions.resources", fromlist=["get"]).get().catalog
    if intro.startswith("Nothing"):  # the cheapest of each kind
        assert len(_cards(dispatcher)) == 2 and "PHN-005" in _cards(dispatcher)
    else:
        assert set(_cards(dispatcher)) == skus
        assert all(catalog.get(s).price <= int(text.split()[-1].strip("$")) for s in _cards(dispatcher))


@pytest.mark.parametrize("category, words, skus", [
    ("home_office", "desks", ["OFF-001"]),  # it showed the Lumen LED Desk Lamp as a desk
    ("home_office", "desk lamp", ["OFF-004"]), ("home_office", "lamps", ["OFF-004"]),
    ("home_office", "chairs", ["OFF-002", "OFF-003"]), ("cameras", "cameras", ["CAM-001", "CAM-004", "CAM-005"]),
])
def test_a_type_word_is_the_product_named_after_it_not_one_it_qualifies(catalog, category, words, skus):
    assert [p.sku for p in catalog.of_kind(category, words, by_name=True)] == skus


async def test_a_product_and_a_kind_with_a_limit_show_the_kind_within_it(res, dispatcher, domain):
    """"a drone or a camera. What do you have under 300 dollars?": it said "None of these costs $300.00 or
    less" over the drone, a lens and the $1,199 camera, though the $249 and $89 cameras are."""
    text = "a drone or a camera. What do you have under 300 dollars?"
    entities = [{"entity": "product", "value": "drone", "start": 2, "end": 7}] + _cats(text, "camera")
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=entities), domain)
    assert set(_cards(dispatcher)) == {"CAM-004", "CAM-005"} and "None of these" not in texts(dispatcher)


@pytest.mark.parametrize("text, words, sku", [
    ("could you show me your phone chargers", ("phone", "chargers"), "ACC-001"),
    ("any laptop cases?", ("laptop", "cases"), None),
])
async def test_a_kind_word_before_another_department_s_kind_qualifies_it(res, dispatcher, domain, text, words, sku):
    """"phone chargers" are chargers (Accessories), not phones: it showed the phones."""
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=_cats(text, *words)), domain)
    catalog = __import__("actions.resources", fromlist=["get"]).get().catalog
    shown = _cards(dispatcher)
    assert shown and all(catalog.get(s).category == "accessories" for s in shown), shown
    assert sku is None or shown[0] == sku


@pytest.mark.parametrize("text, intro, skus", [
    ("got any iphones", "We don't carry anything matching “iphones”. Here are the smartphones we do carry:",
     ["PHN-001", "PHN-002", "PHN-003"]),
    ("do you have airpods?", "We don't carry anything matching “airpods”. Here are the earbuds we do carry:",
     ["AUD-003", "AUD-004"]),
    ("looking for a gopro", "We don't carry anything matching “gopro”. Here are the cameras we do carry:", None),
])
async def test_another_makers_line_we_do_not_carry_shows_our_products_of_its_kind(res, dispatcher, domain, text, intro,
                                                                                   skus):
    """"got any iphones" named what we don't carry and listed the departments, not our phones."""
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    catalog = __import__("actions.resources", fromlist=["get"]).get().catalog
    assert texts(dispatcher) == intro
    assert _cards(dispatcher) == skus if skus else all(catalog.get(s).category == "cameras" for s in _cards(dispatcher))


async def test_a_thing_no_maker_line_names_still_gets_the_plain_no(res, dispatcher, domain):
    await ActionShowProducts().run(dispatcher, make_tracker("do you have the ps5", "search_product"), domain)
    assert texts(dispatcher).startswith("We don't carry anything matching “ps5”. We carry: Audio") and not _cards(dispatcher)


async def test_a_place_word_in_a_free_text_search_is_not_what_is_searched(res, dispatcher, domain):
    """"…something that will keep my tea warm on the desk" listed the furniture department, desk first."""
    text = "Good afternoon dear, I am looking for something that will keep my tea warm on the desk"
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    catalog = __import__("actions.resources", fromlist=["get"]).get().catalog
    assert not any(catalog.get(s).category == "home_office" for s in _cards(dispatcher)), _cards(dispatcher)


async def test_another_word_for_a_kind_we_sell_finds_that_kind(res, dispatcher, domain):
    """"whats a good headset under 150 for fortnite" showed a tripod first."""
    text = "ok nvm whats a good headset under 150 for fortnite"
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    assert _cards(dispatcher)[0] == "AUD-001", _cards(dispatcher)
