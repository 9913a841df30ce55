"""Real servers on free loopback ports for API and browser tests: uvicorn in a thread, or a `bot serve` process."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bot.serve import address, bind_socket, make_server


class LiveServer:
    """Serves an ASGI app on 127.0.0.1:<free port> until stopped; use as a context manager.

    Attributes:
        url: the base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
        app: the app being served.
    """

    def __init__(self, app, host: str = "127.0.0.1") -> None:
        self.app = app
        self._sock = bind_socket(host, 0)
        self.url = address(self._sock)
        self._server = make_server(app, self._sock)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name=f"uvicorn {self.url}", daemon=True)

    def start(self, timeout: float = 30.0) -> "LiveServer":
        """Start serving and wait until the server accepts connections (lifespan done).

        Args:
            timeout: seconds to wait for start-up.

        Returns:
            self.
        """
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"test server at {self.url} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Ask the server to exit and wait for its thread."""
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ServerProcess:
    """`python -m bot serve` in a process of its own on a free loopback port: a replica a test may kill.

    Attributes:
        url: the base URL, once started.
        proc: the Popen.
    """

    def __init__(self, env: dict, log_path, cwd) -> None:
        """Args:
            env: the process environment (QABOT_CONFIG, QABOT_PATHS_*, QABOT_DATABASE_URL, ...).
            log_path: where the server's log goes (shown when a test fails).
            cwd: the project folder.
        """
        self.log_path = log_path
        with open(log_path, "w", encoding="utf-8") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0"],
                                         cwd=cwd, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                                         stderr=err, text=True)
        self.url = ""

    def said(self) -> str:
        """Returns: the end of the server's log, for a failure message."""
        return Path(self.log_path).read_text(encoding="utf-8")[-3000:]

    def start(self, timeout: float = 300.0) -> "ServerProcess":
        """Wait for the printed address, then until /readyz answers 200.

        Args:
            timeout: seconds for the model to load (generous: a shared machine may be slow).

        Returns:
            self.

        Raises:
            RuntimeError: the server exited, never printed its address, or never became ready.
        """
        for line in self.proc.stdout:
            found = re.search(r"http://127\.0\.0\.1:\d+", line)
            if found:
                self.url = found.group(0)
                break
        if not self.url:
            raise RuntimeError(f"the server never printed its address: {self.said()}")
        deadline = time.monotonic() + timeout
        while httpx.get(f"{self.url}/readyz", timeout=30).status_code != 200:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {self.url} never became ready: {self.said()}")
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as on a crashed machine (no shutdown, no goodbye to the database)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
