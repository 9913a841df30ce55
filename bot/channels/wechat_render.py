"""WeChat messages as data (pure): safe XML parsing to Inbound, reply texts, pages under 2,048 bytes, reply XML."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.schema import Answer

MAX_REPLY_BYTES = 2047             # a text reply's Content must stay under 2,048 bytes (UTF-8)
MORE_WORDS = {"更多", "继续", "下一页", "more"}
SOURCE_WORDS = {"原文", "出处", "查看原文", "source"}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")


class BadMessage(ValueError):
    """The request body is not a WeChat message we accept (malformed, DTD or entities, missing fields)."""


@dataclass(frozen=True)
class Inbound:
    """What a WeChat or WeCom user sent, as far as the bot cares.

    Attributes:
        kind: "text", "voice", "subscribe", "event" (any other event) or "other" (image, video, location...).
        user: FromUserName (the user's OpenID / UserID).
        account: ToUserName (our account / CorpID).
        msg_id: MsgId ("" for events).
        create_time: CreateTime (seconds).
        text: the text content, or the voice's Recognition ("" otherwise).
        event: the event name for events ("" otherwise).
        agent: WeCom AgentID, or None.
    """

    kind: str
    user: str
    account: str
    msg_id: str = ""
    create_time: int = 0
    text: str = ""
    event: str = ""
    agent: int | None = None

    @property
    def dedup_key(self) -> str:
        """Returns: the key WeChat's retries share (MsgId; sender + CreateTime + event for events)."""
        return f"msg:{self.msg_id}" if self.msg_id else f"evt:{self.user}:{self.create_time}:{self.event}"


def check_xml(body: bytes | str) -> None:
    """Refuse anything but plain XML before any other parser sees it.

    WeChat never sends a DTD, so a document type, entity declaration or external reference is refused outright
    (billion laughs, external entities), as is malformed XML.

    Args:
        body: the raw XML.

    Raises:
        BadMessage: malformed, or DTD / entities present.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadMessage(f"XML with a DTD or entities refused: {type(exc).__name__}") from None
    except (ParseError, ValueError) as exc:
        raise BadMessage(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise BadMessage(f"unexpected root element <{root.tag}>")


def parse_inbound(xml: bytes | str, enterprise: bool = False) -> Inbound:
    """Parse a (decrypted) message with wechatpy, after check_xml.

    Args:
        xml: the message XML.
        enterprise: a WeCom message (wechatpy's enterprise parser).

    Returns:
        The Inbound.

    Raises:
        BadMessage: not a message (malformed, missing MsgType or sender).
    """
    check_xml(xml)
    if enterprise:
        from wechatpy.enterprise import parse_message
    else:
        from wechatpy import parse_message
    try:
        msg = parse_message(xml)
        kind = msg.type
        base = dict(user=msg.source or "", account=msg.target or "", create_time=int(msg.time or 0),
                    agent=getattr(msg, "agent", None))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadMessage(f"not a WeChat message: {type(exc).__name__}") from None
    if not base["user"]:
        raise BadMessage("message without FromUserName")
    if kind == "event":
        event = (getattr(msg, "event", "") or "").lower()
        return Inbound("subscribe" if event.startswith("subscribe") else "event", event=event, **base)
    msg_id = str(getattr(msg, "id", "") or "")
    if kind == "text":
        return Inbound("text", msg_id=msg_id, text=msg.content or "", **base)
    if kind == "voice":
        return Inbound("voice", msg_id=msg_id, text=(getattr(msg, "recognition", "") or "").strip(), **base)
    return Inbound("other", msg_id=msg_id, **base)


def answer_text(answer: Answer) -> str:
    """Returns: an Answer as WeChat text: the quote, the case and document, how to see the source."""
    lines = [f"（{answer.notice}）"] if answer.notice else []
    if not answer.answered:
        return "\n".join(lines + [answer.answer])
    if answer.short and answer.quote:
        lines.append(f"【{answer.short}】")
    lines.append(answer.quote or answer.answer)
    top = answer.sources[0] if answer.sources else None
    cite = answer.citation or (top and (f"案例：《{top.case}》" if top.case else top.title)) or ""
    if cite:
        lines.append(f"——{cite}")
    if top is not None:
        lines.append("回复“原文”查看出处全文。")
    return "\n".join(lines)


def source_text(answer: Answer | None) -> str:
    """Returns: the full source passage of the user's last answer, or how to get one."""
    if answer is None or not answer.sources:
        return "请先提一个问题，再回复“原文”查看回答的出处全文。"
    s = answer.sources[0]
    head = f"【原文】{s.title}" + (f" · {s.section}" if s.section else "")
    origin = " ".join(x for x in (s.source, s.url) if x)
    return "\n".join([head, s.text] + ([f"来源：{origin}"] if origin else []))


def welcome_text(scope: str, examples: list[str]) -> str:
    """Returns: the greeting on subscribe: what the bot covers and example questions."""
    tips = "\n".join(f"· {q}" for q in examples[:3])
    return (f"您好，欢迎关注！我是政务资料问答助手。{scope}\n"
            f"直接发送文字提问即可，例如：\n{tips}\n回答后回复“原文”可查看出处全文。")


def please_type() -> str:
    """Returns: the reply to images, video, location, and voice without recognised text."""
    return "抱歉，我只能读懂文字。请直接用文字发送您想了解的问题。"


def pending_text() -> str:
    """Returns: the reply when an answer misses WeChat's deadline (it is kept for the user's next message)."""
    return "问题已收到，答案还在查找中。请稍后发送任意文字获取答案。"


def apology() -> str:
    """Returns: what the user sees when something went wrong on our side."""
    return "抱歉，系统暂时出了点问题，请稍后再试。"


def paginate(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """Split a reply into pages under the byte limit; each page but the last says how to continue.

    Args:
        text: the reply text.
        limit: the most UTF-8 bytes a page may hold, hint included.

    Returns:
        Pages, split at line or sentence ends where possible (never inside a character).
    """
    if len(text.encode()) <= limit:
        return [text]
    hint_room = len("\n（第99/99页，回复“更多”继续）".encode())
    pieces = split_bytes(text, limit - hint_room)
    n = len(pieces)
    return [p + (f"\n（第{i}/{n}页，回复“更多”继续）" if i < n else "") for i, p in enumerate(pieces, 1)]


def split_bytes(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most `limit` UTF-8 bytes, at line or sentence ends, else between characters.

    Args:
        text: the text.
        limit: bytes per piece (at least 4, the widest character).

    Returns:
        The pieces, in order; joined they give back the text.
    """
    pieces: list[str] = []
    for unit in (u for u in _SENTENCE_END.split(text) if u):
        while len(unit.encode()) > limit:
            cut = len(unit.encode()[:limit].decode("utf-8", "ignore"))
            pieces.append(unit[:cut])
            unit = unit[cut:]
        if pieces and len((pieces[-1] + unit).encode()) <= limit:
            pieces[-1] += unit
        else:
            pieces.append(unit)
    return pieces


def reply_xml(msg: Inbound, content: str, enterprise: bool = False) -> str:
    """Render a passive text reply with wechatpy.

    Args:
        msg: the message being answered (sender and receiver are swapped).
        content: the reply text.
        enterprise: a WeCom reply (carries AgentID).

    Returns:
        The reply XML (plaintext; the caller encrypts it in safe mode).
    """
    if enterprise:
        from wechatpy.enterprise.replies import TextReply
    else:
        from wechatpy.replies import TextReply
    content = _XML_INVALID.sub("", content).replace("]]>", "]]]]><![CDATA[>")  # stay inside wechatpy's CDATA
    fields = dict(source=msg.account, target=msg.user, content=content)
    if enterprise:
        fields["agent"] = msg.agent or 0
    return TextReply(**fields).render()
