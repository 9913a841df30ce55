"""Does a question in a Latin-script language name what a Chinese passage names (pinyin of places and units, numbers)?"""
from __future__ import annotations

import functools
import re

from index.types import Passage
from index.words.glossary import figures
from index.words.query import named_places
from index.words.romanise import latin_words, places_spelled, syllable_runs


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


def places_unnamed(question: str, document: str) -> list[str]:
    """The places a Latin-script question names by their pinyin that the document does not name by that sound.

    Args:
        question: the question as written (Pingdu, Laoshan).
        document: the document's text.

    Returns:
        Their Chinese names (平度); [] when there are none. Taishan stands for 泰山 of 泰山学者 as well as 台山, so a
        place counts as named when any word of the document sounds like it.
    """
    spelled = places_spelled(question, named_places())
    if not spelled:
        return []
    runs = _document_sounds(document)
    return [place for sound, place in spelled if sound not in runs]


@functools.lru_cache(maxsize=32)
def _document_sounds(document: str) -> frozenset[str]:
    # A few whole documents, not syllable_runs' cache of 16,384 names: a long law's runs are hundreds of thousands.
    return frozenset(syllable_runs.__wrapped__(document))
