"""Telegram: pure rendering and addressing, then the real Application against a fake Bot API server on loopback."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import threading

import httpx
import pytest

from bot.channels import telegram_render as render
from bot.channels.telegram import TelegramChannel, channel_from_env
from bot.schema import Answer, Source
from bot.state.feedback import SQLiteFeedbackStore
from index.config import TelegramConfig
from tests.conftest import make_config
from tests.fakes.telegram_api import BadRequest, FakeBotAPI, html_to_text, utf16_len

QUESTION = "李沧区民营社区卫生服务机构占比是多少？"


def _answer(quote="截至目前，民营机构占92%。", text="李沧区……民营机构占92%。", **kw) -> Answer:
    src = Source(doc_id="d1", title="青岛市创新工作案例", case="李沧区借力民营资本", text=text, score=0.9,
                 section="十区市各有创新", source="半岛都市报", url="https://example.org/a?x=1&y=<2>")
    base = dict(question="q", answered=True, answer=quote + "\n案例：《李沧区借力民营资本》", sources=[src],
                citation="案例：《李沧区借力民营资本》", quote=quote, answer_id="a" * 32)
    return Answer(**{**base, **kw})


# --- pure rendering ---------------------------------------------------------------------------------------------
def test_answer_is_escaped_html_with_case_and_buttons():
    evil = "<script>alert(1)</script> & <b>"
    ans = _answer(quote=evil, citation="案例：《<i>x</i>》")
    [reply] = render.answer_reply(ans)
    text = html_to_text(reply.html)  # the Bot API's own check: no stray tag survives
    assert evil in text and "案例：《<i>x</i>》" in text
    assert "<script>" not in reply.html and "&lt;script&gt;" in reply.html
    datas = [b.data for row in reply.buttons for b in row]
    assert datas == [f"src:{'a' * 32}", f"up:{'a' * 32}", f"down:{'a' * 32}"]
    assert all(len(d.encode()) <= render.MAX_CALLBACK_BYTES for d in datas)


def test_source_view_shows_the_full_passage_and_a_hide_button():
    passage = "第一句原文。第二句原文，含<标签>与&符号。"
    [reply] = render.answer_reply(_answer(text=passage), show_source=True, rated="up")
    text = html_to_text(reply.html)
    assert passage in text and "十区市各有创新" in text and "https://example.org/a?x=1&y=<2>" in text
    assert [[b.data for b in row] for row in reply.buttons] == [[f"hide:{'a' * 32}"], ["noop"]]


def test_refusal_and_notice_have_no_feedback_buttons():
    ans = Answer(question="q", answered=False, answer="抱歉，资料库中没有……", kind="refusal", notice="问题过长，已截断")
    [reply] = render.answer_reply(ans)
    assert reply.buttons == () and html_to_text(reply.html).startswith("问题过长，已截断")


def test_long_text_is_split_cleanly_under_the_limit_and_buttons_ride_last():
    sentence = "这是一个很长的句子，用来测试拆分是否干净😀。"
    passage = sentence * 400
    replies = render.answer_reply(_answer(text=passage), show_source=True)
    assert len(replies) > 1
    seen = ""
    for r in replies:
        plain = html_to_text(r.html)
        assert 0 < utf16_len(plain) <= render.MAX_MESSAGE
        seen += plain
    assert seen.count(sentence) == 400  # nothing lost, no sentence cut in two
    assert all(r.buttons == () for r in replies[:-1]) and replies[-1].buttons


def test_split_plain_cuts_at_lines_then_sentences_then_characters_never_inside_an_emoji():
    assert render.split_plain("甲。乙！\n丙", 4) == ["甲。乙！", "丙"]
    assert render.split_plain("一二三四五六七八九十", 4) == ["一二三四", "五六七八", "九十"]
    parts = render.split_plain("😀" * 5, 3)
    assert parts == ["😀", "😀", "😀", "😀", "😀"] and all(utf16_len(p) <= 3 for p in parts)
    assert render.split_plain("", 10) == []


def test_welcome_has_three_example_buttons():
    reply = render.welcome("我可以回答<资料>。", ["问一", "问二", "问三", "问四"])
    assert "&lt;资料&gt;" in reply.html and "您好" in reply.html
    assert [[b.data for b in row] for row in reply.buttons] == [["ex:0"], ["ex:1"], ["ex:2"]]


@pytest.mark.parametrize("text, chat, mentions, replied, expected", [
    ("你好", "private", [], False, "你好"),
    ("李沧区怎么样", "supergroup", [], False, None),
    ("@QA_test_bot 李沧区怎么样", "supergroup", ["@QA_test_bot"], False, "李沧区怎么样"),
    ("@other_bot 李沧区怎么样", "group", ["@other_bot"], False, None),
    ("李沧区怎么样", "group", [], True, "李沧区怎么样"),
    ("公告", "channel", [], False, None),
])
def test_groups_are_answered_only_when_the_bot_is_addressed(text, chat, mentions, replied, expected):
    assert render.addressed_text(text, chat, "qa_test_bot", mentions, replied) == expected


def test_callback_data_is_parsed_strictly():
    assert render.parse_callback("up:abc") == ("up", "abc")
    assert render.parse_callback("ex:1") == ("ex", "1")
    assert render.parse_callback("evil:x") == ("", "")
    assert render.parse_callback("up:") == ("", "")
    assert render.parse_callback(None) == ("", "")


def test_the_fake_bot_api_refuses_what_telegram_refuses():
    with pytest.raises(BadRequest):
        html_to_text("<script>x</script>")
    with pytest.raises(BadRequest):
        html_to_text("a < b")
    with pytest.raises(BadRequest):
        html_to_text("<b>open")
    with FakeBotAPI() as api:
        url = f"{api.base_url}{api.token}/sendMessage"
        assert httpx.post(url, data={"chat_id": "1", "text": "x" * 4097}).status_code == 400
        assert httpx.post(url, data={"chat_id": "1", "text": "<b>ok</b>", "parse_mode": "HTML"}).json()["ok"]
        assert httpx.post(f"{api.base_url}wrong/getMe").status_code == 401


# --- the real Application against the fake Bot API ------------------------------------------------------------
class LoopThread:
    """An event loop in a thread, so sync tests can drive the bot's coroutines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def api():
    with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
def store(tmp_path):
    s = SQLiteFeedbackStore(tmp_path / "feedback.sqlite")
    yield s
    s.close()


@pytest.fixture
def polling(built_config, service, store, api):
    """The real Application long-polling the fake API; yields (channel, api)."""
    loop = LoopThread()
    channel = TelegramChannel(built_config, service, store, token=api.token, base_url=api.base_url, env={})
    loop.run(channel.start())
    yield channel
    loop.run(channel.stop())
    loop.close()


def _buttons(call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def _reply_to(call):
    return (call.params.get("reply_parameters") or {}).get("message_id")


@pytest.mark.slow
def test_polling_answers_a_question_with_html_and_buttons(polling, api, store):
    assert [c.method for c in api.calls[:2]] == ["getMe", "deleteWebhook"]
    api.push_update(message=api.message(QUESTION))
    [sent] = api.wait_for("sendMessage")
    assert sent.params["chat_id"] == 42 and sent.params["parse_mode"] == "HTML"
    assert "92%" in sent.result["text"] and "李沧区借力民营资本打造社区卫生服务新范本" in sent.result["text"]
    answer_id = _buttons(sent)[0].split(":")[1]
    assert _buttons(sent) == [f"src:{answer_id}", f"up:{answer_id}", f"down:{answer_id}"]
    assert store.knows_answer(answer_id)
    assert api.calls_of("sendChatAction")[0].params["action"] == "typing"
    [logged] = store.questions()
    # the asker's Telegram id only as this install's keyed hash; the cited document and the quote for staff
    assert logged["user"] == store.user_hash("42") != "42"  # a keyed hash (hex digits may spell 42 by chance)
    assert logged["cited"] and "92%" in logged["quote"]


@pytest.mark.slow
def test_button_presses_record_feedback_and_show_the_source(polling, api, store):
    api.push_update(message=api.message(QUESTION))
    [sent] = api.wait_for("sendMessage")
    answer_id = _buttons(sent)[0].split(":")[1]
    api.push_update(callback_query=api.callback_query(f"up:{answer_id}", sent.result))
    api.wait_for("editMessageReplyMarkup")
    [ack] = api.wait_for("answerCallbackQuery")
    assert ack.params["text"] == "谢谢您的反馈！"
    [row] = store.feedback(answer_id)
    assert row["rating"] == "up" and row["channel"] == "telegram" and row["question"] == QUESTION
    api.push_update(callback_query=api.callback_query(f"src:{answer_id}", sent.result))
    [edit] = api.wait_for("editMessageText")
    assert "民营机构56家" in edit.result["text"] and "原文" in edit.result["text"]
    assert _buttons(edit)[0] == f"hide:{answer_id}"
    api.push_update(callback_query=api.callback_query("up:" + "f" * 32, sent.result))  # unknown answer
    acks = api.wait_for("answerCallbackQuery", 3)
    assert acks[-1].params["text"] == render.expired() and len(store.feedback()) == 1


@pytest.mark.slow
def test_start_offers_examples_and_an_example_button_asks_it(polling, api, service):
    api.push_update(message=api.message("/start"))
    [welcome] = api.wait_for("sendMessage")
    assert "您好" in welcome.result["text"] and _buttons(welcome) == ["ex:0", "ex:1", "ex:2"]
    api.push_update(callback_query=api.callback_query("ex:1", welcome.result))
    sent = api.wait_for("sendMessage", 2)[1]
    expected = service.ask(service.examples[1])
    assert expected.quote and expected.quote in sent.result["text"]
    api.push_update(message=api.message("/help"))
    assert "使用说明" in api.wait_for("sendMessage", 3)[2].result["text"]


@pytest.mark.slow
def test_group_messages_are_answered_only_when_mentioned_or_replied_to(polling, api):
    group = api.group_chat()
    silent = api.message(QUESTION, chat=group)
    mentioned = api.message(f"@qa_test_bot {QUESTION}", chat=group)
    api.push_update(message=silent)
    api.push_update(message=mentioned)
    [reply] = api.wait_for("sendMessage")
    assert _reply_to(reply) == mentioned["message_id"] and "92%" in reply.result["text"]
    follow_up = api.message("它有多少家民营机构？", chat=group, reply_to=reply.result)
    api.push_update(message=follow_up)
    sent = api.wait_for("sendMessage", 2)
    assert [_reply_to(c) for c in sent] == [mentioned["message_id"], follow_up["message_id"]]


@pytest.mark.slow
def test_non_text_messages_get_a_polite_request_to_type(polling, api):
    sticker = {"file_id": "st1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False}
    api.push_update(message=api.message(sticker=sticker))
    api.push_update(message=api.message(voice={"file_id": "v1", "file_unique_id": "u2", "duration": 2}))
    sent = api.wait_for("sendMessage", 2)
    assert all(c.params["text"] == render.please_type() for c in sent)


@pytest.mark.slow
def test_per_user_rate_limit(built_config, service, store, api):
    config = dataclasses.replace(built_config, telegram=TelegramConfig(rate_capacity=1, rate_refill_per_sec=0.001))
    loop = LoopThread()
    channel = TelegramChannel(config, service, store, token=api.token, base_url=api.base_url, env={})
    loop.run(channel.start())
    try:
        api.push_update(message=api.message(QUESTION))
        api.wait_for("sendMessage")
        api.push_update(message=api.message(QUESTION))
        api.push_update(message=api.message(QUESTION, user=api.user(7, "小王")))
        sent = api.wait_for("sendMessage", 3)
        by_chat = {c.params["chat_id"]: c.params["text"] for c in sent[1:]}
        assert "请约" in by_chat[42] and "92%" in html_to_text(by_chat[7])
    finally:
        loop.run(channel.stop())
        loop.close()


@pytest.mark.slow
def test_errors_are_logged_with_traceback_and_the_user_gets_an_apology(tmp_path, encoder, store, api, caplog):
    from bot.service import QAService

    broken = QAService(make_config(tmp_path / "no-index"), encoder=encoder)  # ask() raises IndexMissing
    loop = LoopThread()
    channel = TelegramChannel(broken.config, broken, store, token=api.token, base_url=api.base_url, env={})
    loop.run(channel.start())
    try:
        with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
            api.push_update(message=api.message(QUESTION))
            [sent] = api.wait_for("sendMessage")
        assert sent.params["text"] == render.apology()
        [record] = [r for r in caplog.records if r.name == "bot.channels.telegram"]
        assert record.exc_info and record.exc_info[0].__name__ == "IndexMissing"
    finally:
        loop.run(channel.stop())
        loop.close()


@pytest.mark.slow
def test_a_rejected_token_is_reported_without_the_token(built_config, service, store, api, caplog):
    loop = LoopThread()
    token = "999:SECRET-never-logged"
    channel = TelegramChannel(built_config, service, store, token=token, base_url=api.base_url, env={})
    try:
        with caplog.at_level(logging.DEBUG):
            assert loop.run(channel.try_start()) is False
        assert "telegram could not start" in caplog.text and token not in caplog.text
    finally:
        loop.close()


# --- inside the one ASGI server ---------------------------------------------------------------------------------
def _env(monkeypatch, api, secret=None):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", api.token)
    monkeypatch.setenv("TELEGRAM_BASE_URL", api.base_url)
    if secret:
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)


@pytest.mark.slow
def test_serve_polls_telegram_alongside_the_http_api(built_config, service, store, api, monkeypatch):
    from bot.app import create_app
    from tests.live_server import LiveServer

    _env(monkeypatch, api)
    with LiveServer(create_app(built_config, service, feedback=store)) as live:
        api.push_update(message=api.message(QUESTION))
        [sent] = api.wait_for("sendMessage")
        assert "92%" in sent.result["text"]
        assert httpx.get(f"{live.url}/healthz").status_code == 200


@pytest.mark.slow
def test_webhook_mode_checks_the_secret_header(built_config, service, store, api, monkeypatch):
    from bot.app import create_app
    from tests.live_server import LiveServer

    secret = "s3cret-Header_value"
    config = dataclasses.replace(built_config, telegram=TelegramConfig(
        webhook_path="/telegram/hook", webhook_url="https://bot.example.org"))
    _env(monkeypatch, api, secret)
    with LiveServer(create_app(config, service, feedback=store)) as live:
        [hook] = api.wait_for("setWebhook")
        assert hook.params["url"] == "https://bot.example.org/telegram/hook" and hook.params["secret_token"] == secret
        url = f"{live.url}/telegram/hook"
        forged = api.new_update(message=api.message("伪造的消息"))
        assert httpx.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 403
        assert httpx.post(url, json=forged).status_code == 403
        header = {"X-Telegram-Bot-Api-Secret-Token": secret}
        assert httpx.post(url, content=b"{not json", headers=header).status_code == 400
        update = api.new_update(message=api.message(QUESTION))
        assert httpx.post(url, json=update, headers=header).status_code == 200
        [sent] = api.wait_for("sendMessage")
        assert "92%" in sent.result["text"] and not api.calls_of("getUpdates")
    assert all("伪造" not in json.dumps(c.params, ensure_ascii=False) for c in api.calls)


def test_webhook_mode_without_a_secret_refuses_to_start(base_config):
    from index.errors import ConfigError

    service = None  # never reached: the configuration is refused first
    config = dataclasses.replace(base_config, telegram=TelegramConfig(webhook_path="/telegram/hook"))
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        channel_from_env(config, service, env={"TELEGRAM_BOT_TOKEN": "1:x"})
    assert channel_from_env(config, service, env={}) is None


@pytest.mark.slow
def test_python_m_bot_telegram_polls_alone_and_stops_on_interrupt(built_config, api, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "QABOT_CONFIG": str(ROOT / "config.toml"), "PYTHONUNBUFFERED": "1",
           "QABOT_PATHS_DATA_DIR": str(built_config.data_dir), "QABOT_PATHS_CORPUS_DIR": str(built_config.corpus_dir),
           "QABOT_PATHS_MODELS_DIR": str(built_config.models_dir),
           "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url}
    log_file = tmp_path / "telegram.log"
    with open(log_file, "w") as err:  # a file, not a pipe: a chatty log can never block the bot
        proc = subprocess.Popen([sys.executable, "-m", "bot", "telegram"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        api.wait_for("getUpdates", timeout=120)
        api.push_update(message=api.message(QUESTION))
        [sent] = api.wait_for("sendMessage", timeout=60)
        assert "92%" in sent.result["text"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        log_text = log_file.read_text()
        assert "telegram polling starting" in log_text and api.token not in log_text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
