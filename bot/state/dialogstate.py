"""A WeChat user's conversation state ("更多", "原文", an owed answer): one contract, in memory or in PostgreSQL."""
from __future__ import annotations

import copy
import time
from typing import Any, Callable, Protocol

from bot.state.dedup import TTLMap

STATE_TTL_SEC = 3600  # how long "更多", "原文" and an owed answer stay available to a user


class DialogState(Protocol):
    """Small per-user values that expire `ttl_sec` after they were put.

    Items the dialog keeps (bot/channels/wechat_dialog.py): "pages" (the pages of the last reply not yet sent),
    "source" (the source passage of the last answer, rendered), "owed" ({"key": MsgId, "text": reply or None} of
    an answer that missed WeChat's deadline). Values are JSON-able; a caller gets its own copy.
    """

    async def get(self, user: str, item: str) -> Any:
        """Returns: the live value, or None."""

    async def put(self, user: str, item: str, value: Any) -> None:
        """Store `value`, restarting its lifetime."""

    async def take(self, user: str, item: str) -> Any:
        """Remove and return the live value, or None; of two takes at once, only one gets it."""

    async def put_if(self, user: str, item: str, expected: Any, value: Any) -> bool:
        """Replace the live value by `value` only while it equals `expected` (keeping its expiry).

        Returns:
            True when replaced.
        """

    def close(self) -> None:
        """Let go of what it holds (a database connection)."""


class MemoryDialogState:
    """DialogState in this process's memory: one TTLMap. One event loop only (TTLMap is not thread-safe)."""

    def __init__(self, ttl_sec: float = STATE_TTL_SEC, max_entries: int = 30_000, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Args:
            ttl_sec: lifetime of a value.
            max_entries: the most (user, item) values kept; the oldest go first.
            clock: monotonic seconds; injectable so tests can move time.
        """
        self._values: TTLMap = TTLMap(ttl_sec, max_entries, clock=clock)

    async def get(self, user: str, item: str) -> Any:
        return copy.deepcopy(self._values.get((user, item)))

    async def put(self, user: str, item: str, value: Any) -> None:
        self._values.set((user, item), copy.deepcopy(value))

    async def take(self, user: str, item: str) -> Any:
        return self._values.pop((user, item))

    async def put_if(self, user: str, item: str, expected: Any, value: Any) -> bool:
        if expected is None or self._values.get((user, item)) != expected:
            return False
        return self._values.replace((user, item), copy.deepcopy(value))

    def close(self) -> None:
        pass


def open_dialog_state(config, scope: str) -> DialogState:
    """The conversation state the settings choose: shared in PostgreSQL when [database] url is set.

    Args:
        config: the program Config.
        scope: the channel ("wechat", "wecom"): their user ids are separate namespaces.

    Returns:
        A PgDialogState (bot/state/pgdialog.py) or a MemoryDialogState.
    """
    if not config.database.url:
        return MemoryDialogState()
    from bot.state.pgdialog import PgDialogState

    return PgDialogState(config.database.url, scope)
