"""Input with no meaning in any language the bot reads: keyboard runs and random letters (asdfghjkl qwerty)."""
from __future__ import annotations

import functools
import re
import unicodedata

_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z]+")
# Words every English question has, whatever the dictionaries say of them.
_COMMON = frozenset("a an the i you he she it we they me my your is are was were be do does did can could will would "
                    "should may must what who whom whose which when where why how if or and not no yes of in on at to "
                    "for from by with about as this that these those there here hi hello hey ok okay please thanks "
                    "thank".split())


@functools.lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (from pypinyin's own table): zenme ban is Chinese typed without characters."""
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for r in readings.split(","):
            plain = "".join(c for c in unicodedata.normalize("NFD", r) if unicodedata.category(c) != "Mn")
            out.add(plain.replace("ü", "v"))
    return frozenset(out)


def _is_pinyin(word: str) -> bool:
    """Whether a word splits into pinyin syllables (longest first, with backtracking)."""
    syllables = _syllables()

    @functools.lru_cache(maxsize=None)
    def fits(i: int) -> bool:
        return i == len(word) or any(word[i:j] in syllables and fits(j) for j in range(min(len(word), i + 6), i, -1))

    return fits(0)


def _is_english(word: str) -> bool:
    from index.words.cedict import chinese_for
    from index.words.glossary import load

    if word in _COMMON or any(word in key for key in load()):
        return True
    return bool(chinese_for(word)) or (word.endswith("s") and bool(chinese_for(word[:-1])))


def is_gibberish(text: str) -> bool:
    """Whether a question without Chinese characters holds no English word and no pinyin: nothing to search for.

    Args:
        text: the cleaned question.

    Returns:
        True for "asdfghjkl qwerty"; False for any text with Chinese characters, an English word, or pinyin.
    """
    if _HAN.search(text):
        return False
    words = _WORD.findall(text.lower())
    if not words:
        return False
    return not any(len(w) == 1 or _is_english(w) or (len(w) <= 18 and _is_pinyin(w)) for w in words)
