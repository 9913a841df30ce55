"""WeChat's retries answered once across replicas: the OnceCache contract with its claims in PostgreSQL."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable

from bot.state.dedup import Claim, TTLMap
from index.db import Database
from index.errors import DatabaseError

log = logging.getLogger(__name__)

_SCHEMA_LOCK = 0x71AB07_03  # replicas starting together create the table once
_SCHEMA = """
CREATE TABLE IF NOT EXISTS qabot_once (
    scope   text NOT NULL,
    key     text NOT NULL,
    expires double precision NOT NULL,
    tries   integer NOT NULL,
    result  text,
    PRIMARY KEY (scope, key)
)
"""
# One statement counts the try under the row's lock: exactly one replica sees tries = 1 and computes. An expired
# row counts as no row. The inserted row's expiry is now + ttl, on the database's clock unless a test gives one.
_FRESH = "o.expires <= EXCLUDED.expires - %(ttl)s::float8"
_CLAIM = f"""
INSERT INTO qabot_once AS o (scope, key, expires, tries)
VALUES (%(scope)s, %(key)s, coalesce(%(now)s::float8, extract(epoch FROM clock_timestamp())) + %(ttl)s::float8, 1)
ON CONFLICT (scope, key) DO UPDATE SET
    tries = CASE WHEN {_FRESH} THEN 1 ELSE o.tries + 1 END,
    result = CASE WHEN {_FRESH} THEN NULL ELSE o.result END,
    expires = CASE WHEN {_FRESH} THEN EXCLUDED.expires ELSE o.expires END
RETURNING tries
"""
_PRUNE = ("DELETE FROM qabot_once WHERE scope = %(scope)s "
          "AND expires < coalesce(%(now)s::float8, extract(epoch FROM clock_timestamp()))")


class PgOnceCache:
    """OnceCache for text results whose claims and results live in the table qabot_once, shared by replicas.

    The replica whose claim is first runs the work and stores its text; a later try that reaches another replica
    waits for that text (polling every `poll_sec`) instead of computing again. Tries on one replica share one
    local task, as in OnceCache. While the database cannot be reached, this replica's memory alone answers retries.
    """

    def __init__(self, url: str, scope: str, ttl_sec: float = 300.0, *, poll_sec: float = 0.1,
                 prune_every: int = 1000, clock: Callable[[], float] | None = None) -> None:
        """Args:
            url: the [database] url.
            scope: the channel ("wechat", "wecom"): their message ids are separate namespaces.
            ttl_sec: how long a claim and its result answer retries.
            poll_sec: how often a waiting replica looks for the result.
            prune_every: claims between deletions of expired rows.
            clock: seconds, for tests that move time; None uses the database's clock (shared by all replicas).

        Raises:
            DatabaseError: the server cannot be reached.
        """
        self.scope, self.ttl_sec, self.poll_sec, self.prune_every = scope, ttl_sec, poll_sec, prune_every
        self._clock = clock
        self._claims = 0
        self._local: TTLMap[list] = TTLMap(ttl_sec, **({"clock": clock} if clock else {}))
        self.db = Database(url)
        self.db.ensure_schema(_SCHEMA_LOCK, _SCHEMA)

    async def claim(self, key, work: Callable[[], Awaitable[str]]) -> Claim[str]:
        """Start `work` for `key`, or join the run any replica started for it (see OnceCache.claim).

        Args:
            key: what identifies a request and its retries (e.g. WeChat's MsgId).
            work: makes the coroutine to run; called only by the first claim across replicas.

        Returns:
            The Claim: its task gives the text; `tries` counts claims across replicas.
        """
        key = str(key)
        try:
            tries = await asyncio.to_thread(self._claim_row, key)
        except DatabaseError as exc:  # unshared, this replica still answers its own retries once
            log.error("retry memory not shared: %s", exc)
            tries = None
        entry = self._local.get(key)  # [task, tries] of this replica's run or wait for the key
        if entry is not None:
            # The database may have missed earlier tries (it was down): count this replica's own as well.
            entry[1] = max(entry[1] + 1, tries or 0)
            return Claim(entry[0], entry[1], first=False)
        if tries is None or tries == 1:
            task, tries = asyncio.ensure_future(self._run(key, work)), 1
        else:
            task = asyncio.ensure_future(self._wait_for(key))
        self._local.set(key, [task, tries])
        return Claim(task, tries, first=tries == 1)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _args(self, **more) -> dict:
        return {"scope": self.scope, "ttl": self.ttl_sec, "now": self._clock() if self._clock else None, **more}

    def _claim_row(self, key: str) -> int:
        args = self._args(key=key)
        with self.db.cursor() as cur:
            tries = cur.execute(_CLAIM, args).fetchone()[0]
            self._claims += 1
            if self._claims % self.prune_every == 0:
                cur.execute(_PRUNE, args)
        return tries

    async def _run(self, key: str, work: Callable[[], Awaitable[str]]) -> str:
        text = await work()
        try:
            await asyncio.to_thread(self._store, key, text)
        except DatabaseError as exc:  # this replica's tries still get it; others wait until the claim expires
            log.error("reply not shared: %s", exc)
        return text

    def _store(self, key: str, text: str) -> None:
        with self.db.cursor() as cur:
            cur.execute("UPDATE qabot_once SET result = %s WHERE scope = %s AND key = %s",
                        (text.replace("\x00", "\ufffd"), self.scope, key))

    async def _wait_for(self, key: str) -> str:
        """The text another replica computes for `key`.

        Raises:
            TimeoutError: none came within ttl_sec (the computing replica stopped).
        """
        give_up = time.monotonic() + self.ttl_sec
        while True:
            try:
                text = await asyncio.to_thread(self._result, key)
            except DatabaseError as exc:
                log.warning("waiting for another replica's reply: %s", exc)
                text = None
            if text is not None:
                return text
            if time.monotonic() >= give_up:
                raise TimeoutError(f"no reply for {key} from the replica that claimed it")
            await asyncio.sleep(self.poll_sec)

    def _result(self, key: str) -> str | None:
        with self.db.cursor() as cur:
            row = cur.execute("SELECT result FROM qabot_once WHERE scope = %s AND key = %s",
                              (self.scope, key)).fetchone()
        return row[0] if row else None
