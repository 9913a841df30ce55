"""The corpus folder as staff change it: document ids and stored names, the archive of removed files, safe placing."""
from __future__ import annotations

import contextlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from index import fsio
from index.config import Config
from index.errors import UnknownDocument
from index.ingest.load import content_hash, iter_corpus, sidecar_path

_STORED = re.compile(r"^(\d{3,})_[0-9a-f]{16}$")
_TMP_PREFIX = ".staff-"  # hidden, so the indexer never reads a half-placed file


@dataclass(frozen=True)
class CorpusDoc:
    """One document of the corpus folder.

    Attributes:
        doc_id: the file name without its extension.
        path: the file.
        sha256: hash of its bytes.
        sidecar: its X.meta.json, or None.
        meta_sha256: hash of the sidecar's bytes ("" when none).
    """

    doc_id: str
    path: Path
    sha256: str
    sidecar: Path | None
    meta_sha256: str


def scan(config: Config) -> list[CorpusDoc]:
    """Args: config: settings. Returns: every document of the corpus folder, with hashes, in file order."""
    out = []
    for path in iter_corpus(config.corpus_dir):
        side = sidecar_path(path)
        has = side.is_file()
        out.append(CorpusDoc(path.stem, path, content_hash(path), side if has else None,
                             content_hash(side) if has else ""))
    return out


def find(docs: list[CorpusDoc], doc_id: str) -> CorpusDoc:
    """Args: docs: from scan(); doc_id: a document id. Returns: that document. Raises: UnknownDocument."""
    for doc in docs:
        if doc.doc_id == doc_id:
            return doc
    raise UnknownDocument(f"no document with id '{doc_id}' in the corpus",
                          hint="`python -m index list` shows the document ids")


def next_number(docs: list[CorpusDoc]) -> int:
    """Args: docs: from scan(). Returns: the sequence number the next added document gets (highest + 1)."""
    numbers = [int(m.group(1)) for d in docs if (m := _STORED.match(d.doc_id))]
    return max(numbers, default=-1) + 1


def stored_name(number: int, sha256: str, suffix: str) -> str:
    """Args: number: sequence number; sha256: the file's hash; suffix: its extension.

    Returns:
        The name it is stored under, <NNN>_<first 16 hex of sha256><.ext, lower case>.
    """
    return f"{number:03d}_{sha256[:16]}{suffix.lower()}"


def place(data: bytes, dest: Path) -> None:
    """Write a file into the corpus so that it appears whole or not at all (hidden temp file, fsync, rename).

    Args:
        data: the complete content.
        dest: the final path.
    """
    tmp = dest.with_name(f"{_TMP_PREFIX}{secrets.token_hex(4)}-{dest.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsio.fsync_dir(dest.parent)


def unlink(path: Path) -> None:
    """Args: path: a file to delete (missing is fine); the deletion is flushed to disk."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
        fsio.fsync_dir(path.parent)


def sweep_temp(config: Config) -> int:
    """Args: config: settings. Returns: how many half-placed temp files an interrupted change left (removed)."""
    found = list(config.corpus_dir.glob(f"{_TMP_PREFIX}*.tmp")) if config.corpus_dir.is_dir() else []
    for tmp in found:
        unlink(tmp)
    return len(found)


class Archive:
    """Content-addressed copies of every file a change took out of the corpus, so it can be put back
    (rollback, or undoing an interrupted change). Files are kept by sha256 under <data_dir>/state/archive.
    """

    def __init__(self, config: Config) -> None:
        self.folder = config.data_dir / "state" / "archive"

    def keep(self, path: Path, sha256: str) -> None:
        """Args: path: a corpus file about to leave; sha256: its hash (verified)."""
        target = self.folder / sha256
        if target.is_file() and content_hash(target) == sha256:
            return
        data = path.read_bytes()
        if _sha(data) != sha256:
            raise OSError(f"{path} changed while it was being archived")
        self.folder.mkdir(parents=True, exist_ok=True)
        fsio.atomic_write_bytes(target, data)

    def has(self, sha256: str) -> bool:
        """Args: sha256: a hash. Returns: whether a file with it is kept."""
        return (self.folder / sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """Args: sha256: a kept file's hash. Returns: its bytes. Raises: OSError when missing or damaged."""
        data = (self.folder / sha256).read_bytes()
        if _sha(data) != sha256:
            raise OSError(f"the archived copy {sha256[:16]} is damaged")
        return data


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
