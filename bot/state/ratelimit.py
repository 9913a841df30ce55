"""Per-client rate limiting: the RateLimiter contract and an in-process token bucket."""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol


@dataclass(frozen=True)
class Decision:
    """The outcome of one rate-limit check.

    Attributes:
        allowed: True when the request may proceed (a token was taken).
        retry_after: seconds until the next token, 0.0 when allowed.
    """

    allowed: bool
    retry_after: float = 0.0


class RateLimiter(Protocol):
    """What a channel needs from a rate limiter: in process here, shared in PostgreSQL in bot/state/pgratelimit.py."""

    def check(self, key: str) -> Decision:
        """Take one token for `key` if there is one.

        Args:
            key: the client identity (an IP address, a chat id), optionally prefixed by the action.

        Returns:
            The Decision.
        """
        ...  # pragma: no cover - protocol


def check_limits(capacity: float, refill_per_sec: float) -> None:
    """A bucket's settings, checked alike by every backend.

    Args:
        capacity: burst size; at least 1.
        refill_per_sec: steady rate; positive.

    Raises:
        ValueError: nonsense limits.
    """
    if capacity < 1:
        raise ValueError(f"rate capacity must be at least 1, got {capacity}")
    if refill_per_sec <= 0:
        raise ValueError(f"rate refill per second must be positive, got {refill_per_sec}")


class TokenBucketLimiter:
    """A token bucket per key, in process memory; thread-safe.

    Each key starts full with `capacity` tokens and regains `refill_per_sec` tokens a second, up to
    `capacity`. Buckets that have refilled completely carry no state, so they are dropped when the table
    grows past `max_keys`: memory stays bounded however many clients appear.
    """

    def __init__(self, capacity: int, refill_per_sec: float, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Args:
            capacity: burst size (tokens in a full bucket); at least 1.
            refill_per_sec: steady rate in tokens a second; must be positive.
            max_keys: table size that triggers pruning of full buckets.
            clock: monotonic seconds; injectable so tests can move time.
        """
        check_limits(capacity, refill_per_sec)
        self.capacity = float(capacity)
        self.refill_per_sec = float(refill_per_sec)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, time of last update)
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, server) -> "TokenBucketLimiter":
        """Build the limiter from a config section with rate_capacity and rate_refill_per_sec.

        Args:
            server: e.g. config.server or config.telegram.

        Returns:
            A new limiter.
        """
        return cls(server.rate_capacity, server.rate_refill_per_sec)

    def check(self, key: str) -> Decision:
        """Take one token for `key` if there is one (see RateLimiter.check).

        Args:
            key: the client identity.

        Returns:
            Decision(allowed, retry_after).
        """
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill_per_sec)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.max_keys:
                    self._prune(now)
                return Decision(True, 0.0)
            self._buckets[key] = (tokens, now)
            return Decision(False, (1.0 - tokens) / self.refill_per_sec)

    def __len__(self) -> int:
        """Returns: how many keys currently hold state."""
        return len(self._buckets)

    def _prune(self, now: float) -> None:
        # A bucket that would be full by now is indistinguishable from a fresh one.
        full = [k for k, (tokens, last) in self._buckets.items()
                if tokens + (now - last) * self.refill_per_sec >= self.capacity]
        for k in full:
            del self._buckets[k]
        # Still too many live clients (a flood of addresses): forget the earliest seen. They get a fresh
        # bucket, a bounded leniency that is better than unbounded memory.
        excess = len(self._buckets) - int(self.max_keys * 0.9)
        if excess > 0:
            for k in list(itertools.islice(self._buckets, excess)):
                del self._buckets[k]


def open_rate_limiter(config, section, scope: str) -> RateLimiter:
    """The limiter the settings choose: shared in PostgreSQL when [database] url is set, else in process.

    Args:
        config: the program Config.
        section: the config section with rate_capacity and rate_refill_per_sec (config.server, config.telegram).
        scope: the limit's name in the shared table ("server", "telegram").

    Returns:
        The limiter.

    Raises:
        DatabaseError: the database is set but cannot be reached.
    """
    if not config.database.url:
        return TokenBucketLimiter.from_config(section)
    from bot.state.pgratelimit import PgRateLimiter

    return PgRateLimiter(config.database.url, section.rate_capacity, section.rate_refill_per_sec, scope=scope)
