"""The faster action-response validation accepts and rejects exactly what Rasa's does."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from lift.rasa_plugins import speedups

ORIGINAL = RemoteAction._validate_action_result

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "cart", "value": [{"sku": "A", "qty": 1, "unit_price": "1.00"}]}],
     "responses": [{"text": "hi", "buttons": [{"title": "x", "payload": "/y"}]}]},
    {"events": [{"event": "pause"}, {"event": "active_loop", "name": None}], "responses": []},
]
BAD = [
    {"events": "nope"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},
    {"responses": "text"},
]


@pytest.fixture(autouse=True)
def restore():
    yield
    RemoteAction._validate_action_result = ORIGINAL
    speedups._installed = False


@pytest.mark.parametrize("result", GOOD)
def test_valid_responses_pass_both(result):
    action = RemoteAction("action_x", None)
    assert ORIGINAL(action, result) is True
    speedups._installed = False
    speedups.install()
    assert RemoteAction._validate_action_result(action, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_responses_fail_both_with_the_same_message(result):
    action = RemoteAction("action_x", None)
    with pytest.raises(jsonschema.ValidationError) as original:
        ORIGINAL(action, result)
    speedups._installed = False
    speedups.install()
    with pytest.raises(jsonschema.ValidationError) as fast:
        RemoteAction._validate_action_result(action, result)
    assert fast.value.message == original.value.message
