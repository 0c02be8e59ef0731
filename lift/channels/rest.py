"""Lift's REST channel (``/webhooks/rest/webhook``), and the hardening of Rasa's open routes."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from lift.channels.auth import api_request_authorized, rest_auth_error
from lift.channels.canary import canary_routed
from lift.channels.hardening import (
    MAX_REST_BYTES,
    MAX_TEXT_CHARS,
    OnNewMessage,
    check_size,
    error_response,
    short_str,
)
from lift.channels.pending import DeferredCollector, Mailbox
from lift.config import Settings, get_settings
from lift.observability import health
from lift.observability.turns import timed_turns
from lift.web.checks import BadRequest, json_object

logger = logging.getLogger(__name__)


class _ServerHardening(Blueprint):
    """The REST channel's blueprint, which also hardens two of Rasa's open routes.

    Rasa's ``GET /`` answers "Hello from Rasa: <version>" and ``GET /version`` lists the
    version to anyone; a version is a fingerprint for known vulnerabilities. Blueprints are
    the only hook a channel gets into Rasa's app, so this one adds an app-wide request
    middleware when it is registered: ``/`` stays open but says only ``{"status": "ok"}``
    (``"degraded"`` when a component is; ``GET /health`` has the details, see
    :mod:`lift.observability.health`),
    ``/version`` needs the API credentials, and Rasa's JSON error bodies (which all carry
    ``"version"``) lose that key.
    """

    def __init__(self, settings: Settings, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.lift_settings = settings

    def register(self, app: Any, options: Dict[Text, Any]) -> None:
        super().register(app, options)
        settings = self.ctx.lift_settings

        async def lift_open_routes(request: Request) -> Optional[HTTPResponse]:
            if request.path == "/" and request.method in ("GET", "HEAD"):
                return response.json({"status": health.report()["status"]})
            if request.path == "/health" and request.method in ("GET", "HEAD"):
                return response.json(health.report())  # what is degraded and why (spool depth)
            if request.path == "/version" and not api_request_authorized(request, settings):
                return error_response(401, "authentication required")
            return None

        async def lift_strip_version(request: Request, resp: HTTPResponse) -> Optional[HTTPResponse]:
            if resp.status < 400 or not (resp.content_type or "").startswith("application/json"):
                return None
            try:
                body = json.loads(resp.body or b"")
            except (ValueError, TypeError):
                return None
            if isinstance(body, dict) and "version" in body:
                body.pop("version")
                return response.json(body, status=resp.status, headers={
                    k: v for k, v in resp.headers.items() if k.lower() not in ("content-length", "content-type")})
            return None

        app.register_middleware(lift_open_routes, "request")
        app.register_middleware(lift_strip_version, "response")


class LiftRestInput(RestInput):
    """Rasa's REST channel with input validation, and a token requirement in prod."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or get_settings()
        # What the bot said after a reply had gone out (reminders): sent with the next reply.
        self.mailbox = Mailbox()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    @staticmethod
    def parse(request: Request) -> Tuple[str, str, str, Optional[Dict[str, Any]]]:
        check_size(request, MAX_REST_BYTES)
        payload = json_object(request.body)
        sender = payload.get("sender")
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        sender = short_str(sender, "sender")
        message = payload.get("message")
        if not isinstance(message, str):
            raise BadRequest(400, "message must be a string")
        if len(message) > MAX_TEXT_CHARS:
            raise BadRequest(413, f"message is longer than {MAX_TEXT_CHARS} characters")
        channel = short_str(payload.get("input_channel"), "input_channel", 64, required=False)
        metadata = payload.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest(400, "metadata must be an object")
        return sender, message, channel or LiftRestInput.name(), metadata

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        # lift_turn_duration_seconds; conversations assigned to a candidate model go to the canary
        on_new_message = timed_turns(canary_routed(on_new_message, self.settings))
        bp = _ServerHardening(self.settings, "lift_rest_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            try:
                sender, text, channel, metadata = self.parse(request)
            except BadRequest as exc:
                return error_response(exc.status, exc.message)
            denied = rest_auth_error(request, sender, self.settings)
            if denied:
                return error_response(*denied)
            if request.args.get("stream", "").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, text, sender, channel, metadata),
                    content_type="text/event-stream",
                )
            collector = DeferredCollector(self.mailbox)
            pending = self.mailbox.take(sender)  # said since the last reply: goes out first
            collector.messages.extend(pending)
            try:
                await on_new_message(UserMessage(text, collector, sender,
                                                 input_channel=channel, metadata=metadata))
            except asyncio.CancelledError:
                logger.error("rest: message handling timed out for a conversation")
            except Exception:
                logger.exception("rest: message handling failed")
                for message in pending:  # kept for the next reply
                    self.mailbox.put(sender, message)
                return error_response(500, "the assistant could not handle this message")
            finally:
                collector.closed = True
            return response.json(collector.messages)

        return bp
