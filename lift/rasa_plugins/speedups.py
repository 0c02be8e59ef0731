"""Rasa 3.6 validates every action-server response with ``jsonschema.validate``, which
re-checks the (constant) response schema against the JSON-Schema metaschema on every call:
about 50 ms of CPU per custom action here, more than everything else in a turn together.

:func:`install` replaces that method with one that validates against a validator compiled
once. The checks on the response are the same ones, with the same ``ValidationError``
message; only the repeated self-check of Rasa's own schema is gone. The tracker store, which
every Lift Rasa server loads at start-up, calls :func:`install` (idempotent).
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


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
