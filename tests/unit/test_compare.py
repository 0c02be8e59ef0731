"""Comparing products the shopper names together: the wording (plain Python, real catalog) and the
actions that answer it whichever intent the question was read as (real Trackers and domain)."""
import pytest

from actions.catalog import ActionShowProducts
from actions.price import ActionShowPrice
from actions.fallback import ActionOfferOptions
from actions.graph import ActionShowAlternatives, ActionShowComplements
from actions.knowledge import ActionAnswerQuestion
from lift.commerce.compare import asks_to_compare, attribute_value, best_by, comparison_text, which_is
from tests.support.trackers import ent, make_tracker, slot_events, texts


def test_comparison_lists_price_stock_and_only_the_differences(catalog):
    text = comparison_text([catalog.get("AUD-001"), catalog.get("AUD-002")], catalog.currency)
    lines = text.splitlines()
    assert lines[0] == "Aria Wireless Headphones vs Aria Pro Noise-Cancelling Headphones:"
    assert lines[1] == f"• Price: {catalog.format_price(129)} vs {catalog.format_price(249)}"
    assert lines[2] == "• Stock: In stock vs Only 3 left"
    assert "• Battery: 30 h vs 40 h" in lines
    assert "• Noise cancelling: no vs yes" in lines
    assert "• Weight: 250 g vs 270 g" in lines
    assert "• Colour: black vs silver" in lines
    assert lines[-1] == "Both: form over-ear, connectivity bluetooth 5.3."
    assert not any(line.startswith("• Form") for line in lines)


def test_attributes_one_product_lacks_show_a_dash(catalog):
    text = comparison_text([catalog.get("AUD-005"), catalog.get("AUD-006")], catalog.currency)
    assert "• Voice assistant: — vs yes" in text
    assert "• Water resistance: IP67 vs —" in text


def test_units_and_flags_read_naturally():
    assert attribute_value("ram_gb", 16) == "16 GB"
    assert attribute_value("weight_kg", 1.3) == "1.3 kg"
    assert attribute_value("field_of_view_deg", 150) == "150°"
    assert attribute_value("5g", True) == "yes"
    assert attribute_value("ports", "4x usb") == "4x usb"


@pytest.mark.parametrize("text", ["what's the difference between the aria and the aria pro", "aria vs aria pro",
                                  "compare the nimbus 14 and the nimbus 16", "which is better, boom go or boom home",
                                  "how does the crema compare to the brewmaster", "aria or the aria pro?",
                                  "can't decide between the nimbus 14 and nimbus 16"])
def test_comparison_questions_are_recognised(catalog, text):
    assert asks_to_compare(text, [catalog.get("AUD-001"), catalog.get("AUD-002")])


@pytest.mark.parametrize("text", ["add the aria and the boom go", "show me the aria and the aria pro",
                                  "how much are the aria and the aria pro"])
def test_naming_two_products_is_not_asking_to_compare(catalog, text):
    assert not asks_to_compare(text, [catalog.get("AUD-001"), catalog.get("AUD-002")])


def test_one_product_is_never_a_comparison(catalog):
    assert not asks_to_compare("aria vs aria", [catalog.get("AUD-001"), catalog.get("AUD-001")])
    with pytest.raises(ValueError):
        comparison_text([catalog.get("AUD-001")], catalog.currency)


def _cards(dispatcher):
    return [p["sku"] for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]


ARIA_VS_PRO = [ent("product", "aria"), ent("product", "aria pro")]


@pytest.mark.parametrize("action, intent", [(ActionAnswerQuestion, "ask_question"), (ActionShowProducts, "search_product"),
                                            (ActionShowAlternatives, "ask_alternatives"), (ActionShowPrice, "ask_price"),
                                            (ActionShowComplements, "ask_complements"), (ActionOfferOptions, "nlu_fallback")])
async def test_every_reading_of_the_question_gets_the_comparison(res, dispatcher, domain, action, intent):
    tracker = make_tracker("what's the difference between the aria and the aria pro?", intent, entities=ARIA_VS_PRO)
    events = await action().run(dispatcher, tracker, domain)
    assert "Aria Wireless Headphones vs Aria Pro Noise-Cancelling Headphones:" in texts(dispatcher)
    assert "Noise cancelling: no vs yes" in texts(dispatcher)
    assert _cards(dispatcher) == ["AUD-001", "AUD-002"]
    assert slot_events(events)["last_shown"] == ["AUD-001", "AUD-002"]  # "add the second one" next


async def test_comparison_uses_the_stock_the_database_has_now(res, dispatcher, domain):
    from sqlalchemy import text as sql

    with res.engine.begin() as conn:
        conn.execute(sql("UPDATE stock_levels SET stock = 0 WHERE sku = 'AUD-002'"))
    tracker = make_tracker("aria vs aria pro", "nlu_fallback", entities=ARIA_VS_PRO)
    await ActionOfferOptions().run(dispatcher, tracker, domain)
    assert "• Stock: In stock vs Out of stock" in texts(dispatcher)


async def test_two_products_without_a_comparison_still_get_the_price_answer(res, dispatcher, domain):
    tracker = make_tracker("how much are the aria and the aria pro", "ask_price", entities=ARIA_VS_PRO)
    await ActionShowPrice().run(dispatcher, tracker, domain)
    assert " vs " not in texts(dispatcher)
    assert "Aria Wireless Headphones costs" in texts(dispatcher)


LAPTOPS = ("CMP-001", "CMP-002")  # Nimbus 14: $899, 1.3 kg, 15 h, 14 in; Nimbus 16 Pro: $1,599, 2 kg, 18 h, 16 in


@pytest.mark.parametrize("text, answer", [
    ("which one is lighter?", "The Nimbus 14 Laptop is lighter: 1.3 kg (Nimbus 16 Pro Laptop 2 kg)."),
    ("what weighs less", "The Nimbus 14 Laptop is lighter: 1.3 kg (Nimbus 16 Pro Laptop 2 kg)."),
    ("which has the better battery", "The Nimbus 16 Pro Laptop has the longer battery life: 18 h (Nimbus 14 Laptop 15 h)."),
    ("which of them has the bigger screen", "The Nimbus 16 Pro Laptop has the bigger screen: 16 in (Nimbus 14 Laptop 14 in)."),
    ("which is cheaper", "The Nimbus 14 Laptop is cheaper: $899.00 (Nimbus 16 Pro Laptop $1,599.00)."),
    # it showed the comparison table again
    ("which is the lowest priced one", "The Nimbus 14 Laptop is cheaper: $899.00 (Nimbus 16 Pro Laptop $1,599.00)."),
    ("which one has the higher price", "The Nimbus 16 Pro Laptop is more expensive: $1,599.00 (Nimbus 14 Laptop $899.00)."),
    ("which is the higher priced one", "The Nimbus 16 Pro Laptop is more expensive: $1,599.00 (Nimbus 14 Laptop $899.00)."),
])
def test_which_is_answers_from_the_attributes(catalog, text, answer):
    assert which_is(text, [catalog.get(s) for s in LAPTOPS], "USD") == answer


def test_best_by_picks_what_a_comparative_names(catalog):
    laptops = [catalog.get(s) for s in LAPTOPS]
    assert [p.sku for p in best_by("the lighter one", laptops)] == ["CMP-001"]
    assert [p.sku for p in best_by("the one with more battery, the longer battery", laptops)] == ["CMP-002"]
    assert [p.sku for p in best_by("whichever is cheaper", laptops)] == ["CMP-001"]
    assert best_by("the red one", laptops) is None and best_by("the lighter one", laptops[:1]) is None


def test_which_is_stays_out_of_other_questions(catalog):
    laptops = [catalog.get(s) for s in LAPTOPS]
    assert which_is("is it lighter than my old one", laptops, "USD") is None  # no "which"
    assert which_is("which one is waterproof", laptops, "USD") is None  # no attribute to compare
    assert which_is("which is lighter", laptops[:1], "USD") is None  # nothing to compare with
    kettle_and_laptop = [catalog.get("KIT-004"), catalog.get("CMP-001")]
    assert which_is("which has more ram", kettle_and_laptop, "USD") is None  # only one has RAM


async def test_which_is_lighter_after_a_comparison_is_answered_whatever_the_intent(res, domain):
    from rasa_sdk.executor import CollectingDispatcher

    for action, intent in ((ActionAnswerQuestion(), "ask_question"), (ActionShowProducts(), "search_product")):
        d = CollectingDispatcher()
        events = await action.run(d, make_tracker("which one is lighter?", intent, slots={"last_shown": list(LAPTOPS)}), domain)
        assert texts(d) == "The Nimbus 14 Laptop is lighter: 1.3 kg (Nimbus 16 Pro Laptop 2 kg).", action.name()
        # the one named is what "add it" means next
        assert [e["value"] for e in events if e.get("name") == "last_shown"] == [["CMP-001"]], action.name()
    # naming a product type asks the catalog, not the two cards on screen
    d = CollectingDispatcher()
    await ActionShowProducts().run(d, make_tracker("which is the cheapest laptop", "search_product",
                                                   entities=[ent("category", "laptop")],
                                                   slots={"last_shown": ["AUD-001", "AUD-002"]}), domain)
    assert "Aria" not in texts(d)


@pytest.mark.parametrize("text", ["compare the two", "can u compare em", "whats the difference between those",
                                  "which should i go for"])
async def test_compare_the_two_on_screen_puts_them_side_by_side(res, domain, text):
    """Two cards on screen and a request to compare that names neither: the comparison, with both cards."""
    from rasa_sdk.executor import CollectingDispatcher

    d = CollectingDispatcher()
    events = await ActionAnswerQuestion().run(d, make_tracker(text, "ask_question", slots={"last_shown": list(LAPTOPS)}), domain)
    assert texts(d).startswith("Nimbus 14 Laptop vs Nimbus 16 Pro Laptop:")
    assert [p["sku"] for p in d.messages[0]["custom"]["products"]] == list(LAPTOPS)
    assert slot_events(events)["last_shown"] == list(LAPTOPS)


@pytest.mark.parametrize("text, skus", [
    ("compare the two cheapest", ["CMP-001", "CMP-002"]), ("ok compare the 2 most expensive ones", ["CMP-003", "CMP-002"]),
])
async def test_compare_the_two_cheapest_of_three_on_screen_compares_those_two(res, domain, text, skus):
    from rasa_sdk.executor import CollectingDispatcher

    d = CollectingDispatcher()
    shown = ["CMP-003", "CMP-001", "CMP-002"]  # $1,899, $899, $1,599
    events = await ActionAnswerQuestion().run(d, make_tracker(text, "ask_question", slots={"last_shown": shown}), domain)
    assert [p["sku"] for p in d.messages[0]["custom"]["products"]] == skus, texts(d)
    assert texts(d).splitlines()[0].count(" vs ") == 1 and slot_events(events)["last_shown"] == skus


def test_at_price_end_leaves_other_questions_alone(catalog):
    from lift.commerce.compare import at_price_end

    products = [catalog.get(s) for s in ("CMP-003", "CMP-001", "CMP-002")]
    assert at_price_end("compare them", products) == products
    assert at_price_end("which is the cheapest", products) == products  # one end: which_is answers it
    assert [p.sku for p in at_price_end("the three priciest", products)] == ["CMP-003", "CMP-002", "CMP-001"]


def test_which_has_the_best_camera_is_answered_from_the_megapixels(catalog):
    phones = [catalog.get(s) for s in ("PHN-001", "PHN-002")]
    answer = which_is("which has the best camera", phones, "USD")
    assert answer is not None and "Orbit Lite Smartphone has the higher-resolution camera" in answer, answer
    assert which_is("which one takes better pics", phones, "USD") == answer


async def test_compare_the_first_two_of_three_cards(res, domain):
    """Three laptops on screen: "compare the first two" puts those two side by side, not all three."""
    from rasa_sdk.executor import CollectingDispatcher

    d = CollectingDispatcher()
    slots = {"last_shown": ["CMP-001", "CMP-002", "CMP-003"]}
    events = await ActionShowProducts().run(d, make_tracker("compare the first two", "search_product", slots=slots), domain)
    assert slot_events(events)["last_shown"] == ["CMP-001", "CMP-002"]


async def test_compare_it_with_a_named_product_compares_the_one_on_screen_with_it(res, dispatcher, domain):
    """Nimbus 14 on screen: "compare it w the nimbus 16 pro" puts the two side by side."""
    from actions.catalog import ActionShowProducts
    from tests.support.trackers import ent, make_tracker

    tracker = make_tracker("compare it w the nimbus 16 pro", "search_product", entities=[ent("product", "nimbus 16 pro")],
                           slots={"last_product": "CMP-001", "last_shown": ["CMP-001"]})
    events = await ActionShowProducts().run(dispatcher, tracker, domain)
    cards = [p["sku"] for m in dispatcher.messages if m.get("custom") for p in m["custom"]["products"]]
    assert cards == ["CMP-001", "CMP-002"], dispatcher.messages
    assert {"event": "slot", "timestamp": None, "name": "last_shown", "value": ["CMP-001", "CMP-002"]} in events


@pytest.mark.parametrize("text, entities, skus", [
    ("compare the tempo watch and the fit band", [], ["PHN-006", "PHN-007"]),
    ("how much ram does the nimbus 14 have vs the 16 pro", [ent("product", "nimbus 14")], ["CMP-001", "CMP-002"]),
    ("whats the difference between the grinder and the drip one", [ent("product", "grinder")], ["KIT-007", "KIT-001"]),
])
async def test_names_the_tagger_missed_are_still_compared(res, dispatcher, domain, text, entities, skus):
    await ActionAnswerQuestion().run(dispatcher, make_tracker(text, "ask_question", entities=entities), domain)
    assert _cards(dispatcher) == skus and " vs " in texts(dispatcher), texts(dispatcher)


def test_the_other_one_is_the_other_product_shown_not_the_one_added_or_the_add_on_offered(catalog):
    from actions.catalog import shown_products

    events = [{"event": "slot", "name": "last_shown", "value": ["AUD-001", "AUD-002"]},
              {"event": "slot", "name": "last_shown", "value": ["ACC-003"]}]
    slots = {"last_shown": ["ACC-003"], "upsell_sku": "ACC-003", "cart": [{"sku": "AUD-001", "qty": 1, "unit_price": "129.00"}]}
    tracker = make_tracker("ok what about the other one", "ask_question", slots=slots, events=events)
    assert [s.sku for s in shown_products(tracker, catalog)] == ["AUD-002"]
    it = make_tracker("is it in stock", "ask_question", slots=slots, events=events)
    assert [s.sku for s in shown_products(it, catalog)] == ["ACC-003"]  # "it" is still the card on screen


async def test_the_pro_one_after_the_nimbus_14_was_shown_is_the_nimbus_16_pro(res, dispatcher, domain):
    from actions.cart import ActionAddToCart

    tracker = make_tracker("actually get me the pro one instead", "add_to_cart",
                           slots={"last_shown": ["CMP-001"], "last_product": "CMP-001"})
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    assert [i["sku"] for i in slot_events(events)["cart"]] == ["CMP-002"], texts(dispatcher)


async def test_the_gaming_one_after_a_hub_was_offered_is_the_gaming_laptop(res, dispatcher, domain):
    from actions.pick import ActionPickProduct

    tracker = make_tracker("and the gaming one?", "inform", slots={"last_shown": ["ACC-009"], "last_product": "ACC-009",
                                                                  "upsell_sku": "ACC-009"})
    events = await ActionPickProduct().run(dispatcher, tracker, domain)
    gaming = [p.sku for p in res.catalog.products if "Gaming" in p.name]
    assert slot_events(events)["last_shown"] == gaming and len(gaming) == 1, texts(dispatcher)


async def test_ill_take_the_lite_after_a_power_bank_card_is_the_orbit_lite(res, dispatcher, domain):
    from actions.cart import ActionAddToCart

    lite = [p for p in res.catalog.products if "Lite" in p.name]
    bank = [p for p in res.catalog.products if "Power Bank" in p.name]
    tracker = make_tracker("I'll take the Lite", "add_to_cart", slots={"last_shown": [bank[0].sku], "last_product": bank[0].sku})
    events = await ActionAddToCart().run(dispatcher, tracker, domain)
    assert len(lite) == 1 and [i["sku"] for i in slot_events(events)["cart"]] == [lite[0].sku], texts(dispatcher)


def test_the_smaller_one_of_two_tablets_is_the_smaller_screen(catalog):
    from lift.commerce.compare import best_by

    tablets = [catalog.find("slate 11 tablet"), catalog.find("slate mini")]
    assert [p.name for p in best_by("i will take the smaller one", tablets)] == ["Slate Mini Tablet"]
    assert [p.name for p in best_by("the bigger one", tablets)] == ["Slate 11 Tablet"]
    assert best_by("the smaller one", [catalog.find("swift kettle"), catalog.find("toastie toaster")]) is None


def test_the_camera_asked_about_is_the_camera_in_the_cart_not_the_card_offered(res):
    from actions.mentions import kind_in_view

    text = "is the camera waterproof tho?"
    entity = [{"entity": "category", "value": "camera", "start": 7, "end": 13}]
    slots = {"cart": [{"sku": "CAM-004", "qty": 1, "unit_price": "199.00"}], "last_product": "ACC-008",
             "last_shown": ["ACC-008"]}
    tracker = make_tracker(text, "ask_question", entities=entity, slots=slots)
    assert kind_in_view(tracker, res.catalog, ["CAM-004", "ACC-008"]) == "CAM-004"
    on_screen = make_tracker(text, "ask_question", entities=entity, slots={**slots, "last_product": "CAM-001"})
    assert kind_in_view(on_screen, res.catalog, ["CAM-004"]) is None  # a camera is already in view
    cameras = make_tracker("do you sell cameras", "ask_question", entities=[{"entity": "category", "value": "cameras",
                                                                             "start": 12, "end": 19}], slots=slots)
    assert kind_in_view(cameras, res.catalog, ["CAM-004"]) is None  # no "the camera": not a reference


@pytest.mark.parametrize("text", ["sorry, make that two, not three", "oops i meant 2"])
async def test_a_corrected_number_after_an_add_sets_that_line(res, dispatcher, domain, text):
    from actions.pick import ActionPickProduct

    cart = [{"sku": "AUD-003", "qty": 3, "unit_price": "89.00"}]
    tracker = make_tracker(text, "inform", slots={"cart": cart, "last_shown": ["ACC-003"], "upsell_sku": "ACC-003"},
                           events=[{"event": "slot", "name": "cart", "value": cart}])
    events = await ActionPickProduct().run(dispatcher, tracker, domain)
    assert [(i["sku"], i["qty"]) for i in slot_events(events)["cart"]] == [("AUD-003", 2)], texts(dispatcher)


@pytest.mark.parametrize("text, answer", [
    # "ok and price diff?" after two phones showed the comparison table again
    ("ok and price diff?", "The Nimbus 16 Pro Laptop costs $700.00 more than the Nimbus 14 Laptop ($1,599.00 vs $899.00)."),
    ("how much more is the pro", "The Nimbus 16 Pro Laptop costs $700.00 more than the Nimbus 14 Laptop ($1,599.00 vs $899.00)."),
    ("which is cheaper", None), ("compare them", None),
])
def test_the_price_gap_between_two_products(catalog, text, answer):
    from lift.commerce.compare import price_difference

    assert price_difference(text, [catalog.get(s) for s in LAPTOPS], "USD") == answer


def test_a_name_followed_by_another_sentence_is_still_found_for_a_comparison(catalog):
    """"…torn between the Tempo Smartwatch and the Fit Band. What's the actual difference?" described the
    smartwatch alone (three times, as the questions went on)."""
    from lift.commerce.compare import products_compared

    text = ("My granddaughter wants a watch for her birthday and I am torn between the Tempo Smartwatch and the Fit "
            "Band. What's the actual difference?")
    assert [p.sku for p in products_compared(catalog, text)] == ["PHN-006", "PHN-007"]
