"""Government bodies a question names (市教育局, 卫计委) and whether a text names them, in full or abbreviated."""
from __future__ import annotations

import re

_SUFFIXES = ("委员会", "办公室", "局", "厅", "署", "委")
# Words with those endings that name no body: 结局, 大厅, 签署; 常委 and 评委 are people.
_NOT_BODIES = ("当局", "结局", "格局", "布局", "大局", "战局", "政局", "平局", "时局", "全局", "残局", "僵局", "骗局", "赌局",
               "饭局", "棋局", "定局", "终局", "变局", "乱局", "开局", "出局", "入局", "书局", "药局", "大厅", "餐厅", "客厅",
               "展厅", "门厅", "歌厅", "舞厅", "官署", "部署", "签署", "公署", "常委", "编委", "评委", "主委", "村委", "居委")
_LEVELS = "市区县省镇"


def is_body(word: str) -> bool:
    """Args: word: a token of the question. Returns: whether it names a government body (教育局, 人社局, 发改委)."""
    return len(word) >= 3 and word.endswith(_SUFFIXES) and not word.endswith(_NOT_BODIES)


def names_body(word: str, text: str, question: str = "") -> bool:
    """Whether a text names a body, whole, without its level (市教育局: 教育局), or abbreviated either way
    (人力资源和社会保障局: 人社局; 人社局: 人力资源和社会保障局).

    Args:
        word: a word for which is_body holds.
        text: the text, lower-cased.
        question: the question the word is from: a long name the tokenizer split (人力资源和社会保障局 -> 保障局) is
            read back from it.

    Returns:
        True when the text names it.
    """
    if word in text:
        return True
    suffix = next(s for s in _SUFFIXES if word.endswith(s))
    core = word[:-len(suffix)].lstrip(_LEVELS)
    if len(core) >= 2 and core + suffix in text:
        return True
    at = question.find(word)
    run = re.search(r"[\u4e00-\u9fff]{0,12}$", question[:at + len(word) - len(suffix)]) if at >= 0 else None
    cores = {run.group()[i:] for i in range(len(run.group()) - 1)} if run else set()
    cores.add(core)
    for m in re.finditer(re.escape(suffix), text):
        before = text[max(0, m.start() - 10):m.start()]
        for size in range(2, len(before) + 1):
            other = before[-size:]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", other):
                break
            if any(_abbreviates(other, c) or _abbreviates(c, other) for c in cores):
                return True
    return False


def _abbreviates(short: str, full: str) -> bool:
    """Whether short is an abbreviation of full: its characters in order, the first the same, and shorter."""
    if len(short) < 2 or len(short) >= len(full) or short[0] != full[0]:
        return False
    it = iter(full)
    return all(ch in it for ch in short)
