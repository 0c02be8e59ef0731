"""Routing of conversations to the canary model (``lift.experiments.canary``), in the front Rasa.

Every Lift channel wraps Rasa's ``on_new_message`` with :func:`canary_routed`. With
``LIFT_CANARY_URL`` unset (the canary process itself, or no canary) it is the identity. Otherwise
each message's conversation is looked up once (the sticky assignment of the live ``model``
experiment, or the stored one after it stopped) and remembered for the life of the process:
``candidate`` conversations are posted to the canary Rasa's REST webhook on loopback, with the
original input channel and metadata, and its replies are sent to the shopper through the
channel the message came in on; ``current`` ones go to this process's model as usual.

If the canary cannot be reached the message is answered by this process's model and an error
is logged: the shopper is answered, and the log says which conversations left their model.
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any, Optional

from lift.channels.hardening import OnNewMessage
from lift.config import Settings
from lift.experiments import canary

logger = logging.getLogger(__name__)


class CanaryUnavailable(RuntimeError):
    pass


class CanaryRouter:
    def __init__(self, settings: Settings, *, assigner: Any = None, timeout: float = 120.0,
                 max_routes: int = 100_000) -> None:
        self.settings = settings
        self.webhook = f"{settings.canary_url}/webhooks/rest/webhook"
        self.timeout = timeout
        self.max_routes = max_routes
        self._assigner = assigner
        self._routes: "OrderedDict[str, bool]" = OrderedDict()
        self._session: Any = None

    def assigner(self) -> Any:
        if self._assigner is None:  # first message: the database and experiments.yml
            from lift.experiments.assignment import Assigner
            from lift.experiments.config import load_from_settings
            from lift.store.schema import open_database

            self._assigner = Assigner(open_database(self.settings.db_url), load_from_settings(self.settings))
        return self._assigner

    def decide(self, sender_id: str) -> bool:
        """Whether the conversation is served by the candidate (blocking: database)."""
        known = self._routes.get(sender_id)
        if known is not None:
            return known
        assigner = self.assigner()
        live = assigner.surface_experiment(canary.SURFACE)
        if live is not None:
            variant = assigner.variant(sender_id, live.name)
        else:  # not live: only conversations already assigned keep their model
            variant = next((v for v in (assigner.stored_variant(sender_id, e.name) for e in assigner.config.experiments
                                        if e.surface == canary.SURFACE) if v), None)
        to_candidate = canary.routes_to_candidate(variant)
        self._routes[sender_id] = to_candidate
        while len(self._routes) > self.max_routes:
            self._routes.popitem(last=False)
        return to_candidate

    async def forward(self, message: Any) -> None:
        """Let the canary answer ``message``; its replies go out on the message's channel."""
        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        payload = {"sender": message.sender_id, "message": message.text or "",
                   "input_channel": message.input_channel, "metadata": message.metadata}
        params = {"token": self.settings.rasa_auth_token} if self.settings.rasa_auth_token else None
        try:
            async with self._session.post(self.webhook, json=payload, params=params) as resp:
                if resp.status != 200:
                    raise CanaryUnavailable(f"HTTP {resp.status}: {(await resp.text())[:200]}")
                replies = await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise CanaryUnavailable(f"{exc.__class__.__name__}: {exc}") from None
        for reply in replies if isinstance(replies, list) else []:
            body = {k: v for k, v in reply.items() if k != "recipient_id"}
            await message.output_channel.send_response(message.sender_id, body)


def canary_routed(on_new_message: OnNewMessage, settings: Settings,
                  router: Optional[CanaryRouter] = None) -> OnNewMessage:
    if not settings.canary_url:
        return on_new_message
    router = router or CanaryRouter(settings)

    async def handler(message: Any) -> Any:
        loop = asyncio.get_running_loop()
        if await loop.run_in_executor(None, router.decide, message.sender_id):
            try:
                return await router.forward(message)
            except CanaryUnavailable as exc:
                logger.error("canary model unreachable at %s (%s): this message is answered by the current model",
                             settings.canary_url, exc)
        return await on_new_message(message)

    handler.canary_router = router  # type: ignore[attr-defined]
    return handler
