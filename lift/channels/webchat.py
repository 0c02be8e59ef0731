"""Lift's socket.io channel for the web chat page: server-issued sessions in prod, typing
events, product cards as ``{"custom": ...}`` messages."""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from lift.channels.canary import canary_routed
from lift.channels.hardening import MAX_REST_BYTES, MAX_TEXT_CHARS, OnNewMessage
from lift.config import Settings, get_settings
from lift.observability.turns import timed_turns
from lift.web.sessions import new_session_id, valid_session_id, verify_session_token

logger = logging.getLogger(__name__)


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
    Prod: connecting needs ``auth={"token": <JWT from lift.web.sessions>}``; the token's session id
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
        # lift_turn_duration_seconds; conversations assigned to a candidate model go to the canary
        on_new_message = timed_turns(canary_routed(on_new_message, self.settings))
        from socketio import AsyncServer

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
