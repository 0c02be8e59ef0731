"""What a process reports as its health: components register a check, the server's health
route (``GET /`` of Rasa, see :mod:`lift.channels.rest`) reports all of them.

A check returns a dict with at least ``ok`` (bool); the report is ``{"status": "ok" |
"degraded", "components": {name: check()}}``. A check that raises counts as degraded.
"""
from __future__ import annotations

from typing import Any, Callable, Dict

_checks: Dict[str, Callable[[], Dict[str, Any]]] = {}


def register(name: str, check: Callable[[], Dict[str, Any]]) -> None:
    """Add (or replace) the check called ``name`` in this process's report."""
    _checks[name] = check


def unregister(name: str) -> None:
    _checks.pop(name, None)


def report() -> Dict[str, Any]:
    components: Dict[str, Any] = {}
    for name, check in list(_checks.items()):
        try:
            components[name] = dict(check())
        except Exception as exc:  # noqa: BLE001 - a broken check is itself a degradation
            components[name] = {"ok": False, "error": exc.__class__.__name__}
    ok = all(c.get("ok", False) for c in components.values())
    return {"status": "ok" if ok else "degraded", "components": components}
