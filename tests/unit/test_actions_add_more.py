""""Another one" / "add 2 more" after an add with a cross-sell offer: more of the shopper's own
line, never the offer (open or declined); accepting the offer still adds it. Real Trackers
carrying the conversation's events, the real domain, catalog and product graph."""
from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cart import ActionAcceptUpsell, ActionAddToCart
from actions.pick import ActionPickProduct
from lift.commerce.cart import last_added
from lift.understanding.references import asks_for_more
from tests.support.trackers import ent, make_tracker, slot_events, texts

PRO, CASE = "AUD-002", "ACC-003"  # Aria Pro Noise-Cancelling Headphones ($249), Aria Carrying Case ($29)


async def run(action, domain, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return events, dispatcher


class Chat:
    """A conversation as Rasa logs it: the user message, the action, then the action's events;
    every turn is run against a Tracker holding everything said and set so far."""

    def __init__(self, domain):
        self.domain = domain
        self.events: List[Dict[str, Any]] = []
        self.slots: Dict[str, Any] = {}

    async def say(self, action, text, intent, entities=(), action_name=None):
        tracker = make_tracker(text, intent, entities=list(entities), slots=dict(self.slots), events=list(self.events))
        events, d = await run(action, self.domain, tracker)
        self.events += [tracker.events[-1], {"event": "action", "name": action_name or action.name()}, *events]
        self.slots.update(slot_events(events))
        return events, d

    def deny(self):
        """"no thanks" to the offer: Rasa's rule answers with utter_no_problem, no action server call."""
        self.events += [{"event": "user", "text": "no thanks", "parse_data": {"intent": {"name": "deny"}}},
                        {"event": "action", "name": "utter_no_problem"}]

    def lines(self):
        return {i["sku"]: i["qty"] for i in self.slots.get("cart", [])}


async def added_pro_with_offer(domain):
    chat = Chat(domain)
    _, d = await chat.say(ActionAddToCart(), "add the aria pro", "add_to_cart", [ent("product", "aria pro")])
    assert chat.lines() == {PRO: 1} and chat.slots["upsell_sku"] == CASE, texts(d)
    assert "Aria Carrying Case ($29.00). Want me to add it?" in texts(d)
    return chat


@pytest.mark.parametrize("text", ["add another one", "another one please", "one more", "i'll take another",
                                  "same again", "add one more to my cart"])
async def test_another_one_is_the_product_just_added_not_the_offer(res, domain, text):
    chat = await added_pro_with_offer(domain)
    events, d = await chat.say(ActionAddToCart(), text, "add_to_cart")
    assert chat.lines() == {PRO: 2}, texts(d)
    assert "Added another Aria Pro Noise-Cancelling Headphones: you now have 2" in texts(d)
    assert "Carrying Case" not in texts(d)  # the offer is not made again
    slots = slot_events(events)
    assert slots["last_product"] == PRO and slots["last_shown"] == [PRO] and slots["upsell_sku"] is None


async def test_add_2_more_after_declining_the_offer(res, domain):
    """The reported conversation: after "no thanks", "add 2 more" is two more Aria Pro, never two cases."""
    chat = await added_pro_with_offer(domain)
    chat.deny()
    _, d = await chat.say(ActionAddToCart(), "add 2 more", "add_to_cart", [{"entity": "quantity", "value": 2, "start": 4, "end": 5}])
    assert chat.lines() == {PRO: 3}, texts(d)
    assert "Added 2 more Aria Pro Noise-Cancelling Headphones: you now have 3" in texts(d)
    # all 3 in stock are in the cart now: one more is refused, and nothing else is added instead
    _, d = await chat.say(ActionAddToCart(), "ok just one more then", "add_to_cart")
    assert chat.lines() == {PRO: 3} and "You already have all 3" in texts(d), texts(d)


async def test_add_2_more_right_after_no_thanks(res, domain):
    chat = Chat(domain)
    await chat.say(ActionAddToCart(), "add the aria headphones", "add_to_cart", [ent("product", "aria headphones")])
    assert chat.slots["upsell_sku"] == CASE
    chat.deny()
    _, d = await chat.say(ActionAddToCart(), "add 2 more", "add_to_cart")
    assert chat.lines() == {"AUD-001": 3}, texts(d)
    assert "Added 2 more Aria Wireless Headphones: you now have 3" in texts(d)


async def test_a_declined_offer_is_never_it(res, domain):
    """"add it" / "add 2" after "no thanks": not the declined case (the line added last is what
    is left to mean); a card shown after the "no" is again what "it" means."""
    chat = Chat(domain)
    await chat.say(ActionAddToCart(), "add the aria headphones", "add_to_cart", [ent("product", "aria headphones")])
    chat.deny()
    await chat.say(ActionAddToCart(), "add it", "add_to_cart")
    assert CASE not in chat.lines()
    chat.events.append({"event": "slot", "name": "last_shown", "value": [CASE]})  # "show me the carrying case"
    chat.slots["last_shown"] = [CASE]
    await chat.say(ActionAddToCart(), "ok add it", "add_to_cart")
    assert chat.lines()[CASE] == 1


async def test_more_follows_the_line_added_last_not_the_product_viewed_since(res, domain):
    chat = Chat(domain)
    await chat.say(ActionAddToCart(), "add the aria headphones", "add_to_cart", [ent("product", "aria headphones")])
    await chat.say(ActionAddToCart(), "add a nimbus 14 laptop", "add_to_cart", [ent("product", "nimbus 14")])
    chat.slots.update(last_product="AUD-001", last_shown=["AUD-001"])  # looked at the headphones again since
    await chat.say(ActionAddToCart(), "add another one", "add_to_cart")
    assert chat.lines() == {"AUD-001": 1, "CMP-001": 2}


async def test_accepting_the_offer_still_adds_it(res, domain):
    chat = await added_pro_with_offer(domain)
    events, d = await chat.say(ActionAcceptUpsell(), "yes", "affirm")
    assert chat.lines() == {PRO: 1, CASE: 1} and slot_events(events)["upsell_accepted"] is True
    # the case is now the shopper's own latest line: "another one" is a second case
    await chat.say(ActionAddToCart(), "add another one", "add_to_cart")
    assert chat.lines() == {PRO: 1, CASE: 2}
    for text, entities in (("yes add it", []), ("sure add the case", [ent("product", "carrying case")]),
                           ('/add_to_cart{"product":"ACC-003"}', [ent("product", CASE)])):
        chat = await added_pro_with_offer(domain)
        events, d = await chat.say(ActionAddToCart(), text, "add_to_cart", entities)
        assert chat.lines() == {PRO: 1, CASE: 1}, (text, texts(d))
        assert slot_events(events)["upsell_accepted"] is True


async def test_another_one_read_as_a_pointer_adds_it(res, domain):
    """"another one" on its own may be read as inform: with a cart, it is an add, not the card."""
    chat = await added_pro_with_offer(domain)
    await chat.say(ActionPickProduct(), "another one", "inform")
    assert chat.lines() == {PRO: 2}  # in the same turn: no rule follows the pick with the add
    _, d = await run(ActionPickProduct(), domain, make_tracker("another one", "inform", slots={"last_shown": [PRO]}))
    assert "Here it is" in texts(d)  # nothing in the cart: the card shown, as before


@pytest.mark.parametrize("text,more", [
    ("add another one", True), ("another", True), ("one more please", True), ("add 2 more", True),
    ("2 more to my cart", True), ("same again", True), ("more of those", True),
    ("add it again", True), ("get 3 more of those please", True), ("add more", True),
    ("i have another question", False), ("one more thing", False), ("show me another laptop", False),
    ("add it", False), ("add 2", False), ("tell me more about the battery", False), ("tell me more", False),
    ("say that again", False), ("any more?", False), ("show me more", False),
])
def test_asks_for_more(text, more):
    assert asks_for_more(text) is more


def test_last_added_follows_the_shoppers_adds_only():
    a, b = {"sku": "A", "qty": 1, "unit_price": "1"}, {"sku": "B", "qty": 1, "unit_price": "1"}
    assert last_added([]) is None
    assert last_added([(True, [a]), (True, [a, b])]) == "B"
    assert last_added([(True, [a]), (True, [a, b]), (True, [{**a, "qty": 2}, b])]) == "A"
    assert last_added([(True, [a, b]), (False, [a, b])]) == "B"  # carried over at a session start: unchanged
    assert last_added([(False, [a, b])]) is None  # a restored cart says nothing about who added what last
    assert last_added([(True, [a]), (True, [a, b]), (False, [a])]) is None  # B removed since


async def test_the_offered_product_by_its_type_is_the_offer(res, domain, catalog):
    """"sure, add the case" (read as the product type "case") right after the carrying case was
    offered: the offered case, not a question about every case we sell."""
    assert len(catalog.of_kind(catalog.category_of("case").id, "case")) > 1
    chat = await added_pro_with_offer(domain)
    events, d = await chat.say(ActionAddToCart(), "sure, add the case", "add_to_cart", [ent("category", "case")])
    assert chat.lines() == {PRO: 1, CASE: 1}, texts(d)
    assert slot_events(events)["upsell_accepted"] is True
