"""One replica among many does a job alone while it holds a session-level PostgreSQL advisory lock."""
from __future__ import annotations

import logging
import os
import socket

from index.db import connect, mask_url
from index.errors import DatabaseError, require

log = logging.getLogger("bot.state.pgleader")

TELEGRAM_POLLING = 0x71AB07_10  # the lock of the one replica that calls Telegram's getUpdates
# A granted session lock on the key in pg_locks: a bigint key shows as its high half (classid) and low half (objid).
_GRANTED = ("l.locktype = 'advisory' AND l.granted AND l.classid = (%(key)s::bigint >> 32)::int::oid "
            "AND l.objid = (%(key)s::bigint & 4294967295)::oid AND l.objsubid = 1")


def replica_name() -> str:
    """Returns: this process as operators find it in the log and in pg_stat_activity, e.g. "web-2:4711"."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaderLock:
    """pg_try_advisory_lock on a connection of its own: held exactly as long as that session lives.

    A session-level lock (not a transaction's) is what lets the server release it by itself when the holder's
    process dies or its connection breaks: no lease to expire, no clock to trust. Not thread-safe; one caller.
    """

    def __init__(self, url: str, key: int, job: str) -> None:
        """Args:
            url: a postgresql:// URL.
            key: the advisory lock key of the job (a bigint).
            job: what the holder does, for the log and pg_stat_activity (e.g. "telegram polling").
        """
        self.url, self.key, self.job = url, key, job
        self.name = replica_name()
        self._conn = None

    def __repr__(self) -> str:
        return f"LeaderLock({self.job!r}, {mask_url(self.url)!r}, held={self.held})"

    @property
    def held(self) -> bool:
        """Whether this replica took the lock and has not seen its session end since."""
        return self._conn is not None

    def try_acquire(self) -> bool:
        """Take the lock if no other session holds it; never waits.

        Returns:
            True when this replica now holds it (or already did).

        Raises:
            DatabaseError: the server cannot be reached (nothing is held then).
        """
        if self._conn is not None:
            return True
        conn = connect(self.url)
        try:
            # Named in pg_stat_activity, so an operator (and the replicas that wait) can see who holds the job.
            conn.execute("SELECT set_config('application_name', %s, false)", (f"qabot {self.job} {self.name}",))
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]
        except Exception as exc:
            conn.close()
            raise DatabaseError(f"database {mask_url(self.url)}: cannot take the {self.job} lock: "
                                f"{type(exc).__name__}", hint="the next try reconnects") from None
        if not got:
            conn.close()  # a connection per waiting replica would sit idle on the server for nothing
            return False
        self._conn = conn
        return True

    def still_held(self) -> bool:
        """Ask the server whether this session still holds the lock (it may have been ended or restarted).

        Returns:
            False when the session is gone or lost the lock; the lock is then let go here too.
        """
        if self._conn is None:
            return False
        try:
            row = self._conn.execute(f"SELECT count(*) FROM pg_locks l WHERE {_GRANTED} AND l.pid = pg_backend_pid()",
                                     {"key": self.key}).fetchone()
        except Exception as exc:  # the connection broke: the server has released the lock, or soon will
            log.warning("the %s lock's connection failed: %s", self.job, type(exc).__name__)
            self.release()
            return False
        if not row[0]:
            self.release()
            return False
        return True

    def holder(self) -> str:
        """Returns: the application_name of the session holding the lock ("" when free or not visible)."""
        try:
            with connect(self.url) as conn:
                row = conn.execute("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                                   f"ON a.pid = l.pid WHERE {_GRANTED}", {"key": self.key}).fetchone()
        except Exception:  # only for a log line: the caller goes on without it
            return ""
        return row[0] if row else ""

    def release(self) -> None:
        """Let the lock go (closing the session releases it on the server); safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        psycopg = require("psycopg", "psycopg[binary]")
        try:
            conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        except psycopg.Error:  # already gone with its session
            pass
        finally:
            conn.close()
