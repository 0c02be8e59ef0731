""""cancel it" right after placing an order cancels that order (with the usual yes), instead of
a "No problem." that cancels nothing; any other stop is acknowledged."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.order_in_view import ActionAcknowledgeStop
from tests.support.trackers import make_tracker, slot_events

PLACED = [{"event": "action", "name": "action_place_order"},
          {"event": "bot", "text": "Order placed! Your order number is LFT123456"}]


def _events(result):
    return [e["event"] for e in result]


@pytest.mark.parametrize("text", ["cancel it please", "cancel", "actually cancel that order"])
async def test_cancel_right_after_an_order_cancels_it(domain, text):
    d = CollectingDispatcher()
    events = await ActionAcknowledgeStop().run(d, make_tracker(text, "stop", events=PLACED,
                                                               slots={"placed_order_id": "LFT123456"}), domain)
    assert slot_events(events)["order_id"] == "LFT123456" and slot_events(events)["order_request"] == "cancel"
    assert {"event": "followup", "name": "action_handle_order"} in [{"event": e["event"], "name": e.get("name")} for e in events]
    assert not d.messages


@pytest.mark.parametrize("text,history", [
    ("stop", PLACED),  # no cancel word
    ("cancel it", []),  # no order placed in this conversation
    ("cancel it", PLACED + [{"event": "user", "text": "x"}] * 4),  # the order was several messages ago
])
async def test_other_stops_are_acknowledged(domain, text, history):
    d = CollectingDispatcher()
    events = await ActionAcknowledgeStop().run(d, make_tracker(text, "stop", events=history,
                                                               slots={"placed_order_id": "LFT123456" if history else None}),
                                               domain)
    assert events == [] and d.messages[0]["response"] == "utter_no_problem"


async def test_cancel_it_right_after_an_order_was_shown_cancels_that_order(domain):
    shown = [{"event": "user", "text": "where's LFT100003"}, {"event": "slot", "name": "order_id", "value": "LFT100003"},
             {"event": "bot", "text": "Order LFT100003 has shipped..."}]
    d = CollectingDispatcher()
    events = await ActionAcknowledgeStop().run(d, make_tracker("cancel it", "stop", events=shown,
                                                               slots={"order_id": "LFT100003"}), domain)
    assert slot_events(events)["order_id"] == "LFT100003" and slot_events(events)["order_request"] == "cancel"


@pytest.mark.parametrize("text", ["ugh nvm clear everything", "empty my cart"])
async def test_clear_everything_read_as_stop_empties_the_cart(domain, text):
    cart = [{"sku": "KIT-001", "qty": 3, "unit_price": "89.00"}]
    d = CollectingDispatcher()
    events = await ActionAcknowledgeStop().run(d, make_tracker(text, "stop", slots={"cart": cart}), domain)
    assert slot_events(events)["cart"] == [] and d.messages[0]["text"] == "Done: your cart is empty now."
