"""Brands and properties we don't carry: said plainly, then what we do carry."""
import pytest

from actions.catalog import ActionShowProducts
from tests.support.trackers import ent, make_tracker, texts


@pytest.mark.parametrize("query,category,missing", [
    ("do you have samsung galaxy phones", "phones", ("samsung", "galaxy")),
    ("any iphones", "phones", ("iphones",)),
    ("dell laptops", "computers", ("dell",)),
    ("bose headphones", "audio", ("bose",)),
    # what shoppers want a product for, budgets, numbers and properties we list are not "missing"
    ("cheap phones", "phones", ()),
    ("budget phones please", "phones", ()),
    ("laptops for school", "computers", ()),
    ("phones under five hundred", "phones", ()),
    ("two phones", "phones", ()),
    ("noise cancelling headphones", "audio", ()),
    ("wireless earbuds", "audio", ()),
    ("cheapst phone?", "phones", ()),  # a misspelt "cheapest" is not a brand
    # chat-speak is not a brand either ("We don't have anything matching “wanna”" before)
    ("wanna see the nimbus laptops", "computers", ()),
    ("gimme some cheap phones pls", "phones", ()),
    ("hmm im after some headphones u got any", "audio", ()),
])
def test_missing_words(catalog, query, category, missing):
    kind = [p for p in catalog.products if p.category == category]
    assert catalog.missing_from(query, kind) == missing


async def test_a_brand_we_dont_carry_is_named_before_our_products(res, dispatcher, domain):
    await ActionShowProducts().run(dispatcher, make_tracker("do you have samsung galaxy phones", "search_product",
                                                            entities=[ent("category", "phones")]), domain)
    assert texts(dispatcher).startswith("We don't have anything matching “samsung galaxy”. Here are the phones we do carry:")
    assert dispatcher.messages[0]["custom"]["products"]


async def test_a_plain_category_search_is_unchanged(res, dispatcher, domain):
    await ActionShowProducts().run(dispatcher, make_tracker("show me phones", "search_product",
                                                            entities=[ent("category", "phones")]), domain)
    assert texts(dispatcher) == "Here are our phones:"


@pytest.mark.parametrize("text,value,start,intro", [
    ("show me smart home", "smart_home", 8, "Here are some smart home picks:"),
    ("show me phones", "phones", 8, "Here are our phones:"),
])
async def test_a_department_named_by_its_name_shows_all_of_it(res, dispatcher, domain, catalog, text, value, start, intro):
    entity = {"entity": "category", "value": value, "start": start, "end": len(text)}
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=[entity]), domain)
    assert texts(dispatcher) == intro
    shown = {p["sku"] for p in dispatcher.messages[0]["custom"]["products"]}
    category = "smart_home" if "smart" in text else "phones"
    assert all(catalog.get(s).category == category for s in shown)
    if category == "smart_home":
        assert len(shown) == min(4, len(catalog.products_in("smart_home")))  # not just the hub


async def test_a_named_product_over_the_budget_says_so(res, dispatcher, domain, catalog):
    tracker = make_tracker("noise cancelling headphones under 200", "search_product",
                           entities=[ent("product", "noise cancelling headphones")])
    await ActionShowProducts().run(dispatcher, tracker, domain)
    cards = dispatcher.messages[0]["custom"]["products"]
    assert [c["sku"] for c in cards] == ["AUD-002"] and cards[0]["price"] == 249.0
    assert texts(dispatcher) == "That costs more than $200.00:"  # not "Here it is:"


async def test_a_colour_we_dont_sell_is_answered_not_added(res, dispatcher, domain):
    from actions.cart import ActionAddToCart

    tracker = make_tracker("can i get the aria headphones in red", "add_to_cart",
                           entities=[ent("product", "aria headphones")])
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    assert "comes in black; we don't have it in red" in texts(dispatcher)
    assert not any(e.get("name") == "cart" for e in events)  # nothing added
    d2 = type(dispatcher)()
    events = await ActionAddToCart().run(d2, make_tracker("add the black aria headphones", "add_to_cart",
                                                           entities=[ent("product", "aria headphones")]), domain)
    assert "Added 1 × Aria Wireless Headphones" in texts(d2)


@pytest.mark.parametrize("text, value, intro", [
    ("samsung galaxy phones pls", "phones", "We don't have anything matching “samsung galaxy”. Here are the phones we do carry:"),
    ("any phones from samsung", "phones", "We don't have anything matching “samsung”. Here are the phones we do carry:"),
    # words said about the shopper's need, not the product: no "nothing matching 'study programming dollar'"
    ("I look for laptop for my son, he study programming, budget around 1000 dollar", "laptop", "Here are our laptops:"),
])
async def test_only_words_qualifying_the_type_are_named_as_not_carried(res, dispatcher, domain, text, value, intro):
    at = text.index(value)
    entity = {"entity": "category", "value": value, "start": at, "end": at + len(value)}
    await ActionShowProducts().run(dispatcher, make_tracker(text, "search_product", entities=[entity]), domain)
    assert texts(dispatcher) == intro
