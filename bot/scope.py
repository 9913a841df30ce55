"""What the corpus holds, in words: its documents by title and kind, and example questions about each (pure)."""
from __future__ import annotations

import re

from index.passages.segment import place_of
from index.passages.structure import ARTICLE, outline_level
from index.types import Passage

KINDS = {"statute": "法律法规", "qa": "问答", "outline": "工作报告和通知", "prose": "新闻报道和案例"}
_SKIP_CHAPTERS = re.compile(r"总则|附则|法律责任|罚则")


def kind_of(passages: list[Passage]) -> str:
    """Args: passages: one document's passages. Returns: its kind: statute, qa, outline or prose."""
    if any(p.label and ARTICLE.match(p.label) for p in passages):
        return "statute"
    if any(p.label for p in passages):
        return "qa"
    if any(outline_level(h) is not None for p in passages for h in p.path):
        return "outline"
    return "prose"


def kinds(passages: list[Passage]) -> dict[str, str]:
    """Args: passages: every passage of a version. Returns: doc_id -> its kind (kind_of)."""
    return {doc_id: kind_of(ps) for doc_id, ps in _by_doc(passages).items()}


def _by_doc(passages: list[Passage]) -> dict[str, list[Passage]]:
    out: dict[str, list[Passage]] = {}
    for p in passages:
        out.setdefault(p.doc_id, []).append(p)
    return out


def describe(documents: dict, passages: list[Passage]) -> str:
    """One line on what the bot can answer from.

    Args:
        documents: doc_id -> its manifest entry (title, ...).
        passages: every passage of the version.

    Returns:
        The line (Simplified).
    """
    docs = _by_doc(passages)
    titles = [documents.get(d, {}).get("title") or ps[0].doc_title for d, ps in docs.items()]
    if not titles:
        return "资料库中还没有文件。"
    if len(titles) == 1:
        return f"我可以回答资料库中《{titles[0]}》的问题。"
    counts: dict[str, int] = {}
    for ps in docs.values():
        k = KINDS[kind_of(ps)]
        counts[k] = counts.get(k, 0) + 1
    kinds = "、".join(f"{k} {n} 份" for k, n in sorted(counts.items(), key=lambda x: -x[1]))
    shown = "".join(f"《{t}》" for t in titles[:3])
    return f"我可以回答资料库中 {len(titles)} 份文件的问题（{kinds}），如{shown}等。"


def _short(title: str) -> str:
    return re.sub(r"^中华人民共和国", "", title)


def _candidates(ps: list[Passage]) -> list[str]:
    """Questions a document's own structure suggests: its chapters, its FAQ's questions, its cases' places."""
    kind, title = kind_of(ps), _short(ps[0].doc_title)
    out: list[str] = []
    if kind == "qa":
        out = [p.label for p in ps if p.label]
    elif kind == "statute":
        for p in ps:
            if p.path and (m := re.match(r"^第.+?章\s*(.+)$", p.path[0])) and not _SKIP_CHAPTERS.search(m.group(1)):
                out.append(f"{title}对{m.group(1)}有哪些规定？")
    elif kind == "outline":
        for p in ps:
            for h in p.path:
                if outline_level(h) == 1:
                    topic = re.sub(r"^[（(][一二三四五六七八九十]+[）)]", "", h)
                    out.append(f"{title}里“{topic}”有哪些内容？")
    else:
        for p in ps:
            place = place_of(p.unit) if p.unit else None
            if place or p.unit:
                out.append(f"{place or p.unit}有什么创新做法？")
    return list(dict.fromkeys(out))


def example_questions(passages: list[Passage], per_document: int = 3) -> list[str]:
    """Candidate example questions, taking turns between the documents (the caller keeps those it answers).

    Args:
        passages: every passage of the version.
        per_document: candidates per document.

    Returns:
        The candidates, first of each document first.
    """
    lists = [_candidates(ps)[:per_document] for ps in _by_doc(passages).values()]
    return [q for i in range(per_document) for qs in lists if i < len(qs) for q in [qs[i]]]
