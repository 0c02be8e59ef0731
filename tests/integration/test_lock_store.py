"""LiftRedisLockStore against a real redis-server: two store instances stand for two replicas."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.core.utils import AvailableEndpoints

from lift.ops.locks import RedisTicketLocks
from lift.rasa_plugins.lock_store import LiftRedisLockStore
from tests.support.redis_server import RedisServer
from tests.support.servers import ROOT, free_port


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


def replica(url: str, **kw) -> LiftRedisLockStore:
    """A store with its own connection pool, as a separate Rasa process would have."""
    return LiftRedisLockStore(locks=RedisTicketLocks.from_url(url, prefix=kw.pop("prefix", "t"), **kw))


def test_endpoints_cluster_yml_loads_the_store_by_class_path(redis_url, monkeypatch):
    monkeypatch.setenv("LIFT_REDIS_URL", redis_url)
    for var in ("LIFT_ACTION_URL", "LIFT_ACTION_TOKEN"):
        monkeypatch.setenv(var, "x")
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.cluster.yml"))
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, LiftRedisLockStore)
    assert store.locks.ping()


def test_a_misspelt_option_stops_start_up_with_its_name(redis_url):
    from rasa.utils.endpoints import EndpointConfig

    cfg = EndpointConfig(url=redis_url, type="lift.rasa_plugins.lock_store.LiftRedisLockStore", lease_secnds=5)
    with pytest.raises(ValueError, match="lease_secnds"):
        LockStore.create(cfg)


def test_unreachable_redis_refuses_to_start():
    from rasa.shared.exceptions import ConnectionException
    from rasa.utils.endpoints import EndpointConfig

    cfg = EndpointConfig(url=f"redis://127.0.0.1:{free_port()}/0", type="lift.rasa_plugins.lock_store.LiftRedisLockStore")
    with pytest.raises(ConnectionException):
        LockStore.create(cfg)


def test_turns_of_one_conversation_never_overlap_across_replicas_and_keep_arrival_order(redis_url):
    stores = [replica(redis_url), replica(redis_url)]
    inside, max_inside, served = [0], [0], []

    async def turn(i: int, store: LiftRedisLockStore):
        async with store.lock("conv-a", lock_lifetime=30):
            inside[0] += 1
            max_inside[0] = max(max_inside[0], inside[0])
            served.append(i)
            await asyncio.sleep(0.01)
            inside[0] -= 1

    async def main():
        tasks = []
        for i in range(20):  # arrivals 5 ms apart: each gets its ticket before the next arrives
            tasks.append(asyncio.ensure_future(turn(i, stores[i % 2])))
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert max_inside[0] == 1
    assert served == list(range(20))
    assert stores[0].get_lock("conv-a") is None  # nothing left behind


def test_concurrent_ticket_issue_from_many_threads_gives_unique_tickets(redis_url):
    # Rasa's RedisLockStore reads, changes and writes back a JSON list: concurrent issuers can
    # get the same ticket. INCR inside the script cannot.
    locks = [RedisTicketLocks.from_url(redis_url, prefix="race") for _ in range(4)]
    numbers, barrier = [], threading.Barrier(8)

    def issue(k):
        barrier.wait()
        for _ in range(25):
            numbers.append(locks[k % 4].issue("conv-race").number)

    threads = [threading.Thread(target=issue, args=(k,)) for k in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(numbers) == list(range(1, 201))
    assert len(locks[0].queue("conv-race")) == 200


def test_a_crashed_holders_ticket_expires_and_the_next_turn_goes(redis_url):
    crashed = RedisTicketLocks.from_url(redis_url, prefix="crash", lease_seconds=0.6, poll_seconds=0.05)
    ticket = crashed.issue("conv-c")
    assert crashed.poll(ticket) == 1  # it holds the lock ... and its process dies (no renewal)
    store = replica(redis_url, prefix="crash", lease_seconds=0.6, poll_seconds=0.05)

    async def next_turn():
        t0 = time.monotonic()
        async with store.lock("conv-c", lock_lifetime=30):
            return time.monotonic() - t0

    waited = asyncio.run(next_turn())
    assert 0.3 < waited < 3
    assert crashed.release(ticket) is False  # the expired owner cannot remove anyone else's ticket


def test_a_live_holder_keeps_its_lock_past_the_lease_even_with_its_event_loop_blocked(redis_url):
    # A Rasa turn can block its event loop for seconds (model inference); a heartbeat thread
    # keeps the process's tickets alive meanwhile, so only a dead process loses its lock.
    store_a = replica(redis_url, prefix="live", lease_seconds=0.3, poll_seconds=0.02)
    store_b = replica(redis_url, prefix="live", lease_seconds=0.3, poll_seconds=0.02)
    order, a_in = [], threading.Event()

    async def blocking_holder():
        async with store_a.lock("conv-l", lock_lifetime=30):
            order.append("a-in")
            a_in.set()
            time.sleep(1.2)  # > 3 leases, event loop blocked
            order.append("a-out")

    async def other_replica():
        async with store_b.lock("conv-l", lock_lifetime=30):
            order.append("b-in")

    b = threading.Thread(target=lambda: (a_in.wait(10), asyncio.run(other_replica())))
    b.start()
    asyncio.run(blocking_holder())
    b.join(10)
    assert order == ["a-in", "a-out", "b-in"]


def test_release_only_removes_the_callers_own_ticket(redis_url):
    locks = RedisTicketLocks.from_url(redis_url, prefix="own")
    holder = locks.issue("conv-o")
    waiter = locks.issue("conv-o")
    forged = type(holder)("conv-o", "not-the-token", holder.number)
    assert locks.release(forged) is False
    assert locks.poll(holder) == 1 and locks.poll(waiter) == 0
    assert locks.release(holder) is True
    assert locks.poll(waiter) == 1
    locks.release(waiter)
    assert locks.client.exists(*locks.keys("conv-o")) == 0


def test_other_conversations_are_not_blocked(redis_url):
    store = replica(redis_url, prefix="indep")

    async def main():
        async with store.lock("conv-x", lock_lifetime=30):
            t0 = time.monotonic()
            async with store.lock("conv-y", lock_lifetime=30):
                return time.monotonic() - t0

    assert asyncio.run(main()) < 0.5


def test_a_turn_that_waits_longer_than_the_lifetime_gets_a_lock_error(redis_url):
    store = replica(redis_url, prefix="wait")

    async def main():
        async with store.lock("conv-w", lock_lifetime=30):
            async with store.lock("conv-w", lock_lifetime=0.3):
                pass

    with pytest.raises(LockError):
        asyncio.run(main())
    assert store.get_lock("conv-w") is None


def test_redis_down_refuses_the_turn_instead_of_running_it_unlocked(tmp_path):
    with RedisServer(tmp_path) as server:
        store = replica(server.url, prefix="down")
    ran = []

    async def main():
        async with store.lock("conv-d"):
            ran.append(True)

    with pytest.raises(LockError):
        asyncio.run(main())
    assert ran == []
    with pytest.raises(LockError):
        store.save_lock(store.create_lock("conv-d"))
