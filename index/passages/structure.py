"""A cleaned document's units: a statute's articles, outline sections, question-and-answer pairs, table rows (pure)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"[一二三四五六七八九十百千零〇两\d]+"
ARTICLE = re.compile(rf"^第{_NUM}条(?:之[一二三四五六七八九十]+)?(?=[\s　（(“\u4e00-\u9fff]|$)")
# 编 > 分编 > 章 > 节: the levels of a statute's parts, each a heading line of its own.
_PART = re.compile(rf"^第{_NUM}(编|分编|章|节)(?:[\s　]|$)")
_PART_LEVEL = {"编": 0, "分编": 1, "章": 2, "节": 3}
# Outline markers of reports and notices, outermost first: 一、 （一） 1. （1）
_OUTLINE = (re.compile(r"^[一二三四五六七八九十]{1,3}、"), re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]"),
            re.compile(r"^\d{1,2}[.．、](?!\d)"), re.compile(r"^[（(]\d{1,2}[）)]"))
_QUESTION = re.compile(r"^(?:问题?|提问|Q)\s*\d*\s*[:：.．、]\s*", re.I)
_ANSWER = re.compile(r"^(?:答复?|回答|解答|A)\s*[:：.．、]\s*", re.I)
_SENTENCE_END = "。！？!?；;"
_RUN_IN_MAX = 40  # a run-in heading (（一）经济增长迈出坚实步伐。…) is at most this long
_ARTICLES_FOR_STATUTE = 2
_QUESTION_MAX = 60  # a line of its own that asks, this short, is a FAQ's question: what follows is its answer


@dataclass(frozen=True)
class Block:
    """One unit of a document, cut into passages as a whole where it fits.

    Attributes:
        kind: "article" (a statute's 第X条 with its paragraphs and items), "qa" (a question with its answer),
            "row" (a table row rendered with its header cells), or "text" (a paragraph).
        path: the headings above it, outermost first, the document title left out (第二章 普通护照, ...).
        label: what a citation names besides the headings: 第七条, the question of a Q&A pair, or "".
        paras: its paragraphs (Simplified).
        origs: the same paragraphs in the document's own script.
    """

    kind: str
    path: tuple[str, ...]
    label: str
    paras: tuple[str, ...]
    origs: tuple[str, ...]


def is_statute(paras: list[str]) -> bool:
    """Args: paras: a document's paragraphs. Returns: whether it is cut into articles (第一条, 第二条, ...)."""
    return sum(bool(ARTICLE.match(p)) for p in paras) >= _ARTICLES_FOR_STATUTE


def outline_level(para: str) -> int | None:
    """Args: para: a paragraph. Returns: its outline level (0 for 一、, 1 for （一）, 2 for 1., 3 for （1）) or None."""
    for level, marker in enumerate(_OUTLINE):
        if marker.match(para):
            return level
    return None


def _run_in(para: str) -> str | None:
    """The run-in heading of a paragraph (its short first sentence), or None when the first sentence is long."""
    m = re.match(rf"^[^{_SENTENCE_END}]{{2,{_RUN_IN_MAX}}}[。！？!?]", para)
    return m.group(0).rstrip("。！？!?") if m and len(m.group(0)) < len(para) else None


def _tidy(heading: str) -> str:
    """Args: heading: a heading line. Returns: it without the spaces that spread a short name (第一章 总 则 -> 第一章 总则)."""
    return re.sub(r"(?<=\s[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff](?:\s|$))", "", heading)


def _table_cells(para: str) -> list[str] | None:
    """The cells of a table row: tab-separated (Word, web pages) or a Markdown |a|b| line; None for prose."""
    if "\t" in para:
        return [c.strip() for c in para.split("\t")]
    if para.startswith("|") and para.endswith("|") and para.count("|") >= 3:
        return [c.strip() for c in para.strip("|").split("|")]
    return None


def _render_row(header: list[str], cells: list[str]) -> str:
    """A table row as one line that keeps its header cells: 项目：护照；收费标准：120元。"""
    pairs = [(h, c) for h, c in zip(header, cells) if c]
    if not pairs or len(header) != len(cells):
        return "，".join(c for c in cells if c) + "。"
    return "；".join(f"{h}：{c}" if h and h != c else c for h, c in pairs) + "。"


class _Builder:
    """Collects blocks while walking the paragraphs; the heading path is a list indexed by level."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.levels: list[str | None] = []
        self.depth = 0  # where a heading without an outline marker goes: below the last marked one
        self.blocks: list[Block] = []
        self.kind, self.label = "text", ""
        self.paras: list[str] = []
        self.origs: list[str] = []

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(h for h in self.levels if h)

    def heading(self, level: int | None, text: str) -> None:
        self.flush()
        if text.replace(" ", "") == self.title.replace(" ", ""):
            return  # the title line repeats what every citation names
        if level is None:
            level = self.depth
        else:
            self.depth = level + 1
        self.levels = (self.levels + [None] * (level + 1))[:level] + [_tidy(text)]

    def start(self, kind: str, label: str, para: str, orig: str) -> None:
        self.flush()
        self.kind, self.label, self.paras, self.origs = kind, label, [para], [orig]

    def add(self, para: str, orig: str) -> None:
        self.paras.append(para)
        self.origs.append(orig)

    def flush(self) -> None:
        if self.paras:
            self.blocks.append(Block(self.kind, self.path, self.label, tuple(self.paras), tuple(self.origs)))
        self.kind, self.label, self.paras, self.origs = "text", "", [], []


def _statute(paras: list[str], origs: list[str], headings, title: str) -> list[Block]:
    """Articles with their paragraphs and items, under their 编/章/节; what comes before the first is a preamble."""
    b = _Builder(title)
    for para, orig in zip(paras, origs):
        if (m := _PART.match(para)) and len(para) <= 40:
            b.heading(_PART_LEVEL[m.group(1)], para)
        elif (m := ARTICLE.match(para)):
            b.start("article", m.group(0), para, orig)
        elif b.kind == "article":
            b.add(para, orig)  # a later paragraph or an item （一）… of the article
        elif para in headings:
            b.heading(None, para)
        else:
            b.start("text", "", para, orig)
    b.flush()
    return b.blocks


def _outline(paras: list[str], origs: list[str], headings, title: str) -> list[Block]:
    """Paragraphs under outline headings (一、（一）1.（1）), Q&A pairs kept whole, table rows with their header."""
    b = _Builder(title)
    header: list[str] | None = None
    open_ = False  # the last paragraph ended with a colon or semicolon: a list goes on in the next one
    for para, orig in zip(paras, origs):
        cells = _table_cells(para)
        if cells is not None:
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue  # a Markdown table's rule line
            if header is None:
                header = cells
                b.flush()
            else:
                b.start("row", "", _render_row(header, cells), _render_row(header, cells))
                b.flush()
            continue
        header = None
        level = outline_level(para)
        standalone = para in headings or (level is not None and len(para) <= _RUN_IN_MAX
                                          and para[-1] not in _SENTENCE_END + "，,：:")
        if (q := _QUESTION.match(para)) or (para[-1] in "？?" and len(para) <= _QUESTION_MAX):
            question = para[q.end():] if q else para
            b.start("qa", question, para, orig)
        elif b.kind == "qa" and (_ANSWER.match(para) or not standalone):
            b.add(para, orig)  # the answer, and what follows it until the next question or heading
        elif standalone:
            b.heading(level, para)
        elif open_ and b.kind == "text" and b.paras:
            b.add(para, orig)
        else:
            if level is not None and (run_in := _run_in(para)):
                b.heading(level, run_in)
            b.start("text", "", para, orig)
        open_ = para.endswith(("：", "；", ":", ";"))
    b.flush()
    return b.blocks


def blocks(text: str, original: str, headings, title: str = "") -> list[Block]:
    """Cut a cleaned document into its units.

    Args:
        text: cleaned Simplified text, one paragraph a line.
        original: the same lines in the document's own script (or equal to text).
        headings: the paragraphs cleaning found to be headings (standalone short lines, Markdown headings).
        title: the document's title (a heading repeating it is left out of the paths).

    Returns:
        The blocks in reading order.
    """
    pairs = [(p.strip(), o.strip()) for p, o in zip(text.split("\n"), (original or text).split("\n")) if p.strip()]
    if len(original.split("\n")) != len(text.split("\n")):
        pairs = [(p.strip(), p.strip()) for p in text.split("\n") if p.strip()]
    paras, origs = [p for p, _ in pairs], [o for _, o in pairs]
    cut = _statute if is_statute(paras) else _outline
    return cut(paras, origs, frozenset(headings), title)
