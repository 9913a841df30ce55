"""Questions for a list of people or of items (都是谁, 分别是哪十个): a text naming none, or listing nothing, has not said."""
from __future__ import annotations

import re

from index.lexical import pos_tagger

# "Who are the 24 academicians?": people by name. Not "which people sit on the panel" (人大代表 answers) nor "what is
# it called" (an app has a name).
_WHO_ALL = re.compile(r"(?:都|分别|各)是谁|是哪几位|姓甚名谁")
# "Which ten are they, one by one?": an enumeration (11 CMRC/DRCD gold paragraphs all hold one).
_PLACE_ENDS = frozenset("区市县省州局委办村镇乡路街港湾岛山河")  # jieba tags some places as names (高新区)
_EACH = re.compile(r"分别是(?:哪|什么)|分别为|都有哪些|都是哪些|有哪几[个项家种条所位]|分别叫")
_ENUMERATION = re.compile(r"[^、，。；]{1,15}、[^、，。；]{1,15}|[^、，。；]{1,15}(?:和|及|与|以及)[^、，。；]{1,15}|"
                          r"[一二三四五六七八九十]是|第[一二三]|其一")


def asks_people(question: str) -> bool:
    """Args: question: the Simplified question. Returns: whether it asks who the people are, by name."""
    return bool(_WHO_ALL.search(question))


def names_people(text: str) -> bool:
    """Args: text: a passage. Returns: whether it names a person (a personal name by jieba's parts of speech)."""
    return any(w.flag in ("nr", "nrfg", "nrt") and 2 <= len(w.word) <= 4 and w.word[-1] not in _PLACE_ENDS
               for w in pos_tagger().lcut(text))


def asks_each(question: str) -> bool:
    """Args: question: the Simplified question. Returns: whether it asks for several things one by one."""
    return bool(_EACH.search(question))


def enumerates(text: str) -> bool:
    """Args: text: a passage. Returns: whether it lists things (A、B, A和B, 一是…)."""
    return bool(_ENUMERATION.search(text))
