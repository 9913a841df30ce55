"""WeChat's side of the callback: requests built, signed and encrypted with wechatpy as WeChat's servers send them."""
from __future__ import annotations

import itertools
import secrets
import time
import urllib.parse

import httpx

_MSG_IDS = itertools.count(int(time.time()) * 1000)

# Entity tricks an attacker could post to a callback URL.
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                  '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
                  '<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>'
                  '<MsgType>text</MsgType><Content>&d;</Content><MsgId>1</MsgId></xml>')
EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   '<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>'
                   '<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>')


def new_aes_key() -> str:
    """Returns: a random 43-character EncodingAESKey, as the WeChat admin console makes one."""
    import base64

    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def sign(*parts: str) -> str:
    """Returns: WeChat's SHA-1 signature over the sorted parts (token, timestamp, nonce[, encrypt])."""
    from wechatpy.utils import WeChatSigner

    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


class WeChatSender:
    """Posts messages to a callback URL like WeChat (Official Account) or WeCom does.

    Args:
        url: the callback URL, e.g. http://127.0.0.1:8000/wechat.
        token: the callback token shared with the bot.
        mode: "raw" (plaintext), "compat" (plaintext plus Encrypt) or "safe" (Encrypt only); WeCom is always safe.
        aes_key: EncodingAESKey (compat, safe, WeCom).
        app_id: AppID (Official Account) or CorpID (WeCom).
        enterprise: WeCom.
        account: the ToUserName WeChat puts in messages.
    """

    def __init__(self, url: str, token: str, mode: str = "raw", aes_key: str = "", app_id: str = "",
                 enterprise: bool = False, account: str = "gh_0123456789ab", agent_id: int = 1000002) -> None:
        self.url, self.token, self.mode = url, token, ("safe" if enterprise else mode)
        self.aes_key, self.app_id, self.enterprise = aes_key, app_id, enterprise
        self.account = app_id if enterprise else account
        self.agent_id = agent_id

    # --- message bodies (the plaintext XML WeChat sends) -----------------------------------------------------
    def text(self, content: str, user: str = "oUser-0001", msg_id: int | None = None, create_time=None) -> str:
        return self._xml(user, create_time, "text", f"<Content><![CDATA[{content}]]></Content>",
                         msg_id or next(_MSG_IDS))

    def voice(self, recognition: str | None, user: str = "oUser-0001", msg_id: int | None = None) -> str:
        extra = "<MediaId><![CDATA[media-1]]></MediaId><Format><![CDATA[amr]]></Format>"
        if recognition is not None:
            extra += f"<Recognition><![CDATA[{recognition}]]></Recognition>"
        return self._xml(user, None, "voice", extra, msg_id or next(_MSG_IDS))

    def image(self, user: str = "oUser-0001") -> str:
        return self._xml(user, None, "image", "<PicUrl><![CDATA[http://mmbiz.example/x.jpg]]></PicUrl>"
                         "<MediaId><![CDATA[media-2]]></MediaId>", next(_MSG_IDS))

    def event(self, event: str, user: str = "oUser-0001", create_time=None) -> str:
        return self._xml(user, create_time, "event", f"<Event><![CDATA[{event}]]></Event>", None)

    def _xml(self, user, create_time, msg_type, fields, msg_id) -> str:
        agent = f"<AgentID>{self.agent_id}</AgentID>" if self.enterprise else ""
        tail = f"<MsgId>{msg_id}</MsgId>" if msg_id else ""
        return (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(create_time or time.time())}"
                f"</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{fields}{tail}{agent}</xml>")

    # --- requests ------------------------------------------------------------------------------------------
    def request(self, xml: str, *, timestamp: int | None = None, nonce: str | None = None,
                forge: str = "") -> tuple[str, bytes]:
        """Sign (and encrypt) a message like WeChat.

        Args:
            xml: the plaintext message.
            timestamp: the request's timestamp (default now).
            nonce: the request's nonce (default random).
            forge: "signature" or "msg_signature" to send that one wrong.

        Returns:
            (the URL with its query string, the body).
        """
        ts, nonce = str(int(timestamp or time.time())), nonce or str(secrets.randbelow(10**10))
        query = {"timestamp": ts, "nonce": nonce}
        if not self.enterprise:
            query["signature"] = sign(self.token, ts, nonce)
            query["openid"] = "oUser-0001"
        body = xml
        if self.mode in {"compat", "safe"}:
            encrypt = self._encrypt(xml)
            query.update(encrypt_type="aes", msg_signature=sign(self.token, ts, nonce, encrypt))
            if self.enterprise:
                query.pop("encrypt_type")
                body = (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                        f"<AgentID><![CDATA[{self.agent_id}]]></AgentID><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
            elif self.mode == "safe":
                body = (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
            else:
                body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        if forge:
            query[forge] = "0" * 40
        return f"{self.url}?{urllib.parse.urlencode(query)}", body.encode()

    def post(self, xml: str, client: httpx.Client | None = None, **kw) -> httpx.Response:
        url, body = self.request(xml, **kw)
        return (client or httpx).post(url, content=body, headers={"Content-Type": "text/xml"}, timeout=30)

    def verify(self, echostr: str = "verify-7733", *, timestamp: int | None = None, forge: bool = False):
        """GET the URL check WeChat makes when the callback is configured; WeCom's echostr is encrypted."""
        ts, nonce = str(int(timestamp or time.time())), str(secrets.randbelow(10**10))
        if self.enterprise:
            echo = self._encrypt(echostr)
            query = {"msg_signature": sign(self.token, ts, nonce, echo), "timestamp": ts, "nonce": nonce,
                     "echostr": echo}
            key = "msg_signature"
        else:
            query = {"signature": sign(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": echostr}
            key = "signature"
        if forge:
            query[key] = "0" * 40
        return httpx.get(f"{self.url}?{urllib.parse.urlencode(query)}", timeout=30)

    # --- replies -------------------------------------------------------------------------------------------
    def reply(self, resp: httpx.Response) -> dict:
        """Check and open a passive reply: verify its signature and decrypt it when encrypted.

        Returns:
            The reply's fields (ToUserName, FromUserName, MsgType, Content, ...).
        """
        import xmltodict

        assert resp.status_code == 200, (resp.status_code, resp.text)
        data = xmltodict.parse(resp.text)["xml"]
        if "Encrypt" in data:
            plain = self._crypto().decrypt_message(resp.text, data["MsgSignature"], data["TimeStamp"], data["Nonce"])
            data = xmltodict.parse(plain)["xml"]
        return data

    def _crypto(self):
        if self.enterprise:
            from wechatpy.enterprise.crypto import WeChatCrypto
        else:
            from wechatpy.crypto import WeChatCrypto
        return WeChatCrypto(self.token, self.aes_key, self.app_id)

    def _encrypt(self, text: str) -> str:
        if self.enterprise:
            from wechatpy.enterprise.crypto import PrpCrypto
        else:
            from wechatpy.crypto import PrpCrypto
        crypto = self._crypto()
        return PrpCrypto(crypto.key).encrypt(text, self.app_id).decode()
