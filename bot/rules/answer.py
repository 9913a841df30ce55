"""An accepted hit -> a short answer quoted from the source, and the citation that names it (pure)."""
from __future__ import annotations

import dataclasses
import re

from index.config import AnswerConfig
from index.storage.lexical import word_counts
from index.types import Passage
from index.words.query import Query, coverage
from index.words.romanise import sound_alike

from bot.rules.fit import sentence_score
from bot.rules.qtype import holds, wanted

# A word this common in jieba's counts is meant as typed (人材 is 50, 一级 6,006).
_COMMON = 500
_CLAUSE = re.compile(r"[^，：,]*[，：,]?")  # not at 、: a list (海尔、英谷、百灵等) is one clause


def focus(query: Query, passage: Passage) -> Query:
    """The part of the query the quote must answer: words the citation names (unit, heading, title) are left out; the
    case's own words stay, its title being stripped from the sentences instead (_scores); a word typed by its sound
    takes the passage's spelling.

    Args:
        query: the analysed query.
        passage: the passage to be quoted.

    Returns:
        The query with those keywords dropped (unchanged when nothing would be left).
    """
    context = " ".join(x for x in (passage.unit or "", passage.section, passage.doc_title)).lower()
    # The unit by another name too: "the HR bureau" (人力资源, 人社) is the citation's 市人社局.
    unit, alternatives = (passage.unit or "").lower(), dict(query.alternatives)
    rest = tuple((w, wt) for w, wt in query.keywords
                 if w not in context and not any(a in unit for a in alternatives.get(w, ()))) or query.keywords
    # 陪育 typed for 培育, 摸式 for 模式: a word the passage spells otherwise by the same sound is its word; not a
    # common word (一级 is no 一基 of 三中心一基地).
    text, counts = passage.text.lower(), word_counts()
    rest = tuple((w if w in text or counts.get(w, 0) >= _COMMON else sound_alike(w, text) or w, wt) for w, wt in rest)
    return query if rest == query.keywords else dataclasses.replace(query, keywords=rest)


def _trim(sentence: str, query: Query, max_chars: int) -> str:
    """Cut an over-long sentence to the run of clauses that holds most of the query, marking cuts with an ellipsis."""
    if len(sentence) <= max_chars:
        return sentence
    clauses = [c for c in _CLAUSE.findall(sentence) if c]
    want, question = wanted(query.text), query.text.lower()
    best, best_span = -1.0, (0, 1)
    for i in range(len(clauses)):
        size = 0
        for j in range(i, len(clauses)):
            size += len(clauses[j])
            if size > max_chars - 2 and j > i:
                break
            window = "".join(clauses[i:j + 1])
            # Scored as sentences are (question-type cues, the kind asked for), so the clause with the amount stays.
            cov = sentence_score(query, window, question) + (0.5 if want and holds(want, window, query.text) else 0.0)
            # Of runs that hold as much, the shortest: the clauses that answer, not the lead-up to them.
            if cov > best + 1e-9 or (cov > best - 1e-9 and j + 1 - i < best_span[1] - best_span[0]):
                best, best_span = max(cov, best), (i, j + 1)
    i, j = best_span
    # Then what follows, while it fits: the rest of the thought rather than its lead-up.
    size = sum(len(c) for c in clauses[i:j])
    while j < len(clauses) and size + len(clauses[j]) <= max_chars - 2:
        size += len(clauses[j])
        j += 1
    text = "".join(clauses[i:j])[:max_chars - 2]
    return ("…" if i > 0 else "") + text.rstrip("，、：,") + ("…" if j < len(clauses) else "")


def _scores(query: Query, passage: Passage, question: str) -> list[float]:
    """How well each sentence of a passage answers: its share of the focused query, question-type cues, and the
    kind of answer asked for (a sentence holding an amount for "多少钱")."""
    fq, want, q = focus(query, passage), wanted(question), question.lower()
    # The citation names the case: a sentence that only repeats its title answers nothing.
    title = f"《{passage.case}》" if passage.case else "\0"
    # The words the citation names still break ties: when the heading holds the question's facts (开发区划52.8平方公里),
    # the sentence that states them answers.
    tie = 0.01 if fq is not query else 0.0  # nothing was left out: no second coverage a sentence
    return [sentence_score(fq, s.replace(title, "，"), q) + (0.5 if want and holds(want, s, q) else 0.0)
            + (tie * coverage(query, s.lower()) if tie else 0.0) for s in passage.sentences]


def best_window(query: Query, passages: list[Passage], question: str, margin: float) -> Passage:
    """The passage to quote among windows of the answering document: the one whose best sentence answers best.

    Args:
        query: the analysed query.
        passages: the accepted passage first, then the other hits; only windows of the same part of the same
            document (section, case and unit) compete with it.
        question: the Simplified question text.
        margin: how much better another window's best sentence must score to be quoted instead ([answer]
            window_margin).

    Returns:
        One of passages (the first unless another is clearly better).
    """
    def best(p: Passage) -> float:
        return max(_scores(query, p, question), default=0.0)

    first = passages[0]
    top, top_score = first, best(first)
    for p in passages[1:]:
        same_part = (p.doc_id, p.section, p.case, p.unit) == (first.doc_id, first.section, first.case, first.unit)
        if same_part and (score := best(p)) > top_score + margin:
            top, top_score = p, score
    return top


def select_sentences(query: Query, passage: Passage, question: str, cfg: AnswerConfig,
                     sims: list[float] | None = None) -> tuple[int, int]:
    """Pick the run of sentences that answers the question.

    Args:
        query: the analysed query.
        passage: the passage to quote.
        question: the Simplified question text (for question-type cues).
        cfg: the [answer] settings (max_chars, max_sentences, sentence_dense_weight).
        sims: cosine of the question with each sentence, when the caller embedded them.

    Returns:
        (start, end) sentence indexes into passage.sentences.
    """
    sents = passage.sentences
    if not sents:
        return 0, 0
    scores = _scores(query, passage, question)
    if sims is not None and len(sims) == len(sents):
        scores = [sc + cfg.sentence_dense_weight * sim for sc, sim in zip(scores, sims)]
    best = max(range(len(sents)), key=lambda i: (scores[i], -i))
    start, end = best, best + 1
    size = len(sents[best])
    # A very short best sentence rarely stands alone: add the neighbour that scores higher, while it fits.
    while end - start < cfg.max_sentences and size < 40:
        nxt = scores[end] if end < len(sents) else -1
        prv = scores[start - 1] if start > 0 else -1
        pick = end if nxt >= prv else start - 1
        if pick < 0 or pick >= len(sents) or size + len(sents[pick]) > cfg.max_chars:
            break
        size += len(sents[pick])
        start, end = min(start, pick), max(end, pick + 1)
    return start, end


def quote(query: Query, passage: Passage, question: str, cfg: AnswerConfig, script: str,
          sims: list[float] | None = None) -> str:
    """The answer text: the chosen sentences, in the reply's script (the document's own text where it has one).

    Args:
        query, passage, question, cfg, sims: as for select_sentences.
        script: "hans" or "hant".

    Returns:
        At most cfg.max_chars characters quoted from the passage.
    """
    from bot.understand.normalize import in_script

    start, end = select_sentences(query, passage, question, cfg, sims)
    whole = "".join(passage.sentences[start:end]).strip()
    text = _trim(whole, focus(query, passage), cfg.max_chars)
    if script == "hant":
        orig = "".join(passage.sentences_orig[start:end]).strip() if passage.sentences_orig else ""
        # The received Traditional text is quoted as written (定制, not OpenCC's 定製) where it lines up with the
        # cleaned text character for character, a trimmed quote too.
        core = text.strip("…")
        at = whole.find(core) if orig and len(orig) == len(whole) else -1
        if at >= 0:
            return text.replace(core, orig[at:at + len(core)], 1)
        return in_script(text, "hant")
    return text
