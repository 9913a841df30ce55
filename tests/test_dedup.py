"""OnceCache (in process, PostgreSQL) runs a key's work once for all its tries; TTLMap forgets on time and size."""
from __future__ import annotations

import asyncio
import dataclasses
import logging

import pytest

from bot.state.dedup import OnceCache, TTLMap, open_once_cache, wait_result
from bot.state.pgdedup import PgOnceCache
from tests.conftest import make_config


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_ttlmap_expires_entries_after_their_lifetime():
    clock = Clock()
    m = TTLMap(10, clock=clock)
    m.set("a", 1)
    clock.now += 9.9
    assert m.get("a") == 1 and "a" in m
    clock.now += 0.2
    assert m.get("a") is None and "a" not in m and m.pop("a", "gone") == "gone"


def test_ttlmap_set_restarts_the_lifetime_and_pop_removes():
    clock = Clock()
    m = TTLMap(10, clock=clock)
    m.set("a", 1)
    clock.now += 8
    m.set("a", 2)
    clock.now += 8
    assert m.get("a") == 2
    assert m.pop("a") == 2 and m.get("a") is None


def test_ttlmap_drops_the_oldest_beyond_its_size():
    m = TTLMap(100, max_entries=3)
    for k in "abcd":
        m.set(k, k)
    assert len(m) == 3 and m.get("a") is None and m.get("d") == "d"


def test_ttlmap_rejects_nonsense_limits():
    with pytest.raises(ValueError):
        TTLMap(0)
    with pytest.raises(ValueError):
        TTLMap(1, max_entries=0)


@pytest.fixture(params=["memory", "postgres"])
def make_cache(request):
    """Builds a once-cache of the backend under test: make_cache(ttl_sec, clock=None)."""
    if request.param == "memory":
        yield lambda ttl_sec, clock=None: OnceCache(ttl_sec, **({"clock": clock} if clock else {}))
        return
    url = request.getfixturevalue("pg_url")
    opened = []

    def build(ttl_sec, clock=None):
        opened.append(PgOnceCache(url, "wechat", ttl_sec, poll_sec=0.01, clock=clock))
        return opened[-1]

    yield build
    for cache in opened:
        cache.close()


def test_oncecache_runs_the_work_once_for_concurrent_and_later_claims(make_cache):
    runs = []
    cache = make_cache(60)

    async def scenario():
        gate = asyncio.Event()

        async def work():
            runs.append(1)
            await gate.wait()
            return "reply"

        first = await cache.claim("m1", work)
        second = await cache.claim("m1", work)
        assert first.first and not second.first and (first.tries, second.tries) == (1, 2)
        assert await wait_result(second.task, 0.01) == (False, None)   # waiting does not cancel the shared work
        gate.set()
        results = await asyncio.gather(first.task, second.task)
        third = await cache.claim("m1", work)
        return results, third.tries, await third.task

    results, tries, late = asyncio.run(scenario())
    assert results == ["reply", "reply"] and late == "reply" and tries == 3
    assert runs == [1]


def test_oncecache_runs_again_after_the_ttl_and_for_other_keys(make_cache):
    clock = Clock()
    runs = []
    cache = make_cache(5, clock)

    async def scenario():
        async def work():
            runs.append(1)
            return f"reply {len(runs)}"

        a = await (await cache.claim("k", work)).task
        b = await (await cache.claim("other", work)).task
        clock.now += 6
        c = await (await cache.claim("k", work)).task
        return a, b, c

    assert asyncio.run(scenario()) == ("reply 1", "reply 2", "reply 3")


def test_wait_result_reports_a_finished_task_and_its_exception():
    async def scenario():
        async def ok():
            return 7

        async def bad():
            raise RuntimeError("boom")

        t = asyncio.ensure_future(ok())
        assert await wait_result(t, 1) == (True, 7)
        assert await wait_result(t, 0) == (True, 7)
        with pytest.raises(RuntimeError):
            await wait_result(asyncio.ensure_future(bad()), 1)

    asyncio.run(scenario())


def test_a_retry_reaching_another_replica_gets_the_first_replicas_reply(pg_url):
    first_replica, second_replica = (PgOnceCache(pg_url, "wechat", 60, poll_sec=0.01) for _ in range(2))
    runs = []

    async def scenario():
        gate = asyncio.Event()

        async def work():
            runs.append(1)
            await gate.wait()
            return "reply"

        a = await first_replica.claim("m1", work)
        b = await second_replica.claim("m1", work)
        c = await second_replica.claim("m1", work)
        assert (a.first, b.first, c.first) == (True, False, False) and (a.tries, b.tries, c.tries) == (1, 2, 3)
        assert await wait_result(b.task, 0.05) == (False, None)  # still being computed on the first replica
        gate.set()
        return await asyncio.gather(a.task, b.task, c.task)

    assert asyncio.run(scenario()) == ["reply"] * 3
    assert runs == [1]
    # another channel's message with the same id is another message
    other = PgOnceCache(pg_url, "wecom", 60)
    assert asyncio.run(other.claim("m1", lambda: asyncio.sleep(0, "x"))).first
    for cache in (first_replica, second_replica, other):
        cache.close()


def test_while_the_database_is_down_claims_fall_back_to_this_replica(pg_url, caplog):
    from index.db import connect

    cache = PgOnceCache(pg_url, "wechat", 60)
    with cache.db.cursor() as cur:
        pid = cur.execute("SELECT pg_backend_pid()").fetchone()[0]
    with connect(pg_url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    async def scenario():
        async def work():
            return "reply"

        claim = await cache.claim("m1", work)
        again = await cache.claim("m1", work)
        return claim.first, await claim.task, again.first

    with caplog.at_level(logging.ERROR, logger="bot.state.pgdedup"):
        assert asyncio.run(scenario()) == (True, "reply", False)
    assert "retry memory not shared" in caplog.text
    cache.close()


def test_the_setting_chooses_a_shared_retry_memory(tmp_path, pg_url):
    config = make_config(tmp_path)
    assert isinstance(open_once_cache(config, "wechat"), OnceCache)
    shared = open_once_cache(config.replace(database=dataclasses.replace(config.database, url=pg_url)), "wecom")
    assert isinstance(shared, PgOnceCache) and shared.scope == "wecom"
    shared.close()
