"""A typed answer to "Which one do you mean?" after an add adds the one picked, with the quantity asked
for (it showed the card and dropped the quantity: the cart stayed empty). Real Trackers and catalog."""
import pytest

from actions.catalog import ActionShowProducts
from actions.pick import ActionPickProduct
from rasa_sdk.executor import CollectingDispatcher

from tests.support.trackers import make_tracker, slot_events, texts


def _asked_which(*skus, qty=None):
    extra = f',"quantity":"{qty}"' if qty else ""
    return [{"event": "user", "text": "actualy make it 2, one for my bro", "parse_data": {"intent": {"name": "add_to_cart"}}},
            {"event": "bot", "text": "Which one do you mean?", "data": {"buttons": [
                {"title": sku, "payload": f'/add_to_cart{{"product":"{sku}"{extra}}}'} for sku in skus]}}]


@pytest.mark.parametrize("action, intent, text, qty, sku", [
    (ActionPickProduct, "inform", "the true wireless ones", 2, "AUD-003"),
    (ActionShowProducts, "search_product", "Clarity 27-inch 4K Monitor", 12, "CMP-005"),
    (ActionPickProduct, "inform", "the first one", 3, "AUD-003"),
])
async def test_the_one_typed_is_added_with_the_quantity_asked_for(res, dispatcher, domain, action, intent, text, qty, sku):
    skus = ("CMP-005", "CMP-006") if sku.startswith("CMP") else ("AUD-003", "AUD-004")
    tracker = make_tracker(text, intent, events=_asked_which(*skus, qty=qty))
    # as Rasa sends it: the turn's featurization and action after the message
    tracker.events += [{"event": "user_featurization", "use_text_for_featurization": False},
                       {"event": "action", "name": action().name()}]
    events = slot_events(await action().run(dispatcher, tracker, domain))
    assert events.get("cart") == [{"sku": sku, "qty": qty, "unit_price": events["cart"][0]["unit_price"]}], texts(dispatcher)
    assert texts(dispatcher).startswith(f"Added {qty} ×")


async def test_without_a_which_question_a_name_only_shows_the_card(res, dispatcher, domain):
    tracker = make_tracker("the pulse sport ones", "inform", slots={"last_shown": ["AUD-003", "AUD-004"]})
    events = slot_events(await ActionPickProduct().run(dispatcher, tracker, domain))
    assert "cart" not in events


async def test_a_yes_offer_button_is_not_a_which_question(res, dispatcher, domain):
    events = [{"event": "bot", "text": "Want me to add it?", "data": {"buttons": [
        {"title": "Yes, add Volt", "payload": '/add_to_cart{"product":"ACC-002"}'}, {"title": "No thanks", "payload": "/deny"}]}}]
    tracker = make_tracker("the volt cable", "inform", events=events)
    assert "cart" not in slot_events(await ActionPickProduct().run(dispatcher, tracker, domain))


def _after_add():
    return [{"event": "user", "text": "add the glide mouse", "parse_data": {"intent": {"name": "add_to_cart"}}},
            {"event": "action", "name": "action_add_to_cart"}]


async def test_one_more_thing_right_after_an_add_is_added_too(res, dispatcher, domain):
    """"also a 65w charger" right after an add showed the charger's card and added nothing."""
    text = "also the volt 65w charger"
    entities = [{"entity": "product", "value": "volt 65w charger", "start": 9, "end": 25}]
    tracker = make_tracker(text, "inform", events=_after_add(), entities=entities,
                           slots={"cart": [{"sku": "CMP-008", "qty": 1, "unit_price": "39.00"}]})
    events = slot_events(await ActionPickProduct().run(dispatcher, tracker, domain))
    assert len(events["cart"]) == 2, texts(dispatcher)
    followup = await ActionShowProducts().run(CollectingDispatcher(), make_tracker(
        text, "search_product", events=_after_add(), entities=entities), domain)
    assert {"event": "followup", "name": "action_add_to_cart", "timestamp": None} in followup


async def test_and_a_question_after_an_add_is_no_add(res, dispatcher, domain):
    entities = [{"entity": "product", "value": "volt 65w charger", "start": 15, "end": 31}]
    tracker = make_tracker("and is the the volt 65w charger any good", "inform", events=_after_add(), entities=entities)
    assert "cart" not in slot_events(await ActionPickProduct().run(dispatcher, tracker, domain))
