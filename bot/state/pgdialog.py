"""A WeChat user's conversation state shared by replicas: the DialogState contract on a PostgreSQL table."""
from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any, Callable

from bot.state.dialogstate import STATE_TTL_SEC
from index.db import Database

_SCHEMA_LOCK = 0x71AB07_05  # replicas starting together create the table once
_SCHEMA = """
CREATE TABLE IF NOT EXISTS qabot_dialog (
    scope   text NOT NULL,
    user_id text NOT NULL,
    item    text NOT NULL,
    value   text NOT NULL,
    expires double precision NOT NULL,
    PRIMARY KEY (scope, user_id, item)
)
"""
_NOW = "coalesce(%(now)s::float8, extract(epoch FROM clock_timestamp()))"  # the database's clock unless a test's
_KEY = "scope = %(scope)s AND user_id = %(user)s AND item = %(item)s"
_PUT = f"""
INSERT INTO qabot_dialog (scope, user_id, item, value, expires)
VALUES (%(scope)s, %(user)s, %(item)s, %(value)s, {_NOW} + %(ttl)s::float8)
ON CONFLICT (scope, user_id, item) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires
"""
_GET = f"SELECT value FROM qabot_dialog WHERE {_KEY} AND expires > {_NOW}"
# DELETE ... RETURNING under the row's lock: of two replicas taking at once, one gets the value, the other none.
_TAKE = f"DELETE FROM qabot_dialog WHERE {_KEY} RETURNING value, expires > {_NOW}"
_PUT_IF = f"UPDATE qabot_dialog SET value = %(value)s WHERE {_KEY} AND value = %(expected)s AND expires > {_NOW}"
_PRUNE = f"DELETE FROM qabot_dialog WHERE scope = %(scope)s AND expires <= {_NOW}"


def _dump(value: Any) -> str:
    # ASCII JSON with sorted keys: one text per value (put_if compares texts), and no NUL byte PostgreSQL refuses.
    return json.dumps(value, sort_keys=True)


class PgDialogState:
    """DialogState in the table qabot_dialog: a user's "更多" or "原文" may reach any replica.

    Users are stored as a SHA-256 of their channel id, not the id itself; unkeyed, so replicas agree on it
    without sharing QUESTION_LOG_KEY (rows live an hour and are pruned). Expired rows are never returned and are
    deleted every `prune_every` puts. Each call is one statement, run in a worker thread.
    """

    def __init__(self, url: str, scope: str, ttl_sec: float = STATE_TTL_SEC, *, prune_every: int = 1000,
                 clock: Callable[[], float] | None = None) -> None:
        """Args:
            url: the [database] url.
            scope: the channel ("wechat", "wecom").
            ttl_sec: lifetime of a value.
            prune_every: puts between deletions of expired rows.
            clock: seconds, for tests that move time; None uses the database's clock (shared by all replicas).

        Raises:
            DatabaseError: the server cannot be reached.
        """
        self.scope, self.ttl_sec, self.prune_every = scope, ttl_sec, prune_every
        self._clock = clock
        self._puts = 0
        self.db = Database(url)
        self.db.ensure_schema(_SCHEMA_LOCK, _SCHEMA)

    async def get(self, user: str, item: str) -> Any:
        row = await asyncio.to_thread(self._one, _GET, user, item)
        return json.loads(row[0]) if row else None

    async def put(self, user: str, item: str, value: Any) -> None:
        await asyncio.to_thread(self._put, user, item, _dump(value))

    async def take(self, user: str, item: str) -> Any:
        row = await asyncio.to_thread(self._one, _TAKE, user, item)
        return json.loads(row[0]) if row and row[1] else None

    async def put_if(self, user: str, item: str, expected: Any, value: Any) -> bool:
        if expected is None:
            return False
        return await asyncio.to_thread(self._count, _PUT_IF, user, item, _dump(value), _dump(expected)) == 1

    def close(self) -> None:
        self.db.close()

    def _args(self, user: str, item: str, **more) -> dict:
        return {"scope": self.scope, "user": hashlib.sha256(user.encode("utf-8")).hexdigest(), "item": item,
                "ttl": self.ttl_sec, "now": self._clock() if self._clock else None, **more}

    def _one(self, statement: str, user: str, item: str):
        with self.db.cursor() as cur:
            return cur.execute(statement, self._args(user, item)).fetchone()

    def _count(self, statement: str, user: str, item: str, value: str, expected: str) -> int:
        with self.db.cursor() as cur:
            return cur.execute(statement, self._args(user, item, value=value, expected=expected)).rowcount

    def _put(self, user: str, item: str, value: str) -> None:
        args = self._args(user, item, value=value)
        with self.db.cursor() as cur:
            cur.execute(_PUT, args)
            self._puts += 1
            if self._puts % self.prune_every == 0:
                cur.execute(_PRUNE, args)
