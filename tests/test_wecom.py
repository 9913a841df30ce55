"""WeCom (企业微信) self-built app at /wecom: enterprise crypto, encrypted echostr, replies with AgentID."""
from __future__ import annotations

import time

import httpx
import pytest

from bot.channels import wechat_render as render
from bot.state.feedback import SQLiteFeedbackStore
from tests.fakes.wechat_client import BILLION_LAUGHS, EXTERNAL_ENTITY, WeChatSender, new_aes_key

pytestmark = pytest.mark.slow  # the real model and index answer every message

TOKEN, CORP_ID = "wecom-callback-token", "ww0123456789abcdef"
QUESTION = "李沧区民营社区卫生服务机构占比是多少？"


@pytest.fixture(scope="module")
def server(built_config, service, tmp_path_factory):
    """The real ASGI app with only the WeCom app enabled."""
    from bot.app import create_app
    from tests.live_server import LiveServer

    aes_key = new_aes_key()
    store = SQLiteFeedbackStore(tmp_path_factory.mktemp("wecom") / "feedback.sqlite")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("WECHAT_TOKEN", "TELEGRAM_BOT_TOKEN"):
            mp.delenv(name, raising=False)
        for name, value in (("WECOM_TOKEN", TOKEN), ("WECOM_AES_KEY", aes_key), ("WECOM_CORP_ID", CORP_ID)):
            mp.setenv(name, value)
        app = create_app(built_config, service, feedback=store)
    dialog = next(r.endpoint.__self__.dialog for r in app.routes if getattr(r, "name", "") == "wecom")
    with LiveServer(app) as live:
        yield WeChatSender(f"{live.url}/wecom", TOKEN, aes_key=aes_key, app_id=CORP_ID, enterprise=True), dialog, live
    store.close()


def test_verification_decrypts_echostr(server):
    wecom, _, live = server
    ok = wecom.verify("wecom-echo-4242")
    assert ok.status_code == 200 and ok.text == "wecom-echo-4242"
    assert wecom.verify(forge=True).status_code == 403
    assert wecom.verify(timestamp=time.time() - 310).status_code == 403
    assert httpx.get(f"{live.url}/wechat").status_code == 404  # the Official Account is not configured


def test_text_message_gets_an_encrypted_reply_with_the_agent(server):
    wecom, _, _ = server
    resp = wecom.post(wecom.text(QUESTION, user="zhangsan"))
    assert "<Encrypt>" in resp.text and QUESTION not in resp.text
    reply = wecom.reply(resp)
    assert reply["ToUserName"] == "zhangsan" and reply["FromUserName"] == CORP_ID
    assert reply["AgentID"] == "1000002" and "92%" in reply["Content"]


def test_retries_share_one_answer(server):
    wecom, dialog, _ = server
    before = dialog.asked
    xml = wecom.text(QUESTION, msg_id=7770001)
    first, again = (wecom.reply(wecom.post(xml))["Content"] for _ in range(2))
    assert first == again and dialog.asked == before + 1


@pytest.mark.parametrize("forge", ["msg_signature", "timestamp"])
def test_forged_or_replayed_requests_are_refused(server, forge):
    wecom, dialog, _ = server
    before = dialog.asked
    kwargs = {"forge": forge} if forge == "msg_signature" else {"timestamp": time.time() - 310}
    assert wecom.post(wecom.text(QUESTION), **kwargs).status_code == 403
    assert dialog.asked == before


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><Broken>"])
def test_entity_tricks_inside_the_encryption_are_refused(server, body):
    wecom, dialog, _ = server
    before = dialog.asked
    assert wecom.post(body).status_code == 400
    assert dialog.asked == before


def test_events_and_non_text(server, service):
    wecom, _, _ = server
    assert service.examples[0] in wecom.reply(wecom.post(wecom.event("subscribe")))["Content"]
    assert wecom.post(wecom.event("enter_agent")).text == "success"
    assert wecom.reply(wecom.post(wecom.image()))["Content"] == render.please_type()
