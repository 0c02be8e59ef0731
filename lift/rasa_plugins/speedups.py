"""Rasa 3.6 validates every action-server response with ``jsonschema.validate``, which
re-checks the (constant) response schema against the JSON-Schema metaschema on every call:
about 50 ms of CPU per custom action here, more than everything else in a turn together.

:func:`install` replaces that method with one that validates against a validator compiled
once. The checks on the response are the same ones, with the same ``ValidationError``
message; only the repeated self-check of Rasa's own schema is gone. The tracker store, which
every Lift Rasa server loads at start-up, calls :func:`install` (idempotent).

Rasa 3.6 also finds an event's class by walking every subclass of ``Event`` (about thirty, through
``inspect.isabstract``) for each stored event it deserialises: loading a tracker of 40 events
walked the class tree 40 times, ~1.5 ms of a turn. :func:`_resolve_by_type` keeps the name ->
class map and rebuilds it only when a name is not in it (an event class defined later), so it
returns the same class, default or error as Rasa's.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, Text

_installed = False


@functools.lru_cache(maxsize=1)
def _response_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every action call
    return cls(schema)


def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError, exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_classes: Dict[Text, Any] = {}
# Rasa's own functions, kept when install() replaces them (the tests compare against them).
originals: Dict[Text, Any] = {}


def _resolve_by_type(type_name: Text, default: Any = None) -> Any:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    cls = _event_classes.get(type_name)
    if cls is None:
        found: Dict[Text, Any] = {}
        for sub in all_subclasses(Event):  # first one wins, as in Rasa's loop
            found.setdefault(sub.type_name, sub)
        _event_classes.clear()
        _event_classes.update(found)
        cls = found.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    from rasa.shared.core.events import Event

    originals.setdefault("resolve_by_type", Event.__dict__["resolve_by_type"].__func__)
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    _installed = True
