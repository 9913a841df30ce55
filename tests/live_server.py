"""A real uvicorn server on a free loopback port, in a background thread, for API and browser tests."""
from __future__ import annotations

import threading
import time

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
