"""Staff console sessions: signed expiring cookies, CSRF tokens tied to them, the login check."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

COOKIE = "qabot_console"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 8 * 3600
LOGIN_DELAY_SEC = 1.0  # every failed login waits this long, whatever was wrong, so timing tells nothing
_MAX_TOKEN_CHARS = 1024


@dataclass(frozen=True)
class Session:
    """A verified console session.

    Attributes:
        sid: the session's random id.
        expires: when it ends (Unix seconds).
        csrf: the token every state-changing request of this session must carry.
    """

    sid: str
    expires: int
    csrf: str


class ConsoleAuth:
    """Issues and checks console sessions; the signing key is derived from the admin token.

    Deriving the key from the token means changing ADMIN_TOKEN logs every console session out, and no
    other secret has to be stored.

    Args:
        token: the admin token.
        ttl: how long a session lasts, in seconds.
    """

    def __init__(self, token: str, ttl: int = SESSION_SECONDS) -> None:
        self._token = token.encode("utf-8")
        self._key = hmac.new(self._token, b"qabot console session v1", hashlib.sha256).digest()
        self.ttl = ttl

    def token_matches(self, given: str | None) -> bool:
        """Args: given: what the login form or header carried (None when absent). Returns: True when it is the token."""
        if not isinstance(given, str) or len(given) > _MAX_TOKEN_CHARS:
            given = ""
        # Compared in constant time, so how much of it was right does not show in the timing.
        return hmac.compare_digest(given.strip().encode("utf-8"), self._token) and bool(self._token)

    def issue(self, now: float | None = None) -> str:
        """Start a session.

        Args:
            now: the current time (Unix seconds; default: the clock).

        Returns:
            The cookie value: "<sid>.<expires>.<signature>".
        """
        expires = int((time.time() if now is None else now) + self.ttl)
        body = f"{secrets.token_hex(16)}.{expires}"
        return f"{body}.{self._sign(body)}"

    def verify(self, cookie: str | None, now: float | None = None) -> Session | None:
        """Check a session cookie.

        Args:
            cookie: the cookie's value (None when absent).
            now: the current time (default: the clock).

        Returns:
            The Session, or None when the cookie is missing, malformed, forged or expired.
        """
        parts = (cookie or "").split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        sid, expires, signature = parts
        if not hmac.compare_digest(signature.encode(), self._sign(f"{sid}.{expires}").encode()):
            return None
        if int(expires) <= (time.time() if now is None else now):
            return None
        return Session(sid, int(expires), self._sign(f"csrf:{sid}"))

    def csrf_ok(self, session: Session, given: str | None) -> bool:
        """Args: session: a verified session; given: the CSRF token the request carried. Returns: True if it is this session's."""
        return isinstance(given, str) and hmac.compare_digest(given.encode("utf-8"), session.csrf.encode())

    def cookie_header(self, value: str, secure: bool) -> str:
        """Args: value: from issue() ("" to clear it); secure: the request came over https.

        Returns:
            The Set-Cookie header value: HttpOnly, SameSite=Strict, Path=/admin, Secure over https.
        """
        age = self.ttl if value else 0
        flags = f"{COOKIE}={value}; Path=/admin; Max-Age={age}; HttpOnly; SameSite=Strict"
        return flags + ("; Secure" if secure else "")

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()
