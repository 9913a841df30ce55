"""Does a question in a Latin-script language name what a Chinese passage names (pinyin of places and units, numbers)?"""
from __future__ import annotations

import re

from index.glossary import figures
from index.romanise import latin_words, syllable_runs
from index.types import Passage


def names_match(question: str, passage: Passage) -> bool:
    """Whether a question written in Latin letters names something the passage itself names.

    Args:
        question: the question (e.g. English, with romanised place names).
        passage: the passage that would answer it.

    Returns:
        True when a word of the question is the pinyin of the passage's unit, case or heading (Licang -> 李沧), or a
        number of the question stands in the passage text.
    """
    names = " ".join(x for x in (passage.unit or "", passage.case or "", passage.section) if x)
    if latin_words(question) & syllable_runs(names).keys():
        return True
    # "4.2 billion" is 42亿 in Chinese: its digits (42) stand in the passage (42.32亿元).
    numbers = {re.sub(r"[^\d.]", "", f) for f in figures(question)}
    return any(n in passage.text for n in numbers)
