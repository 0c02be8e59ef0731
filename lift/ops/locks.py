"""A per-conversation ticket lock in Redis that stays correct with several Rasa replicas.

Rasa OSS's ``RedisLockStore`` reads a JSON ticket list, changes it in Python and writes it back:
two replicas issuing a ticket at the same moment can both get ticket 0 and handle two turns of
one conversation at once (RasaHQ/rasa PR #11256). Here every step is one Lua script, so Redis
runs it atomically:

* a conversation's queue is a sorted set ``member = owner token, score = ticket number``
  (numbers from ``INCR``, so the order is the order Redis saw the requests: first come, first
  served) plus a sorted set of each token's lease expiry in Redis's own clock (``TIME``, so
  replicas' clocks do not matter);
* a ticket is served when it is the lowest live ticket; a heartbeat thread renews the leases of
  the process's waiting and held tickets (a thread, so a turn that blocks the event loop for a
  while does not look like a crash), so the lease only runs out when the process behind a
  ticket stopped (crashed, killed, partitioned): then its ticket is dropped and the next one
  is served;
* release removes only the caller's own token (compare-and-delete), never someone else's.

All keys of one conversation share a ``{hash tag}``, so the scripts also run on Redis Cluster.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, Dict, List, Tuple

import redis

logger = logging.getLogger(__name__)

_NOW = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"

# Drop tickets whose lease ran out (their holder or waiter is gone).
_EXPIRE = """
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, m in ipairs(dead) do redis.call('ZREM', KEYS[1], m); redis.call('ZREM', KEYS[2], m) end
"""

# Keys vanish on their own if every process that used them disappears.
_KEEP = """
local keep = tonumber(ARGV[2]) * 2
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], keep) end
"""

# KEYS: queue, leases, counter; ARGV: token, lease_ms -> ticket number
ISSUE = _NOW + """
local n = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], n, ARGV[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
""" + _KEEP + "return n\n"

# KEYS: queue, leases, counter; ARGV: token, lease_ms -> 1 served, 0 waiting, -1 ticket gone
POLL = _NOW + _EXPIRE + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
""" + _KEEP + """
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if head == ARGV[1] then return 1 end
return 0
"""

# KEYS: queue, leases, counter; ARGV: token, lease_ms -> 1 renewed, 0 ticket gone
RENEW = _NOW + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
""" + _KEEP + "return 1\n"

# KEYS: queue, leases, counter; ARGV: token -> 1 if this token was still queued
RELEASE = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return removed
"""

# KEYS: queue, leases -> [[token, ticket], ...] of live tickets, served first
SNAPSHOT = _NOW + """
local out = {}
local q = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #q, 2 do
  local exp = redis.call('ZSCORE', KEYS[2], q[i])
  if exp and tonumber(exp) > now then table.insert(out, {q[i], q[i + 1]}) end
end
return out
"""


class ConversationLockError(RuntimeError):
    """The turn cannot get the conversation's lock (waited too long, lease lost, Redis down)."""


@dataclass(frozen=True)
class Ticket:
    conversation_id: str
    token: str
    number: int


class RedisTicketLocks:
    """Fair, expiring, owner-checked conversation locks on one Redis database.

    ``lease_seconds``: how long a ticket outlives the last sign of life of its process.
    ``poll_seconds``: how often a waiting turn asks whether it is served.
    """

    def __init__(self, client: "redis.Redis", *, prefix: str = "lift", lease_seconds: float = 10.0,
                 poll_seconds: float = 0.02):
        if lease_seconds <= 0 or poll_seconds <= 0 or poll_seconds * 3 > lease_seconds:
            raise ValueError("lease_seconds must be positive and at least 3x poll_seconds")
        self.client = client
        self.prefix = prefix
        self.lease_ms = int(lease_seconds * 1000)
        self.poll_seconds = poll_seconds
        self._issue = client.register_script(ISSUE)
        self._poll = client.register_script(POLL)
        self._release = client.register_script(RELEASE)
        self._renew = client.register_script(RENEW)
        self._snapshot = client.register_script(SNAPSHOT)
        # Tickets of this process the heartbeat keeps alive: token -> (ticket, renew until).
        self._live: Dict[str, Tuple[Ticket, float]] = {}
        self._live_lock = threading.Lock()
        self._heartbeat = None

    @classmethod
    def from_url(cls, url: str, *, socket_timeout: float = 2.0, **kw) -> "RedisTicketLocks":
        client = redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout)
        return cls(client, **kw)

    def keys(self, conversation_id: str) -> List[str]:
        tag = f"{self.prefix}:lock:{{{conversation_id}}}"
        return [f"{tag}:queue", f"{tag}:leases", f"{tag}:counter"]

    # -- the three atomic steps ----------------------------------------------------------
    def issue(self, conversation_id: str) -> Ticket:
        token = secrets.token_hex(12)
        number = int(self._issue(keys=self.keys(conversation_id), args=[token, self.lease_ms]))
        return Ticket(conversation_id, token, number)

    def poll(self, ticket: Ticket) -> int:
        """1: the ticket is served (lease renewed); 0: still waiting (lease renewed); -1: gone."""
        return int(self._poll(keys=self.keys(ticket.conversation_id), args=[ticket.token, self.lease_ms]))

    def release(self, ticket: Ticket) -> bool:
        """Remove this ticket only; False if its lease had already run out."""
        return bool(self._release(keys=self.keys(ticket.conversation_id), args=[ticket.token]))

    def queue(self, conversation_id: str) -> List[Tuple[str, int]]:
        """Live tickets (token, number), the served one first."""
        rows = self._snapshot(keys=self.keys(conversation_id)[:2])
        return [(t.decode() if isinstance(t, bytes) else t, int(float(n))) for t, n in rows]

    # -- waiting and holding -------------------------------------------------------------
    async def acquire(self, ticket: Ticket, max_wait_seconds: float) -> None:
        deadline = time.monotonic() + max_wait_seconds
        while True:
            state = self.poll(ticket)
            if state == 1:
                return
            if state == -1:
                raise ConversationLockError(
                    f"the lock ticket of conversation {ticket.conversation_id!r} expired while waiting")
            if time.monotonic() >= deadline:
                raise ConversationLockError(
                    f"waited {max_wait_seconds:.0f} s for the lock of conversation {ticket.conversation_id!r}")
            await asyncio.sleep(self.poll_seconds)

    def _beat(self) -> None:
        while True:
            time.sleep(self.lease_ms / 3000)
            now = time.monotonic()
            with self._live_lock:
                live = list(self._live.values())
            for ticket, until in live:
                if now > until:
                    continue  # past its lifetime: let the lease run out
                try:
                    if not self._renew(keys=self.keys(ticket.conversation_id), args=[ticket.token, self.lease_ms]):
                        logger.warning("conversation %r: lock ticket lost", ticket.conversation_id)
                except redis.RedisError as exc:
                    logger.warning("conversation %r: could not renew the lock lease: %s", ticket.conversation_id, exc)

    def _keep_alive(self, ticket: Ticket, until: float) -> None:
        with self._live_lock:
            self._live[ticket.token] = (ticket, until)
            if self._heartbeat is None:
                self._heartbeat = threading.Thread(target=self._beat, daemon=True, name="lift-lock-heartbeat")
                self._heartbeat.start()

    def _forget(self, ticket: Ticket) -> None:
        with self._live_lock:
            self._live.pop(ticket.token, None)

    @asynccontextmanager
    async def hold(self, conversation_id: str, max_seconds: float) -> AsyncIterator[Ticket]:
        """Wait for the conversation's turn (at most ``max_seconds``), hold it while the body runs.

        The lease is renewed for at most ``max_seconds`` of holding: a turn stuck longer than
        that lets the next one go, as Rasa's ticket lifetime does.
        """
        try:
            ticket = self.issue(conversation_id)
        except redis.RedisError as exc:
            raise ConversationLockError(f"lock store unavailable: {exc}") from exc
        acquired = False
        try:
            self._keep_alive(ticket, time.monotonic() + max_seconds)
            try:
                await self.acquire(ticket, max_seconds)
            except redis.RedisError as exc:
                raise ConversationLockError(f"lock store unavailable: {exc}") from exc
            acquired = True
            self._keep_alive(ticket, time.monotonic() + max_seconds)
            yield ticket
        finally:
            self._forget(ticket)
            try:
                if not self.release(ticket) and acquired:
                    logger.warning("conversation %r: the lock had expired before the turn ended", conversation_id)
            except redis.RedisError as exc:  # the lease will expire on its own
                logger.warning("conversation %r: could not release the lock: %s", conversation_id, exc)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False
