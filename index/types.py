"""Plain data shared by every layer: documents, passages, search hits."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One cleaned document of the corpus.

    Attributes:
        doc_id: stable id (the corpus file's stem).
        title: human title (front matter, sidecar metadata, or first heading).
        text: cleaned Simplified text, paragraphs separated by blank lines.
        original: the text as received (after decoding), kept for provenance.
        source, date, url: provenance metadata; may be empty.
        meta: other metadata found while cleaning (byline, editor, ...).
        path: corpus file name.
        content_hash: sha256 of the received bytes.
    """

    doc_id: str
    title: str
    text: str
    original: str = ""
    source: str = ""
    date: str = ""
    url: str = ""
    meta: dict = field(default_factory=dict)
    path: str = ""
    content_hash: str = ""


@dataclass(frozen=True)
class Passage:
    """A searchable window of a document, with the context needed to cite it.

    Attributes:
        passage_id: "<doc_id>#<n>".
        doc_id, doc_title, date, source, url: from the document.
        section: the heading the passage sits under ("" when none).
        case: the case title named in the text (the 《...》 name), or None.
        unit: the responsible unit named in the text, or None.
        text: the passage text (Simplified).
        sentences: the passage split into sentences; "".join(sentences) == text.
        sentences_orig: the same sentences in the document's own script (Traditional documents), else ().
        path: the headings above it, outermost first, the title left out (第二章 普通护照, or 一、… and （一）…).
        label: what the citation names within them: a statute's article (第七条), a Q&A pair's question, or "".
        lead: context that is not quoted: an article's opening words above a window of its later items.
    """

    passage_id: str
    doc_id: str
    doc_title: str
    text: str
    sentences: tuple[str, ...]
    section: str = ""
    case: str | None = None
    unit: str | None = None
    date: str = ""
    source: str = ""
    url: str = ""
    sentences_orig: tuple[str, ...] = ()
    path: tuple[str, ...] = ()
    label: str = ""
    lead: str = ""

    def to_json(self) -> dict:
        """Returns: a JSON-ready dict (sentences as a list)."""
        d = dict(self.__dict__)
        d["sentences"] = list(self.sentences)
        d["sentences_orig"] = list(self.sentences_orig)
        d["path"] = list(self.path)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Passage":
        """Args: d: a dict made by to_json. Returns: the Passage."""
        d = dict(d)
        d["sentences"] = tuple(d.get("sentences") or ())
        d["sentences_orig"] = tuple(d.get("sentences_orig") or ())
        d["path"] = tuple(d.get("path") or ())
        return cls(**d)


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, with its scores.

    Attributes:
        passage: the passage.
        score: the fused score used for ranking.
        dense: cosine similarity of query and passage (0 when unknown).
        lexical: BM25 score normalised to 0..1 within this query.
        coverage: share of the query's keyword weight found in the passage.
        windows: cosine of the query with each of the passage's windows (index/passages/windows.py), when measured.
    """

    passage: Passage
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    coverage: float = 0.0
    windows: tuple[float, ...] = ()
