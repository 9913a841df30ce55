"""WeChat conversation state: one suite for both backends (memory, PostgreSQL), then replicas sharing it."""
from __future__ import annotations

import asyncio
import dataclasses
import logging

import psycopg
import pytest

from bot.state.dialogstate import MemoryDialogState, open_dialog_state
from bot.state.pgdialog import PgDialogState
from index.config import DatabaseConfig
from tests.test_dedup import Clock

USER = "oUser-0001"


@pytest.fixture(params=["memory", "postgres"])
def make_state(request):
    """Builds a state of the backend under test: make_state(ttl_sec=60, clock=None, scope="wechat")."""
    if request.param == "memory":
        yield lambda ttl_sec=60, clock=None, scope="wechat": MemoryDialogState(
            ttl_sec, **({"clock": clock} if clock else {}))
        return
    url = request.getfixturevalue("pg_url")
    opened = []

    def build(ttl_sec=60, clock=None, scope="wechat"):
        opened.append(PgDialogState(url, scope, ttl_sec, clock=clock))
        return opened[-1]

    yield build
    for state in opened:
        state.close()


def run(coro):
    return asyncio.run(coro)


def test_values_come_back_as_put_and_as_copies(make_state):
    state = make_state()

    async def scenario():
        await state.put(USER, "pages", ["第2页", "第3页"])
        await state.put(USER, "source", "【原文】……\x00含控制字符")
        await state.put(USER, "owed", {"key": "msg:1", "text": None})
        pages = await state.get(USER, "pages")
        pages.append("changed by the caller")
        return (pages, await state.get(USER, "pages"), await state.get(USER, "source"),
                await state.get(USER, "owed"), await state.get("oUser-other", "pages"), await state.get(USER, "x"))

    mine, pages, source, owed, others, unknown = run(scenario())
    assert pages == ["第2页", "第3页"] and mine != pages
    assert source == "【原文】……\x00含控制字符" and owed == {"key": "msg:1", "text": None}
    assert others is None and unknown is None


def test_take_returns_the_value_once(make_state):
    state = make_state()

    async def scenario():
        await state.put(USER, "pages", ["第2页"])
        return await state.take(USER, "pages"), await state.take(USER, "pages"), await state.get(USER, "pages")

    assert run(scenario()) == (["第2页"], None, None)


def test_values_expire_and_a_put_restarts_the_lifetime(make_state):
    clock = Clock()
    state = make_state(ttl_sec=10, clock=clock)

    async def scenario():
        await state.put(USER, "pages", ["a"])
        await state.put(USER, "source", "s")
        clock.now += 8
        await state.put(USER, "source", "s2")
        clock.now += 3  # pages: 11 s old, gone; source: put again 3 s ago
        return await state.get(USER, "pages"), await state.take(USER, "pages"), await state.get(USER, "source")

    assert run(scenario()) == (None, None, "s2")


def test_put_if_replaces_only_the_expected_live_value_and_keeps_its_expiry(make_state):
    clock = Clock()
    state = make_state(ttl_sec=10, clock=clock)
    owed = {"key": "msg:1", "text": None}

    async def scenario():
        missing = await state.put_if(USER, "owed", owed, {**owed, "text": "答案"})
        await state.put(USER, "owed", owed)
        clock.now += 6
        wrong = await state.put_if(USER, "owed", {"key": "msg:2", "text": None}, {"key": "msg:2", "text": "x"})
        right = await state.put_if(USER, "owed", owed, {**owed, "text": "答案"})
        got = await state.get(USER, "owed")
        clock.now += 5  # 11 s after the put: the replacement did not make it live longer
        return missing, wrong, right, got, await state.get(USER, "owed")

    assert run(scenario()) == (False, False, True, {"key": "msg:1", "text": "答案"}, None)


# --- PostgreSQL only -------------------------------------------------------------------------------------------
def test_replicas_share_a_users_state_and_two_takes_at_once_get_it_once(pg_url):
    a, b = PgDialogState(pg_url, "wechat"), PgDialogState(pg_url, "wechat")
    wecom = PgDialogState(pg_url, "wecom")

    async def scenario():
        await a.put(USER, "pages", ["第2页"])
        seen = await b.get(USER, "pages"), await wecom.get(USER, "pages")
        takes = []
        for i in range(20):
            await a.put(USER, "pages", [f"第{i}页"])
            takes.append(await asyncio.gather(a.take(USER, "pages"), b.take(USER, "pages")))
        return seen, takes

    try:
        seen, takes = run(scenario())
    finally:
        a.close(), b.close(), wecom.close()
    assert seen == (["第2页"], None)  # one channel's user ids are not another's
    assert all(sorted(map(str, pair)) == sorted(["None", str([f"第{i}页"])]) for i, pair in enumerate(takes))


def test_users_are_stored_hashed_and_expired_rows_are_pruned(pg_url):
    clock = Clock()
    state = PgDialogState(pg_url, "wechat", ttl_sec=10, prune_every=3, clock=clock)

    async def scenario():
        await state.put("oUser-gone", "pages", ["a"])
        clock.now += 11
        await state.put(USER, "pages", ["b"])
        await state.put(USER, "source", "c")  # the third put prunes

    try:
        run(scenario())
    finally:
        state.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute("SELECT user_id, item FROM qabot_dialog ORDER BY item").fetchall()
    assert [item for _, item in rows] == ["pages", "source"]
    assert all(USER not in user and len(user) == 64 for user, _ in rows)


def test_the_setting_chooses_the_shared_state(base_config, pg_url):
    assert isinstance(open_dialog_state(base_config, "wechat"), MemoryDialogState)
    shared = open_dialog_state(dataclasses.replace(base_config, database=DatabaseConfig(url=pg_url)), "wechat")
    try:
        assert isinstance(shared, PgDialogState) and shared.scope == "wechat"
    finally:
        shared.close()


def test_an_unreachable_database_costs_the_state_not_the_reply(pg_own, caplog):
    from bot.channels.wechat_dialog import Dialog

    state = PgDialogState(pg_own.url, "wechat")
    dialog = Dialog(None, None, "wechat", deadline_sec=5, timeout_sec=5, state=state)
    pg_own.stop()
    try:
        with caplog.at_level(logging.ERROR, logger="bot.channels.wechat"):
            reply = run(dialog._next_page(USER))
        assert reply.startswith("没有更多内容了") and "conversation state unavailable" in caplog.text
    finally:
        state.close()


# --- replicas of the WeChat dialog on one database ---------------------------------------------------------------
@pytest.mark.slow
def test_an_owed_answer_reaches_the_user_through_the_other_replica(service, pg_url):
    from bot.channels import wechat_render as render
    from bot.channels.wechat_dialog import Dialog
    from bot.state.pgdedup import PgOnceCache
    from tests.fakes.wechat_client import WeChatSender
    from tests.test_wechat import QUESTION, TOKEN, GatedService

    gated = GatedService(service)
    a, b = (Dialog(gated, None, "wechat", deadline_sec=0.05, timeout_sec=0.1,
                   jobs=PgOnceCache(pg_url, "wechat", poll_sec=0.02), state=PgDialogState(pg_url, "wechat"))
            for _ in range(2))
    s = WeChatSender("http://x/wechat", TOKEN)

    async def scenario():
        # the first question's three tries all miss the deadline on replica a; the user writes again to b while
        # the answer is still being computed (b joins a's job), then a second time after it was kept (b reads it)
        tries = [await a.reply_for(render.parse_inbound(s.text(QUESTION, msg_id=9301))) for _ in range(3)]
        b.deadline_sec = b.timeout_sec = 30
        while_computing = asyncio.ensure_future(b.reply_for(render.parse_inbound(s.text("好的", msg_id=9302))))
        await asyncio.sleep(0.3)
        gated.gate.set()
        joined = await while_computing
        gated.gate.clear()
        a.deadline_sec, a.timeout_sec = 0.05, 0.1
        tries += [await a.reply_for(render.parse_inbound(s.text(QUESTION, msg_id=9303))) for _ in range(3)]
        gated.gate.set()
        while (await a.state.get("oUser-0001", "owed"))["text"] is None:
            await asyncio.sleep(0.02)
        kept = await b.reply_for(render.parse_inbound(s.text("在吗", msg_id=9304)))
        return tries, joined, kept

    try:
        tries, joined, kept = run(scenario())
    finally:
        for dialog in (a, b):
            dialog.jobs.close(), dialog.state.close()
    assert tries == [None, None, render.pending_text()] * 2
    for reply in (joined, kept):
        assert reply.startswith("您刚才问题的答案") and "92%" in reply
    assert a.asked + b.asked == 2  # each question computed once, by a


LONG_QUESTION = "申领居住证需要准备哪些材料？"
_MATERIALS = ["本人有效居民身份证原件及复印件一份，未满十六周岁的可以提供户口簿原件及复印件",
              "近期一寸免冠彩色证件照片两张，白色背景，不得佩戴帽子、墨镜等遮挡面部的饰品",
              "在本市合法稳定住所的证明：自有住房的提供不动产权证书，租住房屋的提供经登记备案的房屋租赁合同",
              "在单位集体宿舍居住的，提供单位出具的住宿证明，并加盖单位公章，注明居住地址和起始时间",
              "合法稳定就业的证明：与用人单位签订的劳动合同，或者用人单位出具的在职证明",
              "个体经营的，提供营业执照副本原件及复印件，以及近六个月的纳税证明或者经营场所租赁合同",
              "连续就读的证明：在本市各级各类学校就读的学生，提供学校出具的在读证明或者学生证",
              "灵活就业人员提供近六个月在本市连续缴纳社会保险的缴费证明，可以在社会保险经办机构打印",
              "随迁子女申领的，另需提供出生医学证明或者亲子关系证明，以及监护人的居住证或者居住证明",
              "委托他人代为申领的，提供申领人签署的委托书以及受托人本人的有效居民身份证原件",
              "外省市户籍人员还需要填写《居住证申领登记表》，如实填写居住地址、联系电话和就业单位",
              "上述材料为外文的，应当附具有资质的翻译机构出具的中文译本，复印件应当注明与原件一致",
              "退役军人申领的，可以提供退役证件原件及复印件，作为户籍以外的身份补充证明材料",
              "在本市投资兴办企业的，提供企业营业执照副本以及本人在企业中的出资证明或者任职文件",
              "持有本市人才引进证明的，提供人才服务机构出具的引进证明，可以免于提交就业证明",
              "居住在亲友家中的，提供亲友的房屋权属证明、亲友的身份证复印件以及亲友签字的借住证明",
              "已经办理过居住证、因遗失或者损坏需要补领换领的，提供原居住证或者遗失情况的书面说明",
              "办理机关认为需要提交的其他证明材料，办理机关应当一次性告知申领人，不得要求重复提交"]


@pytest.fixture(scope="module")
def long_passages(tmp_path_factory, encoder):
    """A service over one question-and-answer page whose answer (one passage of about 900 characters, with
    [segment] unit_max_chars 1,500) makes a "原文" of more than one WeChat page."""
    from bot.service import QAService
    from index.config import SegmentConfig
    from index.versioning.build import build_index
    from tests.conftest import make_config

    root = tmp_path_factory.mktemp("long")
    (root / "corpus").mkdir()
    numerals = "一二三四五六七八九十"
    answer = "；".join(f"（{numerals[i] if i < 10 else '十' + numerals[i - 10]}）{m}" for i, m in enumerate(_MATERIALS))
    (root / "corpus" / "faq.md").write_text(
        "# 居住证办理常见问题\n\n问：居住证的有效期是多久？\n答：居住证有效期为一年，期满前三十日内申请签注。\n\n"
        f"问：{LONG_QUESTION}\n答：申领居住证，应当提交下列材料：{answer}。\n\n"
        "问：居住证在哪里办理？\n答：到居住地的公安派出所或者社区警务室办理。\n", encoding="utf-8")
    config = make_config(root / "data", root / "corpus",
                         segment=SegmentConfig(max_chars=1500, unit_max_chars=1500))
    build_index(config, encoder=encoder, progress=False)
    service = QAService(config, encoder=encoder)
    service.load()
    return config, service


@pytest.mark.slow
def test_more_reaching_the_other_replica_gives_the_next_page(long_passages, pg_url, monkeypatch):
    """Two web servers on one database, WeChat's callbacks alternating between them over real HTTP."""
    from bot.app import create_app
    from bot.channels import wechat_render as render
    from bot.state.feedback import SQLiteFeedbackStore
    from tests.fakes.wechat_client import WeChatSender
    from tests.live_server import LiveServer
    from tests.test_wechat import TOKEN

    config, service = long_passages
    config = dataclasses.replace(config, database=DatabaseConfig(url=pg_url))
    monkeypatch.setenv("WECHAT_TOKEN", TOKEN)
    apps = [create_app(config, service, feedback=SQLiteFeedbackStore(":memory:")) for _ in range(2)]
    with LiveServer(apps[0]) as one, LiveServer(apps[1]) as two:
        a, b = WeChatSender(f"{one.url}/wechat", TOKEN), WeChatSender(f"{two.url}/wechat", TOKEN)

        def say(sender, text):
            response = sender.post(sender.text(text))
            assert response.status_code == 200, response.text
            return sender.reply(response)["Content"]

        answer = say(a, LONG_QUESTION)
        pages = [say(b, "原文")]  # each "更多" goes to the replica that did not send the page before
        while "回复“更多”继续" in pages[-1] and len(pages) < 10:
            pages.append(say(a if len(pages) % 2 else b, "更多"))
        after = say(a if len(pages) % 2 else b, "更多")
    assert "身份证" in answer, answer
    total = len(pages)
    assert total >= 2, pages  # the source passage of up to 1,500 characters takes more than one 2,048-byte page
    assert all(f"第{i}/{total}页" in page for i, page in enumerate(pages[:-1], 1)), [p[-30:] for p in pages]
    assert pages[0].startswith("【原文】") and "回复“更多”继续" not in pages[-1] and len(set(pages)) == total
    assert after.startswith("没有更多内容了") and all(len(p.encode()) <= render.MAX_REPLY_BYTES for p in pages)
