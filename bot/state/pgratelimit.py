"""The RateLimiter contract in PostgreSQL: one token bucket per client, shared by every replica."""
from __future__ import annotations

import logging
from typing import Callable

from bot.state.ratelimit import Decision, check_limits
from index.db import Database
from index.errors import DatabaseError

log = logging.getLogger(__name__)

_SCHEMA_LOCK = 0x71AB07_02  # replicas starting together create the table once
_SCHEMA = """
CREATE TABLE IF NOT EXISTS qabot_rate (
    scope   text NOT NULL,
    key     text NOT NULL,
    tokens  double precision NOT NULL,
    updated double precision NOT NULL,
    allowed boolean NOT NULL,
    PRIMARY KEY (scope, key)
)
"""
# One statement takes a token or refuses, under the row's lock, so concurrent replicas never overspend a bucket.
# The row being inserted carries the full bucket less one (capacity - 1) and the time (EXCLUDED.updated); the
# database's clock is the time unless a test gives one, so replicas with drifting clocks still agree.
_AVAILABLE = ("least(EXCLUDED.tokens + 1, r.tokens + greatest(EXCLUDED.updated - r.updated, 0) "
              "* %(rate)s::float8)")
_CHECK = f"""
INSERT INTO qabot_rate AS r (scope, key, tokens, updated, allowed)
VALUES (%(scope)s, %(key)s, %(capacity)s::float8 - 1,
        coalesce(%(now)s::float8, extract(epoch FROM clock_timestamp())), true)
ON CONFLICT (scope, key) DO UPDATE SET
    tokens = CASE WHEN {_AVAILABLE} >= 1 THEN {_AVAILABLE} - 1 ELSE {_AVAILABLE} END,
    allowed = {_AVAILABLE} >= 1,
    updated = greatest(r.updated, EXCLUDED.updated)
RETURNING tokens, allowed
"""
# A bucket that has refilled completely is indistinguishable from a missing one.
_PRUNE = """
DELETE FROM qabot_rate WHERE scope = %(scope)s AND tokens + greatest(
    coalesce(%(now)s::float8, extract(epoch FROM clock_timestamp())) - updated, 0) * %(rate)s::float8 >= %(capacity)s
"""


class PgRateLimiter:
    """Token buckets in the table qabot_rate, one row per (scope, key); thread-safe.

    Same rules as TokenBucketLimiter: a bucket starts full with `capacity` tokens and regains `refill_per_sec` a
    second. Every `prune_every` checks, buckets that have refilled completely are deleted, which bounds the table.
    """

    def __init__(self, url: str, capacity: int, refill_per_sec: float, *, scope: str = "server",
                 prune_every: int = 1000, clock: Callable[[], float] | None = None) -> None:
        """Args:
            url: the [database] url.
            capacity: burst size; at least 1.
            refill_per_sec: steady rate in tokens a second; positive.
            scope: which limit this is ("server", "telegram"): limits with different rates keep separate buckets.
            prune_every: checks between deletions of full buckets.
            clock: seconds, for tests that move time; None uses the database's clock (shared by all replicas).

        Raises:
            ValueError: nonsense limits. DatabaseError: the server cannot be reached.
        """
        check_limits(capacity, refill_per_sec)
        self.capacity = float(capacity)
        self.refill_per_sec = float(refill_per_sec)
        self.scope = scope
        self.prune_every = prune_every
        self._clock = clock
        self._checks = 0
        self.db = Database(url)
        self.db.ensure_schema(_SCHEMA_LOCK, _SCHEMA)

    def check(self, key: str) -> Decision:
        """Take one token for `key` if there is one (see RateLimiter.check).

        Args:
            key: the client identity.

        Returns:
            Decision(allowed, retry_after); allowed while the database cannot be reached (logged), as a full disk
            does not cost a citizen the answer either.
        """
        args = self._args(key=key)
        try:
            with self.db.cursor() as cur:
                tokens, allowed = cur.execute(_CHECK, args).fetchone()
                self._checks += 1
                if self._checks % self.prune_every == 0:
                    cur.execute(_PRUNE, args)
        except DatabaseError as exc:
            log.error("rate limit not checked: %s", exc)
            return Decision(True, 0.0)
        return Decision(True, 0.0) if allowed else Decision(False, (1.0 - tokens) / self.refill_per_sec)

    def __len__(self) -> int:
        """Returns: how many of this scope's buckets are stored."""
        with self.db.cursor() as cur:
            return cur.execute("SELECT count(*) FROM qabot_rate WHERE scope = %s", (self.scope,)).fetchone()[0]

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _args(self, **more) -> dict:
        return {"scope": self.scope, "capacity": self.capacity, "rate": self.refill_per_sec,
                "now": self._clock() if self._clock else None, **more}
