"""Graph actions with real Trackers, the real domain, catalog and product graph."""
from rasa_sdk.executor import CollectingDispatcher

from actions.cart import ActionAddToCart
from actions.graph import ActionShowAlternatives, ActionShowComplements
from lift.graph.behaviour import PairStat
from lift.graph.build import build_graph
from tests.support.trackers import ent, make_tracker, slot_events, texts


def _cards(dispatcher):
    return [p["sku"] for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]


async def test_goes_with_the_espresso_machine_shows_the_grinder(res, dispatcher, domain):
    tracker = make_tracker("what goes well with the crema espresso machine?", "ask_complements",
                           entities=[ent("product", "crema espresso machine")])
    events = await ActionShowComplements().run(dispatcher, tracker, domain)
    assert _cards(dispatcher)[0] == "KIT-007"
    assert "KIT-002" not in _cards(dispatcher)
    assert "Grind Burr Coffee Grinder" in texts(dispatcher)
    assert slot_events(events)["last_shown"] == _cards(dispatcher)  # "add it" / "the second one" next


async def test_similar_but_cheaper_never_shows_the_product_itself(res, dispatcher, domain):
    tracker = make_tracker("anything similar to the Orbit X Smartphone but cheaper?", "ask_alternatives",
                           entities=[ent("product", "Orbit X Smartphone")])
    await ActionShowAlternatives().run(dispatcher, tracker, domain)
    shown = _cards(dispatcher)
    assert shown and "PHN-001" not in shown
    assert all(res.catalog.get(s).price < res.catalog.get("PHN-001").price for s in shown)
    assert "cheaper alternative" in texts(dispatcher)


async def test_alternative_without_a_product_refers_to_the_last_one(res, dispatcher, domain):
    tracker = make_tracker("anything similar but cheaper?", "ask_alternatives", slots={"last_product": "AUD-002"})
    await ActionShowAlternatives().run(dispatcher, tracker, domain)
    assert _cards(dispatcher) and "AUD-002" not in _cards(dispatcher)


async def test_a_more_premium_one_after_one_card_is_a_step_up(res, dispatcher, domain):
    tracker = make_tracker("is there a more premium one", "ask_alternatives",
                           slots={"last_shown": ["PHN-002"], "last_product": "PHN-002"})
    await ActionShowAlternatives().run(dispatcher, tracker, domain)
    shown = _cards(dispatcher)
    assert shown and all(res.catalog.get(s).price > res.catalog.get("PHN-002").price for s in shown)
    assert "higher-end alternative" in texts(dispatcher) and "only showed you one" not in texts(dispatcher)


async def test_no_smaller_phone_is_said_plainly(res, dispatcher, domain):
    tracker = make_tracker("something like the orbit x but smaller", "ask_alternatives",
                           entities=[ent("product", "orbit x")])
    await ActionShowAlternatives().run(dispatcher, tracker, domain)
    assert _cards(dispatcher) == []
    assert "don't have a smaller alternative to the Orbit X Smartphone" in texts(dispatcher)


async def test_unknown_product_asks_which(res, dispatcher, domain):
    tracker = make_tracker("what goes with the flux capacitor", "ask_complements",
                           entities=[ent("product", "flux capacitor")])
    assert await ActionShowComplements().run(dispatcher, tracker, domain) == []
    assert "Which product" in texts(dispatcher)


async def test_out_of_stock_add_offers_graph_substitutes(res, dispatcher, domain):
    tracker = make_tracker("add the pulse sport earbuds", "add_to_cart", entities=[ent("product", "pulse sport earbuds")])
    await ActionAddToCart().run(dispatcher, tracker, domain)
    assert "instead" in texts(dispatcher)
    assert _cards(dispatcher)[0] == "AUD-003" and "AUD-004" not in _cards(dispatcher)


async def test_cross_sell_strategy_follows_the_experiment_variant(res, domain, catalog):
    """An experiment on surface cross_sell with variants named after strategies switches them."""
    from lift.experiments.assignment import Assigner
    from lift.experiments.config import parse_experiments

    res.graph = build_graph(catalog, {}, co_purchase={("ACC-001", "AUD-001"): PairStat(12, 9.0)})
    res.assigner = Assigner(res.engine, parse_experiments({"experiments": [
        {"name": "cross_sell_ranking", "surface": "cross_sell", "status": "running", "metric": "upsell_accepted",
         "variants": [{"name": "catalog", "weight": 50}, {"name": "graph", "weight": 50}]}]},
        ["upsell_accepted"]))
    offers = {}
    for i in range(30):
        tracker = make_tracker("add the aria wireless", "add_to_cart", entities=[ent("product", "aria wireless")],
                               sender_id=f"shopper-{i}")
        offers[f"shopper-{i}"] = slot_events(await ActionAddToCart().run(CollectingDispatcher(), tracker, domain))["upsell_sku"]
    variants = {s: res.assigner.variant(s, "cross_sell_ranking") for s in offers}
    assert set(variants.values()) == {"catalog", "graph"}
    # catalog: the first listed complement; graph: the product bought with it 12 times.
    assert all(offers[s] == {"catalog": "ACC-003", "graph": "ACC-001"}[variants[s]] for s in offers)
    res.assigner.flush()


async def test_sold_out_during_checkout_offers_ranked_substitutes_with_live_stock(res, dispatcher, domain):
    from actions.checkout import ActionPlaceOrder
    from lift.store.engine import session_scope
    from lift.store.models import StockLevel

    with session_scope(res.engine) as s:
        s.get(StockLevel, "AUD-001").stock = 0  # the last units went to someone else meanwhile
        s.get(StockLevel, "AUD-002").stock = 0  # and so did the best-ranked substitute's (the graph says 3)
    tracker = make_tracker("yes", "affirm", active_loop="checkout_form", slots={
        "cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}], "email": "shopper@example.com",
        "shipping_address": "1 High Street, Springfield 12345", "shipping_method": "standard",
        "checkout_confirmed": True})
    events = await ActionPlaceOrder().run(dispatcher, tracker, domain)
    assert "couldn't place the order" in texts(dispatcher) and "just sold out" in texts(dispatcher)
    assert "You might like one of these instead" in texts(dispatcher)
    assert _cards(dispatcher) == ["AUD-003"]  # next in the graph's ranking, and in stock now
    assert "placed_order_id" not in slot_events(events)


async def test_one_sold_out_product_in_a_multi_product_add_never_drops_the_others(res, dispatcher, domain):
    from lift.store.engine import session_scope
    from lift.store.models import StockLevel

    with session_scope(res.engine) as s:
        s.get(StockLevel, "AUD-001").stock = 0
    tracker = make_tracker("two aria wireless and a boom go please", "add_to_cart",
                           entities=[ent("product", "aria wireless"), ent("product", "boom go")])
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    cart = slot_events(events)["cart"]
    assert [i["sku"] for i in cart] == ["AUD-005"]  # the speaker is in the cart
    assert "Added 1 × Boom Go Portable Speaker" in said
    assert "Aria Wireless Headphones is out of stock" in said and "You might like one of these instead" in said
    offered = _cards(dispatcher)
    assert offered and "AUD-001" not in offered and "AUD-005" not in offered  # alternatives, not what's in the cart
    assert slot_events(events)["last_shown"] == offered  # "add the first one" means an alternative next
    assert "often add" not in said  # no cross-sell offer on top of the refusal


async def test_a_sold_out_single_add_offers_alternatives_and_they_become_the_references(res, dispatcher, domain):
    from lift.store.engine import session_scope
    from lift.store.models import StockLevel

    with session_scope(res.engine) as s:
        s.get(StockLevel, "AUD-001").stock = 0
    events = await ActionAddToCart().run(dispatcher, make_tracker("add the aria wireless", "add_to_cart",
                                                                  entities=[ent("product", "aria wireless")]), domain)
    assert "cart" not in slot_events(events) and "out of stock" in texts(dispatcher)
    assert slot_events(events)["last_shown"] == _cards(dispatcher) != []


async def test_one_alternative_is_an_alternative(res, dispatcher, domain):
    tracker = make_tracker("is there an alternative to the pulse sport earbuds", "ask_alternatives",
                           entities=[ent("product", "pulse sport earbuds")])
    await ActionShowAlternatives().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "a alternative" not in said and ("Here is an alternative" in said or "Here are alternatives" in said), said
