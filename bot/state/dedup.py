"""Short-lived channel memory: run a retried request's work once (OnceCache) and small per-user state (TTLMap)."""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Generic, TypeVar

T = TypeVar("T")


class TTLMap(Generic[T]):
    """A bounded dict whose entries expire `ttl_sec` after they were set; the oldest go first when full.

    Not thread-safe: meant for one event loop (the ASGI server's, or python-telegram-bot's).
    """

    def __init__(self, ttl_sec: float, max_entries: int = 10_000, *, clock: Callable[[], float] = time.monotonic):
        """Args:
            ttl_sec: lifetime of an entry in seconds.
            max_entries: the most entries kept; setting one more drops the oldest.
            clock: monotonic seconds; injectable so tests can move time.
        """
        if ttl_sec <= 0 or max_entries < 1:
            raise ValueError("ttl_sec must be positive and max_entries at least 1")
        self.ttl_sec = ttl_sec
        self.max_entries = max_entries
        self._clock = clock
        self._data: OrderedDict[Any, tuple[float, T]] = OrderedDict()

    def set(self, key, value: T) -> None:
        """Store `value` under `key`, restarting its lifetime."""
        self._data.pop(key, None)
        self._data[key] = (self._clock() + self.ttl_sec, value)
        self._expire()

    def get(self, key, default=None):
        """Returns: the live value under `key`, or `default`."""
        item = self._data.get(key)
        return item[1] if self._live(item) else default

    def pop(self, key, default=None):
        """Remove and return the live value under `key`, or `default`."""
        item = self._data.pop(key, None)
        return item[1] if self._live(item) else default

    def replace(self, key, value: T) -> bool:
        """Replace the live value under `key`, keeping its expiry.

        Returns:
            False (and nothing stored) when there is no live value.
        """
        item = self._data.get(key)
        if not self._live(item):
            return False
        self._data[key] = (item[0], value)
        return True

    def __contains__(self, key) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __len__(self) -> int:
        self._expire()
        return len(self._data)

    def _live(self, item: tuple[float, T] | None) -> bool:
        return item is not None and item[0] > self._clock()

    def _expire(self) -> None:
        now = self._clock()
        # Insertion order is expiry order (every set moves the key to the end with the same ttl).
        while self._data:
            key, (expires, _) = next(iter(self._data.items()))
            if expires > now and len(self._data) <= self.max_entries:
                break
            self._data.popitem(last=False)


_MISSING = object()


@dataclass
class Claim(Generic[T]):
    """One key's shared work in an OnceCache.

    Attributes:
        task: the one task computing the result; every try awaits this same task.
        tries: how many times the key was claimed (1 for the first request, 2 for its first retry, ...).
        first: True for the claim that started the task.
    """

    task: asyncio.Task
    tries: int = 1
    first: bool = True


class OnceCache(Generic[T]):
    """Runs the work for a key once; concurrent and later claims of the key (retries) share that one result.

    This replica's memory; PgOnceCache (bot/state/pgdedup.py) shares the claims across replicas.

    Entries live `ttl_sec` after the first claim, so a retry within that window never runs the work again
    (past `max_entries` the oldest keys are forgotten first). One event loop only.
    """

    def __init__(self, ttl_sec: float = 300.0, max_entries: int = 10_000, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Args:
            ttl_sec: how long a finished result answers retries.
            max_entries: bound on remembered keys (finished entries are dropped oldest first).
            clock: monotonic seconds; injectable so tests can move time.
        """
        self._entries = TTLMap[Claim[T]](ttl_sec, max_entries, clock=clock)

    async def claim(self, key, work: Callable[[], Awaitable[T]]) -> Claim[T]:
        """Start `work` for `key`, or join the run already started for it.

        A coroutine, as the shared cache (bot/state/pgdedup.py) asks its database; this one answers at once.

        Args:
            key: what identifies a request and its retries (e.g. WeChat's MsgId).
            work: makes the coroutine to run; called only by the first claim.

        Returns:
            The shared Claim: await `claim.task` (shielded) for the result; `tries` counts claims so far.
        """
        entry = self._entries.get(key)
        if entry is not None:
            entry.tries += 1
            return Claim(entry.task, entry.tries, first=False)
        entry = Claim(asyncio.ensure_future(work()))
        self._entries.set(key, entry)
        return Claim(entry.task, 1, first=True)  # a snapshot: later claims count on the stored entry

    def __len__(self) -> int:
        return len(self._entries)


async def wait_result(task: asyncio.Task, timeout: float) -> tuple[bool, Any]:
    """Wait for a shared task without cancelling it when time runs out.

    Args:
        task: the task (other waiters may share it).
        timeout: seconds to wait; 0 or less only checks.

    Returns:
        (True, result) when it finished in time, else (False, None). The task's exception propagates.
    """
    if not task.done():
        done, _ = await asyncio.wait({task}, timeout=max(timeout, 0.0))
        if not done:
            return False, None
    return True, task.result()


def open_once_cache(config, scope: str, ttl_sec: float = 300.0):
    """The retry memory the settings choose: shared in PostgreSQL when [database] url is set, else in process.

    Args:
        config: the program Config.
        scope: the channel whose message ids it keys ("wechat", "wecom").
        ttl_sec: how long a result answers retries.

    Returns:
        A PgOnceCache or an OnceCache (text results).

    Raises:
        DatabaseError: the database is set but cannot be reached.
    """
    if not config.database.url:
        return OnceCache(ttl_sec)
    from bot.state.pgdedup import PgOnceCache

    return PgOnceCache(config.database.url, scope, ttl_sec)
