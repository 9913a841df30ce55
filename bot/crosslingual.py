"""Does a question in a Latin-script language name what a Chinese passage names (pinyin of places and units, numbers)?"""
from __future__ import annotations

import functools
import re

from index.errors import require
from index.types import Passage


@functools.lru_cache(maxsize=4096)
def _syllable_runs(name: str) -> frozenset[str]:
    """Every run of 2 to 4 syllables of a Chinese name, romanised without tones: 李沧区 -> licang, cangqu, licangqu."""
    pypinyin = require("pypinyin")
    runs = set()
    for chunk in re.findall(r"[\u4e00-\u9fff]+", name):
        syl = pypinyin.lazy_pinyin(chunk)
        for i in range(len(syl)):
            for j in range(i + 2, min(len(syl), i + 4) + 1):
                runs.add("".join(syl[i:j]))
    return frozenset(runs)


def names_match(question: str, passage: Passage) -> bool:
    """Whether a question written in Latin letters names something the passage itself names.

    Args:
        question: the question (e.g. English, with romanised place names).
        passage: the passage that would answer it.

    Returns:
        True when a word of the question is the pinyin of the passage's unit, case or heading (Licang -> 李沧), or a
        number of the question stands in the passage text.
    """
    words = {w for w in re.findall(r"[a-z]+", question.lower()) if len(w) >= 4}
    names = " ".join(x for x in (passage.unit or "", passage.case or "", passage.section) if x)
    if words & _syllable_runs(names):
        return True
    numbers = set(re.findall(r"\d+(?:\.\d+)?", question))
    return any(n in passage.text for n in numbers)
