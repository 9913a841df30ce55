"""One loaded, immutable index version: passages, vectors, keyword index and the searcher over them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import fsio
from index.config import Config
from index.errors import IndexCorrupt, IndexMismatch, IndexMissing
from index.retrieval.search import HybridSearcher, WindowTable
from index.storage.lexical import BM25
from index.types import Passage
from index.versioning.build import FORMAT

REBUILD_HINT = "run `make index` (or `.venv/bin/python -m index rebuild`)"


@dataclass(frozen=True)
class Snapshot:
    """A loaded index version."""

    version: str
    path: Path
    manifest: dict
    passages: list[Passage]
    searcher: HybridSearcher

    @property
    def documents(self) -> dict:
        return self.manifest.get("documents", {})


def current_version_path(config: Config) -> tuple[str, Path]:
    """Args: config: settings. Returns: (version name, folder) of the current index. Raises: IndexMissing, IndexCorrupt."""
    from index.versioning.versions import VersionStore

    vs = VersionStore(config.index_dir, keep=config.index.keep_versions)
    path = vs.current_path()
    if path is None:
        raise IndexMissing(f"no index found in {config.index_dir}", hint=REBUILD_HINT)
    return path.name, path


def open_snapshot(config: Config, encoder, path: Path | None = None) -> Snapshot:
    """Load an index version and check it fits the encoder.

    Args:
        config: settings.
        encoder: the Encoder queries will be embedded with.
        path: a version folder (default: the current one).

    Returns:
        The Snapshot. Raises IndexMissing, IndexCorrupt or IndexMismatch with the command that fixes it.
    """
    from index.storage.store import load_store

    if path is None:
        _, path = current_version_path(config)
    manifest = fsio.read_json(path / "manifest.json")
    if manifest.get("format") != FORMAT:
        raise IndexCorrupt(f"{path.name}: index format {manifest.get('format')!r}, this program reads {FORMAT}",
                           hint=REBUILD_HINT)
    if manifest.get("fingerprint") != encoder.fingerprint or manifest.get("dim") != encoder.dim:
        raise IndexMismatch(
            f"index {path.name} was built with model {manifest.get('model')!r} (dim {manifest.get('dim')}), "
            f"but the configured model is {encoder.name!r} (dim {encoder.dim})", hint=REBUILD_HINT)
    try:
        passages = [Passage.from_json(d) for d in fsio.read_jsonl(path / "passages.jsonl")]
        vectors = np.load(path / "vectors.npy", allow_pickle=False)
        window_vectors = np.load(path / "window_vectors.npy", allow_pickle=False)
    except (TypeError, KeyError, OSError, ValueError) as exc:
        raise IndexCorrupt(f"{path.name}: passages or vectors unreadable: {exc}", hint=REBUILD_HINT) from None
    store = load_store(path, config.database.url)  # the backend the version was built with ([index] vector_store)
    bm25 = BM25.load(path)
    entities = fsio.read_json(path / "entities.json")
    n = manifest.get("counts", {}).get("passages")
    if not (len(passages) == len(vectors) == len(store) == bm25.n == n):
        raise IndexCorrupt(f"{path.name}: parts disagree ({len(passages)} passages, {len(vectors)} vectors, "
                           f"{len(store)} stored, {bm25.n} keyword rows, manifest {n})", hint=REBUILD_HINT)
    windows = WindowTable.of(passages, window_vectors)
    if windows is None:
        raise IndexCorrupt(f"{path.name}: {len(window_vectors)} window vectors do not fit its passages",
                           hint=REBUILD_HINT)
    searcher = HybridSearcher(passages, store, vectors, bm25, entities, encoder, config.search, windows)
    return Snapshot(version=path.name, path=path, manifest=manifest, passages=passages, searcher=searcher)
