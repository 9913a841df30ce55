"""Telegram messages as data (pure): HTML-escaped answers, buttons, clean splits under 4,096 characters, who is addressed."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.schema import Answer, Source

MAX_MESSAGE = 4096          # Bot API limit, counted in UTF-16 units after entity parsing
MAX_CALLBACK_BYTES = 64     # Bot API limit on callback_data
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…])")


@dataclass(frozen=True)
class Button:
    """An inline button: its label and the callback_data it sends back."""

    text: str
    data: str


@dataclass(frozen=True)
class Reply:
    """One message to send: HTML text (parse_mode HTML) and inline keyboard rows."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()


def esc(text: str | None) -> str:
    """Returns: `text` escaped for Telegram's HTML parse mode (None -> "")."""
    return html.escape(text or "", quote=True)


def utf16_len(text: str) -> int:
    """Returns: the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_plain(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split text into pieces of at most `limit` UTF-16 units: at line breaks, else sentence ends, else hard.

    Args:
        text: plain text (not yet escaped).
        limit: the most UTF-16 units a piece may hold.

    Returns:
        Non-empty pieces that join back to the text, apart from the line breaks split at.
    """
    if utf16_len(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for unit in _units(text, limit):
        if pieces and utf16_len(pieces[-1]) + utf16_len(unit) <= limit:
            pieces[-1] += unit
        else:
            pieces.append(unit.lstrip("\n") if pieces else unit)
    return [p for p in pieces if p]


def _units(text: str, limit: int) -> list[str]:
    """Lines (with their leading break), long lines cut at sentence ends, long sentences cut hard."""
    out: list[str] = []
    for i, line in enumerate(text.split("\n")):
        prefix = "\n" if i else ""
        parts = [s for s in _SENTENCE_END.split(line) if s] or [""]
        parts[0] = prefix + parts[0]
        for part in parts:
            while utf16_len(part) > limit:
                cut, size = 0, 0
                for ch in part:  # count UTF-16 units so an emoji is never cut in half
                    if size + utf16_len(ch) > limit:
                        break
                    size += utf16_len(ch)
                    cut += 1
                out.append(part[:cut])
                part = part[cut:]
            out.append(part)
    return out


def pack(blocks: list[tuple[str, str]], limit: int = MAX_MESSAGE) -> list[str]:
    """Lay out formatted blocks as few messages as possible, each within `limit` after entity parsing.

    Args:
        blocks: (tag, plain text) pairs, one per line; tag is "" or an HTML tag name such as "b".
        limit: the most UTF-16 units of visible text in a message.

    Returns:
        HTML messages; a block too long for one message is split cleanly and keeps its tag in each part.
    """
    messages: list[tuple[list[str], int]] = []
    for tag, text in blocks:
        for piece in split_plain(text, limit) or [""]:
            markup = f"<{tag}>{esc(piece)}</{tag}>" if tag and piece else esc(piece)
            size = utf16_len(piece)
            if messages and messages[-1][1] + 1 + size <= limit:
                messages[-1][0].append(markup)
                messages[-1] = (messages[-1][0], messages[-1][1] + 1 + size)
            else:
                messages.append(([markup], size))
    return [m for m in ("\n".join(parts).strip("\n") for parts, _ in messages) if m]


def welcome(scope: str, examples: list[str]) -> Reply:
    """The /start message: what the bot covers and up to three example questions as buttons.

    Args:
        scope: one line on what the corpus covers (from the service).
        examples: example questions; button i sends back "ex:i".
    """
    text = (f"<b>您好！我是政务资料问答助手。</b>\n{esc(scope)}\n\n"
            "直接输入您的问题即可，例如点击下面的示例问题。每个回答都注明出自哪个案例，可点击“查看原文”核对出处。")
    buttons = tuple((Button(_label(q), f"ex:{i}"),) for i, q in enumerate(examples[:3]))
    return Reply(text, buttons)


def help_text(examples: list[str]) -> str:
    """Args: examples: example questions (the first is quoted).

    Returns:
        The /help message (HTML).
    """
    example = f"，例如“{esc(examples[0])}”" if examples else ""
    return ("<b>使用说明</b>\n"
            f"· 直接用中文输入您的问题{example}\n"
            "· 回答摘自资料原文，并注明出处（文件、条款或章节）；点“查看原文”可看完整段落。\n"
            "· 点 👍 或 👎 告诉我们回答是否有帮助。\n"
            "· 在群里使用时，请 @我 或回复我的消息。\n"
            "· /start 重新显示欢迎语和示例问题。")


def answer_reply(answer: Answer, *, show_source: bool = False, rated: str | None = None) -> list[Reply]:
    """Render an Answer; the buttons ride on the last message.

    Args:
        answer: from the service.
        show_source: include the full source passage (the "查看原文" view).
        rated: "up" or "down" once the user gave feedback (the thumbs are replaced by a thank-you).

    Returns:
        One Reply, or several when the text exceeds the message limit.
    """
    blocks: list[tuple[str, str]] = []
    if answer.notice:
        blocks += [("i", answer.notice), ("", "")]
    if not answer.answered:
        blocks.append(("", answer.answer))
        return [Reply(m) for m in pack(blocks)]
    if answer.short and answer.quote:
        blocks += [("b", answer.short), ("", "")]
    blocks.append(("", answer.quote or answer.answer))
    top = answer.sources[0] if answer.sources else None
    cite = answer.citation or (top and (f"案例：《{top.case}》" if top.case else top.title)) or ""
    if cite:
        blocks += [("", ""), ("i", "📄 " + cite)]
    if show_source and top is not None:
        blocks += source_blocks(top)
    messages = pack(blocks)
    buttons = answer_buttons(answer.answer_id, show_source=show_source, rated=rated) if answer.answer_id else ()
    return [Reply(m) for m in messages[:-1]] + [Reply(messages[-1], buttons)]


def source_blocks(source: Source) -> list[tuple[str, str]]:
    """Returns: the blocks showing a source passage in full, with its section and origin."""
    blocks = [("", ""), ("b", "原文" + (f"（{source.section}）" if source.section else "")), ("", source.text)]
    origin = " · ".join(x for x in (source.source, source.url) if x)
    if origin:
        blocks.append(("i", "来源：" + origin))
    return blocks


def answer_buttons(answer_id: str, *, show_source: bool, rated: str | None) -> tuple[tuple[Button, ...], ...]:
    """Returns: the keyboard under an answer: source toggle, then thumbs (or the thanks once rated)."""
    toggle = Button("收起原文", f"hide:{answer_id}") if show_source else Button("📖 查看原文", f"src:{answer_id}")
    if rated:
        thumbs = (Button("已反馈，谢谢！" + ("👍" if rated == "up" else "👎"), "noop"),)
    else:
        thumbs = (Button("👍 有帮助", f"up:{answer_id}"), Button("👎 没帮助", f"down:{answer_id}"))
    return ((toggle,), thumbs)


def parse_callback(data: str | None) -> tuple[str, str]:
    """Split callback_data into (action, argument); unknown or malformed data gives ("", "")."""
    action, _, arg = (data or "").partition(":")
    if action in {"ex", "src", "hide", "up", "down"} and arg and len(arg) <= 40:
        return action, arg
    if action == "noop":
        return action, ""
    return "", ""


def addressed_text(text: str, chat_type: str, bot_username: str, mentions: list[str],
                   replied_to_bot: bool) -> str | None:
    """Decide whether a message is meant for the bot and what question it asks.

    Args:
        text: the message text.
        chat_type: "private", "group", "supergroup" or "channel".
        bot_username: the bot's username, without "@".
        mentions: the @mentions Telegram marked in the text (with "@").
        replied_to_bot: the message replies to one of the bot's messages.

    Returns:
        The question (the bot's @mention removed), or None when the bot should stay silent.
    """
    if chat_type == "private":
        return text
    if chat_type not in {"group", "supergroup"}:
        return None
    me = "@" + bot_username.lower()
    mentioned = any(m.lower() == me for m in mentions)
    if not (mentioned or replied_to_bot):
        return None
    if mentioned:
        text = re.sub(re.escape(me) + r"\b", " ", text, flags=re.I)
    return " ".join(text.split())


def please_type() -> str:
    """Returns: the reply to stickers, photos, voice and other non-text messages."""
    return "抱歉，我只能读懂文字。请直接用文字输入您想了解的问题。"


def rate_limited(retry_after: float) -> str:
    """Returns: the reply when a user asks too fast."""
    return f"您提问有点快，请约 {max(1, round(retry_after))} 秒后再试。"


def apology() -> str:
    """Returns: what the user sees when something went wrong on our side."""
    return "抱歉，系统暂时出了点问题，请稍后再试。"


def expired() -> str:
    """Returns: the callback answer when the answer behind a button is no longer remembered."""
    return "这条回答已过期，请重新提问。"


def _label(question: str, limit: int = 30) -> str:
    return question if len(question) <= limit else question[: limit - 1] + "…"
