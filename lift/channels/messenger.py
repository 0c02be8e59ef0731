"""Lift's Messenger channel (``/webhooks/facebook/webhook``, ``X-Hub-Signature-256`` only)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from typing import Any, Dict, Iterable, List, Optional, Set, Text, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from lift.channels.cards import card_buttons, card_details, product_cards, public_image_url, public_link
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

GRAPH_TIMEOUT = aiohttp.ClientTimeout(total=15)


def messenger_generic_template(products: List[Dict[str, Any]], settings: Settings) -> Dict[str, Any]:
    """Messenger generic template: a carousel of up to 10 cards, 3 postback buttons each."""
    elements = []
    for product in products[:10]:
        subtitle = card_details(product)
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
                   for b in card_buttons(product)[:3]]
        if buttons:
            element["buttons"] = buttons
        elements.append(element)
    return {"attachment": {"type": "template",
                           "payload": {"template_type": "generic", "elements": elements}}}


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
                sender_id = short_str(sender.get("id"), "sender.id")
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
        on_new_message = timed_turns(on_new_message)  # lift_turn_duration_seconds
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
            return error_response(403, "verification failed")

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return error_response(404, "messenger channel is not configured")
            try:
                check_size(request, MAX_WEBHOOK_BYTES)
                if not verify_hub_signature_256(self.fb_secret, request.body,
                                                request.headers.get("X-Hub-Signature-256")):
                    return error_response(403, "invalid signature")
                payload = json_object(request.body)
                messages = self.parse_messages(payload)
            except BadRequest as exc:
                return error_response(exc.status, exc.message)
            fresh = [m for m in messages if m[2] is None or self.seen.add(m[2])]
            if fresh:
                # Meta retries unless answered quickly; the turns run after the 200.
                spawn(self._background_tasks, self._handle(fresh, on_new_message, self.get_metadata(request)))
            return response.text("EVENT_RECEIVED")

        return bp
