"""Request hardening shared by every channel: size limits, short string fields, 4xx answers
with a reason (:class:`lift.web.checks.BadRequest`), de-duplication of redelivered webhook
events, background turns."""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Optional, Set

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from lift.web.checks import BadRequest

if TYPE_CHECKING:
    from rasa.core.channels.channel import UserMessage

MAX_WEBHOOK_BYTES = 128 * 1024
MAX_REST_BYTES = 64 * 1024
MAX_TEXT_CHARS = 4000
MAX_ID_CHARS = 255

OnNewMessage = Callable[["UserMessage"], Awaitable[Any]]


def error_response(status: int, message: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers)


def check_size(request: Request, limit: int) -> None:
    if len(request.body or b"") > limit:
        raise BadRequest(413, f"request body larger than {limit} bytes")


def short_str(value: Any, field: str, limit: int = MAX_ID_CHARS, required: bool = True) -> Optional[str]:
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


def spawn(tasks: Set[asyncio.Task], coro: Awaitable[Any]) -> None:
    # Keep a reference until done: the loop holds tasks only weakly.
    task = asyncio.ensure_future(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
