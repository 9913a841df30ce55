"""Questions about the document itself (which paper ran it, who wrote it, when): answered from its metadata (pure)."""
from __future__ import annotations

import re

# The question must point at the report itself ("这篇报道", "this article"): "作者是谁" alone asks about a book or a
# poem the text names, and "什么时候发布的" alone about a policy.
_THIS_REPORT = re.compile(
    r"(?:这|本|该|此|上面|上述)(?:一|个|篇|则|条|份|次)?[^，。？?！!]{0,12}?(?:报道|报导|文章|新闻|稿子|稿件|消息|原文)"
    r"|^(?:报道|报导|文章|新闻|原文)"
    r"|\b(?:this|the)\s+(?:news\s+)?(?:article|story|report|piece|item)\b", re.I)
_ASKS = {
    "source": re.compile(r"哪(?:家|个|份|一家)(?:报纸|报社|媒体|报|网站)|什么(?:报纸|报社|媒体|报)|(?:来源|出处|出自)(?:是|于)?(?:哪|什么)"
                         r"|哪(?:里|儿)(?:发|登|刊|转载)的|\b(?:which|what)\s+(?:news)?paper\b|\bsource\b"
                         r"|\bpublished\s+(?:in|by)\b", re.I),
    # Who, not when: "记者哪天采访的" asks the date the text gives.
    "reporter": re.compile(r"(?:记者|作者)(?:是|叫)?(?:谁|哪位|哪个|什么|啥|名字|姓名)|哪(?:位|个|名)(?:记者|作者)|谁(?:写|报道|采写|撰写)的"
                           r"|\b(?:reporter|journalist|author|who\s+wrote|written\s+by)\b", re.I),
    "editor": re.compile(r"(?:编辑|责编)(?:是|叫)?(?:谁|哪位|什么|啥|名字|姓名)|哪(?:位|个)(?:编辑|责编)|\beditor\b", re.I),
    "date": re.compile(r"(?:哪天|哪一天|几号|什么时候|啥时候|何时|几月几[号日]|哪年哪月|日期|时间)[^，。？?]{0,4}(?:发|登|刊|报道|出|写)"
                       r"|(?:发|登|刊)(?:出|布|表|登)?(?:的)?(?:时间|日期)|(?:发|登|刊)(?:于|在)(?:哪天|什么时候|何时)"
                       r"|\b(?:when|what\s+date|which\s+day|on\s+what\s+date)\b", re.I),
}
# A detail about the writer the metadata cannot hold: "记者的电话", "作者多大了".
_BEYOND = re.compile(r"电话|手机|联系方式|邮箱|微信|地址|年龄|多大|照片|工资|phone|email|address|age\b", re.I)
_LABELS = {"source": "刊发媒体", "reporter": "记者", "editor": "编辑", "date": "刊发日期"}


def asked_fields(text: str) -> list[str]:
    """Which facts about the report itself a question asks for.

    Args:
        text: the Simplified question.

    Returns:
        Some of "source", "reporter", "editor", "date" in that order; [] when the question is not about the report.
    """
    if not _THIS_REPORT.search(text) or _BEYOND.search(text):
        return []
    fields = [name for name, pattern in _ASKS.items() if pattern.search(text)]
    # The date alone is left to the text ("几号出来的" is answered by "1月17日记者采访获悉", with the date cited).
    return [] if fields == ["date"] else fields


def known(info: dict) -> dict[str, str]:
    """Args: info: a document's manifest entry. Returns: its provenance facts that are known, by field."""
    return {f: str(info[f]).strip() for f in _LABELS if str(info.get(f) or "").strip()}


def reply(info: dict, fields: list[str]) -> tuple[str, bool]:
    """The answer to a question about a report, from its metadata only.

    Args:
        info: the document's manifest entry (title, source, date, reporter, editor).
        fields: what was asked (asked_fields).

    Returns:
        (text, answered): every known provenance fact, and which asked ones the metadata does not record;
        answered is False when it records none of them.
    """
    have = known(info)
    title = info.get("title", "")
    facts = "，".join(f"{_LABELS[f]}：{have[f]}" for f in _LABELS if f in have)
    missing = [_LABELS[f] for f in fields if f not in have]
    gap = f"资料中没有记载这篇报道的{'、'.join(missing)}。" if missing else ""
    if not any(f in have for f in fields):
        return gap + (f"已知：《{title}》，{facts}。" if facts else ""), False
    return f"《{title}》，{facts}。" + gap, True
