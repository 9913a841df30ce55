"""Keyword search in PostgreSQL (bench.bench_pg_keyword): the postings tables score exactly as the in-memory BM25."""
from __future__ import annotations

import json

import numpy as np
import psycopg
import pytest

from bench.bench_pg_keyword import FTS_SQL, POSTINGS_SQL, build_fts, build_postings, main
from bench.newdocs import DEFAULT_DATA
from index.storage.lexical import BM25

DOCS = [["护照", "有效期", "十年"], ["身份证", "有效期", "五年", "有效期"], ["护照", "签发", "公安机关"],
        ["居住证", "申领"], ["护照", "护照", "遗失", "补发"]]


def test_bm25_from_postings_tables_gives_the_in_memory_scores(pg_url):
    bm25 = BM25.build(DOCS)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        build_postings(conn, DOCS, bm25)
        got = conn.execute(POSTINGS_SQL, (["护照", "有效期"], 10)).fetchall()
        build_fts(conn, DOCS)
        text = [r[0] for r in conn.execute(FTS_SQL, (["护照", "有效期"], 10))]
    want = bm25.scores(["护照", "有效期"])
    assert [pid for pid, _ in got] == sorted(np.flatnonzero(want), key=lambda i: (-want[i], i))
    assert np.allclose([s for _, s in got], want[[pid for pid, _ in got]], rtol=1e-5)
    assert set(text) == {0, 1, 2, 4}  # full text finds the same passages, ranked its own way


@pytest.mark.skipif(not (DEFAULT_DATA / "prc_laws").is_dir(), reason="the shared data folder is absent")
def test_the_benchmark_runs_end_to_end_on_a_small_corpus(pg_url, capsys):
    assert main(["--passages", "400", "--queries", "20", "--database-url", pg_url, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["way"].split(":")[0] for r in rows] == ["in memory (index.storage.lexical.BM25)", "PostgreSQL",
                                                      "PostgreSQL"]
    assert rows[0]["recall"] == 1.0 and rows[1]["recall"] >= 0.98  # the same formula: only ties may differ
    assert all(0 < r["p50_ms"] <= r["p95_ms"] and 0.0 <= r["recall"] <= 1.0 for r in rows)
