"""Bot messages the REST channel could not deliver yet: what the bot says on its own initiative
(a Rasa reminder firing, e.g. the cart-idle nudge of ``lift.experiments.cart_idle``) after the
webhook reply that scheduled it has gone out.

A REST webhook answers one request with one response and cannot push later, so Rasa's reminder
would write into a collector nobody reads. :class:`DeferredCollector` is the REST request's
output channel: while the request is open it collects as Rasa's does; once the reply is sent,
anything else is kept in a per-process :class:`Mailbox` and put in front of that sender's next
REST reply (the tracker has the event either way). Bounded: at most ``max_senders``
conversations x ``max_messages`` messages, each kept ``ttl`` seconds. With several Rasa
replicas the message waits in the replica that fired the reminder.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel


class Mailbox:
    def __init__(self, *, max_senders: int = 10_000, max_messages: int = 20, ttl: float = 86_400.0):
        self.max_senders = max_senders
        self.max_messages = max_messages
        self.ttl = ttl
        self._items: "OrderedDict[str, List[tuple]]" = OrderedDict()
        self._lock = threading.Lock()

    def put(self, sender_id: str, message: Dict[str, Any]) -> None:
        with self._lock:
            box = self._items.pop(sender_id, [])
            box = (box + [(time.monotonic(), message)])[-self.max_messages:]
            self._items[sender_id] = box
            while len(self._items) > self.max_senders:
                self._items.popitem(last=False)

    def take(self, sender_id: str) -> List[Dict[str, Any]]:
        """The sender's undelivered messages, oldest first (and forget them)."""
        with self._lock:
            box = self._items.pop(sender_id, [])
        fresh = time.monotonic() - self.ttl
        return [message for at, message in box if at > fresh]


class DeferredCollector(CollectingOutputChannel):
    """Rasa's collecting output channel whose late messages go to the mailbox."""

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__()
        self.mailbox = mailbox
        self.closed = False

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        if self.closed:
            self.mailbox.put(message.get("recipient_id") or "", message)
        else:
            await super()._persist_message(message)
