"""Lift's Rasa input channels: REST, socket.io (web chat), Slack and Messenger.

Each subclasses Rasa 3.6's connector and replaces its webhook with one that
* checks the request before anything reaches the dialogue engine: body size, JSON shape,
  signature; bad input is a 4xx, never a 500, and a refused request creates no tracker;
* renders Lift's product cards (``{"type": "product_cards", "products": [...]}`` sent as a
  custom payload by the actions) natively: Slack blocks, Messenger generic templates,
  socket.io ``{"custom": ...}`` messages for the web widget.

Secrets come from :mod:`lift.config` (SLACK_*, FB_*, RASA_AUTH_TOKEN, LIFT_JWT_SECRET) unless
``credentials.yml`` gives them explicitly; a Slack or Messenger channel without its secrets
stays mounted but answers 404, so ``make run`` works without them and nothing unsigned is
ever processed. Outgoing API calls use SLACK_API_URL / FB_GRAPH_URL so tests can point them at
a stand-in server on loopback.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple

import aiohttp
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.core.channels.facebook import FacebookInput
from rasa.core.channels.rest import RestInput
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from lift.config import Settings, get_settings

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 128 * 1024
MAX_REST_BYTES = 64 * 1024
MAX_TEXT_CHARS = 4000
MAX_ID_CHARS = 255
GRAPH_TIMEOUT = aiohttp.ClientTimeout(total=15)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class BadRequest(Exception):
    """A request the channel refuses; carries the HTTP status and a short reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers)


def _check_size(request: Request, limit: int) -> None:
    if len(request.body or b"") > limit:
        raise BadRequest(413, f"request body larger than {limit} bytes")


def _json_object(raw: bytes) -> Dict[str, Any]:
    try:
        payload = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest(400, "body must be a JSON object")
    return payload


def _short_str(value: Any, field: str, limit: int = MAX_ID_CHARS, required: bool = True) -> Optional[str]:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(400, f"{field} must be a non-empty string")
    if len(value) > limit:
        raise BadRequest(400, f"{field} is longer than {limit} characters")
    return value


class RecentIds:
    """Ids seen in the last ``ttl`` seconds (bounded), to drop redelivered webhook events.

    In-process: Rasa runs one Sanic worker unless a shared lock store is configured, and
    Slack/Facebook retry within minutes, which this window covers.
    """

    def __init__(self, ttl: float = 3600.0, max_items: int = 20000) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._seen:
            key, at = next(iter(self._seen.items()))
            if now - at <= self.ttl and len(self._seen) <= self.max_items:
                break
            self._seen.popitem(last=False)

    def add(self, key: str, now: Optional[float] = None) -> bool:
        """Record ``key``; False when it was already seen (a duplicate)."""
        now = time.monotonic() if now is None else now
        self._expire(now)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    def __contains__(self, key: str) -> bool:
        self._expire(time.monotonic())
        return key in self._seen


def _spawn(tasks: Set[asyncio.Task], coro: Awaitable[Any]) -> None:
    # Keep a reference until done: the loop holds tasks only weakly.
    task = asyncio.ensure_future(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


# --- product cards ------------------------------------------------------------------

def product_cards(json_message: Any) -> Optional[List[Dict[str, Any]]]:
    """The products of a Lift product-card payload, or None for any other custom payload."""
    if not isinstance(json_message, dict) or json_message.get("type") != "product_cards":
        return None
    products = json_message.get("products")
    if not isinstance(products, list):
        return []
    return [p for p in products if isinstance(p, dict) and p.get("name")]


def format_price(price: Any, currency: Optional[str]) -> str:
    try:
        amount = float(price)
    except (TypeError, ValueError):
        return ""
    symbols = {"USD": "$", "EUR": "€", "GBP": "£"}
    code = (currency or "USD").upper()
    return f"{symbols[code]}{amount:,.2f}" if code in symbols else f"{amount:,.2f} {code}"


def stock_label(stock: Any) -> str:
    if not isinstance(stock, (int, float)) or isinstance(stock, bool):
        return ""
    if stock <= 0:
        return "Out of stock"
    if stock < 5:
        return f"Only {int(stock)} left"
    return "In stock"


_RASTER = re.compile(r"\.(png|jpe?g|gif)(\?.*)?$", re.IGNORECASE)


def public_image_url(image: Any, settings: Settings) -> Optional[str]:
    """An absolute raster image URL Slack and Messenger can fetch, or None.

    Relative catalog paths (``/img/x.svg``) need LIFT_PUBLIC_URL; SVG is dropped because both
    platforms reject it, and an invalid image would make Slack refuse the whole message.
    """
    if not isinstance(image, str) or not image:
        return None
    if image.startswith(("https://", "http://")):
        url = image
    elif image.startswith("/") and settings.public_url:
        url = settings.public_url + image
    else:
        return None
    return url if _RASTER.search(url) else None


def public_link(url: Any, settings: Settings) -> Optional[str]:
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("https://"):
        return url
    if url.startswith("/") and settings.public_url and settings.public_url.startswith("https://"):
        return settings.public_url + url
    return None


def _buttons(product: Dict[str, Any]) -> List[Dict[str, str]]:
    out = []
    for b in product.get("buttons") or []:
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str):
            out.append({"title": b["title"], "payload": b["payload"]})
    return out


def slack_product_blocks(products: List[Dict[str, Any]], settings: Settings) -> List[Dict[str, Any]]:
    """Slack Block Kit: one section (text + image) and one actions row per product."""
    blocks: List[Dict[str, Any]] = []
    for product in products[:20]:  # 2 blocks each; Slack allows 50 per message
        details = " · ".join(x for x in (
            format_price(product.get("price"), product.get("currency")),
            stock_label(product.get("stock")),
        ) if x)
        section: Dict[str, Any] = {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{str(product['name'])[:150]}*\n{details}".strip()},
        }
        image = public_image_url(product.get("image"), settings)
        if image:
            section["accessory"] = {"type": "image", "image_url": image,
                                    "alt_text": str(product["name"])[:2000]}
        blocks.append(section)
        buttons = _buttons(product)[:5]
        if buttons:
            blocks.append({
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": b["title"][:75]},
                        "value": b["payload"][:2000],
                        "action_id": f"lift_{product.get('sku', 'item')}_{i}"[:255],
                    }
                    for i, b in enumerate(buttons)
                ],
            })
    return blocks


def messenger_generic_template(products: List[Dict[str, Any]], settings: Settings) -> Dict[str, Any]:
    """Messenger generic template: a carousel of up to 10 cards, 3 postback buttons each."""
    elements = []
    for product in products[:10]:
        subtitle = " · ".join(x for x in (
            format_price(product.get("price"), product.get("currency")),
            stock_label(product.get("stock")),
        ) if x)
        element: Dict[str, Any] = {"title": str(product["name"])[:80]}
        if subtitle:
            element["subtitle"] = subtitle[:80]
        image = public_image_url(product.get("image"), settings)
        if image:
            element["image_url"] = image
        link = public_link(product.get("url"), settings)
        if link:
            element["default_action"] = {"type": "web_url", "url": link}
        buttons = [{"type": "postback", "title": b["title"][:20], "payload": b["payload"][:1000]}
                   for b in _buttons(product)[:3]]
        if buttons:
            element["buttons"] = buttons
        elements.append(element)
    return {"attachment": {"type": "template",
                           "payload": {"template_type": "generic", "elements": elements}}}


# --- REST ------------------------------------------------------------------------------

def _bearer(request: Request) -> Optional[str]:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def _token_ok(request: Request, settings: Settings) -> bool:
    token = request.args.get("token")
    return bool(token and settings.rasa_auth_token and hmac.compare_digest(
        token.encode("utf-8", "surrogatepass"), settings.rasa_auth_token.encode("utf-8")))


def _jwt_user(request: Request, settings: Settings) -> Tuple[bool, Optional[Dict[str, Any]]]:
    """(a Bearer JWT was sent, its ``user`` claim when the JWT is valid)."""
    bearer = _bearer(request)
    if not bearer:
        return False, None
    if not settings.jwt_secret:
        return True, None
    import jwt

    try:
        claims = jwt.decode(bearer, settings.jwt_secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return True, None
    user = claims.get("user")
    return True, user if isinstance(user, dict) else None


def api_request_authorized(request: Request, settings: Settings) -> bool:
    """Whether a request carries Rasa HTTP API credentials: the token, or an admin JWT."""
    if _token_ok(request, settings):
        return True
    _, user = _jwt_user(request, settings)
    return bool(user and user.get("role") == "admin")


def rest_auth_error(request: Request, sender_id: str, settings: Settings) -> Optional[Tuple[int, str]]:
    """Why a prod REST call is refused, or None. Dev (Rasa's default) is open.

    Accepts what Rasa's HTTP API accepts: ``?token=RASA_AUTH_TOKEN``, or a Bearer JWT signed
    with LIFT_JWT_SECRET whose user is admin or owns this conversation.
    """
    if not settings.is_prod or _token_ok(request, settings):
        return None
    sent, user = _jwt_user(request, settings)
    if user is not None:
        if user.get("role") == "admin" or (user.get("role") == "user" and user.get("username") == sender_id):
            return None
        return 403, "token does not grant access to this conversation"
    if sent:
        return 401, "invalid token"
    return 401, "authentication required (LIFT_ENV=prod)"


class _ServerHardening(Blueprint):
    """The REST channel's blueprint, which also hardens two of Rasa's open routes.

    Rasa's ``GET /`` answers "Hello from Rasa: <version>" and ``GET /version`` lists the
    version to anyone; a version is a fingerprint for known vulnerabilities. Blueprints are
    the only hook a channel gets into Rasa's app, so this one adds an app-wide request
    middleware when it is registered: ``/`` stays open but says only ``{"status": "ok"}``,
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
                return response.json({"status": "ok"})
            if request.path == "/version" and not api_request_authorized(request, settings):
                return _error(401, "authentication required")
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

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()

    @staticmethod
    def parse(request: Request) -> Tuple[str, str, str, Optional[Dict[str, Any]]]:
        _check_size(request, MAX_REST_BYTES)
        payload = _json_object(request.body)
        sender = payload.get("sender")
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        sender = _short_str(sender, "sender")
        message = payload.get("message")
        if not isinstance(message, str):
            raise BadRequest(400, "message must be a string")
        if len(message) > MAX_TEXT_CHARS:
            raise BadRequest(413, f"message is longer than {MAX_TEXT_CHARS} characters")
        channel = _short_str(payload.get("input_channel"), "input_channel", 64, required=False)
        metadata = payload.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest(400, "metadata must be an object")
        return sender, message, channel or LiftRestInput.name(), metadata

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = _ServerHardening(self.settings, "lift_rest_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            try:
                sender, text, channel, metadata = self.parse(request)
            except BadRequest as exc:
                return _error(exc.status, exc.message)
            denied = rest_auth_error(request, sender, self.settings)
            if denied:
                return _error(*denied)
            if request.args.get("stream", "").lower() == "true":
                return response.stream(
                    self.stream_response(on_new_message, text, sender, channel, metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender,
                                                 input_channel=channel, metadata=metadata))
            except asyncio.CancelledError:
                logger.error("rest: message handling timed out for a conversation")
            except Exception:
                logger.exception("rest: message handling failed")
                return _error(500, "the assistant could not handle this message")
            return response.json(collector.messages)

        return bp


# --- socket.io (web chat) ---------------------------------------------------------------

class LiftSocketIOOutput(SocketIOOutput):
    """Sends custom payloads as ``{"custom": ...}`` bot messages.

    Rasa's version passes the payload as keyword arguments to ``sio.emit`` and fails on
    anything but ``{"data": ..., "room": ...}``, product cards included.
    """

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class LiftSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel, with server-issued session ids in prod and typing events.

    Dev: the browser names its session (persisted in localStorage), as in Rasa.
    Prod: connecting needs ``auth={"token": <JWT from lift.web>}``; the token's session id
    is the conversation id, whatever the browser sends.
    """

    typing_evt = "bot_typing"

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            bool(credentials.get("session_persistence", True)),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("metadata_key", "metadata"),
        )

    def __init__(self, user_message_evt: Text = "user_uttered", bot_message_evt: Text = "bot_uttered",
                 namespace: Optional[Text] = None, session_persistence: bool = True,
                 socketio_path: Optional[Text] = "/socket.io", metadata_key: Optional[Text] = "metadata",
                 settings: Optional[Settings] = None) -> None:
        self.settings = settings or get_settings()
        if self.settings.is_prod and not self.settings.jwt_secret:
            from rasa.shared.exceptions import InvalidConfigException

            raise InvalidConfigException("LIFT_ENV=prod needs LIFT_JWT_SECRET for web chat sessions")
        super().__init__(user_message_evt, bot_message_evt, namespace, session_persistence,
                         socketio_path, jwt_key=None, metadata_key=metadata_key)

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return None
        return LiftSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        from socketio import AsyncServer

        from lift.web import valid_session_id, verify_session_token

        # No CORS handling: the page connects with the websocket transport only, which
        # browsers do not subject to CORS; in prod the JWT is the access control.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[],
                          max_http_buffer_size=MAX_REST_BYTES)
        bp = SocketBlueprint(sio, self.socketio_path, "lift_socketio_webhook", __name__)
        self.sio = sio
        prod = self.settings.is_prod
        secret = self.settings.jwt_secret
        ns = self.namespace

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=ns)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not prod:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            session_id = verify_session_token(secret, token)
            if not session_id:
                return False
            await sio.save_session(sid, {"session_id": session_id}, namespace=ns)
            return True

        async def session_for(sid: Text, requested: Any) -> Optional[str]:
            saved = (await sio.get_session(sid, namespace=ns)).get("session_id")
            if prod or saved:
                # The room joined at session_request (or the token's id): replies reach it.
                return saved
            return requested if valid_session_id(requested) else None

        @sio.on("session_request", namespace=ns)
        async def session_request(sid: Text, data: Any = None) -> None:
            from lift.web import new_session_id

            requested = data.get("session_id") if isinstance(data, dict) else None
            if prod:
                session_id = await session_for(sid, None)
            else:
                session_id = requested if valid_session_id(requested) else new_session_id()
            if not prod:
                await sio.save_session(sid, {"session_id": session_id}, namespace=ns)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=ns)
            await sio.emit("session_confirm", session_id, room=sid, namespace=ns)

        @sio.on(self.user_message_evt, namespace=ns)
        async def handle_message(sid: Text, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                await sio.emit("lift_error", {"error": "message must be a string"}, room=sid, namespace=ns)
                return
            text = data["message"]
            if not text.strip() or len(text) > MAX_TEXT_CHARS:
                await sio.emit("lift_error", {"error": "message is empty or too long"}, room=sid, namespace=ns)
                return
            if self.session_persistence:
                sender_id = await session_for(sid, data.get("session_id"))
                if not sender_id:
                    await sio.emit("lift_error", {"error": "no session: send session_request first"},
                                   room=sid, namespace=ns)
                    return
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            if not isinstance(metadata, dict):
                metadata = {}
            room = sender_id if self.session_persistence else sid
            output = LiftSocketIOOutput(sio, self.bot_message_evt)
            await sio.emit(self.typing_evt, {"typing": True}, room=room, namespace=ns)
            try:
                await on_new_message(UserMessage(text, output, sender_id,
                                                 input_channel=self.name(), metadata=metadata))
            except Exception:
                logger.exception("socketio: message handling failed")
                await sio.emit(self.bot_message_evt,
                               {"text": "Sorry, something went wrong. Please try again."},
                               room=room, namespace=ns)
            finally:
                await sio.emit(self.typing_evt, {"typing": False}, room=room, namespace=ns)

        return bp


# --- Slack -----------------------------------------------------------------------------

class LiftSlackBot(SlackBot):
    """Slack output with a configurable API base and product cards as blocks."""

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, settings: Optional[Settings] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.settings = settings or get_settings()
        self.client = AsyncWebClient(token, base_url=self.settings.slack_api_url, proxy=proxy, timeout=15)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        products = product_cards(json_message)
        if products is None:
            return await super().send_custom_json(recipient_id, json_message, **kwargs)
        if not products:
            return None
        names = ", ".join(str(p["name"]) for p in products[:5])
        await self._post_message(channel=self.slack_channel or recipient_id, as_user=True,
                                 text=names, blocks=slack_product_blocks(products, self.settings))


_INTERACTIVE_TYPES = {"button", "select", "static_select", "external_select", "conversations_select",
                      "users_select", "channels_select", "overflow", "datepicker"}


class LiftSlackInput(SlackInput):
    """Rasa's Slack connector, hardened.

    Kept from Rasa: the signing-secret check (HMAC-SHA256 of ``v0:ts:body``, timestamp
    within 5 minutes, constant-time compare). Added: every event is processed at most once
    (event ids remembered; retries of a seen event are acknowledged with X-Slack-No-Retry),
    malformed payloads get 400/413/415 instead of a crash, and product cards become blocks.
    """

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        c = credentials or {}
        settings = get_settings()
        return cls(
            c.get("slack_token") or settings.slack_bot_token,
            c.get("slack_channel"),
            c.get("proxy"),
            c.get("slack_retry_reason_header", "x-slack-retry-reason"),
            c.get("slack_retry_number_header", "x-slack-retry-num"),
            c.get("errors_ignore_retry"),
            bool(c.get("use_threads", False)),
            c.get("slack_signing_secret") or settings.slack_signing_secret or "",
            c.get("conversation_granularity", "sender"),
        )

    def __init__(self, *args: Any, settings: Optional[Settings] = None, **kwargs: Any) -> None:
        self.settings = settings or get_settings()
        self.seen = RecentIds()
        super().__init__(*args, **kwargs)
        self.retry_num_header = self.retry_num_header or "x-slack-retry-num"
        self.retry_reason_header = self.retry_reason_header or "x-slack-retry-reason"
        self.enabled = bool(self.slack_signing_secret and self.slack_token)
        if not self.enabled:
            logger.warning("slack channel disabled: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not both set")

    def _validate_credentials(self) -> None:
        # Rasa raises without a signing secret; we mount a disabled channel instead (404s),
        # so a deployment without Slack still starts and nothing unsigned is processed.
        return None

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return LiftSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.settings)

    def get_metadata(self, request: Request) -> Dict[Text, Any]:
        return getattr(request.ctx, "lift_metadata", None) or {}

    @staticmethod
    def _event_metadata(payload: Dict[str, Any], event: Dict[str, Any]) -> Dict[str, Any]:
        users: List[str] = []
        if isinstance(payload.get("authed_users"), list):
            users = [u for u in payload["authed_users"] if isinstance(u, str)]
        elif isinstance(payload.get("authorizations"), list) and payload["authorizations"]:
            first = payload["authorizations"][0]
            if isinstance(first, dict) and isinstance(first.get("user_id"), str):
                users = [first["user_id"]]
        channel = event.get("channel") if isinstance(event.get("channel"), str) else None
        thread = event.get("thread_ts", event.get("ts"))
        return {"out_channel": channel, "thread_id": thread if isinstance(thread, str) else None,
                "users": users}

    def _parse_event(self, request: Request) -> Tuple[str, Any]:
        """("challenge", value) | ("ignore", reason) | ("message", (key, text, sender, metadata))."""
        payload = _json_object(request.body)
        if payload.get("type") == "url_verification":
            return "challenge", _short_str(payload.get("challenge"), "challenge", 1000)
        event = payload.get("event")
        if event is None:
            raise BadRequest(400, "event is missing")
        if not isinstance(event, dict):
            raise BadRequest(400, "event must be an object")
        if event.get("type") not in ("message", "app_mention") or event.get("bot_id") or event.get("subtype"):
            return "ignore", "not a user message"
        text = event.get("text")
        if not isinstance(text, str) or not text.strip():
            return "ignore", "no text"
        sender = _short_str(event.get("user"), "event.user")
        metadata = self._event_metadata(payload, event)
        if not self._is_supported_channel(payload, metadata):
            return "ignore", "channel not supported"
        event_id = payload.get("event_id")
        key = event_id if isinstance(event_id, str) and event_id else \
            f"{sender}:{metadata['out_channel']}:{event.get('ts') or event.get('event_ts')}"
        text = self._sanitize_user_message(text[:MAX_TEXT_CHARS], metadata["users"])
        sender_id = self._get_conversation_id(sender, metadata["out_channel"], metadata["thread_id"])
        return "message", (key, text, sender_id, metadata)

    def _parse_interactive(self, request: Request) -> Tuple[str, Any]:
        raw = request.form.get("payload") if request.form else None
        if not isinstance(raw, str):
            raise BadRequest(400, "payload form field is missing")
        payload = _json_object(raw.encode("utf-8", "surrogatepass"))
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
            raise BadRequest(400, "actions must be a non-empty list")
        action = actions[0]
        if action.get("type") not in _INTERACTIVE_TYPES:
            return "ignore", "unsupported interactive component"
        user = payload.get("user")
        if not isinstance(user, dict):
            raise BadRequest(400, "user is missing")
        sender = _short_str(user.get("id"), "user.id")
        text = self._get_interactive_response(action)
        if not isinstance(text, str) or not text:
            return "ignore", "component without value"
        channel = payload.get("channel") if isinstance(payload.get("channel"), dict) else {}
        message = payload.get("message") if isinstance(payload.get("message"), dict) else {}
        thread = message.get("thread_ts", message.get("ts"))
        metadata = {"out_channel": channel.get("id") if isinstance(channel.get("id"), str) else None,
                    "thread_id": thread if isinstance(thread, str) else None, "users": [sender]}
        key = f"{sender}:{action.get('action_ts') or payload.get('trigger_id')}"
        sender_id = self._get_conversation_id(sender, metadata["out_channel"], metadata["thread_id"])
        return "message", (key, text[:MAX_TEXT_CHARS], sender_id, metadata)

    async def process_message(self, request: Request, on_new_message: OnNewMessage, text: Text,
                              sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        out_channel = metadata.get("out_channel") if metadata else None
        thread_id = metadata.get("thread_id") if metadata and self.use_threads else None
        user_msg = UserMessage(text, self.get_output_channel(out_channel, thread_id), sender_id,
                               input_channel=self.name(), metadata=metadata)
        # Slack wants an answer within 3 s, so the turn runs after we reply.
        _spawn(self._background_tasks, self._run(on_new_message, user_msg))
        return response.text("")

    @staticmethod
    async def _run(on_new_message: OnNewMessage, message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("slack: message handling failed")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("lift_slack_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return _error(404, "slack channel is not configured")
            try:
                _check_size(request, MAX_WEBHOOK_BYTES)
                if not self.is_request_from_slack_authentic(request):
                    return _error(401, "invalid or stale Slack signature")
                ctype = (request.content_type or "").split(";")[0].strip().lower()
                if ctype == "application/json":
                    kind, value = self._parse_event(request)
                elif ctype == "application/x-www-form-urlencoded":
                    kind, value = self._parse_interactive(request)
                else:
                    return _error(415, "unsupported content type")
            except BadRequest as exc:
                return _error(exc.status, exc.message)
            if kind == "challenge":
                return response.json({"challenge": value})
            if kind == "ignore":
                return response.text(value)
            key, text, sender_id, metadata = value
            if not self.seen.add(key):
                logger.info("slack: dropping redelivered event (retry %s, %s)",
                            request.headers.get(self.retry_num_header),
                            request.headers.get(self.retry_reason_header))
                return response.text("duplicate", headers={"X-Slack-No-Retry": "1"})
            return await self.process_message(request, on_new_message, text, sender_id, metadata)

        return bp


# --- Messenger ---------------------------------------------------------------------------

_SIG256 = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


def verify_hub_signature_256(app_secret: str, body: bytes, header: Optional[str]) -> bool:
    """Check Meta's ``X-Hub-Signature-256: sha256=<hex>``; any other form is a failure."""
    if not app_secret or not isinstance(header, str):
        return False
    match = _SIG256.match(header.strip())
    if not match:
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body or b"", hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(1).lower())


class LiftMessengerBot(OutputChannel):
    """Messenger Send API output over aiohttp (fbmessenger's client blocks the event loop).

    Posts to ``{FB_GRAPH_URL}/me/messages`` with the page token and an appsecret_proof.
    """

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def __init__(self, page_access_token: str, app_secret: Optional[str] = None,
                 settings: Optional[Settings] = None) -> None:
        super().__init__()
        self.settings = settings or get_settings()
        self.page_access_token = page_access_token
        self.app_secret = app_secret

    def _params(self) -> Dict[str, str]:
        params = {"access_token": self.page_access_token}
        if self.app_secret:
            params["appsecret_proof"] = hmac.new(self.app_secret.encode(), self.page_access_token.encode(),
                                                 hashlib.sha256).hexdigest()
        return params

    async def _post(self, body: Dict[str, Any]) -> None:
        url = f"{self.settings.fb_graph_url}/me/messages"
        try:
            async with aiohttp.ClientSession(timeout=GRAPH_TIMEOUT) as session:
                async with session.post(url, params=self._params(), json=body) as resp:
                    if resp.status >= 400:
                        logger.warning("messenger: send API answered %s", resp.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            logger.warning("messenger: send API unreachable: %s", type(exc).__name__)

    async def send_message(self, recipient_id: Text, message: Dict[str, Any]) -> None:
        await self._post({"messaging_type": "RESPONSE", "recipient": {"id": recipient_id}, "message": message})

    async def send_action(self, recipient_id: Text, sender_action: Text) -> None:
        await self._post({"recipient": {"id": recipient_id}, "sender_action": sender_action})

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self.send_message(recipient_id, {"text": part[:2000]})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_message(recipient_id, {"attachment": {"type": "image",
                                                              "payload": {"url": image, "is_reusable": True}}})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        valid = [b for b in buttons if isinstance(b, dict) and b.get("title") and b.get("payload")]
        if len(valid) <= 3:
            await self.send_message(recipient_id, {"attachment": {"type": "template", "payload": {
                "template_type": "button", "text": text[:640],
                "buttons": [{"type": "postback", "title": str(b["title"])[:20], "payload": str(b["payload"])[:1000]}
                            for b in valid]}}})
        else:
            # More than 3 choices: quick replies (up to 13) instead of dropping the buttons.
            await self.send_quick_replies(recipient_id, text, valid)

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]],
                                 **kwargs: Any) -> None:
        replies = [{"content_type": "text", "title": str(q["title"])[:20], "payload": str(q["payload"])[:1000]}
                   for q in quick_replies[:13] if q.get("title") and q.get("payload")]
        await self.send_message(recipient_id, {"text": text[:2000], "quick_replies": replies})

    async def send_elements(self, recipient_id: Text, elements: Iterable[Dict[Text, Any]], **kwargs: Any) -> None:
        await self.send_message(recipient_id, {"attachment": {"type": "template", "payload": {
            "template_type": "generic", "elements": list(elements)[:10]}}})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        products = product_cards(json_message)
        if products is None:
            await self.send_message(recipient_id, json_message)
        elif products:
            await self.send_message(recipient_id, messenger_generic_template(products, self.settings))


class LiftFacebookInput(FacebookInput):
    """Messenger webhook that trusts only a valid ``X-Hub-Signature-256``.

    Replaces Rasa 3.6's check, which accepted ``X-Hub-Signature`` with any hash the header
    names (md5 included), compared with ``==``, answered 200 on failure and crashed on a
    malformed header. Here any failure is a 403 and creates no tracker. Also handles every
    message of a batched delivery (Rasa's stops at the first) and drops redelivered ones.
    ``input_channel`` stays ``facebook`` and the URL ``/webhooks/facebook/webhook``.
    """

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        c = credentials or {}
        settings = get_settings()
        return cls(c.get("verify") or settings.fb_verify, c.get("secret") or settings.fb_secret,
                   c.get("page-access-token") or settings.fb_page_access_token, settings=settings)

    def __init__(self, fb_verify: Optional[Text], fb_secret: Optional[Text], fb_access_token: Optional[Text],
                 settings: Optional[Settings] = None) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.settings = settings or get_settings()
        self.enabled = bool(fb_secret and fb_access_token)
        self.seen = RecentIds()
        self._background_tasks: Set[asyncio.Task] = set()
        if not self.enabled:
            logger.warning("messenger channel disabled: FB_SECRET and FB_PAGE_ACCESS_TOKEN are not both set")

    @staticmethod
    def validate_hub_signature(app_secret: Text, request_payload: bytes, hub_signature_header: Text) -> bool:
        return verify_hub_signature_256(app_secret, request_payload, hub_signature_header)

    def get_output_channel(self) -> OutputChannel:
        return LiftMessengerBot(self.fb_access_token, self.fb_secret, self.settings)

    @staticmethod
    def parse_messages(payload: Dict[str, Any]) -> List[Tuple[str, str, Optional[str]]]:
        """(sender_id, text, message id) for every user message and postback in a delivery."""
        entries = payload.get("entry")
        if not isinstance(entries, list):
            raise BadRequest(400, "entry must be a list")
        out = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise BadRequest(400, "entry items must be objects")
            events = entry.get("messaging", [])
            if not isinstance(events, list):
                raise BadRequest(400, "messaging must be a list")
            for ev in events:
                if not isinstance(ev, dict):
                    raise BadRequest(400, "messaging items must be objects")
                sender = ev.get("sender")
                if not isinstance(sender, dict):
                    raise BadRequest(400, "sender is missing")
                sender_id = _short_str(sender.get("id"), "sender.id")
                msg, postback = ev.get("message"), ev.get("postback")
                if isinstance(msg, dict) and not msg.get("is_echo"):
                    qr = msg.get("quick_reply")
                    text = qr.get("payload") if isinstance(qr, dict) else msg.get("text")
                    mid = msg.get("mid")
                elif isinstance(postback, dict):
                    text = postback.get("payload")
                    mid = postback.get("mid") or f"postback:{sender_id}:{ev.get('timestamp')}"
                else:
                    continue  # deliveries, reads, echoes, attachments: nothing to answer
                if isinstance(text, str) and text.strip():
                    out.append((sender_id, text[:MAX_TEXT_CHARS], mid if isinstance(mid, str) else None))
        return out

    async def _handle(self, messages: List[Tuple[str, str, Optional[str]]], on_new_message: OnNewMessage,
                      metadata: Optional[Dict[str, Any]]) -> None:
        out = self.get_output_channel()
        for sender_id, text, _ in messages:
            await out.send_action(sender_id, "typing_on")
            try:
                await on_new_message(UserMessage(text, out, sender_id, input_channel=self.name(),
                                                 metadata=metadata))
            except Exception:
                logger.exception("messenger: message handling failed")
            finally:
                await out.send_action(sender_id, "typing_off")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("lift_fb_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @bp.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            challenge = request.args.get("hub.challenge") or ""
            if (self.fb_verify and request.args.get("hub.mode") == "subscribe" and challenge
                    and hmac.compare_digest(token.encode("utf-8", "surrogatepass"), self.fb_verify.encode("utf-8"))):
                return response.text(challenge[:256])
            return _error(403, "verification failed")

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return _error(404, "messenger channel is not configured")
            try:
                _check_size(request, MAX_WEBHOOK_BYTES)
                if not verify_hub_signature_256(self.fb_secret, request.body,
                                                request.headers.get("X-Hub-Signature-256")):
                    return _error(403, "invalid signature")
                payload = _json_object(request.body)
                messages = self.parse_messages(payload)
            except BadRequest as exc:
                return _error(exc.status, exc.message)
            fresh = [m for m in messages if m[2] is None or self.seen.add(m[2])]
            if fresh:
                # Meta retries unless answered quickly; the turns run after the 200.
                _spawn(self._background_tasks, self._handle(fresh, on_new_message, self.get_metadata(request)))
            return response.text("EVENT_RECEIVED")

        return bp
