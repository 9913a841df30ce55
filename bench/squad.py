"""SQuAD-format QA files -> corpus documents (one context each) and questions with their gold answer spans."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index import fsio


@dataclass(frozen=True)
class Context:
    """One SQuAD context, as a corpus document."""

    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    """One question, the id of the document holding its answer, and the gold answer spans."""

    qid: str
    question: str
    doc_id: str
    answers: tuple[str, ...]


def _safe(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", s).strip("-") or "x"


def load_squad(path: Path) -> tuple[list[Context], list[Question]]:
    """Read a SQuAD v1-style JSON file.

    Args:
        path: the file ({"data": [{"title", "paragraphs": [{"id", "context", "qas": [...]}]}]}).

    Returns:
        (contexts in file order, questions in file order); doc ids are "<nnnn>_<paragraph id>".
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    contexts: list[Context] = []
    questions: list[Question] = []
    for article in data.get("data", []):
        title = (article.get("title") or "").strip()
        for para in article.get("paragraphs", []):
            doc_id = f"{len(contexts):04d}_{_safe(str(para.get('id', len(contexts))))}"
            contexts.append(Context(doc_id, title, para["context"]))
            for qa in para.get("qas", []):
                spans = tuple(dict.fromkeys(a["text"].strip() for a in qa.get("answers", []) if a["text"].strip()))
                if spans:
                    questions.append(Question(str(qa["id"]), qa["question"], doc_id, spans))
    return contexts, questions


def write_corpus(contexts: list[Context], folder: Path) -> int:
    """Mirror the contexts into a corpus folder: <doc_id>.txt plus a <doc_id>.meta.json carrying the title.

    Files already holding the same bytes are left alone (their hashes, and so the index, stay valid);
    documents no longer in the set are removed.

    Args:
        contexts: the documents.
        folder: the corpus folder (created).

    Returns:
        How many files were (re)written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, bytes] = {}
    for c in contexts:
        wanted[f"{c.doc_id}.txt"] = c.text.encode("utf-8")
        wanted[f"{c.doc_id}.meta.json"] = json.dumps({"title": c.title}, ensure_ascii=False).encode("utf-8")
    return mirror(wanted, folder)


def mirror(files: dict[str, bytes], folder: Path) -> int:
    """Make a folder hold exactly these files (name -> bytes), rewriting only those that differ.

    Args:
        files: file name -> content.
        folder: the folder (created).

    Returns:
        How many files were (re)written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for name, data in files.items():
        path = folder / name
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            path.parent.mkdir(parents=True, exist_ok=True)
            fsio.atomic_write_bytes(path, data)
            written += 1
    for path in folder.iterdir():
        if path.is_file() and path.name not in files:
            path.unlink()
    return written
