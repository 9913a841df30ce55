"""The Answer every channel renders, and its JSON form (the API and CLI contract)."""
from __future__ import annotations

from dataclasses import dataclass, field

KIND_ANSWER = "answer"        # answered from the corpus
KIND_REFUSAL = "refusal"      # the corpus holds no answer
KIND_SMALLTALK = "smalltalk"  # greeting, thanks, "what can you do"
KIND_INVALID = "invalid"      # empty, binary or unreadable input
NOT_FOUND = "抱歉，资料库中没有找到能回答这个问题的内容。"  # how every engine's refusal begins


@dataclass(frozen=True)
class Source:
    """A passage an answer rests on.

    Attributes:
        doc_id: corpus document id.
        title: document title.
        case: case title (the 《...》 name) or the responsible unit's case, or None.
        text: the full passage, in the reply's script.
        score: fused retrieval score.
        section: heading the passage sits under.
        unit: responsible unit, or None.
        source: publisher / origin of the document.
        url: link to the original, or "".
        date: document date, or "".
    """

    doc_id: str
    title: str
    case: str | None
    text: str
    score: float
    section: str = ""
    unit: str | None = None
    source: str = ""
    url: str = ""
    date: str = ""

    def to_json(self) -> dict:
        """Returns: the source as a JSON-ready dict."""
        return {"doc_id": self.doc_id, "title": self.title, "case": self.case, "text": self.text,
                "score": round(float(self.score), 4), "section": self.section, "unit": self.unit,
                "source": self.source, "url": self.url, "date": self.date}


@dataclass(frozen=True)
class Answer:
    """What `service.ask()` returns.

    Attributes:
        question: the question as asked (after truncation, before normalisation).
        answered: True only when `answer` is taken from the corpus.
        answer: the reply text: quoted sentence(s) plus the citation, or the refusal / smalltalk text.
        sources: supporting passages, best first (empty unless answered).
        kind: one of answer, refusal, smalltalk, invalid.
        script: "hans" or "hant", the script of the reply.
        notice: a note for the user (e.g. the question was truncated), or "".
        suggestions: example questions the user may try.
        answer_id: id for feedback on this answer.
        citation: the "case - document" line appended to the answer, also alone for channels that style it.
        index_version: the index version that answered.
        quote: the sentence(s) quoted from the source, without the citation ("" unless answered).
        short: the answer on its own (十年, 24名) when the reading model is sure of it, else "".
    """

    question: str
    answered: bool
    answer: str
    sources: list[Source] = field(default_factory=list)
    kind: str = KIND_ANSWER
    script: str = "hans"
    notice: str = ""
    suggestions: list[str] = field(default_factory=list)
    answer_id: str = ""
    citation: str = ""
    index_version: str = ""
    quote: str = ""
    short: str = ""

    def to_json(self) -> dict:
        """Returns: the CLI/API JSON object: question, answered, answer, sources, plus extras."""
        return {"question": self.question, "answered": self.answered, "answer": self.answer,
                "sources": [s.to_json() for s in self.sources], "kind": self.kind, "script": self.script,
                "notice": self.notice, "suggestions": list(self.suggestions), "answer_id": self.answer_id,
                "citation": self.citation, "quote": self.quote, "short": self.short, "index_version": self.index_version}
