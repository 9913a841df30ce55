"""WeChat Official Account (/wechat) and WeCom app (/wecom) callbacks: verify -> decrypt -> parse -> dialog -> reply.

Official Account: enabled by WECHAT_TOKEN; safe and compatible modes also need WECHAT_AES_KEY (43 characters) and
WECHAT_APPID. WeCom: enabled by WECOM_TOKEN, WECOM_AES_KEY and WECOM_CORP_ID (always encrypted). Secrets come from
the environment only and are never logged. A bad signature or a timestamp further than
[wechat] max_timestamp_skew_sec from now (a replay) gets 403 and nothing is processed; a body with a DTD,
entities or malformed XML gets 400 before any other parser reads it. How replies meet WeChat's 5-second deadline
is described in bot/channels/wechat_dialog.py.
"""
from __future__ import annotations

import binascii
import hmac
import logging
import os
import time

from bot.channels import wechat_render as render
from bot.channels.wechat_dialog import Dialog
from bot.state.dedup import open_once_cache
from bot.state.dialogstate import open_dialog_state
from index.config import Config
from index.errors import ConfigError

log = logging.getLogger("bot.channels.wechat")

_ENV = {"wechat": ("WECHAT_TOKEN", "WECHAT_AES_KEY", "WECHAT_APPID"),
        "wecom": ("WECOM_TOKEN", "WECOM_AES_KEY", "WECOM_CORP_ID")}


class Refused(Exception):
    """A request refused at the edge: its HTTP status and a short reason (for the log, never secrets)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WeChatEndpoint:
    """One callback URL (GET verification, POST messages) for an Official Account or a WeCom app.

    Args:
        config: settings ([wechat] and [server] max_body_bytes).
        dialog: the conversation behind it.
        token: the callback token.
        aes_key: the 43-character EncodingAESKey ("" for an Official Account in plaintext mode only).
        app_id: the AppID (Official Account) or CorpID (WeCom).
        enterprise: WeCom (enterprise crypto, echostr encrypted, replies with AgentID).
    """

    def __init__(self, config: Config, dialog: Dialog, token: str, aes_key: str = "", app_id: str = "",
                 enterprise: bool = False) -> None:
        self.config = config
        self.dialog = dialog
        self.token = token
        self.enterprise = enterprise
        self.crypto = _crypto(token, aes_key, app_id, enterprise) if aes_key else None

    async def handle(self, request):
        """The Starlette endpoint: GET verification or a POSTed message."""
        from starlette.responses import PlainTextResponse, Response

        arrived = time.monotonic()
        q = request.query_params
        try:
            self._check_time(q.get("timestamp", ""))
            if request.method == "GET":
                return PlainTextResponse(self._verify(q))
            if not self.enterprise:
                self._check_signature(q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
            body = await _read_body(request, self.config.server.max_body_bytes)
            encrypted = self.enterprise or q.get("encrypt_type", "raw") == "aes"
            xml = self._decrypt(body, q) if encrypted else body
            msg = render.parse_inbound(xml, self.enterprise)
        except Refused as exc:
            log.warning("wechat request refused: %s", exc.reason, extra={"status": exc.status,
                                                                         "enterprise": self.enterprise})
            return PlainTextResponse("forbidden" if exc.status == 403 else "bad request", status_code=exc.status)
        except render.BadMessage as exc:
            log.warning("wechat message refused: %s", exc, extra={"enterprise": self.enterprise})
            return PlainTextResponse("bad request", status_code=400)
        text = await self.dialog.reply_for(msg, arrived)
        if text is None:  # let WeChat's try time out so it retries (see wechat_dialog)
            return Response(status_code=503)
        if not text:
            return PlainTextResponse("success")
        xml = render.reply_xml(msg, text, self.enterprise)
        if encrypted:
            xml = self.crypto.encrypt_message(xml, q.get("nonce", ""), str(int(time.time())))
        return Response(xml, media_type="application/xml")

    def _check_time(self, timestamp: str) -> None:
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            raise Refused(403, "missing or malformed timestamp") from None
        if skew > self.config.wechat.max_timestamp_skew_sec:
            raise Refused(403, f"timestamp {int(skew)} s away from now (replay?)")

    def _check_signature(self, signature: str, timestamp: str, nonce: str) -> None:
        from wechatpy.utils import WeChatSigner

        signer = WeChatSigner()
        signer.add_data(self.token, timestamp, nonce)
        if not hmac.compare_digest(signer.signature, signature.lower()):
            raise Refused(403, "bad signature")

    def _verify(self, q) -> str:
        """GET: the callback URL check; echo echostr (WeCom: decrypted)."""
        echostr = q.get("echostr", "")
        if not self.enterprise:
            self._check_signature(q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
            return echostr
        from wechatpy.exceptions import InvalidSignatureException

        try:
            return self.crypto.check_signature(q.get("msg_signature", ""), q.get("timestamp", ""),
                                               q.get("nonce", ""), echostr)
        except InvalidSignatureException:
            raise Refused(403, "bad signature") from None
        except Exception as exc:  # wechatpy raises assorted errors on garbage ciphertext
            raise Refused(400, f"echostr cannot be decrypted: {type(exc).__name__}") from None

    def _decrypt(self, body: bytes, q) -> bytes:
        from wechatpy.exceptions import InvalidSignatureException

        if self.crypto is None:
            raise Refused(400, "encrypted message but no EncodingAESKey configured")
        render.check_xml(body)  # the envelope, before wechatpy's own parser reads it
        try:
            plain = self.crypto.decrypt_message(body, q.get("msg_signature", ""), q.get("timestamp", ""),
                                                q.get("nonce", ""))
        except InvalidSignatureException:
            raise Refused(403, "bad message signature") from None
        except (KeyError, ValueError, TypeError, UnicodeError, binascii.Error, AttributeError) as exc:
            raise Refused(400, f"cannot decrypt: {type(exc).__name__}") from None
        except Exception as exc:  # wechatpy's InvalidAppIdException / InvalidCorpIdException and the like
            raise Refused(403, f"cannot decrypt: {type(exc).__name__}") from None
        return plain.encode() if isinstance(plain, str) else plain


def _crypto(token: str, aes_key: str, app_id: str, enterprise: bool):
    if enterprise:
        from wechatpy.enterprise.crypto import WeChatCrypto
    else:
        from wechatpy.crypto import WeChatCrypto
    name = _ENV["wecom" if enterprise else "wechat"][1]
    if len(aes_key) != 43:
        raise ConfigError(f"{name} must be 43 characters long, got {len(aes_key)}")
    try:
        return WeChatCrypto(token, aes_key, app_id)
    except (AssertionError, ValueError, binascii.Error):
        raise ConfigError(f"{name} is not a valid EncodingAESKey (43 characters of base64)") from None


async def _read_body(request, limit: int) -> bytes:
    """Read at most `limit` bytes; a larger body is refused before it is read whole."""
    if int(request.headers.get("content-length") or 0) > limit:
        raise Refused(413, "body too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def routes(config: Config, service, feedback=None, env: dict | None = None) -> list:
    """Routes for the accounts whose secrets are set in the environment.

    Args:
        config: settings ([wechat] path, wecom_path, deadlines).
        service: the QAService.
        feedback: the FeedbackStore for the question log, or None.
        env: the environment to read secrets from (default os.environ).

    Returns:
        Starlette routes: /wechat when WECHAT_TOKEN is set, /wecom when WECOM_TOKEN, WECOM_AES_KEY and
        WECOM_CORP_ID are set.

    Raises:
        ConfigError: an AES key is malformed, or WeCom is only half configured.
    """
    from starlette.routing import Route

    env = os.environ if env is None else env
    w = config.wechat
    out = []
    for channel, path in (("wechat", w.path), ("wecom", w.wecom_path)):
        token, aes_key, app_id = (env.get(name, "") for name in _ENV[channel])
        if not token:
            continue
        if channel == "wecom" and not (aes_key and app_id):
            raise ConfigError("WeCom needs WECOM_AES_KEY and WECOM_CORP_ID besides WECOM_TOKEN")
        dialog = Dialog(service, feedback, channel, w.deadline_sec, w.timeout_sec,
                        jobs=open_once_cache(config, channel), state=open_dialog_state(config, channel))
        endpoint = WeChatEndpoint(config, dialog, token, aes_key, app_id, enterprise=channel == "wecom")
        out.append(Route(path, endpoint.handle, methods=["GET", "POST"], name=channel))
    return out
