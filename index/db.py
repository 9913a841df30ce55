"""PostgreSQL connections for the shared backends: lazy psycopg, pgvector types, URLs masked for logs."""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import unquote, urlsplit

from index.errors import DatabaseError, require

INSTALL_HINT = "run `make setup`, or `.venv/bin/pip install -r requirements.txt` (psycopg[binary], pgvector)"
_PASSWORD_IN_QUERY = re.compile(r"(?i)(\bpassword=)[^&\s]*")
# Without a bound, psycopg waits 130 s for an unreachable host, holding the shared connection's lock meanwhile.
CONNECT_TIMEOUT_SEC = 5
# A statement sent to a host that vanished (no reset) would wait for the kernel's TCP timeout, many minutes: keepalive
# probes find a silent peer within about 25 s, and tcp_user_timeout bounds data the peer never acknowledges. libpq
# applies them to TCP only (a unix socket fails at once anyway); a URL setting one of them keeps its own value.
TCP_BOUNDS = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
              "tcp_user_timeout": 30_000}


def mask_url(url: str) -> str:
    """A database URL fit for logs and error messages.

    Args:
        url: e.g. postgresql://user:secret@host:5432/db?sslmode=require.

    Returns:
        The URL with any password (in the user part or a password= parameter) replaced by ***.
    """
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return "<unparsable database URL>"
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        if ":" in user:
            url = url.replace(f"//{netloc}", f"//{user.split(':', 1)[0]}:***@{host}", 1)
    return _PASSWORD_IN_QUERY.sub(r"\1***", url)


def _scrub(text: str, url: str) -> str:
    """An error message with the URL's password removed, whatever the driver quoted."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    text = _PASSWORD_IN_QUERY.sub(r"\1***", text)
    for form in {password, unquote(password)} if password else ():
        text = text.replace(form, "***")
    return text


def lost(url: str, exc: Exception, what: str = "database") -> DatabaseError:
    """The DatabaseError for a statement the server could not run (it went away, or refused), password removed.

    Args:
        url: the database URL.
        exc: the driver's error.
        what: what failed, for the message.

    Returns:
        The error to raise (the caller raises it `from None`).
    """
    return DatabaseError(f"{what} {mask_url(url)}: {_scrub(str(exc).strip(), url)}",
                         hint="check that the server runs; the next call reconnects")


def connect(url: str, *, vectors: bool = False, timeout: int = CONNECT_TIMEOUT_SEC):
    """Open one autocommit connection.

    Args:
        url: a postgresql:// URL (libpq's syntax, e.g. ?host=/run/postgresql&options=-csearch_path%3Dqa).
        vectors: also create the pgvector extension if missing and register its type (numpy arrays in and out).
        timeout: seconds to wait for the server (libpq's minimum is 2); a connect_timeout in the URL wins.

    Returns:
        A psycopg Connection.

    Raises:
        DependencyMissing: psycopg (or pgvector, with vectors) is not installed.
        DatabaseError: the server cannot be reached, refuses the login, or lacks pgvector.
    """
    psycopg = require("psycopg", "psycopg[binary]")
    try:
        extra = {k: v for k, v in TCP_BOUNDS.items() if f"{k}=" not in url}
        if "connect_timeout=" not in url:
            extra["connect_timeout"] = timeout
        conn = psycopg.connect(url, autocommit=True, **extra)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to {mask_url(url)}: {_scrub(str(exc).strip(), url)}",
                            hint="check [database] url / QABOT_DATABASE_URL and that the server runs") from None
    if vectors:
        try:
            _enable_vectors(conn)
        except Exception:
            conn.close()
            raise
    return conn


def ping(url: str, timeout: int = 2) -> str:
    """Ask the server for `SELECT 1` on a connection of its own, for readiness checks.

    Args:
        url: a postgresql:// URL.
        timeout: seconds to wait for the connection (libpq's minimum, 2, by default).

    Returns:
        "" when the server answered, else why not (password removed), fit for logs.
    """
    try:
        with connect(url, timeout=timeout) as conn:
            conn.execute("SELECT 1").fetchone()
    except DatabaseError as exc:
        return str(exc)
    except Exception as exc:  # e.g. the server went away between connecting and answering
        return f"database {mask_url(url)}: {_scrub(str(exc).strip(), url)}"
    return ""


def _enable_vectors(conn) -> None:
    pg_psycopg = require("pgvector.psycopg", "pgvector")
    psycopg = require("psycopg", "psycopg[binary]")
    # Creating an extension needs rights an application role often lacks: only try when it is missing.
    have = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()
    try:
        if not have:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        pg_psycopg.register_vector(conn)
    except psycopg.Error as exc:
        raise DatabaseError(f"the pgvector extension is not available: {str(exc).strip()}",
                            hint="install pgvector on the server and run `CREATE EXTENSION vector` as its owner") \
            from None


POOL_SIZE = 4  # connections a part keeps per process: a slow statement of one thread does not hold up the others


class Database:
    """A small pool of connections, each reopened after the server dropped it; thread-safe.

    Statements from many threads (question log, feedback, retry claims, rate budgets) are short; each borrows a
    connection alone for its block, and up to `size` run at once. A broken connection is closed when given back,
    and the next borrower opens a new one.
    """

    def __init__(self, url: str, size: int = POOL_SIZE) -> None:
        """Args:
            url: a postgresql:// URL; connecting happens on first use.
            size: the most connections open at once (1: one connection, statements one after another).
        """
        self.url = url
        self.size = max(1, size)
        self._idle: list = []
        self._open = 0
        self._cond = threading.Condition()

    def __repr__(self) -> str:
        return f"Database({mask_url(self.url)!r})"

    def _borrow(self):
        with self._cond:
            while True:
                while self._idle:
                    conn = self._idle.pop()
                    if not (conn.closed or conn.broken):
                        return conn
                    self._open -= 1
                if self._open < self.size:
                    self._open += 1
                    break
                self._cond.wait()
        try:
            return connect(self.url)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def _give_back(self, conn) -> None:
        with self._cond:
            if conn.closed or conn.broken:
                conn.close()
                self._open -= 1
            else:
                self._idle.append(conn)
            self._cond.notify()

    @contextmanager
    def cursor(self, transaction: bool = False) -> Iterator:
        """Borrow a connection's cursor, alone.

        Args:
            transaction: run the block in one transaction (committed at its end, rolled back on an error).

        Yields:
            A psycopg cursor.

        Raises:
            DatabaseError: the server cannot be reached or the statement failed for a database reason.
        """
        psycopg = require("psycopg", "psycopg[binary]")
        conn = self._borrow()
        try:
            if transaction:
                with conn.transaction(), conn.cursor() as cur:
                    yield cur
            else:
                with conn.cursor() as cur:
                    yield cur
        except psycopg.OperationalError as exc:
            raise lost(self.url, exc) from None
        finally:
            self._give_back(conn)

    def ensure_schema(self, lock: int, *statements: str) -> None:
        """Create tables (CREATE ... IF NOT EXISTS, ALTER ... IF NOT EXISTS) once, whichever replica starts first.

        Args:
            lock: the advisory lock key of these tables: replicas starting together take turns, so no two run the
                same CREATE at once (which PostgreSQL can fail on a unique-constraint race).
            statements: what to run, in order, in one transaction.

        Raises:
            DatabaseError: the server cannot be reached.
        """
        with self.cursor(transaction=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
            for statement in statements:
                cur.execute(statement)

    def close(self) -> None:
        """Close the idle connections (one borrowed now is closed when given back; a later call opens new ones)."""
        with self._cond:
            for conn in self._idle:
                conn.close()
            self._open -= len(self._idle)
            self._idle.clear()
