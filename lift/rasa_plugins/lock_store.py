"""Rasa lock store safe across replicas: :class:`lift.ops.locks.RedisTicketLocks` behind Rasa's API.

endpoints (see endpoints.cluster.yml)::

    lock_store:
      type: lift.rasa_plugins.lock_store.LiftRedisLockStore
      url: ${LIFT_REDIS_URL}      # optional, default LIFT_REDIS_URL via lift.config
      key_prefix: lift            # optional
      lease_seconds: 10           # a crashed replica's ticket is dropped after this long
      poll_seconds: 0.02          # how often a waiting turn checks whether it is served

Rasa only ever uses ``lock(conversation_id)`` (``agent.handle_message``, the HTTP API). That is
overridden with the atomic ticket queue; Rasa's read-modify-write steps (``save_lock``) are
what races across replicas, so they are refused rather than emulated.
"""
from __future__ import annotations

from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from lift.ops.locks import ConversationLockError, RedisTicketLocks


class LiftRedisLockStore(LockStore):
    """Per-conversation ticket lock in Redis: atomic, fair (first come, first served), expiring."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, *, url: Optional[Text] = None,
                 key_prefix: Optional[Text] = None, lease_seconds: Any = None, poll_seconds: Any = None,
                 locks: Optional[RedisTicketLocks] = None) -> None:
        if locks is None:
            from lift.config import get_settings

            kw = dict(endpoint_config.kwargs) if endpoint_config is not None else {}
            url = url or (endpoint_config.url if endpoint_config is not None else None) or get_settings().redis_url
            options = {
                "prefix": str(key_prefix or kw.pop("key_prefix", None) or "lift"),
                "lease_seconds": float(lease_seconds or kw.pop("lease_seconds", None) or 10),
                "poll_seconds": float(poll_seconds or kw.pop("poll_seconds", None) or 0.02),
            }
            if kw:
                raise ValueError(f"unknown lock_store option(s) in the endpoints file: {', '.join(sorted(kw))}")
            locks = RedisTicketLocks.from_url(url, **options)
            if not locks.ping():
                # Rasa turns this into "Cannot connect to lock store." and refuses to start.
                raise ConnectionError(f"Redis lock store not reachable at {url}")
        self.locks = locks
        super().__init__()

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Wait for this conversation's turn (at most ``lock_lifetime`` s) and hold it.

        ``wait_time_in_seconds`` (Rasa's 1 s polling step) is ignored: the store polls every
        ``poll_seconds`` so queued turns of one conversation follow each other closely.
        """
        try:
            async with self.locks.hold(conversation_id, lock_lifetime):
                yield self.get_lock(conversation_id) or TicketLock(conversation_id)
        except ConversationLockError as exc:
            raise LockError(str(exc)) from exc

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        """A read-only view of the conversation's live tickets (served one first)."""
        queue = self.locks.queue(conversation_id)
        if not queue:
            return None
        far = float("inf")  # leases are renewed while their process lives
        return TicketLock(conversation_id, deque(Ticket(number, far) for _, number in queue))

    def delete_lock(self, conversation_id: Text) -> None:
        deleted = self.locks.client.delete(*self.locks.keys(conversation_id))
        self._log_deletion(conversation_id, bool(deleted))

    def save_lock(self, lock: TicketLock) -> None:
        raise LockError("LiftRedisLockStore does not overwrite a whole lock (that is what races "
                        "across replicas); use `async with lock_store.lock(conversation_id)`")
