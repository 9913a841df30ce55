"""A passage's sentences as short windows, each with the heading line it stands under: what is embedded and read."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.types import Passage

MAX_CHARS = 100   # a window longer than this is cut at clause ends (，；：)
HEAD_CHARS = 48   # the heading line is cut to this, from its end (the deepest heading matters most)
LEAD_CHARS = 30   # of a lead-in, this much goes into the heading line
_CLAUSE = re.compile(r"[^，,；;：:]*[，,；;：:]?")


@dataclass(frozen=True)
class Window:
    """A sentence (or a run of clauses of a long one) of a retrieved passage.

    Attributes:
        passage: the passage it is cut from.
        rank: the passage's rank among the search hits (0 = best).
        first, last: the sentence indexes it spans (last exclusive); a clause run of one sentence has last = first + 1.
        text: the window's text, quoted as it stands in the passage.
        head: where it stands: the document's title, headings and label (not quoted).
    """

    passage: Passage
    rank: int
    first: int
    last: int
    text: str
    head: str


def heading_line(p: Passage, after_start: bool = False) -> str:
    """Where a passage's text stands, as one line: title, headings, label and lead-in.

    Args:
        p: a passage.
        after_start: for a text that does not begin at the passage's start: an article's or Q&A pair's opening
            sentence is added as its lead-in ("第十七条：弄虚作假骗取护照的，…" above "由公安机关处二千元以上…罚款").

    Returns:
        At most HEAD_CHARS characters, from the end when longer: the lead-in, the article and the deepest heading say
        more than the title.
    """
    parts = [p.doc_title, *p.path] + ([p.label] if p.label else [])
    line = " ".join(x for x in parts if x)
    lead = p.lead or (p.sentences[0] if after_start and p.label and p.sentences else "")
    if lead:
        line += "：" + lead[:LEAD_CHARS]
    return line if len(line) <= HEAD_CHARS else "…" + line[-(HEAD_CHARS - 1):]


def _clauses(sentence: str, max_chars: int) -> list[str]:
    """A long sentence as runs of whole clauses, each at most max_chars (a clause longer than that stands alone)."""
    runs: list[str] = []
    for clause in (c for c in _CLAUSE.findall(sentence) if c):
        if runs and len(runs[-1]) + len(clause) <= max_chars:
            runs[-1] += clause
        else:
            runs.append(clause)
    return runs


def windows_of(p: Passage, rank: int = 0, max_chars: int = MAX_CHARS) -> list[Window]:
    """Cut a passage into windows: one per sentence, a long sentence into runs of clauses.

    Args:
        p: the passage.
        rank: its rank among the hits.
        max_chars: the longest window.

    Returns:
        The windows in reading order; their texts concatenate to the passage text.
    """
    heads = (heading_line(p), heading_line(p, after_start=True))
    out: list[Window] = []
    for i, sentence in enumerate(p.sentences):
        parts = [sentence] if len(sentence) <= max_chars else _clauses(sentence, max_chars)
        for n, part in enumerate(x for x in parts if x.strip()):
            out.append(Window(p, rank, i, i + 1, part, heads[i > 0 or n > 0]))
    return out


def candidate_windows(passages: list[Passage], max_chars: int = MAX_CHARS) -> list[Window]:
    """Windows of several passages, best passage first; a sentence two overlapping passages share is read once.

    Args:
        passages: the passages, best first.
        max_chars: the longest window.

    Returns:
        The windows, each (document, text) once, from the best passage holding it.
    """
    seen: set[tuple[str, str]] = set()
    out: list[Window] = []
    for rank, p in enumerate(passages):
        for w in windows_of(p, rank, max_chars):
            key = (p.doc_id, w.text)
            if key not in seen:
                seen.add(key)
                out.append(w)
    return out
