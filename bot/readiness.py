"""Whether the shared database answers, for /readyz: one short probe a second at most, whoever asks."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from index.db import mask_url, ping

log = logging.getLogger(__name__)


class DatabaseCheck:
    """A cached `SELECT 1` on the [database] url; thread-safe.

    A load balancer may poll /readyz many times a second on every replica: the answer is reused for `cache_sec`,
    and callers arriving while a probe runs wait for it instead of starting their own.
    """

    def __init__(self, url: str, *, timeout: int = 2, cache_sec: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Args:
            url: the [database] url.
            timeout: seconds a probe waits for the server (libpq's minimum is 2).
            cache_sec: how long one probe's answer is reused.
            clock: seconds, for tests that move time.
        """
        self.url = url
        self.timeout = timeout
        self.cache_sec = cache_sec
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._problem = ""

    def problem(self) -> str:
        """Probe the database unless a recent answer is at hand.

        Returns:
            "" when the database answered, else why not (no password); a change is logged once.
        """
        with self._lock:
            now = self._clock()
            if self._checked_at is None or now - self._checked_at >= self.cache_sec:
                found = ping(self.url, self.timeout)
                if found and found != self._problem:
                    log.error("database not ready: %s", found)
                elif not found and self._problem:
                    log.info("database %s answers again", mask_url(self.url))
                self._problem = found
                self._checked_at = self._clock()  # after the probe: a slow failure is not retried at once
            return self._problem
