"""Training pairs for the reading model: a question, an excerpt with its heading line, whether it answers, and where."""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from index.ingest.clean import clean_document, to_simplified
from index.passages.segment import segment_document
from index.passages.windows import windows_of
from index.storage.lexical import BM25, get_tokenizer, tokenize
from index.types import Passage

from bot.read.excerpt import Excerpt, excerpt_around


@dataclass(frozen=True)
class Example:
    """One training pair.

    Attributes:
        question: the question (Simplified, as the bot reads it).
        head: the excerpt's heading line.
        text: the excerpt's text.
        label: 1 when the excerpt answers the question, else 0.
        start, end: the answer's characters in text (positives), else -1, -1.
        source: where it comes from (cmrc, drcd, seed, docs), for the training card.
        group: the question's id: pairs of one question stay on one side of the train/validation split.
    """

    question: str
    head: str
    text: str
    label: int
    start: int = -1
    end: int = -1
    source: str = ""
    group: str = ""


class Pool:
    """The windows of some documents, to cut excerpts from and to find another document's closest window in."""

    def __init__(self, passages: list[Passage]) -> None:
        self.tok = get_tokenizer()
        self.wins = [windows_of(p) for p in passages]
        self.flat = [(i, j) for i, ws in enumerate(self.wins) for j in range(len(ws))]
        self.doc = [passages[i].doc_id for i, _ in self.flat]
        self.index = {at: k for k, at in enumerate(self.flat)}
        self.terms = [set(tokenize(self.wins[i][j].text, self.tok)) for i, j in self.flat]
        self.bm25 = BM25.build([tokenize(f"{self.wins[i][j].head} {self.wins[i][j].text}", self.tok)
                                for i, j in self.flat])
        self.by_doc: dict[str, list[tuple[int, int]]] = {}
        for at, d in zip(self.flat, self.doc):
            self.by_doc.setdefault(d, []).append(at)

    def excerpt(self, at: tuple[int, int]) -> Excerpt:
        """Args: at: (passage, window) indexes. Returns: the excerpt around that window."""
        return excerpt_around(self.wins[at[0]], at[1])

    def overlap(self, terms: set[str], at: tuple[int, int]) -> float:
        """Args: terms: the question's terms; at: a window. Returns: the share of the terms the window holds."""
        return len(terms & self.terms[self.index[at]]) / max(1, len(terms))

    def elsewhere(self, terms: set[str], doc: str, holds: Callable[[str], bool], n: int) -> list[Excerpt]:
        """Args: terms; doc: the question's document; holds: whether a text holds the answer; n. Returns: excerpts
        around the n windows of other documents that score best by BM25."""
        scores = self.bm25.scores(list(terms))
        out = []
        for k in scores.argsort()[::-1][:20]:
            if len(out) >= n or scores[k] <= 0:
                break
            if self.doc[k] != doc:
                ex = self.excerpt(self.flat[k])
                if not holds(ex.text):
                    out.append(ex)
        return out


def pairs_for(question: str, group: str, source: str, pool: Pool, doc: str, holds: Callable[[str], bool] | None,
              locate: Callable[[str], tuple[int, int]] | None, rng: random.Random, hard: int, easy: int,
              other: int, where: Callable[[Passage], bool] | None = None) -> list[Example]:
    """The pairs of one question about one document of the pool.

    Args:
        question: the question.
        group: its id.
        source: the data set's name.
        pool: the windows of its document (and of others, for `other`).
        doc: its document's id.
        holds: whether a text holds the answer (None: the question is unanswerable).
        locate: the answer's (start, end) in a text that holds it.
        rng: the random generator.
        hard: negatives of the same document sharing most words with the question (near misses).
        easy: other negatives of that document.
        other: negatives of other documents, best by BM25.
        where: whether a passage is where the writer said the answer is (an expected fact may occur twice).

    Returns:
        The pairs: one positive (an excerpt holding the answer) when answerable and found, then the negatives.
    """
    terms = set(tokenize(question, pool.tok))
    mine = pool.by_doc.get(doc, [])
    out: list[Example] = []
    never = holds or (lambda _: False)
    if holds is not None:
        holding = [at for at in mine if holds(pool.wins[at[0]][at[1]].text)]
        if where is not None:
            holding = [at for at in holding if where(pool.wins[at[0]][at[1]].passage)] or holding
        if not holding:
            return []
        at = max(holding, key=lambda a: (pool.overlap(terms, a), -a[0], -a[1]))
        # The answer is not always at the excerpt's centre: a neighbour may be the window closest to the question.
        shifted = (at[0], at[1] + rng.choice((-1, 1))) if rng.random() < 0.3 else at
        if not 0 <= shifted[1] < len(pool.wins[at[0]]) or not holds(pool.excerpt(shifted).text):
            shifted = at
        ex = pool.excerpt(shifted)
        s, e = locate(ex.text)
        out.append(Example(question, ex.head, ex.text, 1, s, e, source, group))
    extra = 1 if holds is None else 0
    near = []  # the closest windows whose excerpt does not hold the answer
    for a in sorted(mine, key=lambda a: (-pool.overlap(terms, a), a)):
        if len(near) >= 2 * (hard + extra):
            break
        if not never(pool.excerpt(a).text):
            near.append(a)
    picked = rng.sample(near, min(hard + extra, len(near)))
    rest = [a for a in mine if a not in near]
    for a in rng.sample(rest, min(len(rest), 3 * easy)):
        if len(picked) < hard + extra + easy and not never(pool.excerpt(a).text):
            picked.append(a)
    texts = {x.text for x in out}
    for a in picked:
        ex = pool.excerpt(a)
        if ex.text not in texts:
            texts.add(ex.text)
            out.append(Example(question, ex.head, ex.text, 0, source=source, group=group))
    for ex in pool.elsewhere(terms, doc, never, other):
        out.append(Example(question, ex.head, ex.text, 0, source=source, group=group))
    return out


def _passages_of(doc_id: str, title: str, raw: str) -> list[Passage]:
    cleaned = clean_document(raw)
    return segment_document(doc_id, to_simplified(title), cleaned.text, cleaned.original, cleaned.headings)


def squad_examples(path: Path, source: str, rng: random.Random, hard: int = 3, easy: int = 1, other: int = 1,
                   limit: int | None = None) -> list[Example]:
    """Pairs from a SQuAD-format file (CMRC 2018, DRCD): each context is a document; its answer is the gold span.

    Args:
        path: the JSON file.
        source: its name, kept on each pair.
        rng: the random generator (seeded by the caller).
        hard, easy, other: negatives per question, as for pairs_for.
        limit: at most this many questions (None: all).

    Returns:
        The pairs, in file order.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    passages, questions = [], []
    for article in data["data"]:
        for para in article["paragraphs"]:
            doc = f"{source}{len(questions)}"
            passages += _passages_of(doc, article.get("title", ""), para["context"])
            questions.append((doc, para["qas"]))
    pool = Pool(passages)
    out: list[Example] = []
    asked = 0
    for doc, qas in questions:
        for qa in qas:
            answers = [to_simplified(a["text"].strip()) for a in qa.get("answers", []) if a["text"].strip()]
            if not answers or (limit is not None and asked >= limit):
                continue
            gold = answers[0]
            got = pairs_for(to_simplified(qa["question"].strip()), f"{source}:{qa['id']}", source, pool, doc,
                            lambda t, g=gold: g in t, lambda t, g=gold: (t.find(g), t.find(g) + len(g)), rng,
                            hard, easy, other)
            asked += bool(got)
            out += got
    return out


def set_examples(rows: list[dict], passages: list[Passage], source: str, rng: random.Random, hard: int = 2,
                 easy: int = 1, other: int = 1) -> list[Example]:
    """Pairs from question sets written about documents (the seed's, and those about other laws and reports): an
    answerable question's excerpt holding every expected fact; an unanswerable one's closest excerpts, all negative
    ("nothing here answers").

    Args:
        rows: question-set rows (id, question, answerable, expect, expect_any, and `doc`: its document's id).
        passages: the passages of every document the rows name.
        source: the data set's name.
        rng: the random generator.
        hard, easy, other: negatives per question, as for pairs_for.

    Returns:
        The pairs.
    """
    pool = Pool(passages)
    out: list[Example] = []
    for row in rows:
        facts = [to_simplified(f) for f in row.get("expect", [])]
        answerable = bool(row.get("answerable", True)) and facts
        if row.get("answerable", True) and not facts:
            continue
        if answerable and row.get("expect_any"):
            holds = lambda t, fs=facts: any(f in t for f in fs)  # noqa: E731
        else:
            holds = lambda t, fs=facts: all(f in t for f in fs)  # noqa: E731

        def locate(t: str, fs=facts) -> tuple[int, int]:
            return fact_span(t, fs)

        out += pairs_for(to_simplified(row["question"].strip()), f"{source}:{row['id']}", source, pool, row["doc"],
                         holds if answerable else None, locate, rng, hard, easy, other, _where(row.get("where", "")))
    return out


SPAN_MOST = 24  # characters: the span head reads at most 24 tokens, and a short answer longer than this is a quote


def fact_span(text: str, facts: list[str]) -> tuple[int, int]:
    """The answer's span in a text: from the first expected fact it holds to the last, when that stays short.

    A question expecting 提前三十日 and 书面形式 is answered by 以书面形式提前三十日 as a whole; labelling only the
    first fact taught the span head half answers.

    Args:
        text: an excerpt holding at least one of the facts.
        facts: the expected facts.

    Returns:
        (start, end) in text: the covering span of the facts it holds, or the first of them alone when that
        covering span would be longer than SPAN_MOST.
    """
    found = [(text.find(f), text.find(f) + len(f)) for f in facts if f in text]
    start, end = min(s for s, _ in found), max(e for _, e in found)
    return (start, end) if end - start <= SPAN_MOST else found[0]


def _where(hint: str) -> Callable[[Passage], bool] | None:
    """Args: hint: a row's `where` (第二十一条, or a heading's first words). Returns: a test of a passage, or None."""
    hint = to_simplified(hint.strip())
    if not hint:
        return None
    if hint.startswith("第") and hint.endswith("条"):
        return lambda p: p.label == hint
    return lambda p: any(hint[:8] in h for h in p.path) or hint[:8] in p.text


def save(examples: list[Example], path: Path) -> None:
    """Args: examples: the pairs. path: a JSONL file to write (one pair a line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for e in examples:
            fh.write(json.dumps(asdict(e), ensure_ascii=False) + "\n")


def load(path: Path) -> list[Example]:
    """Args: path: a JSONL file written by save(). Returns: the pairs."""
    return [Example(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
