"""The web chat and the embeddable widget in real headless Chromium, against the real server and index."""
from __future__ import annotations

import dataclasses
import functools
import http.server
import re
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.app import create_app
from bot.state.feedback import SQLiteFeedbackStore
from bot.state.ratelimit import TokenBucketLimiter
from tests.conftest import ROOT
from tests.live_server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "李沧区民营社区卫生服务机构占比是多少？"
OUT_OF_SCOPE = "明天青岛天气怎么样？"
XSS = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` or `apt-get install chromium` installs it)"),
]


class StaticSite:
    """A plain static web server on another loopback port: a government page that embeds the widget."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = StaticSite(tmp_path_factory.mktemp("gov-site"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = SQLiteFeedbackStore(tmp_path_factory.mktemp("web-state") / "feedback.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="module")
def server(built_config, service, store, site):
    # The government site's origin is the one page allowed to embed the chat (besides the bot itself).
    config = built_config.replace(server=dataclasses.replace(built_config.server, allowed_origins=(site.origin,)))
    app = create_app(config, service, feedback=store, limiter=TokenBucketLimiter(100_000, 1000.0))
    with LiveServer(app) as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser, server):
    """A page on a 360-px-wide phone screen, with console errors collected."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.errors = []
    page.dialogs = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server.url + "/")
    page.wait_for_selector(".welcome")
    yield page
    context.close()


def ask(page, question: str, *, keyboard: bool = False) -> dict:
    """Type a question, send it, wait for the reply bubble; returns the API's JSON answer."""
    replies = page.locator(".msg.bot").count()
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
        if keyboard:
            page.keyboard.type(question)
            page.keyboard.press("Enter")
        else:
            page.fill("#q", question)
            page.press("#q", "Enter")
    page.wait_for_function("n => document.querySelectorAll('.msg.bot:not(:has(.typing-bubble))').length > n",
                           arg=replies)
    return response.value.json()


def watch_typing_indicator(page) -> None:
    page.evaluate("""() => {
        window.__sawTyping = false;
        new MutationObserver(() => {
            if (document.querySelector('.typing-bubble')) window.__sawTyping = true;
        }).observe(document.getElementById('log'), {childList: true, subtree: true});
    }""")


def test_answer_with_case_source_and_thumbs_up_stored(phone, store):
    watch_typing_indicator(phone)
    data = ask(phone, QUESTION)
    assert phone.evaluate("window.__sawTyping") is True
    bubble = phone.locator(".msg.bot .bubble.answered").last
    text = bubble.inner_text()
    assert "92%" in text
    case = data["sources"][0]["case"].strip("《》")
    assert case and case in bubble.locator(".case-name").inner_text()

    source = bubble.locator(".source-text")
    assert not source.is_visible()  # folded until asked for
    bubble.locator(".source summary").click()
    assert source.is_visible() and source.inner_text() == data["sources"][0]["text"]

    bubble.locator(".rate-up").click()
    bubble.locator(".rate-done").wait_for()
    assert bubble.locator(".rate-up").get_attribute("aria-pressed") == "true"
    with sqlite3.connect(store.path) as db:
        rows = db.execute("SELECT rating, question FROM feedback WHERE answer_id = ?", (data["answer_id"],)).fetchall()
    assert rows == [("up", QUESTION)]

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    phone.screenshot(path=str(ARTIFACTS / "web-answer-360px.png"))
    assert phone.errors == []


def test_out_of_scope_question_shows_the_no_answer_notice(phone):
    data = ask(phone, OUT_OF_SCOPE)
    assert data["answered"] is False
    notice = phone.locator(".msg.bot .bubble.no-answer").last
    assert notice.is_visible()
    assert "未找到答案" in notice.inner_text()
    assert notice.locator(".source").count() == 0  # no unrelated passage offered as if it answered
    phone.screenshot(path=str(ARTIFACTS / "web-no-answer-360px.png"))


def test_markup_in_a_question_is_shown_as_typed_and_runs_nothing(phone):
    ask(phone, XSS)
    user = phone.locator(".msg.user .answer-text").last
    assert user.inner_text() == XSS
    assert phone.locator("#log img").count() == 0  # no element made from the text, so no onerror to fire
    assert phone.dialogs == [] and phone.errors == []
    phone.screenshot(path=str(ARTIFACTS / "web-markup-as-text.png"))


def test_example_question_buttons_ask_them(phone):
    chip = phone.locator(".welcome .chip").first
    example = chip.inner_text()
    with phone.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
        chip.click()
    assert response.value.json()["question"] == example
    assert phone.locator(".msg.user .answer-text").last.inner_text() == example


def test_keyboard_alone_asks_opens_the_source_and_rates(phone, store):
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip"
    phone.keyboard.press("Enter")  # the skip link lands in the question box
    assert phone.evaluate("document.activeElement.id") == "q"
    data = ask(phone, QUESTION, keyboard=True)
    assert phone.evaluate("document.activeElement.id") == "q"  # ready for the next question

    def focus_back_to(predicate: str) -> None:
        for _ in range(12):
            phone.keyboard.press("Shift+Tab")
            if phone.evaluate(f"(() => {{ const e = document.activeElement; return {predicate}; }})()"):
                return
        raise AssertionError(f"never reached {predicate} with the keyboard")

    focus_back_to("e.tagName === 'SUMMARY'")
    phone.keyboard.press("Enter")
    assert phone.locator(".bubble.answered .source-text").last.is_visible()
    for _ in range(4):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.classList.contains('rate-down')"):
            break
    phone.keyboard.press("Space")
    phone.locator(".bubble.answered .rate-done").last.wait_for()
    with sqlite3.connect(store.path) as db:
        rows = db.execute("SELECT rating FROM feedback WHERE answer_id = ?", (data["answer_id"],)).fetchall()
    assert rows == [("down",)]


def write_host_page(site_folder: Path, widget_src: str, name: str) -> None:
    (site_folder / name).write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>青岛市政府网站</title></head>'
        '<body><h1>青岛市人民政府</h1><p>政务公开 · 办事服务 · 互动交流</p>'
        f'<script src="{widget_src}" defer></script></body></html>', encoding="utf-8")


def test_widget_on_a_government_page_chats_through_the_iframe(browser, server, site):
    write_host_page(site.folder, f"{server.url}/widget.js", "index.html")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(site.origin + "/index.html")
    button = page.locator(".qa-chat-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    chat = page.frame_locator(".qa-chat-panel iframe")
    chat.locator(".welcome").wait_for()
    chat.locator("#q").fill(QUESTION)
    chat.locator("#q").press("Enter")
    answer = chat.locator(".bubble.answered").first
    answer.wait_for()
    assert "92%" in answer.inner_text()
    page.screenshot(path=str(ARTIFACTS / "widget-on-host-page.png"))
    chat.locator("#q").press("Escape")  # the chat page asks the widget to close
    page.locator(".qa-chat-panel").wait_for(state="hidden")
    assert button.get_attribute("aria-expanded") == "false"
    context.close()


def test_widget_chat_cannot_be_framed_by_an_unlisted_origin(browser, server, site):
    # Same static server reached as "localhost": another origin, not in allowed_origins.
    write_host_page(site.folder, f"{server.url}/widget.js", "other.html")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    port = re.search(r":(\d+)$", site.origin).group(1)
    page.goto(f"http://localhost:{port}/other.html")
    with page.expect_event("framenavigated", predicate=lambda f: f.parent_frame is page.main_frame) as navigated:
        page.locator(".qa-chat-button").click()
    frame = navigated.value
    assert not frame.url.startswith(server.url)  # Chromium shows its error page instead of the chat
    assert frame.locator("#q").count() == 0
    context.close()
