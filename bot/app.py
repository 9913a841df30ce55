"""One ASGI app that mounts the channels (HTTP API and web chat, plus chat-platform webhooks)."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Sequence

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.channels.http import HttpChannel
from bot.channels.jsonapi import ApiError, error_response
from bot.state.feedback import FeedbackStore, open_feedback_store
from bot.state.ratelimit import RateLimiter, open_rate_limiter

log = logging.getLogger("bot.app")

_NOT_FOUND_PAGE = ('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>页面不存在</title>'
                   '<p>页面不存在。<a href="/">返回问答页面</a></p></html>')


def channel_routes(config, service, *, feedback: FeedbackStore, limiter: RateLimiter) -> list[BaseRoute]:
    """Routes of the chat-platform channels served beside the HTTP API (webhooks).

    Add a channel here with one line, e.g. `routes += wechat.routes(config, service, feedback=feedback)`.

    Args:
        config: the program Config.
        service: the QAService.
        feedback: the shared feedback store / question log.
        limiter: the shared rate limiter.

    Returns:
        The routes.
    """
    from bot.channels import console, wechat

    routes: list[BaseRoute] = []
    routes += wechat.routes(config, service, feedback=feedback)  # /wechat, /wecom when their secrets are set
    routes += console.routes(config, service, feedback)  # /admin and its API when ADMIN_TOKEN is set
    return routes


def create_app(config, service, *, feedback: FeedbackStore | None = None, limiter: RateLimiter | None = None,
               extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """Build the ASGI application.

    Args:
        config: the program Config.
        service: the QAService; if it is not loaded yet, it is loaded in the background at start-up
            (/healthz answers meanwhile, /readyz says 503).
        feedback: the feedback store (default: open_feedback_store(config), closed at shutdown).
        limiter: the rate limiter (default: open_rate_limiter with the [server] limits: shared when [database] url
            is set, else a token bucket in this process).
        extra_routes: more routes, mounted after the channels' (e.g. for tests or a deployment's additions).

    Returns:
        The Starlette app; app.state holds service, feedback, limiter and http (the HttpChannel).
    """
    own_store = feedback is None
    feedback = feedback if feedback is not None else open_feedback_store(config)
    own_limiter = limiter is None
    limiter = limiter if limiter is not None else open_rate_limiter(config, config.server, "server")
    http = HttpChannel(config, service, feedback, limiter)
    from bot.channels import telegram

    tg = telegram.channel_from_env(config, service, feedback)  # None unless TELEGRAM_BOT_TOKEN is set
    routes = [*http.routes(), *channel_routes(config, service, feedback=feedback, limiter=limiter),
              *(tg.routes() if tg else []), *extra_routes]

    shared = _shared_versions(config)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        async with anyio.create_task_group() as tasks:
            if not service.ready:
                tasks.start_soon(_load, http)
            if config.server.reload_poll_sec > 0:
                tasks.start_soon(_poll_reload, service, config.server.reload_poll_sec, shared)
            if tg is not None:
                await tg.try_start()  # polling, or the webhook; a failure is logged and the web keeps serving
            yield
            if tg is not None:
                await tg.stop()
            tasks.cancel_scope.cancel()
        if shared is not None:
            shared.close()
        if own_store:
            feedback.close()
        if own_limiter and hasattr(limiter, "close"):  # the shared limiter holds a database connection
            limiter.close()

    origins = list(config.server.allowed_origins)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, frame_ancestors=origins), Middleware(ApiCors, origins=origins)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.service, app.state.feedback, app.state.limiter, app.state.http = service, feedback, limiter, http
    return app


async def _load(http: HttpChannel) -> None:
    try:
        await anyio.to_thread.run_sync(http.service.load, abandon_on_cancel=True)
        log.info("index loaded at start-up")
    except Exception as exc:  # reported by /readyz; the process stays up for the operator to see it
        http.load_error = exc
        log.error("could not load the index: %s", exc)


def _shared_versions(config):
    """The index versions every replica serves (index/versioning/pgversions.py), or None without [database] url."""
    if not config.database.url:
        return None
    from index.versioning.pgversions import SharedVersions
    from index.versioning.versions import VersionStore

    return SharedVersions(config.database.url, VersionStore(config.index_dir, keep=config.index.keep_versions))


async def _poll_reload(service, every: float, shared=None) -> None:
    last_error = ""
    while True:
        await anyio.sleep(every)
        try:
            if shared is not None:  # another replica's staff change: download it, then reload below
                await anyio.to_thread.run_sync(shared.pull, abandon_on_cancel=True)
            if await anyio.to_thread.run_sync(service.reload_if_changed, abandon_on_cancel=True):
                log.info("switched to a new index version", extra={"version": service.status().get("version")})
            last_error = ""
        except Exception as exc:  # a broken new version: keep serving the old one, say so once
            if str(exc) != last_error:
                log.error("new index version not loaded, the current one keeps serving: %s", exc)
            last_error = str(exc)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


async def _api_error(request: Request, exc: ApiError) -> Response:
    return exc.response()


async def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "not_found")
    if exc.status_code in (404, 405) and _wants_json(request):
        return error_response(exc.status_code, code, headers=exc.headers)
    if exc.status_code == 404:
        return HTMLResponse(_NOT_FOUND_PAGE, status_code=404)
    return Response(str(exc.detail), status_code=exc.status_code, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    # The traceback goes to the server log (Starlette re-raises to uvicorn, which logs it); the user gets no details.
    return error_response(500, "internal")


class ApiCors:
    """CORS for /api/* only, from the configured origins; the pages and webhooks get no CORS headers."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "POST"],
                                   allow_headers=["Content-Type"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds a strict Content-Security-Policy and related headers to every response.

    Scripts and styles come only from this server, so injected markup could not run even if it reached the
    page; frame-ancestors lets the widget's iframe appear only on the configured origins.
    """

    def __init__(self, app: ASGIApp, frame_ancestors: list[str]) -> None:
        self.app = app
        ancestors = "*" if "*" in frame_ancestors else " ".join(["'self'", *frame_ancestors])
        csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               f"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
               f"frame-ancestors {ancestors}")
        self.headers = [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"strict-origin-when-cross-origin")]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
