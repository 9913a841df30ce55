"""`python -m bot serve`: load the index, warm the model, then serve the ASGI app with uvicorn."""
from __future__ import annotations

import errno
import socket
import time

from index.errors import QABotError


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind a listening TCP socket before the server starts, so a busy port is reported plainly.

    Args:
        host: address to listen on (IPv4 or IPv6 literal, or a name).
        port: TCP port; 0 picks a free one.

    Returns:
        The bound socket (uvicorn starts listening on it).

    Raises:
        QABotError: the address cannot be bound (in use, not permitted, unknown host).
    """
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise QABotError(f"无法解析监听地址 {host}：{exc}", hint="check [server] host or --host") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        # Listening at once: a client that connects when the address is printed waits in the backlog instead of
        # being refused while the server starts.
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "端口已被占用" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise QABotError(f"无法在 {host}:{port} 上监听：{reason}",
                         hint="stop the other server, or choose another port with --port") from None
    sock.set_inheritable(True)
    return sock


def make_server(app, sock: socket.socket, *, access_log: bool = False):
    """Build a uvicorn Server for `app` on an already bound socket.

    Args:
        app: the ASGI app.
        sock: from bind_socket.
        access_log: log every request (the service already logs every question).

    Returns:
        The uvicorn.Server; call .run(sockets=[sock]).
    """
    import uvicorn

    host, port = sock.getsockname()[:2]
    # log_config=None keeps the program's own (JSON) logging instead of uvicorn's.
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None, access_log=access_log,
                                         timeout_graceful_shutdown=5, server_header=False))


def address(sock: socket.socket) -> str:
    """Args:
        sock: a bound socket.

    Returns:
        Its base URL, e.g. http://127.0.0.1:8000.
    """
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def main(config, host: str | None = None, port: int | None = None) -> int:
    """Load the index once, warm the model, and serve until interrupted.

    Args:
        config: the program Config ([server] host and port are the defaults).
        host: overrides config.server.host.
        port: overrides config.server.port.

    Returns:
        The exit status (0).

    Raises:
        QABotError: the index cannot be loaded (IndexMissing, ...), or the address cannot be bound.
    """
    from bot.app import create_app
    from bot.service import QAService
    from bot.state.feedback import open_feedback_store

    host = host or config.server.host
    port = config.server.port if port is None else port
    sock = bind_socket(host, port)  # first: a busy port should not cost a model load to find out
    try:
        print("正在加载资料库和模型……", flush=True)
        started = time.monotonic()
        service = QAService(config)
        service.load()
        status = service.status()
        print(f"资料库已就绪：版本 {status['version']}，{status['documents']} 份文档，{status['passages']} 段，"
              f"用时 {time.monotonic() - started:.1f} 秒", flush=True)
        feedback = open_feedback_store(config)
        app = create_app(config, service, feedback=feedback)
        server = make_server(app, sock, access_log=False)
        url = address(sock)
        print(f"问答机器人已启动：{url}/  （网页聊天 {url}/ ，嵌入脚本 {url}/widget.js ，"
              f"API 说明 {url}/openapi.json ；按 Ctrl+C 停止）", flush=True)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its graceful shutdown: a normal stop
            pass
        feedback.close()
        print("问答机器人已停止。", flush=True)
    finally:
        sock.close()
    return 0
