"""What the current index version lends the next build: documents, passages, vectors and keyword tokens."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields

import numpy as np

from index import fsio
from index.config import Config
from index.errors import IndexCorrupt
from index.types import Document, Passage

_DOC_FIELDS = tuple(f.name for f in fields(Document))


def text_key(text: str) -> str:
    """Args: text: a passage's embed or lexical text. Returns: the key its vector or tokens are reused by."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def segment_key(config: Config) -> str:
    """Args: config: settings. Returns: a key that changes whenever segmentation would cut passages differently."""
    from index.passages.segment import SCHEME

    s = config.segment
    return f"{SCHEME}/{s.max_chars}/{s.overlap_sentences}/{s.min_chars}/{s.unit_max_chars}"


@dataclass
class Previous:
    """The reusable parts of one complete index version (all empty when there is none).

    Attributes:
        version: its name, or None.
        documents: doc_id -> its manifest entry (title, path, hash, meta_hash, passages, ...).
        segment: the segmentation key it was built with.
        vectors: embed-text key -> vector (only when built with the same encoder fingerprint).
        tokens: lexical-text key -> BM25 tokens.
        entities: the tokenizer entities its tokens were cut with.
    """

    version: str | None = None
    documents: dict = field(default_factory=dict)
    segment: str = ""
    vectors: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    entities: tuple[str, ...] = ()
    _rows: dict = field(default_factory=dict)  # doc_id -> documents.jsonl row
    _passages: dict = field(default_factory=dict)  # doc_id -> [Passage]

    def ingested(self, doc_id: str, path_name: str, file_hash: str, meta_hash: str, segment: str):
        """The earlier result of ingesting this very file, if the file, its metadata and segmentation are unchanged.

        Args:
            doc_id: the document id.
            path_name: the corpus file's name.
            file_hash: sha256 of the file's bytes.
            meta_hash: sha256 of its sidecar ("" when none).
            segment: segment_key of the build.

        Returns:
            (Document, passages) or None.
        """
        entry = self.documents.get(doc_id)
        if (not entry or segment != self.segment or entry.get("path") != path_name or entry.get("hash") != file_hash
                or entry.get("meta_hash", None) != meta_hash or doc_id not in self._rows):
            return None
        row = self._rows[doc_id]
        doc = Document(**{k: row[k] for k in _DOC_FIELDS if k in row})
        passages = self._passages.get(doc_id, [])
        return (doc, passages) if len(passages) == entry.get("passages") else None


def load_previous(config: Config, fingerprint: str | None = None, with_documents: bool = True) -> Previous:
    """Read what can be reused from the current version; anything unreadable is simply not reused.

    Args:
        config: settings.
        fingerprint: the encoder's fingerprint (vectors are reused only when it matches; None: no vectors).
        with_documents: also read documents and passages (for incremental ingestion).

    Returns:
        The Previous version's parts.
    """
    from index.versioning.versions import VersionStore

    try:
        path = VersionStore(config.index_dir, keep=config.index.keep_versions).current_path()
        if path is None:
            return Previous()
        manifest = fsio.read_json(path / "manifest.json")
    except (IndexCorrupt, OSError, ValueError):
        return Previous()
    prev = Previous(version=path.name, segment=manifest.get("segment", ""),
                    entities=tuple(_read(path / "entities.json", [])))
    keys = _read(path / "text_keys.json", None)
    if fingerprint is not None and manifest.get("fingerprint") == fingerprint and keys is not None:
        try:
            vectors = np.load(path / "vectors.npy", allow_pickle=False)
            if len(vectors) == len(keys):
                prev.vectors = dict(zip(keys, vectors))
            win_keys = _read(path / "window_keys.json", None)
            win_vectors = np.load(path / "window_vectors.npy", allow_pickle=False) if win_keys is not None else []
            if win_keys is not None and len(win_vectors) == len(win_keys):
                prev.vectors.update(zip(win_keys, win_vectors))
        except (OSError, ValueError):
            pass
    try:
        lex_keys = _read(path / "lexical_keys.json", None)
        if lex_keys is not None:
            rows = [line.split(" ") if line else [] for line in
                    (path / "tokens.txt").read_text(encoding="utf-8").split("\n")[:-1]]
            if len(rows) == len(lex_keys):
                prev.tokens = dict(zip(lex_keys, rows))
    except (OSError, ValueError):
        pass
    if with_documents:
        try:
            prev.documents = dict(manifest.get("documents") or {})
            prev._rows = {r["doc_id"]: r for r in _jsonl(path / "documents.jsonl")}
            for d in _jsonl(path / "passages.jsonl"):
                p = Passage.from_json(d)
                prev._passages.setdefault(p.doc_id, []).append(p)
        except (OSError, ValueError, TypeError, KeyError):
            prev.documents, prev._rows, prev._passages = {}, {}, {}
    return prev


def _read(path, default):
    try:
        return fsio.read_json(path)
    except IndexCorrupt:
        return default


def _jsonl(path) -> list:
    # faster than fsio.read_jsonl for 10,000 rows: one decode, one split; errors surface as ValueError
    with open(path, "rb") as fh:
        return [json.loads(line) for line in fh.read().decode("utf-8").splitlines() if line.strip()]
