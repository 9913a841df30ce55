"""The PostgreSQL vector benchmark runs end to end on a small store and scores recall against an exact scan."""
from __future__ import annotations

import json

import numpy as np

from bench.bench_pg import exact_top, main, measure, synthetic
from index.storage.store import open_store


def test_the_benchmark_runs_end_to_end_on_a_small_store(pg_url, capsys):
    assert main(["--vectors", "2000", "--queries", "20", "--database-url", pg_url, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["store"].split()[0] for r in rows] == ["FaissStore", "PgVectorStore"]
    for row in rows:
        assert row["vectors"] == 2000 and 0.0 <= row["recall"] <= 1.0
        assert 0 < row["p50_ms"] <= row["p95_ms"] and row["save_s"] >= 0 and row["add_s"] >= 0
    assert rows[0]["recall"] == 1.0  # the flat FAISS store is exact: anything less is a wrong truth or scoring


def test_synthetic_vectors_are_normalised_and_the_exact_top_is_sorted_best_first():
    base, q = synthetic(500), synthetic(5, seed=1)
    assert base.shape == (500, 384) and np.allclose(np.linalg.norm(base, axis=1), 1.0, atol=1e-5)
    top = exact_top(base, q, 10)
    np.testing.assert_array_equal(top, np.argsort(-(q @ base.T), axis=1, kind="stable")[:, :10])


def test_recall_counts_only_the_true_neighbours_found():
    base, q = synthetic(300), synthetic(4, seed=1)
    store = open_store("numpy", 384)
    store.add(np.arange(300), base)
    truth = exact_top(base, q)
    assert measure(store, q, truth)["recall"] == 1.0
    half = truth.copy()
    half[:, 5:] = -7  # ids no store holds: half of each true top 10 can never be found
    assert measure(store, q, half)["recall"] == 0.5
