"""Spending limits in shoppers' words, and the product search that respects them (real catalog,
real Trackers and domain)."""
from decimal import Decimal

import pytest

from actions.catalog import ActionShowProducts
from actions.price import ActionShowPrice
from lift.understanding.numbers import find_quantities
from lift.understanding.prices import price_cap
from tests.support.trackers import ent, make_tracker, texts
from rasa_sdk.executor import CollectingDispatcher


@pytest.mark.parametrize("text, cap", [
    ("show me laptops under 1000", "1000"), ("headphones below $150", "150"), ("anything up to 1.5k", "1500"),
    ("my budget is £80", "80"), ("speakers for less than 99.99 dollars", "99.99"), ("laptop < 1,200", "1200"),
    ("no more than 50 bucks", "50"), ("a monitor max 300", "300"),
    ("anything in audio under fifty dollars?", "50"), ("less than a hundred bucks", "100"),
    ("under two hundred and fifty quid", "250"), ("chairs under three hundred", "300"), ("under twenty five", "25"),
    # near an amount of money: up to 20 % over it
    ("around 50 dollars", "60"), ("gift ideas ~50", "60"), ("about $200", "240"),
    # the amount, then the limit
    ("what could I gift someone for $50 or less?", "50"), ("fifty bucks or less", "50"), ("100 dollars max", "100"),
])
def test_spending_limits_are_read(text, cap):
    assert price_cap(text) == Decimal(cap)


@pytest.mark.parametrize("text", ["show me laptops", "add 2 laptops", "under the bed", "budget laptops", "under 0",
                                  "under two", "under thirty inches", "monitors under twenty seven inches",
                                  "about 50 staff here", "i need about 40 chairs", "~3 days", "2 or less please"])
def test_no_limit_without_an_amount(text):
    assert price_cap(text) is None


def test_the_amount_is_not_a_quantity():
    assert [m.value for m in find_quantities("add 2 laptops under 1000")] == [2]
    assert find_quantities("a laptop under $1,000 please") == []
    assert [m.value for m in find_quantities("two speakers under fifty dollars")] == [2]


async def test_a_limit_in_words_filters_a_category(res, dispatcher, domain):
    """Nothing in audio costs $50 or less: said so, with the cheapest, never the $249 headphones."""
    tracker = make_tracker("anything in audio under fifty dollars?", "search_product", entities=[ent("category", "audio")])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert texts(dispatcher).startswith("Nothing there costs $50.00 or less") and len(_cards(dispatcher)) == 1


def _cards(dispatcher):
    return [p["sku"] for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]


async def test_laptops_under_a_price(res, dispatcher, domain, catalog):
    tracker = make_tracker("show me laptops under 1000", "search_product", entities=[ent("category", "laptops")])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert _cards(dispatcher) == ["CMP-001"]
    assert all(catalog.get(s).price <= 1000 for s in _cards(dispatcher))


async def test_nothing_under_the_price_says_so_and_shows_the_cheapest(res, dispatcher, domain, catalog):
    tracker = make_tracker("laptops under 500?", "search_product", entities=[ent("category", "laptops")])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert _cards(dispatcher) == ["CMP-001"]
    assert texts(dispatcher).startswith(f"Nothing there costs {catalog.format_price(500)} or less; "
                                        f"the lowest price is {catalog.format_price(899)}")


async def test_free_text_search_under_a_price(res, dispatcher, domain, catalog):
    tracker = make_tracker("wireless stuff under $100", "search_product")
    await ActionShowProducts().run(dispatcher, tracker, domain)
    assert _cards(dispatcher) and all(catalog.get(s).price <= 100 for s in _cards(dispatcher))


@pytest.mark.parametrize("text, values", [("add the 27 inch one", []), ("2 of the 20000 mah power banks", [2]),
                                          ("add 3 of the 65 w chargers", [3]), ('the 24" monitor', []),
                                          ("put 2 in my cart", [2]), ("add 2 more", [2])])
def test_measures_are_not_quantities(text, values):
    assert [m.value for m in find_quantities(text)] == values


async def test_the_price_of_something_we_dont_sell_is_never_the_last_products(res, dispatcher, domain):
    """"how much is the iphone 15" after the Aria was shown: not the Aria's price as if it were the iPhone's."""
    tracker = make_tracker("how much is the iphone 15", "ask_price", slots={"last_product": "AUD-001"})
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert texts(dispatcher).startswith("I couldn't find that in our catalog.")
    assert "Aria Wireless Headphones costs" not in texts(dispatcher)
    dispatcher.messages.clear()
    await ActionShowPrice().run(dispatcher, make_tracker("how much is it", "ask_price", slots={"last_product": "AUD-001"}),
                                domain)
    assert texts(dispatcher).startswith("Aria Wireless Headphones costs $129.00")



@pytest.mark.parametrize("qty, said", [
    ("2", "2 × $499.00 = $998.00."),
    ("12", "12 × $499.00 = $5,988.00, $5,688.60 with the 5% volume discount"),
])
async def test_a_price_for_several_gives_the_total(res, dispatcher, domain, qty, said):
    tracker = make_tracker(f"how much for {qty} slate 11 tablets", "ask_price",
                           entities=[ent("product", "slate 11 tablets"), ent("quantity", qty)])
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert texts(dispatcher).startswith("Slate 11 Tablet costs $499.00") and said in texts(dispatcher)


@pytest.mark.parametrize("text, intro, most", [
    ("under 40 dollars what do you have", "Some of what we have for $40.00 or less:", 40),
    ("anything below $10?", "Nothing costs $10.00 or less; our lowest prices:", None),
    ("gift ideas under 50 dollars", "Some of what we have for $50.00 or less:", 50),
    ("a gift for my 12 year old son, around 50 dollars", "Some of what we have for $60.00 or less:", 60),
    ("gift ideas ~50", "Some of what we have for $60.00 or less:", 60),
    ("what could I gift someone for $50 or less?", "Some of what we have for $50.00 or less:", 50),
])
async def test_a_budget_alone_lists_what_fits_it(res, dispatcher, domain, catalog, text, intro, most):
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    assert texts(dispatcher) == intro and _cards(dispatcher)
    if most is not None:
        assert all(catalog.get(s).price <= most for s in _cards(dispatcher))


def _at(text, entity, value):
    """An entity where it is in the text, as the extractors report it."""
    start = text.index(value)
    return {"entity": entity, "value": value, "start": start, "end": start + len(value)}


@pytest.mark.parametrize("text, said", [
    ("how much for 2 nimbus 14 laptops and a nimbus sleeve",
     "Together: 2 × Nimbus 14 Laptop + 1 × Nimbus 14 Laptop Sleeve = $1,833.00."),
    ("price of the nimbus 14 laptop and the nimbus sleeve?",
     "Together: 1 × Nimbus 14 Laptop + 1 × Nimbus 14 Laptop Sleeve = $934.00."),
    ("what would 10 nimbus sleeve and 1 nimbus 14 laptop cost me",
     "Together: 1 × Nimbus 14 Laptop + 10 × Nimbus 14 Laptop Sleeve = $1,249.00, $1,231.50 with the volume discount."),
])
async def test_a_price_for_different_products_totals_all_of_them(res, dispatcher, domain, text, said):
    """Several different products, each with its own number: every one counted (was: only the first)."""
    laptop = "nimbus 14 laptop" if "nimbus 14 laptops" not in text else "nimbus 14 laptops"
    entities = [_at(text, "product", laptop), _at(text, "product", "nimbus sleeve")]
    entities += [_at(text, "quantity", n) for n in ("2", "10") if f" {n} " in text]
    await ActionShowPrice().run(dispatcher, make_tracker(text, "ask_price", entities=entities), domain)
    assert said in texts(dispatcher), texts(dispatcher)


@pytest.mark.parametrize("text", ["how much for both", "both together?", "and for the pair of them?"])
async def test_both_after_two_products_priced_one_at_a_time_means_those_two(res, dispatcher, domain, text):
    shown = [{"event": "slot", "name": "last_shown", "value": ["AUD-002"]},
             {"event": "slot", "name": "last_shown", "value": ["CMP-001"]}]
    tracker = make_tracker(text, "ask_price", slots={"last_shown": ["CMP-001"]}, events=shown)
    await ActionShowPrice().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Aria Pro" in said and "Nimbus 14" in said and "$1,148.00" in said and "only showed you one" not in said


async def test_both_after_two_compared_then_the_cheaper_shown_means_the_two(res, dispatcher, domain):
    from actions.cart import ActionAddToCart

    shown = [{"event": "slot", "name": "last_shown", "value": ["AUD-002", "CMP-001"]},
             {"event": "slot", "name": "last_shown", "value": ["AUD-002"]}]
    tracker = make_tracker("add both", "add_to_cart", slots={"last_shown": ["AUD-002"]}, events=shown)
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    cart = [e for e in events if e.get("name") == "cart"][-1]["value"]
    assert sorted(i["sku"] for i in cart) == ["AUD-002", "CMP-001"], texts(dispatcher)


async def test_both_with_one_product_ever_shown_still_asks(res, dispatcher, domain):
    tracker = make_tracker("how much for both", "ask_price", slots={"last_shown": ["CMP-001"]},
                           events=[{"event": "slot", "name": "last_shown", "value": ["CMP-001"]}])
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert "I only showed you one product" in texts(dispatcher)


async def test_the_total_with_shipping_read_as_a_price_question_is_the_cart_priced(res, dispatcher, domain):
    """"whats the total with shipping" read as ask_price: the cart and its delivery, not the options table."""
    tracker = make_tracker("whats the total with shipping", "ask_price",
                           slots={"cart": [{"sku": "AUD-002", "qty": 1, "unit_price": "249.00"}]})
    await ActionShowPrice().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "With Standard (3-5 business days) delivery that's $249.00 ($0.00 shipping)." in said, said
    assert "Express (1-2 business days): $14.99" not in said, said


async def test_the_cheaper_one_after_two_products_shown_one_at_a_time_is_the_cheaper_of_those(res, dispatcher, domain):
    """Aria Wireless ($129) shown, then Aria Pro ($249): "add the cheaper one" is the Aria Wireless."""
    from actions.cart import ActionAddToCart

    shown = [{"event": "slot", "name": "last_shown", "value": ["AUD-001"]},
             {"event": "slot", "name": "last_shown", "value": ["AUD-002"]}]
    tracker = make_tracker("ok add the cheaper one to my cart", "add_to_cart", slots={"last_shown": ["AUD-002"]}, events=shown)
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    cart = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "cart"][-1]
    assert [(i["sku"], i["qty"]) for i in cart] == [("AUD-001", 1)], texts(dispatcher)


async def test_a_vague_wish_with_a_budget_gets_what_the_budget_buys(res, dispatcher, domain, catalog):
    text = "I was told you could help me find a present for a man who has everything, budget about 50 dollars"
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product"), domain)
    assert _cards(dispatcher) and all(catalog.get(s).price <= 60 for s in _cards(dispatcher)), texts(dispatcher)


async def test_a_thing_we_do_not_sell_with_a_budget_gets_what_the_budget_buys(res, dispatcher, domain, catalog):
    await ActionShowProducts().run(dispatcher, make_tracker("a cosy wool blanket under 30", "search_product"), domain)
    assert texts(dispatcher).startswith("I don't have exactly that for $30.00 or less"), texts(dispatcher)
    assert _cards(dispatcher) and all(catalog.get(s).price <= 30 for s in _cards(dispatcher))


async def test_the_cheaper_one_after_two_compared_and_one_shown_is_of_the_two(res, dispatcher, domain):
    from actions.cart import ActionAddToCart

    shown = [{"event": "slot", "name": "last_shown", "value": ["AUD-002", "AUD-003"]},
             {"event": "slot", "name": "last_shown", "value": ["AUD-002"]}]
    tracker = make_tracker("get me the cheaper one", "add_to_cart", slots={"last_shown": ["AUD-002"]}, events=shown)
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    cart = [e for e in events if e.get("name") == "cart"][-1]["value"]
    cheaper = min(["AUD-002", "AUD-003"], key=lambda s: res.catalog.get(s).price)
    assert [i["sku"] for i in cart] == [cheaper], texts(dispatcher)


@pytest.mark.parametrize("text", ["cheapest", "which one is the most expensive"])
async def test_the_cheapest_with_cards_on_screen_is_of_those_not_the_cheapest_delivery(res, dispatcher, domain, text):
    shown = ["AUD-002", "AUD-003"]
    tracker = make_tracker(text, "ask_price", slots={"last_shown": shown, "last_product": "AUD-002"})
    events = await ActionShowPrice().run(dispatcher, tracker, domain)
    prices = {s: res.catalog.get(s).price for s in shown}
    expected = min(prices, key=prices.get) if "cheapest" in text else max(prices, key=prices.get)
    assert [e["value"] for e in events if e.get("name") == "last_shown"] == [[expected]], texts(dispatcher)
    assert "Standard (3-5 business days)" not in texts(dispatcher)


async def test_the_cheapest_on_screen_is_one_that_can_be_bought(res, dispatcher, domain):
    tracker = make_tracker("cheapest", "ask_price", slots={"last_shown": ["AUD-003", "AUD-004"]})
    events = await ActionShowPrice().run(dispatcher, tracker, domain)  # the $69 Pulse Sport is sold out
    assert [e["value"] for e in events if e.get("name") == "last_shown"] == [["AUD-003"]], texts(dispatcher)


@pytest.mark.parametrize("text, end", [("whats the cheapest thing u sell", "cheapest"),
                                       ("what's the most expensive item you have?", "most expensive")])
async def test_the_cheapest_thing_we_sell_is_a_product_not_a_delivery_option(res, dispatcher, domain, text, end):
    from tests.support.trackers import slot_events

    events = await ActionShowPrice().run(dispatcher, make_tracker(text, "ask_price"), domain)
    in_stock = [p for p in res.catalog.products if p.stock > 0]
    top = min(in_stock, key=lambda p: p.price) if end == "cheapest" else max(in_stock, key=lambda p: p.price)
    assert texts(dispatcher).startswith(f"The {end} thing we sell is the {top.name}"), texts(dispatcher)
    assert slot_events(events)["last_shown"] == [top.sku]
    assert "business days" not in texts(dispatcher)  # it listed the delivery options' prices


async def test_a_price_question_with_only_a_budget_lists_what_it_buys(res, dispatcher, domain):
    await ActionShowPrice().run(dispatcher, make_tracker("smth for my dorm under 50 bucks??", "ask_price"), domain)
    prices = [p["price"] for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]
    assert prices and all(p <= 50 for p in prices), texts(dispatcher)  # it offered a $399 phone as "the closest"


async def test_a_need_with_a_budget_read_as_a_bare_answer_is_a_search(res, dispatcher, domain):
    """"Need 12 wireless mice for the team, budget around 25 each" read as inform: the mice and
    what the budget buys, not "Sorry, I can't help with that one"."""
    from actions.pick import ActionPickProduct

    text = "Need 12 wireless mice for the team, budget around 25 each"
    start = text.index("mice")
    await ActionPickProduct().run(dispatcher, make_tracker(text, "inform", entities=[
        {"entity": "category", "value": "computers", "start": start, "end": start + 4}]), domain)
    names = [p["name"] for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]
    assert names == ["Glide Wireless Mouse"] and "$39.00" in texts(dispatcher), texts(dispatcher)


@pytest.mark.parametrize("text, cap", [
    ("a laptop for her work but I should say I cannot spend more than about 800 dollars", 800),
    ("one of those clever thermostats or lights. Nothing over 150 dollars though.", 150),
    ("i dont want to spend more than $60 on it", 60), ("headphones, not over 40 bucks", 40),
    ("we won't pay more than 300 for a chair", 300),
    ("chairs over 200", None), ("is it over 2 kg", None),
    ("gift for my mom she loves coffee, like 100 max", 100),
])
def test_a_limit_said_as_what_not_to_spend(text, cap):
    """The budget ignored: "cannot spend more than about 800 dollars" showed a $899 laptop as if it fit."""
    assert price_cap(text) == (Decimal(cap) if cap is not None else None)


async def test_the_cheapest_of_one_card_is_its_price(res, domain):
    """One card on screen (the footrest), "How much is the cheapest of them?": its price (it listed
    the delivery options' prices)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("How much is the cheapest of them?", "ask_price", slots={"last_shown": ["OFF-008"],
                                                                                    "last_product": "OFF-008"})
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert "Rest Ergonomic Footrest at $39.00" in texts(dispatcher) and "Express" not in texts(dispatcher), texts(dispatcher)


async def test_gift_ideas_for_staff_within_a_budget_list_what_it_buys(res, domain):
    """"need xmas gifts for 15 staff, like under 50 bucks each, ideas?": several products within $50
    (it showed the footrest alone as the "closest")."""
    dispatcher = CollectingDispatcher()
    await ActionShowProducts().run(dispatcher, make_tracker("need xmas gifts for 15 staff, like under 50 bucks each, ideas?",
                                                            "search_product"), domain)
    cards = [p for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]
    assert len(cards) >= 3 and all(p["price"] <= 50 for p in cards), texts(dispatcher)


async def test_a_thing_we_dont_sell_given_as_an_example_of_a_department_is_said_so(res, domain):
    """"do u sell office supplies like staplers": no stapler, said so before the office range (it
    said "Here are our offices:")."""
    text = "do u sell office supplies like staplers"
    start = text.index("office")
    dispatcher = CollectingDispatcher()
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=[
        {"entity": "category", "value": "office", "start": start, "end": start + 6}]), domain)
    assert "staplers" in texts(dispatcher) and "don't have" in texts(dispatcher), texts(dispatcher)


async def test_how_much_are_they_after_one_card_is_its_price(res, domain):
    """One speaker on screen, "how much r they": its price (it said it couldn't find that)."""
    dispatcher = CollectingDispatcher()
    await ActionShowPrice().run(dispatcher, make_tracker("how much r they", "ask_price",
                                                         slots={"last_shown": ["AUD-005"], "last_product": "AUD-005"}), domain)
    speaker = res.catalog.get("AUD-005")
    assert f"{speaker.name} costs" in texts(dispatcher), texts(dispatcher)


async def test_the_cheapest_of_a_kind_not_on_screen_is_not_the_card_on_screen(res, domain):
    """The lamp's card on screen, "whats the cheapest coffee thing": not the lamp."""
    dispatcher = CollectingDispatcher()
    lamp = res.catalog.find("lumen led desk lamp")
    await ActionShowPrice().run(dispatcher, make_tracker("whats the cheapest coffee thing", "ask_price",
                                                         slots={"last_shown": [lamp.sku], "last_product": lamp.sku}), domain)
    assert "Lumen" not in texts(dispatcher), texts(dispatcher)
