"""Which RemoteAction failures count as the action server failing, and the health report."""
from __future__ import annotations

import asyncio

import aiohttp
from rasa.shared.exceptions import RasaException

from lift.observability import health
from lift.rasa_plugins.resilience import ActionServerStatus, _failure_reason


def raised_from(cause: BaseException, explicit: bool) -> RasaException:
    try:
        try:
            raise cause
        except BaseException as exc:
            if explicit:
                raise RasaException("Failed to execute custom action") from exc
            raise RasaException("Failed to execute custom action")
    except RasaException as wrapped:
        return wrapped


def response_error(status: int) -> aiohttp.ClientResponseError:
    return aiohttp.ClientResponseError(request_info=None, history=(), status=status, message="x")


def test_unreachable_timeout_and_5xx_are_failures_4xx_and_other_errors_are_not():
    refused = aiohttp.ClientConnectionError("connection refused")
    assert _failure_reason(raised_from(refused, explicit=False)) == "unreachable"  # Rasa: implicit context
    assert _failure_reason(asyncio.TimeoutError()) == "timeout"
    assert _failure_reason(raised_from(response_error(502), explicit=True)) == "HTTP 502"
    assert _failure_reason(raised_from(response_error(500), explicit=True)) == "HTTP 500"
    assert _failure_reason(raised_from(response_error(404), explicit=True)) is None  # unknown action: a bug
    assert _failure_reason(RasaException("no endpoint configured")) is None
    assert _failure_reason(raised_from(ValueError("bad json"), explicit=True)) is None


def test_health_is_degraded_while_the_action_server_fails_and_ok_again_after():
    status = ActionServerStatus()
    health.register("test_action_server", status.health)
    try:
        assert health.report()["components"]["test_action_server"] == {"ok": True, "state": "up"}
        status.down("action_view_cart: unreachable")
        report = health.report()
        assert report["status"] == "degraded"
        assert report["components"]["test_action_server"]["last_error"] == "action_view_cart: unreachable"
        status.up()
        assert health.report()["components"]["test_action_server"]["ok"] is True
    finally:
        health.unregister("test_action_server")


def test_a_check_that_raises_is_reported_degraded_not_a_crash():
    def broken():
        raise OSError("disk gone")

    health.register("test_broken", broken)
    try:
        report = health.report()
        assert report["status"] == "degraded" and report["components"]["test_broken"] == {"ok": False, "error": "OSError"}
    finally:
        health.unregister("test_broken")
