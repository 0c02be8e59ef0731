"""Authentication, safe errors and start-up for the action server.

* Every route except ``GET /health`` requires the shared token that ``endpoints.yml``
  sends as ``?token=`` (``LIFT_ACTION_TOKEN``), compared in constant time.
* rasa-sdk 3.6's own 500 handler answers ``{"error": ..., "request_body": <the tracker>}``,
  which hands the conversation's personal data to whoever caused the error; the handler
  installed here answers a fixed message per status code and never the request.
* Malformed action calls are refused with 400 before the executor sees them, so bad input
  is a client error and not an exception.
* ``actions.resources.startup()`` runs before the server listens, so missing or stale
  resources (KB index, database) stop the server at start instead of at the first call.
"""
from __future__ import annotations

import inspect
import logging
import zlib
from typing import Optional, Tuple

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from lift.config import ConfigError, Settings
from lift.web.checks import BadRequest, bearer_token, json_object, tokens_match

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})
# Rasa sends the whole tracker; long conversations are large, but not this large.
MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024

_STATUS_MESSAGES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    413: "request too large",
}


def _supplied_token(request: Request) -> str:
    return request.args.get("token") or bearer_token(request.headers.get("authorization")) or ""


def _decode_body(request: Request) -> bytes:
    body = request.body or b""
    if request.headers.get("content-encoding", "").lower() == "deflate":
        inflater = zlib.decompressobj()
        body = inflater.decompress(body, MAX_DECOMPRESSED_BYTES)
        if inflater.unconsumed_tail:
            raise BadRequest(413, "request too large")
    return body


def check_action_call(request: Request) -> Optional[Tuple[int, str]]:
    """Why an action call cannot be run (status, message), or None when it is well formed."""
    try:
        payload = json_object(_decode_body(request))
    except BadRequest as exc:
        return exc.status, exc.message
    except zlib.error:
        return 400, "body is not valid JSON"
    if not isinstance(payload.get("next_action"), str) or not payload["next_action"]:
        return 400, "next_action must be a non-empty string"
    if not isinstance(payload.get("tracker"), dict):
        return 400, "tracker must be an object"
    if not isinstance(payload.get("domain", {}), dict):
        return 400, "domain must be an object"
    request.ctx.next_action = payload["next_action"]  # for the action metrics (rasa_sdk_plugins.metrics)
    return None


def install(app: Sanic, settings: Settings, run_startup: bool = True) -> None:
    """Harden a rasa-sdk app in place. Raises ConfigError when no token is configured."""
    expected = settings.action_token
    if not expected:
        raise ConfigError(
            "LIFT_ACTION_TOKEN is not set: the action server refuses to run without the "
            "shared token (endpoints.yml sends it as ?token=)"
        )

    # Access logs would record ?token= in every line.
    app.config.ACCESS_LOG = False

    @app.middleware("request")
    async def lift_require_token(request: Request):
        if request.path in OPEN_PATHS:
            return None
        if not tokens_match(_supplied_token(request), expected):
            return response.json({"error": "unauthorized"}, status=401)
        if request.path == "/webhook" and request.method == "POST":
            problem = check_action_call(request)
            if problem:
                return response.json({"error": problem[1]}, status=problem[0])
        return None

    # Registered after rasa-sdk's handler for Exception, so it replaces it.
    @app.exception(Exception)
    async def lift_error(request: Request, exc: Exception):
        status = exc.status_code if isinstance(exc, SanicException) else 500
        if status >= 500:
            # Path only: the query carries the token and the body the tracker.
            logger.error("action server error on %s %s: %s", request.method, request.path,
                         type(exc).__name__, exc_info=exc)
        message = _STATUS_MESSAGES.get(status, "internal error" if status >= 500 else "error")
        return response.json({"error": message}, status=status)

    if run_startup:
        @app.listener("before_server_start")
        async def lift_startup(app_: Sanic, loop) -> None:
            from actions import resources

            result = resources.startup()
            if inspect.isawaitable(result):
                await result
