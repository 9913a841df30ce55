"""What the reading model reads: from each of the best passages, an excerpt around its window closest to the question."""
from __future__ import annotations

from dataclasses import dataclass

from index.passages.windows import Window, heading_line, windows_of
from index.types import Hit, Passage
from index.words.query import Query, coverage

EXCERPT_CHARS = 150    # an excerpt grows around its centre window to at most this many characters
COVERAGE_WEIGHT = 0.2  # the question's keywords in a window, beside its cosine with the question, pick the centre


@dataclass(frozen=True)
class Excerpt:
    """Consecutive windows of one passage, read as one text under the heading line they stand under.

    Attributes:
        passage: the passage.
        rank: the passage's rank among the hits.
        windows: the windows, in order.
        head: the heading line (title, headings, article; its opening words when the excerpt starts later).
        start: where its text begins in the passage's text.
        centre: which of its windows is the one closest to the question.
    """

    passage: Passage
    rank: int
    windows: tuple[Window, ...]
    head: str
    start: int = 0
    centre: int = 0

    @property
    def text(self) -> str:
        """The excerpt's text, as it stands in the passage."""
        return "".join(w.text for w in self.windows)

    @property
    def first(self) -> int:
        """The passage sentence it starts in."""
        return self.windows[0].first


def excerpt_around(wins: list[Window], centre: int, max_chars: int = EXCERPT_CHARS) -> Excerpt:
    """The excerpt of a passage's windows that holds the centre window and grows, the following window first, while
    it fits in max_chars.

    Args:
        wins: the passage's windows (windows_of).
        centre: the window to hold.
        max_chars: the longest excerpt (the centre window alone may be longer).

    Returns:
        The Excerpt.
    """
    lo, hi = centre, centre + 1
    size = len(wins[centre].text)
    grew = True
    while grew:
        grew = False
        for side in (1, -1):
            i = hi if side == 1 else lo - 1
            if 0 <= i < len(wins) and size + len(wins[i].text) <= max_chars:
                size += len(wins[i].text)
                lo, hi = min(lo, i), max(hi, i + 1)
                grew = True
    p = wins[centre].passage
    head = heading_line(p, after_start=lo > 0)
    return Excerpt(p, wins[centre].rank, tuple(wins[lo:hi]), head, sum(len(w.text) for w in wins[:lo]), centre - lo)


def shortlist(query: Query, hits: list[Hit], passages: int, max_chars: int = EXCERPT_CHARS) -> list[tuple[Excerpt, Hit]]:
    """One excerpt from each of the best passages, around its window closest to the question (cosine, keywords).

    Args:
        query: the analysed query.
        hits: search hits, best first.
        passages: how many of the best hits to read.
        max_chars: the longest excerpt.

    Returns:
        (excerpt, its hit), best hit first; an excerpt whose text an earlier one of the same document already holds
        is left out.
    """
    out: list[tuple[Excerpt, Hit]] = []
    for rank, hit in enumerate(hits[:passages]):
        wins = windows_of(hit.passage, rank)
        if not wins:
            continue
        sims = hit.windows if len(hit.windows) == len(wins) else (hit.dense,) * len(wins)
        centre = max(range(len(wins)), key=lambda i: sims[i] + COVERAGE_WEIGHT * coverage(query, wins[i].text.lower()))
        ex = excerpt_around(wins, centre, max_chars)
        if not any(e.passage.doc_id == ex.passage.doc_id and ex.text in e.text for e, _ in out):
            out.append((ex, hit))
    return out
