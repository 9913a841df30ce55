"""What PgVectorStore adds to the shared contract (tests/test_store.py): snapshots replicas share, HNSW, threads."""
from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from index.db import connect
from index.errors import ConfigError, IndexCorrupt
from index.storage.pgstore import BUILD_MEMORY_MB_MAX, PgVectorStore, build_memory_mb
from index.storage.store import META_FILE, NumpyStore, load_store, open_store
from tests.test_store import unit_rows


def test_saved_versions_stay_as_saved_while_the_store_changes(pg_url, tmp_path):
    vecs = unit_rows(60, dim=16)
    store = open_store("pgvector", 16, pg_url)
    store.add(np.arange(40), vecs[:40])
    store.save(tmp_path / "v1")
    store.add(np.arange(40, 60), vecs[40:])
    store.remove(np.arange(5))
    store.save(tmp_path / "v2")
    v1, v2 = load_store(tmp_path / "v1", pg_url), load_store(tmp_path / "v2", pg_url)
    assert (len(v1), len(v2)) == (40, 55)
    assert v1.search(vecs[50], 1)[1][0, 0] != 50 and v2.search(vecs[50], 1)[1].tolist() == [[50]]
    # a change to a loaded version (the staff CLI's next version) leaves the folder's table as it was
    v1.remove([0, 1, 2])
    v1.add([100], vecs[50:51])
    v1.save(tmp_path / "v3")
    again = load_store(tmp_path / "v1", pg_url)
    assert len(again) == 40 and again.search(vecs[0], 1)[1].tolist() == [[0]]
    assert len(load_store(tmp_path / "v3", pg_url)) == 38


def test_another_replica_loading_the_folder_searches_the_same_rows(pg_url, tmp_path):
    vecs, queries = unit_rows(300, dim=32, seed=2), unit_rows(5, dim=32, seed=3)
    store = open_store("pgvector", 32, pg_url)
    store.add(np.arange(300) * 2, vecs)
    store.save(tmp_path)
    replica = PgVectorStore.load(tmp_path, pg_url)  # its own connection, as another process would have
    for a, b in zip(store.search(queries, 8), replica.search(queries, 8)):
        np.testing.assert_array_equal(a, b)
    with connect(pg_url) as conn:  # a real table in the configured schema, not one session's temporary table
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    assert tables == [store.table] == [replica.table]


def test_saved_snapshots_are_hnsw_indexed_and_large_ones_searched_through_it(pg_url, tmp_path):
    vecs, queries = unit_rows(2000, dim=32, seed=5), unit_rows(20, dim=32, seed=6)
    store = PgVectorStore(32, pg_url, exact_below=1000)
    store.add(np.arange(2000), vecs)
    assert "Seq Scan" in store.plan(queries[0], 10)  # not saved yet: a private table, scanned exactly
    store.save(tmp_path)
    with connect(pg_url) as conn:
        (indexdef,) = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                                   (store.table, "%hnsw%")).fetchone()
    assert "vector_ip_ops" in indexdef
    assert "_hnsw" in store.plan(queries[0], 10)
    assert "_hnsw" not in store.plan(queries[0], 1001)  # beyond what HNSW can return: exact
    reference = NumpyStore(32)
    reference.add(np.arange(2000), vecs)
    found, want = store.search(queries, 10)[1], reference.search(queries, 10)[1]
    recall = np.mean([len(set(f) & set(w)) / 10 for f, w in zip(found, want)])
    assert recall >= 0.9, recall  # approximate by design; measured 1.0 at this size
    # deep in a long list, scores 1e-7 apart may swap with rounding: the scores agree, and no row is missed
    (scores, ids), (want_scores, _) = store.search(queries, 1001), reference.search(queries, 1001)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    assert all(len(set(row)) == 1001 and -1 not in row for row in ids.tolist())


def test_small_snapshots_are_searched_exactly_and_agree_with_numpy(pg_url, tmp_path):
    vecs, queries = unit_rows(1500, dim=64, seed=3), unit_rows(20, dim=64, seed=4)
    ids = np.random.default_rng(7).permutation(10_000)[:1500]
    pg, reference = open_store("pgvector", 64, pg_url), NumpyStore(64)
    for store in (pg, reference):
        store.add(ids, vecs)
        store.remove(ids[::7])
    pg.save(tmp_path)
    assert "_hnsw" not in pg.plan(queries[0], 10)
    for k in (1, 10, 50):
        ps, pi = pg.search(queries, k)
        ns, ni = reference.search(queries, k)
        np.testing.assert_array_equal(pi, ni)
        np.testing.assert_allclose(ps, ns, atol=1e-5)


def test_searches_from_many_threads_get_their_own_answers(pg_url):
    vecs = unit_rows(100, dim=16)
    store = open_store("pgvector", 16, pg_url)
    store.add(np.arange(100), vecs)
    wrong = []

    def worker(n):
        for i in range(n, 100, 4):
            if store.search(vecs[i], 1)[1][0, 0] != i:
                wrong.append(i)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_a_missing_table_or_database_is_named(pg_url, tmp_path):
    store = open_store("pgvector", 16, pg_url)
    store.add([1], unit_rows(1))
    store.save(tmp_path)
    with connect(pg_url) as conn:
        conn.execute(f"DROP TABLE {store.table}")
    with pytest.raises(IndexCorrupt, match="missing from the database"):
        load_store(tmp_path, pg_url)
    description = json.loads((tmp_path / PgVectorStore.FILE).read_text(encoding="utf-8"))
    (tmp_path / PgVectorStore.FILE).write_text(json.dumps({**description, "table": "users; drop"}), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="not a pgvector snapshot"):
        load_store(tmp_path, pg_url)
    assert json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))["kind"] == "pgvector"
    with pytest.raises(ConfigError, match="needs a database"):
        open_store("pgvector", 16)


def test_an_hnsw_build_is_given_the_memory_its_graph_needs_up_to_a_cap():
    # below 64 MB pgvector would spill a 100,000-row graph to disk and build it about ten times slower
    assert 64 <= build_memory_mb(1000, 384) < 100  # never below PostgreSQL's default
    assert 100_000 * 384 * 4 / 2**20 < build_memory_mb(100_000, 384) < BUILD_MEMORY_MB_MAX
    assert build_memory_mb(10_000_000, 384) == BUILD_MEMORY_MB_MAX
