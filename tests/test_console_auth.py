"""The staff console's login, session cookie and CSRF checks through the real app (no index needed)."""
from __future__ import annotations

import re
import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.app import create_app
from bot.channels import console
from bot.channels.console_auth import COOKIE, SESSION_SECONDS, ConsoleAuth
from bot.service import QAService
from bot.state.feedback import SQLiteFeedbackStore
from bot.state.ratelimit import TokenBucketLimiter
from tests.conftest import make_config

TOKEN = "console-test-token-7"
WRONG_PAGE = "令牌不正确或尝试次数过多"


@pytest.fixture
def app(tmp_path, monkeypatch):
    (tmp_path / "corpus").mkdir()
    config = make_config(tmp_path / "data", tmp_path / "corpus")
    store = SQLiteFeedbackStore(tmp_path / "feedback.sqlite")
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    yield create_app(config, QAService(config), feedback=store)  # the index is never loaded: no lifespan run
    store.close()


def client(app, https: bool = False) -> TestClient:
    return TestClient(app, base_url="https://testserver" if https else "http://testserver", follow_redirects=False)


def login(c: TestClient) -> str:
    resp = c.post("/admin/login", data={"token": TOKEN})
    assert resp.status_code == 303 and resp.headers["location"] == "/admin"
    return resp.headers["set-cookie"]


def csrf_of(c: TestClient) -> str:
    page = c.get("/admin")
    assert page.status_code == 200
    return re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page.text).group(1)


def test_without_a_token_there_is_no_console(tmp_path, monkeypatch):
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    config = make_config(tmp_path / "data")
    c = client(create_app(config, QAService(config), feedback=SQLiteFeedbackStore(":memory:")))
    assert c.get("/admin").status_code == 404
    assert c.post("/admin/login", data={"token": ""}).status_code == 404
    assert c.get("/admin/insight").status_code == 404


def test_login_gives_a_hardened_session_cookie_and_the_console(app):
    c = client(app)
    page = c.get("/admin")
    assert page.status_code == 200 and 'name="token"' in page.text and "csrf-token" not in page.text
    cookie = login(c)
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert f"Max-Age={SESSION_SECONDS}" in cookie and "Path=/admin" in cookie and "Secure" not in cookie
    console_page = c.get("/admin")
    assert "文档" in console_page.text and console_page.headers["cache-control"] == "no-store"
    assert c.get("/admin/status").status_code == 200  # the session opens the JSON API for reading
    assert "Secure" in login(client(app, https=True))


def test_a_wrong_token_is_answered_slowly_and_the_same_whatever_was_wrong(app):
    c = client(app)
    answers = []
    for kwargs in ({"data": {"token": TOKEN + "x"}}, {"data": {"token": ""}}, {"data": {}},
                   {"content": b"\xff\xfe garbage", "headers": {"content-type": "application/x-www-form-urlencoded"}},
                   {"json": {"token": TOKEN}}, {"data": {"token": "x" * 5000}}):
        start = time.monotonic()
        resp = c.post("/admin/login", **kwargs)
        assert time.monotonic() - start >= console.LOGIN_DELAY_SEC
        answers.append((resp.status_code, resp.text, "set-cookie" in resp.headers))
    assert answers[0][0] == 401 and WRONG_PAGE in answers[0][1] and not answers[0][2]
    assert all(a == answers[0] for a in answers)


def test_too_many_tries_from_one_address_are_refused_even_with_the_right_token(tmp_path):
    config = make_config(tmp_path / "data")
    page = console.Console(config, QAService(config), SQLiteFeedbackStore(":memory:"), TOKEN,
                           attempts=TokenBucketLimiter(2, 0.0001))
    c = TestClient(Starlette(routes=page.routes()), follow_redirects=False)
    assert c.post("/admin/login", data={"token": "guess-1"}).status_code == 401
    assert c.post("/admin/login", data={"token": TOKEN}).status_code == 303
    refused = c.post("/admin/login", data={"token": TOKEN})
    assert refused.status_code == 401 and WRONG_PAGE in refused.text and "set-cookie" not in refused.headers


def test_a_forged_or_expired_cookie_is_refused(app):
    c = client(app)
    value = login(c).split(";")[0].split("=", 1)[1]
    sid, expires, signature = value.split(".")
    forged = [f"{sid}.{int(expires) + 86400}.{signature}",            # a longer life, same signature
              f"{'0' * len(sid)}.{expires}.{signature}",             # another session id
              ConsoleAuth("another-token").issue(),                  # signed with another key
              "garbage", ""]
    expired = ConsoleAuth(TOKEN).issue(now=time.time() - SESSION_SECONDS - 1)
    for bad in [*forged, expired]:
        other = client(app)
        other.cookies.set(COOKIE, bad)
        assert "csrf-token" not in other.get("/admin").text, bad
        assert other.get("/admin/status").status_code == 401, bad
    stale = client(app)
    stale.cookies.set(COOKIE, expired)
    assert "登录已过期" in stale.get("/admin").text


def test_every_change_needs_the_sessions_csrf_token(app):
    c = client(app)
    login(c)
    token = csrf_of(c)
    assert c.post("/admin/reload").status_code == 401                                   # none
    assert c.post("/admin/reload", headers={"X-CSRF-Token": "0" * 64}).status_code == 401  # not this session's
    other = client(app)
    login(other)
    assert c.post("/admin/reload", headers={"X-CSRF-Token": csrf_of(other)}).status_code == 401  # another session's
    assert c.post("/admin/hit-test", json={"question": "x"}).status_code == 401
    assert c.delete("/admin/documents/nothing").status_code == 401
    ok = c.post("/admin/reload", headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.json()["reloaded"] is False
    assert c.delete("/admin/documents/nothing", headers={"X-CSRF-Token": token}).status_code == 404


def test_logout_needs_the_csrf_token_and_ends_the_session(app):
    c = client(app)
    login(c)
    token = csrf_of(c)
    refused = c.post("/admin/logout", data={"csrf": "nope"})
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
    done = c.post("/admin/logout", data={"csrf": token})
    assert done.status_code == 303 and "Max-Age=0" in done.headers["set-cookie"]
    assert "csrf-token" not in c.get("/admin").text


def test_scripts_keep_the_bearer_token_and_never_need_csrf(app):
    c = client(app)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert c.get("/admin/status", headers=auth).status_code == 200
    assert c.post("/admin/reload", headers=auth).status_code == 200
    assert c.get("/admin/status").status_code == 401
    assert c.get("/admin/static/console.js").status_code == 200  # the page's own files hold no secret
    assert c.get("/admin/static/console.html").status_code == 404  # its templates are not files to fetch
