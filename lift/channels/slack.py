"""Lift's Slack channel (Events API + interactivity at ``/webhooks/slack/webhook``)."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from lift.channels.cards import card_buttons, card_details, product_cards, public_image_url
from lift.channels.hardening import (
    MAX_TEXT_CHARS,
    MAX_WEBHOOK_BYTES,
    OnNewMessage,
    RecentIds,
    check_size,
    error_response,
    short_str,
    spawn,
)
from lift.config import Settings, get_settings
from lift.observability.turns import timed_turns
from lift.web.checks import BadRequest, json_object

logger = logging.getLogger(__name__)


def slack_product_blocks(products: List[Dict[str, Any]], settings: Settings) -> List[Dict[str, Any]]:
    """Slack Block Kit: one section (text + image) and one actions row per product."""
    blocks: List[Dict[str, Any]] = []
    for product in products[:20]:  # 2 blocks each; Slack allows 50 per message
        details = card_details(product)
        section: Dict[str, Any] = {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{str(product['name'])[:150]}*\n{details}".strip()},
        }
        image = public_image_url(product.get("image"), settings)
        if image:
            section["accessory"] = {"type": "image", "image_url": image,
                                    "alt_text": str(product["name"])[:2000]}
        blocks.append(section)
        buttons = card_buttons(product)[:5]
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
        payload = json_object(request.body)
        if payload.get("type") == "url_verification":
            return "challenge", short_str(payload.get("challenge"), "challenge", 1000)
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
        sender = short_str(event.get("user"), "event.user")
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
        payload = json_object(raw.encode("utf-8", "surrogatepass"))
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
            raise BadRequest(400, "actions must be a non-empty list")
        action = actions[0]
        if action.get("type") not in _INTERACTIVE_TYPES:
            return "ignore", "unsupported interactive component"
        user = payload.get("user")
        if not isinstance(user, dict):
            raise BadRequest(400, "user is missing")
        sender = short_str(user.get("id"), "user.id")
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
        spawn(self._background_tasks, self._run(on_new_message, user_msg))
        return response.text("")

    @staticmethod
    async def _run(on_new_message: OnNewMessage, message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("slack: message handling failed")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        on_new_message = timed_turns(on_new_message)  # lift_turn_duration_seconds
        bp = Blueprint("lift_slack_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return error_response(404, "slack channel is not configured")
            try:
                check_size(request, MAX_WEBHOOK_BYTES)
                if not self.is_request_from_slack_authentic(request):
                    return error_response(401, "invalid or stale Slack signature")
                ctype = (request.content_type or "").split(";")[0].strip().lower()
                if ctype == "application/json":
                    kind, value = self._parse_event(request)
                elif ctype == "application/x-www-form-urlencoded":
                    kind, value = self._parse_interactive(request)
                else:
                    return error_response(415, "unsupported content type")
            except BadRequest as exc:
                return error_response(exc.status, exc.message)
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
