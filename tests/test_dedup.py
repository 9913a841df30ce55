"""OnceCache runs a key's work once for all its tries; TTLMap forgets on time and on size."""
from __future__ import annotations

import asyncio

import pytest

from bot.dedup import OnceCache, TTLMap, wait_result


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


def test_oncecache_runs_the_work_once_for_concurrent_and_later_claims():
    runs = []

    async def scenario():
        cache = OnceCache(ttl_sec=60)
        gate = asyncio.Event()

        async def work():
            runs.append(1)
            await gate.wait()
            return "reply"

        first = cache.claim("m1", work)
        second = cache.claim("m1", work)
        assert first.first and not second.first and (first.tries, second.tries) == (1, 2)
        assert await wait_result(second.task, 0.01) == (False, None)   # waiting does not cancel the shared work
        gate.set()
        results = await asyncio.gather(first.task, second.task)
        third = cache.claim("m1", work)
        return results, third.tries, await third.task

    results, tries, late = asyncio.run(scenario())
    assert results == ["reply", "reply"] and late == "reply" and tries == 3
    assert runs == [1]


def test_oncecache_runs_again_after_the_ttl_and_for_other_keys():
    clock = Clock()
    runs = []

    async def scenario():
        cache = OnceCache(ttl_sec=5, clock=clock)

        async def work():
            runs.append(1)
            return len(runs)

        a = await cache.claim("k", work).task
        b = await cache.claim("other", work).task
        clock.now += 6
        c = await cache.claim("k", work).task
        return a, b, c

    assert asyncio.run(scenario()) == (1, 2, 3)


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
