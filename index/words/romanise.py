"""Names by their sound: toneless pinyin runs of a Chinese name (李沧区 -> licang, ...), and sound-alike typos."""
from __future__ import annotations

import functools
import re

from index.errors import require

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z]+")


@functools.lru_cache(maxsize=16384)
def syllable_runs(name: str) -> dict[str, str]:
    """Args: name: a Chinese name. Returns: every run of 2 to 4 of its syllables, romanised without tones, mapped
    to the characters it spells (李沧区 -> {"licang": "李沧", "cangqu": "沧区", "licangqu": "李沧区"})."""
    pypinyin = require("pypinyin")
    runs: dict[str, str] = {}
    for chunk in _HAN_RUN.findall(name):
        syl = pypinyin.lazy_pinyin(chunk)
        if len(syl) != len(chunk):  # one syllable a character, or the spans would not line up
            continue
        for i in range(len(syl)):
            for j in range(i + 2, min(len(syl), i + 4) + 1):
                runs.setdefault("".join(syl[i:j]), chunk[i:j])
    return runs


def latin_words(text: str) -> set[str]:
    """Args: text: a question. Returns: its Latin-letter words of 4 letters or more, lower-cased (Licang -> licang)."""
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 4}


def sound_alike(name: str, text: str) -> str | None:
    """A spelling of a name in a text that sounds the same and shares a character with it: the typo a pinyin
    keyboard makes (李仓区 for 李沧区).

    Args:
        name: a Chinese name of 2 to 6 characters.
        text: where to look.

    Returns:
        The text's spelling, or None.
    """
    if not 2 <= len(name) <= 6 or not _HAN_RUN.fullmatch(name):
        return None
    # Only spellings that keep one of the name's characters in place are candidates: a cheap scan of long texts.
    shapes = "|".join(name[:i] + "[\u4e00-\u9fff]" + name[i + 1:] for i in range(len(name)))
    pypinyin = require("pypinyin")
    sound = pypinyin.lazy_pinyin(name)
    for m in re.finditer(f"(?=({shapes}))", text):
        if m.group(1) != name and pypinyin.lazy_pinyin(m.group(1)) == sound:
            return m.group(1)
    return None


@functools.lru_cache(maxsize=4)
def _by_sound(places: frozenset[str]) -> dict[str, str]:
    pypinyin = require("pypinyin")
    seen: dict[str, list[str]] = {}
    for place in places:
        if _HAN_RUN.fullmatch(place):
            seen.setdefault("".join(pypinyin.lazy_pinyin(place)), []).append(place)
    # A sound several places share (济南, 金安, 晋安) names one of them: the check is by sound anyway.
    return {sound: "/".join(sorted(names)) for sound, names in seen.items()}


def places_spelled(text: str, places: frozenset[str]) -> list[tuple[str, str]]:
    """The places a question written in Latin letters names by their pinyin (Pingdu -> 平度).

    Args:
        text: the question as written (capitals kept: a place is a proper noun).
        places: the gazetteer's place names.

    Returns:
        (sound, Chinese names) pairs, in order, for capitalised words of 4 letters or more that spell a place
        ("pingdu", "平度"; "jinan", "济南/晋安/金安").
    """
    sounds = _by_sound(places)
    words = [w.lower() for w in re.findall(r"\b[A-Z][a-z]{3,}\b", text)]
    return [(w, sounds[w]) for w in dict.fromkeys(words) if w in sounds]
