"""The VectorStore contract, its exact backends FAISS (the default) and NumPy (the reference); pgvector in pgstore."""
from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import numpy as np

from index import fsio
from index.errors import ConfigError, IndexCorrupt, IndexMismatch, IndexMissing, require

META_FILE = "dense_store.json"  # store files carry a "dense" prefix: they share the index version folder
FORMAT = 1
REBUILD_HINT = "run `make index` (or `.venv/bin/python -m index rebuild`)"
_TIE_SLACK = 1e-6  # BLAS and per-query kernels may round one tie differently; re-ranking absorbs it


class VectorStore(ABC):
    """Vectors keyed by int ids (passage row numbers), searched by exact inner product.

    Results are ordered by score, highest first; equal scores by ascending id, including at the k-th place, so
    every backend returns the same ids for the same data. Missing places are padded with id -1, score -inf.
    """

    kind: ClassVar[str]
    needs_database: ClassVar[bool] = False  # True: open and load take the [database] url

    def __init__(self, dim: int) -> None:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        self._dim = int(dim)

    @property
    def dim(self) -> int:
        return self._dim

    @abstractmethod
    def __len__(self) -> int: ...

    def close(self) -> None:
        """Let go of what the store holds outside this process (a database connection); in-memory stores: nothing."""

    def add(self, ids, vectors) -> None:
        """Add vectors under new ids.

        Args:
            ids: list or array of non-negative ints, unique and not yet stored.
            vectors: float array (len(ids), dim).

        Raises:
            IndexMismatch: wrong dimension. ValueError: bad, duplicate or known ids; non-finite values.
        """
        ids = _as_ids(ids)
        vectors = self._as_matrix(vectors, "vectors")
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        known = self._contains(ids)
        if known.any():
            raise ValueError(f"ids already stored: {ids[known][:5].tolist()}")
        if len(ids):
            self._add(ids, vectors)

    def search(self, query_vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Find the k stored vectors with the highest inner product for each query.

        Args:
            query_vectors: float array (nq, dim), or one vector (dim,).
            k: results per query, at least 1.

        Returns:
            (scores float32 (nq, k), ids int64 (nq, k)), padded with -inf / -1 when fewer than k are stored.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        q = self._as_matrix(np.atleast_2d(np.asarray(query_vectors, dtype=np.float32)), "query vectors")
        scores = np.full((len(q), k), -np.inf, dtype=np.float32)
        ids = np.full((len(q), k), -1, dtype=np.int64)
        n = len(self)
        if n == 0 or len(q) == 0:
            return scores, ids
        kk, probe = min(k, n), min(k + 1, n)
        top_s, top_i = self._top(q, probe)
        for r in range(len(q)):
            rs, ri = top_s[r], top_i[r]
            if probe > kk and rs[kk] >= rs[kk - 1] - _TIE_SLACK:
                # the first one left out ties the last one kept: take every candidate of that score
                rs, ri = self._at_least(q[r], float(rs[kk - 1]) - _TIE_SLACK)
            order = np.lexsort((ri, -rs))[:kk]
            scores[r, :kk], ids[r, :kk] = rs[order], ri[order]
        return scores, ids

    def remove(self, ids) -> int:
        """Args: ids: ids to drop (unknown ones are ignored). Returns: how many were removed."""
        ids = np.unique(_as_ids(ids, allow_repeats=True))
        return self._remove(ids[self._contains(ids)]) if len(ids) else 0

    def save(self, folder: str | os.PathLike) -> None:
        """Write the store into folder (created if missing); every file is replaced atomically.

        Args:
            folder: usually an index version folder being staged.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = self._save(folder)
        fsio.atomic_write_json(folder / META_FILE, {"kind": self.kind, "format": FORMAT, "dim": self.dim,
                                                    "count": len(self), "files": files})

    @classmethod
    def load(cls, folder: str | os.PathLike, database_url: str = "") -> "VectorStore":
        """Read a saved store.

        Args:
            folder: where save() wrote.
            database_url: the PostgreSQL URL, for backends that keep their vectors there (ignored by the others).

        Returns:
            The store.

        Raises:
            IndexMissing, IndexCorrupt; DatabaseError for a database backend.
        """
        folder = Path(folder)
        meta = _read_meta(folder)
        if meta.get("kind") != cls.kind:
            raise IndexCorrupt(f"{folder / META_FILE}: holds a {meta.get('kind')!r} store, not {cls.kind!r}",
                               hint=REBUILD_HINT)
        extra = {"database_url": database_url} if cls.needs_database else {}
        store = cls._load(folder, int(meta["dim"]), **extra)
        if len(store) != meta["count"]:
            raise IndexCorrupt(f"{folder}: {len(store)} vectors stored, {meta['count']} expected", hint=REBUILD_HINT)
        return store

    def _as_matrix(self, x, what: str) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2:
            raise ValueError(f"{what} must be a 2-D array, got shape {x.shape}")
        if x.shape[1] != self.dim:
            raise IndexMismatch(f"{what} have dimension {x.shape[1]}, the store holds dimension {self.dim}",
                                hint="the index was built with another model: " + REBUILD_HINT)
        if not np.isfinite(x).all():
            raise ValueError(f"{what} contain NaN or infinite values")
        return np.ascontiguousarray(x)

    @abstractmethod
    def _contains(self, ids: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def _top(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best per query, best first; ties in any order."""

    @abstractmethod
    def _at_least(self, q: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """Every (score, id) with score >= threshold for one query."""

    @abstractmethod
    def _remove(self, ids: np.ndarray) -> int: ...

    @abstractmethod
    def _save(self, folder: Path) -> list[str]: ...

    @classmethod
    @abstractmethod
    def _load(cls, folder: Path, dim: int) -> "VectorStore": ...


class NumpyStore(VectorStore):
    """Exact search with one matrix product; small, dependency-free, and the reference for FaissStore."""

    kind = "numpy"

    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        self._ids = np.zeros(0, dtype=np.int64)
        self._vecs = np.zeros((0, self.dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._ids)

    def _contains(self, ids):
        return np.isin(ids, self._ids)

    def _add(self, ids, vectors):
        self._ids = np.concatenate([self._ids, ids])
        self._vecs = np.concatenate([self._vecs, vectors])

    def _top(self, q, k):
        s = q @ self._vecs.T
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        part_s = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-part_s, axis=1, kind="stable")
        return np.take_along_axis(part_s, order, axis=1), self._ids[np.take_along_axis(part, order, axis=1)]

    def _at_least(self, q, threshold):
        s = self._vecs @ q
        keep = s >= threshold
        return s[keep], self._ids[keep]

    def _remove(self, ids):
        keep = ~np.isin(self._ids, ids)
        self._ids, self._vecs = self._ids[keep], self._vecs[keep]
        return int((~keep).sum())

    def _save(self, folder):
        for name, arr in (("dense_ids.npy", self._ids), ("dense_vectors.npy", self._vecs)):
            buf = io.BytesIO()
            np.save(buf, arr, allow_pickle=False)
            fsio.atomic_write_bytes(folder / name, buf.getvalue())
        return ["dense_ids.npy", "dense_vectors.npy"]

    @classmethod
    def _load(cls, folder, dim):
        store = cls(dim)
        try:
            ids = np.load(folder / "dense_ids.npy", allow_pickle=False)
            vecs = np.load(folder / "dense_vectors.npy", allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise IndexCorrupt(f"{folder}: vector arrays unreadable ({exc})", hint=REBUILD_HINT) from None
        if ids.dtype != np.int64 or ids.ndim != 1 or vecs.dtype != np.float32 or vecs.shape != (len(ids), dim):
            raise IndexCorrupt(f"{folder}: vector arrays have shapes {ids.shape}/{vecs.shape}, "
                               f"types {ids.dtype}/{vecs.dtype}; expected ({len(ids)}, {dim}) float32",
                               hint=REBUILD_HINT)
        store._ids, store._vecs = ids, vecs
        return store


class FaissStore(VectorStore):
    """FAISS IndexIDMap2 over IndexFlatIP: exact inner product, saved in FAISS's own format."""

    kind = "faiss"
    FILE = "dense.faiss"

    def __init__(self, dim: int, _index=None) -> None:
        super().__init__(dim)
        faiss = require("faiss", "faiss-cpu")
        self._faiss = faiss
        self._index = _index if _index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        self._ids = set(faiss.vector_to_array(self._index.id_map).tolist()) if self._index.ntotal else set()

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def _contains(self, ids):
        return np.fromiter((int(i) in self._ids for i in ids), dtype=bool, count=len(ids))

    def _add(self, ids, vectors):
        self._index.add_with_ids(vectors, ids)
        self._ids.update(ids.tolist())

    def _top(self, q, k):
        return self._index.search(q, k)

    def _at_least(self, q, threshold):
        # range_search keeps inner products strictly above the radius
        _, scores, ids = self._index.range_search(q[None, :], float(np.nextafter(np.float32(threshold), -np.inf)))
        return scores, ids

    def _remove(self, ids):
        removed = int(self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64)))
        self._ids.difference_update(ids.tolist())
        return removed

    def _save(self, folder):
        tmp = folder / f".{self.FILE}.{os.getpid()}.tmp"
        try:
            self._faiss.write_index(self._index, str(tmp))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, folder / self.FILE)
        finally:
            tmp.unlink(missing_ok=True)
        fsio.fsync_dir(folder)
        return [self.FILE]

    @classmethod
    def _load(cls, folder, dim):
        faiss = require("faiss", "faiss-cpu")
        path = folder / cls.FILE
        if not path.is_file():
            raise IndexCorrupt(f"{path}: file is missing", hint=REBUILD_HINT)
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            reason = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else "unreadable"
            raise IndexCorrupt(f"{path}: FAISS cannot read it ({reason})", hint=REBUILD_HINT) from None
        flat = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else None
        if not isinstance(flat, faiss.IndexFlat) or flat.metric_type != faiss.METRIC_INNER_PRODUCT or index.d != dim:
            raise IndexCorrupt(f"{path}: not an exact inner-product index of dimension {dim}", hint=REBUILD_HINT)
        return cls(dim, _index=index)


_BACKENDS = ("faiss", "numpy", "pgvector")


def _backend(kind: str) -> type[VectorStore] | None:
    if kind == "pgvector":
        from index.storage.pgstore import PgVectorStore  # psycopg is imported only when a database is used

        return PgVectorStore
    return {"faiss": FaissStore, "numpy": NumpyStore}.get(kind)


def open_store(kind: str, dim: int, database_url: str = "") -> VectorStore:
    """Open an empty store.

    Args:
        kind: "faiss", "numpy" or "pgvector".
        dim: vector length.
        database_url: the PostgreSQL URL pgvector needs (ignored by the others).

    Returns:
        The store.

    Raises:
        ConfigError: unknown kind, or pgvector without a URL. DatabaseError: the database cannot be used.
    """
    cls = _backend(kind)
    if cls is None:
        raise ConfigError(f"unknown vector store {kind!r}", hint=f"use one of: {', '.join(_BACKENDS)}")
    return cls(dim, database_url) if cls.needs_database else cls(dim)


def load_store(folder: str | os.PathLike, database_url: str = "") -> VectorStore:
    """Read a saved store, whichever backend wrote it.

    Args:
        folder: where a store was saved.
        database_url: the PostgreSQL URL, when the folder names a pgvector snapshot.

    Returns:
        The store.

    Raises:
        IndexMissing, IndexCorrupt; DatabaseError for a pgvector store.
    """
    kind = _read_meta(Path(folder)).get("kind")
    cls = _backend(kind) if isinstance(kind, str) else None
    if cls is None:
        raise IndexCorrupt(f"{Path(folder) / META_FILE}: unknown store kind {kind!r}", hint=REBUILD_HINT)
    return cls.load(folder, database_url)


def _read_meta(folder: Path) -> dict:
    if not folder.is_dir():
        raise IndexMissing(f"no vector store at {folder}", hint=REBUILD_HINT)
    meta = fsio.read_json(folder / META_FILE)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("dim"), int) \
            or not isinstance(meta.get("count"), int):
        raise IndexCorrupt(f"{folder / META_FILE}: not a vector store description of format {FORMAT}",
                           hint=REBUILD_HINT)
    return meta


def _as_ids(ids, allow_repeats: bool = False) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D list or array of ints, got {arr.dtype} with shape {arr.shape}")
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise ValueError("ids must not be negative (-1 marks padding in results)")
    if not allow_repeats and len(np.unique(arr)) != len(arr):
        raise ValueError("ids repeat within one call")
    return arr
