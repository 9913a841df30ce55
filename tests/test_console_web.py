"""The staff console in real headless Chromium against the real server, index and question log, beside the chat."""
from __future__ import annotations

import os
import shutil

import pytest

from bot.app import create_app
from bot.service import QAService
from bot.state.feedback import SQLiteFeedbackStore
from bot.state.ratelimit import TokenBucketLimiter
from tests.conftest import ROOT
from tests.live_server import LiveServer
from tests.staff_helpers import NEW_DOC, NEW_FACT, NEW_QUESTION, private_copy
from tests.test_web import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, OUT_OF_SCOPE, QUESTION, TIMEOUT_MS, ask

TOKEN = "browser-console-token"
TITLE = "崂山区智慧旅游一卡通"
SCREENSHOT = ROOT / "docs" / "img" / "console.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                     "(`make browser` or `apt-get install chromium` installs it)"),
]


@pytest.fixture(scope="module")
def server(built_config, encoder, tmp_path_factory):
    folder = tmp_path_factory.mktemp("console-web")
    config = private_copy(built_config, folder)  # uploads and rollbacks change this copy only
    service = QAService(config, encoder=encoder)
    service.load()
    store = SQLiteFeedbackStore(folder / "feedback.sqlite")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADMIN_TOKEN", TOKEN)
        app = create_app(config, service, feedback=store, limiter=TokenBucketLimiter(100_000, 1000.0))
    with LiveServer(app) as live:
        yield live
    store.close()


@pytest.fixture(scope="module")
def context(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1,
                                  is_mobile=True, has_touch=True)
        ctx.set_default_timeout(TIMEOUT_MS)
        yield ctx
        browser.close()


@pytest.fixture(scope="module")
def console(context, server):
    """The console page, logged in with the keyboard alone; confirm dialogs accepted, errors collected."""
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("dialog", lambda d: d.accept())
    page.goto(server.url + "/admin")
    assert page.evaluate("document.activeElement.id") == "token"  # the form is ready for typing at once
    page.keyboard.type("wrong")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "令牌不正确" in page.locator(".notice").inner_text()
    page.fill("#token", TOKEN)
    with page.expect_navigation():
        page.press("#token", "Enter")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    assert page.errors == []


@pytest.fixture(scope="module")
def chat(context, server):
    page = context.new_page()
    page.goto(server.url + "/")
    page.wait_for_selector(".welcome")
    return page


def refresh_insight(console) -> None:
    with console.expect_response(lambda r: "/admin/insight" in r.url):
        console.click("#insight-form button[type=submit]")


def test_upload_a_document_and_the_chat_answers_from_it(console, chat, tmp_path):
    assert not ask(chat, NEW_QUESTION)["answered"]
    doc = tmp_path / "一卡通.txt"
    doc.write_text(NEW_DOC, encoding="utf-8")
    console.set_input_files("#up-file", str(doc))
    console.fill("#up-title", TITLE)
    console.fill("#up-date", "2017-02-01")
    console.click("#upload button[type=submit]")
    console.wait_for_function("() => document.querySelector('#status').textContent.includes('已上传')")
    console.locator("#doc-table td", has_text=TITLE).wait_for()
    answer = ask(chat, NEW_QUESTION)
    assert answer["answered"] and NEW_FACT in answer["answer"], answer


def test_an_unanswerable_question_shows_in_the_unanswered_groups(console, chat):
    assert not ask(chat, OUT_OF_SCOPE)["answered"]
    refresh_insight(console)
    assert OUT_OF_SCOPE in console.locator("#unanswered").inner_text()


def test_a_thumbs_down_in_the_chat_is_listed_with_its_quote(console, chat):
    data = ask(chat, QUESTION)
    bubble = chat.locator(".msg.bot .bubble.answered").last
    bubble.locator(".rate-down").click()
    bubble.locator(".rate-done").wait_for()
    refresh_insight(console)
    listed = console.locator("#down-list li", has_text=QUESTION).first
    assert data["quote"][:20] in listed.locator("blockquote").inner_text()
    assert console.locator("#daily-chart svg rect").count() >= 2  # answered and refused bars drawn today
    assert console.locator("#down-chart svg rect").count() == 1


def test_hit_test_shows_the_passages_and_the_verdict(console):
    console.fill("#hit-q", QUESTION)
    console.press("#hit-q", "Enter")
    result = console.locator("#hit-result")
    result.locator(".hits li").first.wait_for()
    assert "会回答" in result.locator("p.good").inner_text() and "92%" in result.locator("pre").inner_text()
    console.fill("#hit-q", OUT_OF_SCOPE)
    console.click("#hit-form button[type=submit]")
    console.locator("#hit-result p.bad").wait_for()
    assert result.locator("p.bad").inner_text().startswith("不会回答：")


def test_remove_after_a_confirm_then_roll_back(console, chat):
    console.locator("#doc-table tr", has_text=TITLE).locator("button.danger").click()
    console.wait_for_function("() => document.querySelector('#status').textContent.includes('已删除')")
    assert console.locator("#doc-table td", has_text=TITLE).count() == 0
    assert not ask(chat, NEW_QUESTION)["answered"]
    # the version before the removal is the newest one that is not current
    console.locator("#version-list li:not(:has(.tag)) button").first.click()
    console.wait_for_function("() => document.querySelector('#status').textContent.includes('已回滚')")
    console.locator("#doc-table td", has_text=TITLE).wait_for()
    assert ask(chat, NEW_QUESTION)["answered"]


def test_the_console_fits_a_phone_and_shows_focus(console):
    console.evaluate("window.scrollTo(0, 0)")
    assert console.evaluate("document.documentElement.scrollWidth") <= 390
    console.keyboard.press("Tab")
    outline = console.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    console.screenshot(path=str(ARTIFACTS / "console-390px.png"))
    console.set_viewport_size({"width": 800, "height": 700})
    shot = ARTIFACTS / "console-insight.png"
    console.locator("#insight").screenshot(path=str(shot))
    assert shot.stat().st_size < 300_000  # small enough for the README
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":  # the README's copy changes only when asked for
        shutil.copyfile(shot, SCREENSHOT)
