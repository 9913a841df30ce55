"""Greetings, thanks and "what can you answer": friendly replies without retrieval (pure)."""
from __future__ import annotations

import re

_GREETING = re.compile(r"^(?:你好|您好|哈喽|嗨|hi|hello|hey|早上好|上午好|中午好|下午好|晚上好|早安|晚安|在吗|在不在|有人吗)[啊呀吗呢！!。.,，~\s]*$", re.I)
_THANKS = re.compile(r"^(?:谢谢|多谢|感谢|谢了|thanks|thank you|thx|辛苦了|好的谢谢|好的|ok|明白了|知道了)[啊呀你您啦了！!。.,，~\s]*$", re.I)
_BYE = re.compile(r"^(?:再见|拜拜|bye|goodbye)[啊呀！!。.,，~\s]*$", re.I)
_HELP = re.compile(r"^(?:/?help|/?start|帮助|使用说明|怎么用|你是谁|你是什么|你能做什么|你会什么|你能回答什么|你可以回答什么|能问什么|可以问什么|"
                   r"你能回答哪些问题|你可以回答哪些问题|你都知道什么|你知道什么|what can you (?:do|answer)\??|who are you\??)[？?！!。\s]*$", re.I)


_OPINION = re.compile(r"你觉得|你认为|你怎么看|你的看法|你个人|哪个[^，。？?]{0,6}(?:最|更)(?:好|棒|优秀|出色)|最好的是哪|值不值得|推荐哪|好不好[？?]?$|what do you think|your opinion", re.I)


# Live information no document holds: today's weather, a share price, the traffic now. Both a time and a topic.
_NOW = r"(?:今天|明天|后天|今日|明日|今晚|明早|现在|目前|当前|此刻|实时|最新|这周|本周|下周|周末|马上|today|tomorrow|tonight|now|right now|current|currently|live|this week|next week)"
_LIVE_TOPIC = (r"(?:天气|气温|温度|下雨|下雪|刮风|台风|雾霾|空气质量|股价|股票|汇率|油价|金价|房价|物价|菜价|路况|堵车|拥堵|限行|航班|高铁|火车|车次|余票|"
               r"比分|开奖|彩票|weather|temperature|rain|snow|share price|stock price|stock|exchange rate|traffic|flight|train)")
_LIVE = re.compile(rf"{_NOW}[^。？?!！]{{0,20}}{_LIVE_TOPIC}|{_LIVE_TOPIC}[^。？?!！]{{0,20}}{_NOW}", re.I)


# What will happen (以后会不会推广到全国, 明年会不会更多): a report says what was done and planned, it does not forecast.
# Next year's timetable (明年啥时候申报, 明年还评不评) is not in this year's report either.
_LATER = r"(?:以后|明年|后年|将来|今后|未来|往后|下一步|后续|日后|下一年|下一届|下届|下一次|下次)"
_WILL = r"(?:会不会|会否|是否会|有没有可能|可不可能)"
_FORECAST = re.compile(rf"{_LATER}[^，。？?]{{0,14}}(?:{_WILL}|还会|会更|会再)|{_WILL}[^，。？?]{{0,14}}{_LATER}"
                       rf"|{_LATER}[^，。？?]{{0,6}}([\u4e00-\u9fff])不\1|{_LATER}[^，。？?]{{0,10}}(?:什么时候|啥时候|何时|几月|哪天)")


def declined(text: str) -> str | None:
    """Args: text: the Simplified question. Returns: why no document can answer it (an opinion, live information,
    a forecast), to lead the reply; None for a question to search."""
    if is_opinion(text):
        return "我只引用资料中的原文作答，不对案例做评价或推荐。"
    if is_live(text):
        return "抱歉，资料库中没有找到天气、股价、路况这类实时信息：我只根据资料库中的文件作答。"
    if _FORECAST.search(text):
        return "资料只记载已经做了和计划要做的事，不对今后的情况作预测。"
    return None


def is_live(text: str) -> bool:
    """Args: text: the Simplified question. Returns: whether it asks for live information (weather, prices, traffic now),
    which documents cannot hold."""
    return bool(_LIVE.search(text))


def is_opinion(text: str) -> bool:
    """Args: text: the Simplified question. Returns: whether it asks the bot for an opinion (it quotes, never judges)."""
    return bool(_OPINION.search(text))


def classify(text: str) -> str | None:
    """Recognise small talk.

    Args:
        text: the Simplified question.

    Returns:
        "greeting", "thanks", "bye", "help", or None for a real question.
    """
    t = text.strip()
    if len(t) > 24:
        return None
    for kind, pattern in (("greeting", _GREETING), ("thanks", _THANKS), ("bye", _BYE), ("help", _HELP)):
        if pattern.match(t):
            return kind
    return None


def reply(kind: str, scope: str, examples: list[str]) -> str:
    """Args: kind: from classify. scope: one line on what the corpus covers. examples: example questions.

    Returns:
        The reply text (Simplified).
    """
    tips = "\n".join(f"· {q}" for q in examples[:3])
    if kind == "thanks":
        return "不客气！还有其他问题，随时问我。"
    if kind == "bye":
        return "再见，欢迎随时回来提问。"
    opener = "您好！我是政务资料问答助手，回答都引自资料原文。" if kind == "greeting" else "我是政务资料问答助手，回答都引自资料原文。"
    return f"{opener}{scope}\n您可以这样问：\n{tips}" if tips else f"{opener}{scope}"
