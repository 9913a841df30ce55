"""Ranks and prizes a question states or guesses (第一名, 排第三, 冠军), and whether a text names them (pure)."""
from __future__ import annotations

import re

from bot.named import GUESS

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
