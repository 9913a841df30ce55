"""Question clean-up before search, and the reply's script (Simplified or Traditional)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from index.ingest.clean import clean_text, is_traditional, to_traditional

from bot.understand.cantonese import to_mandarin
from bot.understand.gibberish import is_gibberish

_LETTERS = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Prepared:
    """A question ready for search.

    Attributes:
        asked: what the user sent, control characters removed and truncated to the limit.
        text: cleaned Simplified text for search ("" when there is nothing to search).
        script: "hant" when the user wrote Traditional characters, else "hans".
        notice: a note to show with the reply (truncation), or "".
        problem: why the question cannot be searched ("empty", "no_text", "script", "gibberish"), or "".
    """

    asked: str
    text: str
    script: str = "hans"
    notice: str = ""
    problem: str = ""


def prepare(question: str | bytes | None, max_chars: int) -> Prepared:
    """Normalise a question: decode, drop control characters, truncate, NFKC, pinyin glosses, Simplified, Mandarin.

    Args:
        question: what the user sent (bytes are decoded as UTF-8 with replacement).
        max_chars: longer questions are cut to this length, with a notice.

    Returns:
        The Prepared question; `problem` is set when there is nothing to answer.
    """
    if question is None:
        question = ""
    if isinstance(question, bytes):
        question = question.decode("utf-8", errors="replace")
    # Control and format characters (binary junk, zero-width) say nothing; replacement chars mark undecodable bytes.
    chars = [c for c in question if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co") or c in "\n\t"]
    asked = re.sub(r"\s+", " ", "".join(chars).replace("\ufffd", "")).strip()
    notice = ""
    if len(asked) > max_chars:
        asked = asked[:max_chars]
        notice = f"问题太长，只读取了前 {max_chars} 个字。"
    if not asked:
        return Prepared(asked="", text="", problem="empty")
    if not _LETTERS.search(asked):
        problem = "script" if any(c.isalpha() for c in asked) else "no_text"
        return Prepared(asked=asked, text="", notice=notice, problem=problem)
    text = to_mandarin(clean_text(asked))
    if is_gibberish(text):
        return Prepared(asked=asked, text="", notice=notice, problem="gibberish")
    han = len(_HAN.findall(asked))
    script = "hant" if han and is_traditional(asked) else "hans"
    return Prepared(asked=asked, text=text, script=script, notice=notice)


def in_script(text: str, script: str) -> str:
    """Args: text: Simplified text. script: "hans" or "hant". Returns: the text in that script."""
    return to_traditional(text) if script == "hant" and text else text
