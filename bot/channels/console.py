"""The staff console at /admin: login, the page, logout, its files, and the admin API opened to its session."""
from __future__ import annotations

import html
import os
from pathlib import Path
from urllib.parse import parse_qs

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.admin import AdminChannel
from bot.channels.console_auth import COOKIE, CSRF_HEADER, LOGIN_DELAY_SEC, ConsoleAuth
from bot.channels.console_data import ConsoleData
from bot.channels.jsonapi import client_key
from bot.state.ratelimit import RateLimiter, TokenBucketLimiter

STATIC_DIR = Path(__file__).resolve().parent / "console_static"
_MAX_FORM_BYTES = 4096
_WRONG = "令牌不正确或尝试次数过多，请稍后再试。"
LOGIN_TRIES, LOGIN_REFILL_PER_SEC = 10, 1 / 60  # per client address: 10 at once, then one a minute
_EXPIRED = "登录已过期，请重新登录。"


def routes(config, service, feedback, token: str | None = None) -> list[BaseRoute]:
    """The console and the admin API, or none at all (so /admin answers 404) when no admin token is configured.

    Args:
        config: the program Config.
        service: the QAService.
        feedback: the SQLiteFeedbackStore (question log and ratings).
        token: the admin token (default: $ADMIN_TOKEN).

    Returns:
        The routes.
    """
    token = os.environ.get("ADMIN_TOKEN", "") if token is None else token
    if not token.strip():
        return []
    return Console(config, service, feedback, token).routes()


class Console:
    """The console's handlers; its session opens the admin API too, with a CSRF token on every change.

    Args:
        config: the program Config.
        service: the QAService.
        feedback: the question log.
        token: the admin token (the login password and the session key's source).
        attempts: the limit on login tries per client address (default: LOGIN_TRIES, then one a minute).
    """

    def __init__(self, config, service, feedback, token: str, attempts: RateLimiter | None = None) -> None:
        self.auth = ConsoleAuth(token)
        self.attempts = attempts if attempts is not None else TokenBucketLimiter(LOGIN_TRIES, LOGIN_REFILL_PER_SEC)
        self.admin = AdminChannel(config, service, token, session_ok=self.session_ok)
        self.data = ConsoleData(service, feedback)

    def routes(self) -> list[BaseRoute]:
        """Returns: /admin (page), /admin/login, /admin/logout, /admin/static, the data endpoints, the admin API."""
        guard = self.admin.guard
        return [
            Route("/admin", self.page, methods=["GET"]),
            Route("/admin/login", self.login, methods=["POST"]),
            Route("/admin/logout", self.logout, methods=["POST"]),
            Route("/admin/insight", guard(self.data.insight), methods=["GET"]),
            Route("/admin/questions.csv", guard(self.data.questions_csv), methods=["GET"]),
            Route("/admin/hit-test", guard(self.data.hit_test), methods=["POST"]),
            Route("/admin/static/console.css", _asset("console.css", "text/css"), methods=["GET"]),
            Route("/admin/static/console.js", _asset("console.js", "text/javascript"), methods=["GET"]),
            *self.admin.routes(),
        ]

    def session_ok(self, request: Request) -> bool:
        """Args: request: an admin API request.

        Returns:
            True when it carries a live session cookie and, unless it only reads (GET), the session's CSRF token.
        """
        session = self.auth.verify(request.cookies.get(COOKIE))
        if session is None:
            return False
        return request.method in ("GET", "HEAD") or self.auth.csrf_ok(session, request.headers.get(CSRF_HEADER))

    async def page(self, request: Request) -> Response:
        """GET /admin: the console for a live session, else the login form."""
        session = self.auth.verify(request.cookies.get(COOKIE))
        if session is None:
            notice = _EXPIRED if COOKIE in request.cookies else ""
            return _login_page(notice, 200)
        text = (STATIC_DIR / "console.html").read_text(encoding="utf-8")
        return _html(text.replace("{{csrf}}", html.escape(session.csrf)), 200)

    async def login(self, request: Request) -> Response:
        """POST /admin/login (form field `token`): a session cookie and back to /admin, or the same refusal."""
        given = await _form_field(request, "token")
        allowed = self.attempts.check(f"console-login:{client_key(request)}").allowed
        if not (allowed and self.auth.token_matches(given)):
            # The same slow answer for a wrong, empty, oversized or malformed token, or one try too many: the
            # delay makes guessing slow one request at a time, the limit makes it slow many requests at once.
            await anyio.sleep(LOGIN_DELAY_SEC)
            return _login_page(_WRONG, 401)
        response = RedirectResponse("/admin", status_code=303)
        response.headers.append("set-cookie", self.auth.cookie_header(self.auth.issue(), _secure(request)))
        return response

    async def logout(self, request: Request) -> Response:
        """POST /admin/logout (form field `csrf`): the cookie cleared, back to the login form."""
        session = self.auth.verify(request.cookies.get(COOKIE))
        if session is None or not self.auth.csrf_ok(session, await _form_field(request, "csrf")):
            return _login_page(_EXPIRED, 403)
        response = RedirectResponse("/admin", status_code=303)
        response.headers.append("set-cookie", self.auth.cookie_header("", _secure(request)))
        return response


async def _form_field(request: Request, name: str) -> str | None:
    # A small urlencoded form read by hand: no multipart parser for a password field, and a size cap.
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            return None
    try:
        values = parse_qs(body.decode("utf-8"), strict_parsing=False).get(name)
    except (UnicodeDecodeError, ValueError):
        return None
    return values[0] if values and len(values) == 1 else None


def _asset(name: str, media_type: str):
    # Only the page's two files are served: the folder also holds the HTML templates.
    async def serve(request: Request) -> Response:
        return FileResponse(STATIC_DIR / name, media_type=f"{media_type}; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    return serve


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(notice: str, status: int) -> Response:
    text = (STATIC_DIR / "login.html").read_text(encoding="utf-8")
    block = f'<p class="notice" role="alert">{html.escape(notice)}</p>' if notice else ""
    return _html(text.replace("{{notice}}", block), status)


def _html(text: str, status: int) -> Response:
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})
