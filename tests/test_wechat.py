"""WeChat Official Account: pure parsing and rendering, the deadline strategy, and /wechat on the real server."""
from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.channels import wechat_render as render
from bot.channels.wechat_dialog import Dialog
from bot.schema import Answer, Source
from bot.state.feedback import SQLiteFeedbackStore
from index.config import WechatConfig
from tests.fakes.wechat_client import BILLION_LAUGHS, EXTERNAL_ENTITY, WeChatSender, new_aes_key

QUESTION = "李沧区民营社区卫生服务机构占比是多少？"
TOKEN, APPID = "wx-callback-token", "wx0123456789abcdef"

# --- pure parsing and rendering -------------------------------------------------------------------------------
def test_parse_inbound_reads_text_voice_events_and_other_types():
    s = WeChatSender("http://x/wechat", TOKEN)
    msg = render.parse_inbound(s.text("你好", msg_id=77, create_time=1700000000))
    assert (msg.kind, msg.text, msg.msg_id, msg.user, msg.account) == ("text", "你好", "77", "oUser-0001",
                                                                      "gh_0123456789ab")
    assert msg.dedup_key == "msg:77"
    assert render.parse_inbound(s.voice("即墨市有什么做法")).text == "即墨市有什么做法"
    assert render.parse_inbound(s.voice(None)).text == ""
    assert render.parse_inbound(s.image()).kind == "other"
    sub = render.parse_inbound(s.event("subscribe", create_time=1700000001))
    assert sub.kind == "subscribe" and sub.dedup_key == "evt:oUser-0001:1700000001:subscribe"
    assert render.parse_inbound(s.event("unsubscribe")).kind == "event"


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><Content>unclosed</xml>", "", "plain text",
                                  "<notxml><MsgType>text</MsgType></notxml>",
                                  "<xml><MsgType>text</MsgType><Content>x</Content></xml>"])
def test_bad_xml_is_refused_before_any_other_parser(body):
    with pytest.raises(render.BadMessage):
        render.parse_inbound(body)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_wechatpys_own_parser_also_refuses_entity_declarations(body):
    # Defence in depth: xmltodict (under wechatpy) refuses any entity declaration, so nothing expands.
    from wechatpy import parse_message

    with pytest.raises(ValueError, match="entities are disabled"):
        parse_message(body)


def test_paginate_keeps_every_page_under_2048_bytes_and_loses_nothing():
    text = "这是一个用来测试分页的句子，长度适中。" * 200 + "结尾"
    pages = render.paginate(text)
    assert len(pages) > 1 and all(len(p.encode()) < 2048 for p in pages)
    assert "回复“更多”继续" in pages[0] and "更多" not in pages[-1]
    body = "".join(p.split("\n（第")[0] for p in pages)
    assert body == text
    assert render.paginate("短") == ["短"]
    assert render.split_bytes("😀" * 10, 9) == ["😀😀"] * 5


def test_answer_text_carries_the_quote_and_the_case():
    src = Source(doc_id="d", title="标题", case="李沧区借力民营资本", text="全文", score=1.0)
    ans = Answer(question="q", answered=True, answer="x", quote="占92%。", sources=[src],
                 citation="案例：《李沧区借力民营资本》", notice="问题过长，已截断")
    text = render.answer_text(ans)
    assert text.splitlines() == ["（问题过长，已截断）", "占92%。", "——案例：《李沧区借力民营资本》", "回复“原文”查看出处全文。"]
    assert "全文" in render.source_text(ans) and "请先提一个问题" in render.source_text(None)


def test_reply_xml_survives_cdata_terminators_and_control_characters():
    import xmltodict

    msg = render.Inbound("text", user="oUser", account="gh_1", msg_id="1")
    xml = render.reply_xml(msg, "a]]>b\x01c<d>&e")
    render.check_xml(xml)
    data = xmltodict.parse(xml)["xml"]
    assert data["Content"] == "a]]>bc<d>&e" and data["ToUserName"] == "oUser" and data["FromUserName"] == "gh_1"


# --- the deadline strategy, with the real service behind a gate --------------------------------------------------
class GatedService:
    """The real service, whose answers wait until the test opens the gate (to miss deadlines on purpose)."""

    def __init__(self, service) -> None:
        self._service = service
        self.gate = threading.Event()

    def ask(self, question):
        self.gate.wait(30)
        return self._service.ask(question)

    def __getattr__(self, name):
        return getattr(self._service, name)


@pytest.mark.slow
def test_an_answer_missing_every_deadline_is_kept_for_the_next_message(service):
    gated = GatedService(service)
    dialog = Dialog(gated, None, "wechat", deadline_sec=0.05, timeout_sec=0.1)
    s = WeChatSender("http://x/wechat", TOKEN)
    first = render.parse_inbound(s.text(QUESTION, msg_id=9001))

    async def scenario():
        tries = [await dialog.reply_for(first) for _ in range(3)]
        gated.gate.set()
        while (await dialog.state.get("oUser-0001", "owed"))["text"] is None:  # the user writes again later
            await asyncio.sleep(0.01)
        later = await dialog.reply_for(render.parse_inbound(s.text("好的")))
        return tries, later

    tries, later = asyncio.run(scenario())
    assert tries == [None, None, render.pending_text()]
    assert later.startswith("您刚才问题的答案") and "92%" in later
    assert dialog.asked == 1


@pytest.mark.slow
def test_two_replicas_sharing_the_database_answer_a_message_and_its_retries_once(service, pg_url):
    from bot.state.pgdedup import PgOnceCache

    replicas = [Dialog(service, None, "wechat", deadline_sec=30, timeout_sec=30,
                       jobs=PgOnceCache(pg_url, "wechat", poll_sec=0.02)) for _ in range(2)]
    msg = render.parse_inbound(WeChatSender("http://x/wechat", TOKEN).text(QUESTION, msg_id=9101))

    async def scenario():  # WeChat's first try reaches one replica, its retries the other, all at once
        return await asyncio.gather(replicas[0].reply_for(msg), replicas[1].reply_for(msg),
                                    replicas[1].reply_for(msg))

    replies = asyncio.run(scenario())
    assert replies[0] == replies[1] == replies[2] and "92%" in replies[0]
    assert replicas[0].asked + replicas[1].asked == 1
    for dialog in replicas:
        dialog.jobs.close()


@pytest.mark.slow
def test_more_pages_and_source_follow_the_users_last_answer(service):
    dialog = Dialog(service, None, "wechat", deadline_sec=30, timeout_sec=30)
    s = WeChatSender("http://x/wechat", TOKEN)

    async def say(text):
        return await dialog.reply_for(render.parse_inbound(s.text(text)))

    async def scenario():
        out = [await say("原文"), await say(QUESTION), await say("原文"), await say("更多")]
        first = await dialog._paged("oUser-0001", "长句子。" * 1000)
        return out + [first, await say("更多")]

    before, answer, source, nothing, first, second = asyncio.run(scenario())
    assert "请先提一个问题" in before and "92%" in answer and "民营机构56家" in source and "没有更多" in nothing
    assert "第1/" in first and "第2/" in second and all(len(x.encode()) < 2048 for x in (first, second))


# --- /wechat on the real server ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(built_config, service, tmp_path_factory):
    """The real ASGI app with the Official Account enabled (safe-mode key set: all three modes work)."""
    from bot.app import create_app
    from tests.live_server import LiveServer

    aes_key = new_aes_key()
    store = SQLiteFeedbackStore(tmp_path_factory.mktemp("wechat") / "feedback.sqlite")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (("WECHAT_TOKEN", TOKEN), ("WECHAT_AES_KEY", aes_key), ("WECHAT_APPID", APPID)):
            mp.setenv(name, value)
        app = create_app(built_config, service, feedback=store)
    dialog = next(r.endpoint.__self__.dialog for r in app.routes if getattr(r, "name", "") == "wechat")
    with LiveServer(app) as live:
        yield live, aes_key, dialog, store
    store.close()


def sender(server, mode="raw") -> WeChatSender:
    live, aes_key, _, _ = server
    return WeChatSender(f"{live.url}/wechat", TOKEN, mode=mode, aes_key=aes_key, app_id=APPID)


@pytest.mark.slow
def test_get_verification_echoes_only_with_a_valid_fresh_signature(server):
    s = sender(server)
    ok = s.verify("echo-123")
    assert ok.status_code == 200 and ok.text == "echo-123"
    assert s.verify(forge=True).status_code == 403
    assert s.verify(timestamp=time.time() - 310).status_code == 403


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["raw", "compat", "safe"])
def test_text_message_gets_a_passive_reply_in_every_mode(server, mode):
    s = sender(server, mode)
    resp = s.post(s.text(QUESTION, user=f"oUser-{mode}"))
    assert ("<Encrypt>" in resp.text) == (mode != "raw")
    reply = s.reply(resp)
    assert reply["MsgType"] == "text" and reply["ToUserName"] == f"oUser-{mode}"
    assert reply["FromUserName"] == "gh_0123456789ab"
    assert "92%" in reply["Content"] and "李沧区借力民营资本打造社区卫生服务新范本" in reply["Content"]
    assert len(reply["Content"].encode()) < 2048
    store = server[3]
    logged = store.questions()[0]  # the OpenID only as this install's keyed hash
    assert logged["user"] == store.user_hash(f"oUser-{mode}") and "oUser" not in logged["user"]


@pytest.mark.slow
def test_compatible_mode_trusts_the_encrypted_part_not_the_plaintext(server):
    s = sender(server, "compat")
    url, body = s.request(s.text(QUESTION))
    tampered = body.replace(QUESTION.encode(), "今天天气怎么样".encode(), 1)
    reply = s.reply(httpx.post(url, content=tampered))
    assert "92%" in reply["Content"]


@pytest.mark.slow
def test_retries_get_the_same_reply_and_the_question_is_processed_once(server):
    _, _, dialog, store = server
    s = sender(server, "safe")
    before, logged = dialog.asked, len(store.questions(1000))
    xml = s.text(QUESTION, msg_id=5550001)
    with ThreadPoolExecutor(3) as pool:  # concurrent tries wait for the first one's work
        replies = [s.reply(r)["Content"] for r in pool.map(lambda _: s.post(xml), range(3))]
    replies.append(s.reply(s.post(xml))["Content"])  # a late retry is answered from the cache
    assert len(set(replies)) == 1 and "92%" in replies[0]
    assert dialog.asked == before + 1 and len(store.questions(1000)) == logged + 1


@pytest.mark.slow
@pytest.mark.parametrize("forge", ["signature", "msg_signature"])
def test_forged_signatures_are_refused_and_nothing_is_processed(server, forge):
    _, _, dialog, _ = server
    s = sender(server, "safe")
    before = dialog.asked
    assert s.post(s.text(QUESTION), forge=forge).status_code == 403
    assert dialog.asked == before


@pytest.mark.slow
def test_replayed_old_timestamps_are_refused(server):
    _, _, dialog, _ = server
    s = sender(server, "safe")
    before = dialog.asked
    assert s.post(s.text(QUESTION), timestamp=time.time() - 310).status_code == 403
    assert s.post(s.text(QUESTION), timestamp=time.time() + 310).status_code == 403
    assert dialog.asked == before


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["raw", "safe"])
@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><MsgType>text</Msg", "\x00\x01binary"])
def test_malformed_xml_and_entity_tricks_get_400(server, mode, body):
    _, _, dialog, _ = server
    s = sender(server, mode)
    before = dialog.asked
    resp = s.post(body)
    assert resp.status_code == 400 and resp.text == "bad request"  # no parser detail or trace leaks
    assert dialog.asked == before


@pytest.mark.slow
def test_an_entity_trick_in_the_outer_envelope_is_refused(server):
    s = sender(server, "safe")
    url, body = s.request(s.text(QUESTION))
    evil = body.replace(b"<xml>", b'<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml>', 1)
    assert httpx.post(url, content=evil).status_code == 400


@pytest.mark.slow
def test_subscribe_voice_and_other_types(server, service):
    s = sender(server, "safe")
    welcome = s.reply(s.post(s.event("subscribe")))["Content"]
    assert "欢迎关注" in welcome and service.examples[0] in welcome
    unsub = s.post(s.event("unsubscribe"))
    assert unsub.status_code == 200 and unsub.text == "success"
    assert "92%" in s.reply(s.post(s.voice(QUESTION)))["Content"]
    assert s.reply(s.post(s.voice(None)))["Content"] == render.please_type()
    assert s.reply(s.post(s.image()))["Content"] == render.please_type()


@pytest.mark.slow
def test_over_the_wire_a_try_that_misses_the_deadline_is_not_answered_so_wechat_retries(built_config, service):
    from bot.app import create_app
    from tests.live_server import LiveServer

    gated = GatedService(service)
    config = dataclasses.replace(built_config, wechat=WechatConfig(deadline_sec=0.1, timeout_sec=0.2))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WECHAT_TOKEN", TOKEN)
        app = create_app(config, gated, feedback=SQLiteFeedbackStore(":memory:"))
    dialog = next(r.endpoint.__self__.dialog for r in app.routes if getattr(r, "name", "") == "wechat")
    with LiveServer(app) as live:
        s = WeChatSender(f"{live.url}/wechat", TOKEN)
        xml = s.text(QUESTION)
        assert [s.post(xml).status_code for _ in range(2)] == [503, 503]
        assert s.reply(s.post(xml))["Content"] == render.pending_text()
        gated.gate.set()
        # the user writes again once the answer is done (the state is read outside the server's loop: a test only)
        while (asyncio.run(dialog.state.get("oUser-0001", "owed")) or {}).get("text") is None:
            time.sleep(0.01)
        assert "92%" in s.reply(s.post(s.text("好的")))["Content"]


def test_without_wechat_secrets_no_route_is_mounted(base_config):
    from bot.channels import wechat
    from index.errors import ConfigError

    assert wechat.routes(base_config, None, env={}) == []
    with pytest.raises(ConfigError, match="43 characters"):
        wechat.routes(base_config, None, env={"WECHAT_TOKEN": "t", "WECHAT_AES_KEY": "short"})
    routes = wechat.routes(base_config, None, env={"WECHAT_TOKEN": "t"})
    assert [r.path for r in routes] == ["/wechat"]
