"""Ranks and prizes a question states or guesses (第一名, 排第三, 冠军), and whether a text names them (pure)."""
from __future__ import annotations

import re

from bot.rules.named import GUESS

# "Was Jimo's case the first place?": a text that never ranks it has not said.
_RANK = re.compile(r"第[一二三四五六七八九十\d]+名|冠军|亚军|季军|榜首|状元|头名|金奖|一等奖|二等奖|三等奖|特等奖")


# "听说排第三，是真的吗": a place without 名 after a ranking verb, guessed (not "which ranks first").
_PLACED = re.compile(r"(?:排|列|名列|位列|排名|居)在?(第[一二三四五六七八九十\d]+)(?![名批届期次个条号位])")


def stated_ranks(question: str) -> tuple[str, ...]:
    """The places or prizes a question names as a premise or a yes/no guess.

    Args:
        question: the Simplified question.

    Returns:
        The ranks named (第一名, 冠军, 一等奖, ...; 排第三 as 第三名), which the answering text must name too.
    """
    placed = [p + "名" for p in _PLACED.findall(question)] if GUESS.search(question) else []
    return tuple(dict.fromkeys(_RANK.findall(question) + placed))


_CN_DIGITS = dict(zip("一二三四五六七八九十", [str(n) for n in range(1, 11)]))
_FIRST = ("冠军", "榜首", "状元", "头名", "第一", "第1", "首位", "之冠", "居首", "最")


def rank_named(rank: str, text: str) -> bool:
    """Whether a text names a rank, however it writes it (第五名: 第五, 第5; 冠军: 第一, 榜首, 之冠...).

    Args:
        rank: one of stated_ranks().
        text: the text, lower-cased.

    Returns:
        True when the text names it.
    """
    if rank in text:
        return True
    if rank.startswith("第"):
        n = rank[1:-1]
        forms = {n, _CN_DIGITS.get(n, n), next((c for c, d in _CN_DIGITS.items() if d == n), n)}
        return any(f"第{f}" in text for f in forms) or (n in ("一", "1") and any(w in text for w in _FIRST))
    return rank in ("冠军", "榜首", "状元", "头名") and any(w in text for w in _FIRST)


# "全国排第几" over "在省内列第一、在全国保持前列": a place given within another scope does not answer.
_SCOPES = (("national", re.compile(r"全国|国内|\bnationally\b|\b(?:across|in) the (?:whole )?country\b|\bnational rank")),
           ("provincial", re.compile(r"全省|省内|省里|\bprovincially\b|\bin the province\b")),
           ("city", re.compile(r"全市|市内|\bin the city\b")))
_ORDINAL = re.compile(r"第\s*[一二三四五六七八九十百\d]+|首位|榜首")


def _scope(text: str) -> str | None:
    return next((name for name, pattern in _SCOPES if pattern.search(text)), None)


def ranked_elsewhere(question: str, text: str) -> bool:
    """Whether a place asked within one scope (全国, nationally) is given in the text only within another (省内).

    Args:
        question: the question asking a place (lower-cased for English).
        text: the passage, lower-cased.

    Returns:
        True when every place the text gives names a scope right before it and none is the asked one; False when
        the question names no scope, or a place stands without one (华硕是销量第四 answers 全球第几).
    """
    asked = _scope(question)
    scopes = {_scope(text[max(0, m.start() - 8):m.start()]) for m in _ORDINAL.finditer(text)}
    return asked is not None and bool(scopes) and None not in scopes and asked not in scopes
