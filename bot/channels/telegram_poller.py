"""Long polling from one replica only: getUpdates runs while this replica holds the shared polling lock."""
from __future__ import annotations

import asyncio
import logging

from index.errors import DatabaseError

log = logging.getLogger("bot.channels.telegram")


class SinglePoller:
    """Takes turns with the other replicas: polls while holding the lock, else retries every `every` seconds.

    Telegram answers a second concurrent getUpdates reader with 409 Conflict, and the two would split the
    updates; the lock (bot/state/pgleader.py) makes one replica the reader. When its process dies, PostgreSQL ends its
    session, the lock is free, and the next retry of another replica takes over.
    """

    def __init__(self, updater, lock, every: float, allowed_updates: list[str]) -> None:
        """Args:
            updater: the Application's Updater (start_polling / stop).
            lock: a LeaderLock (bot/state/pgleader.py).
            every: seconds between tries to take the lock, and between checks that the holder still has it.
            allowed_updates: passed to start_polling.
        """
        self.updater, self.lock, self.every = updater, lock, every
        self.allowed_updates = allowed_updates
        self._task: asyncio.Task | None = None
        self._said_waiting = False

    @property
    def polling(self) -> bool:
        """Whether this replica is the one calling getUpdates now."""
        return bool(self.updater.running)

    def start(self) -> None:
        """Begin taking turns in the running event loop (returns at once)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="telegram single poller")

    async def stop(self) -> None:
        """Stop polling and let the lock go, so another replica takes over at its next try."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        await self._stop_polling()
        await asyncio.to_thread(self.lock.release)

    async def _run(self) -> None:
        while True:
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad turn (network, Bot API) must not end the loop: log, try again
                log.error("telegram polling turn failed: %s: %s", type(exc).__name__, exc)
                await self._stop_polling()
                await asyncio.to_thread(self.lock.release)
            await asyncio.sleep(self.every)

    async def _step(self) -> None:
        if self.lock.held:
            if not await asyncio.to_thread(self.lock.still_held):
                # The session ended (database restarted, connection cut): another replica may poll already.
                await self._stop_polling()
                log.warning("telegram polling stopped on this replica (%s): its database session ended and with "
                            "it the polling lock", self.lock.name)
            return
        try:
            got = await asyncio.to_thread(self.lock.try_acquire)
        except DatabaseError as exc:
            if not self._said_waiting:
                log.warning("telegram polling waits for the database: %s", exc)
                self._said_waiting = True
            return
        if not got:
            if not self._said_waiting:
                holder = await asyncio.to_thread(self.lock.holder)
                log.info("telegram polling is on another replica (%s); this replica (%s) serves HTTP and tries to "
                         "take over every %g s", holder or "holder not visible", self.lock.name, self.every)
                self._said_waiting = True
            return
        self._said_waiting = False
        await self.updater.start_polling(allowed_updates=self.allowed_updates)
        log.info("telegram polling on this replica (%s): it holds the polling lock", self.lock.name)

    async def _stop_polling(self) -> None:
        if self.updater.running:
            await self.updater.stop()


async def run_until_signal(channel) -> int:
    """Run a TelegramChannel until SIGINT or SIGTERM (`python -m bot telegram` beside replicas).

    Args:
        channel: a TelegramChannel, not started.

    Returns:
        The exit status (0).
    """
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await channel.start()
    try:
        await stop.wait()
    finally:
        await channel.stop()
    return 0
