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


def test_event_lookup_resolves_every_event_type_like_rasa():
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    original = speedups.originals.get("resolve_by_type") or events.Event.resolve_by_type
    try:
        names = {cls.type_name for cls in all_subclasses(events.Event)}
        expected = {n: original(n) for n in names}
        speedups._installed = False
        speedups.install()
        assert events.Event.resolve_by_type is not original
        assert {n: events.Event.resolve_by_type(n) for n in names} == expected
        assert events.Event.resolve_by_type("topic") is None
        assert events.Event.resolve_by_type("nope", events.ActionExecuted) is events.ActionExecuted
        with pytest.raises(ValueError, match="Unknown event name 'nope'"):
            events.Event.resolve_by_type("nope")
        # A stored tracker deserialises to the same events.
        stored = [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
                  {"event": "slot", "name": "cart", "value": []}, {"event": "action", "name": "utter_greet"},
                  {"event": "active_loop", "name": "lead_form"}, {"event": "reminder", "intent": "x",
                                                                   "date_time": "2026-01-01T00:00:00"}]
        assert [type(e) for e in events.deserialise_events(stored)] == [
            events.UserUttered, events.SlotSet, events.ActionExecuted, events.ActiveLoop, events.ReminderScheduled]

        class LateEvent(events.ActionExecuted):  # defined after the map was built
            type_name = "lift_late_event_for_test"

        assert events.Event.resolve_by_type("lift_late_event_for_test") is LateEvent
    finally:
        events.Event.resolve_by_type = staticmethod(original)
