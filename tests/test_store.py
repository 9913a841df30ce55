"""One behaviour suite for every VectorStore backend (real FAISS, NumPy, PostgreSQL), plus cross-backend agreement."""
from __future__ import annotations

import numpy as np
import pytest

from index.errors import ConfigError, IndexCorrupt, IndexMismatch, IndexMissing
from index.storage.store import META_FILE, FaissStore, NumpyStore, load_store, open_store

DIM = 16


def unit_rows(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def brute_force(vectors, ids, queries, k):
    scores = queries @ vectors.T
    order = np.lexsort((np.broadcast_to(ids, scores.shape), -scores), axis=1)[:, :k]
    return np.take_along_axis(scores, order, axis=1), np.asarray(ids)[order]


@pytest.fixture(params=["faiss", "numpy", "pgvector"])
def kind(request):
    return request.param


@pytest.fixture
def url(kind, request):
    """The database URL a backend needs: a fresh schema of the test server for pgvector, none for the others."""
    return request.getfixturevalue("pg_url") if kind == "pgvector" else ""


def test_search_is_exact_inner_product(kind, url):
    vecs, queries = unit_rows(200), unit_rows(7, seed=1)
    ids = np.arange(1000, 1200)
    store = open_store(kind, DIM, url)
    store.add(ids, vecs)
    scores, found = store.search(queries, 10)
    want_scores, want_ids = brute_force(vecs, ids, queries, 10)
    assert found.dtype == np.int64 and scores.dtype == np.float32
    assert found.shape == scores.shape == (7, 10)
    np.testing.assert_array_equal(found, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    assert len(store) == 200 and store.dim == DIM


def test_single_vector_query_gives_one_row(kind, url):
    vecs = unit_rows(5)
    store = open_store(kind, DIM, url)
    store.add(list(range(5)), vecs)
    scores, ids = store.search(vecs[3], 1)
    assert ids.tolist() == [[3]]
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_ties_are_ordered_by_ascending_id_even_at_the_kth_place(kind, url):
    vecs = np.zeros((7, DIM), np.float32)
    vecs[:, 0] = 1.0
    vecs[6] = 0.0
    vecs[6, 0] = 2.0  # strictly best
    store = open_store(kind, DIM, url)
    store.add([50, 10, 40, 20, 30, 60, 99], vecs)
    q = np.zeros(DIM, np.float32)
    q[0] = 1.0
    assert store.search(q, 3)[1].tolist() == [[99, 10, 20]]
    assert store.search(q, 10)[1].tolist() == [[99, 10, 20, 30, 40, 50, 60, -1, -1, -1]]
    # 25 queries take FAISS's BLAS path, which must break ties the same way
    assert store.search(np.tile(q, (25, 1)), 2)[1].tolist() == [[99, 10]] * 25


def test_k_larger_than_size_pads_with_minus_one(kind, url):
    store = open_store(kind, DIM, url)
    store.add([7, 3], unit_rows(2))
    scores, ids = store.search(unit_rows(2, seed=5), 5)
    assert sorted(ids[0, :2].tolist()) == [3, 7]
    assert (ids[:, 2:] == -1).all() and np.isneginf(scores[:, 2:]).all()
    assert np.isfinite(scores[:, :2]).all()


def test_empty_store_searches_saves_and_loads(kind, url, tmp_path):
    store = open_store(kind, DIM, url)
    scores, ids = store.search(unit_rows(3), 4)
    assert len(store) == 0 and (ids == -1).all() and np.isneginf(scores).all()
    store.save(tmp_path / "s")
    again = load_store(tmp_path / "s", url)
    assert type(again) is type(store) and len(again) == 0 and again.dim == DIM


def test_remove_drops_ids_and_ignores_unknown_ones(kind, url):
    vecs = unit_rows(10)
    store = open_store(kind, DIM, url)
    store.add(np.arange(10), vecs)
    assert store.remove([2, 5, 5, 123]) == 2
    assert len(store) == 8
    _, ids = store.search(vecs[2], 10)
    assert 2 not in ids and 5 not in ids and ids[0, -2:].tolist() == [-1, -1]
    store.add([5], vecs[5:6])  # a removed id may come back
    assert store.search(vecs[5], 1)[1].tolist() == [[5]]
    assert store.remove([]) == 0


def test_save_load_roundtrip_keeps_results(kind, url, tmp_path):
    vecs, queries = unit_rows(50), unit_rows(4, seed=9)
    store = open_store(kind, DIM, url)
    store.add(np.arange(50) * 3, vecs)
    store.remove([0, 3])
    before = store.search(queries, 6)
    store.save(tmp_path)
    loaded = type(store).load(tmp_path, url)
    after = loaded.search(queries, 6)
    assert len(loaded) == 48
    np.testing.assert_array_equal(before[1], after[1])
    np.testing.assert_allclose(before[0], after[0], atol=1e-6)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_dimension_mismatch_is_an_index_mismatch(kind, url):
    store = open_store(kind, DIM, url)
    with pytest.raises(IndexMismatch, match="dimension 8"):
        store.add([1], unit_rows(1, dim=8))
    store.add([1], unit_rows(1))
    with pytest.raises(IndexMismatch, match="dimension 32"):
        store.search(unit_rows(1, dim=32), 1)


@pytest.mark.parametrize("ids, match", [([1, 1], "repeat"), ([-4, 2], "negative"), ([1.5, 2.0], "ints"),
                                        ([1], "1 ids for 2 vectors")])
def test_bad_ids_are_refused(kind, url, ids, match):
    with pytest.raises(ValueError, match=match):
        open_store(kind, DIM, url).add(ids, unit_rows(2))


def test_known_ids_and_bad_values_are_refused(kind, url):
    store = open_store(kind, DIM, url)
    store.add([4], unit_rows(1))
    with pytest.raises(ValueError, match="already stored"):
        store.add([4], unit_rows(1))
    bad = unit_rows(1)
    bad[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        store.add([5], bad)
    with pytest.raises(ValueError, match="positive"):
        store.search(unit_rows(1), 0)
    assert len(store) == 1


def test_corrupt_or_missing_files_raise_typed_errors(kind, url, tmp_path):
    store = open_store(kind, DIM, url)
    store.add(np.arange(20), unit_rows(20))
    store.save(tmp_path)
    data_files = [p for p in tmp_path.iterdir() if p.name != META_FILE]
    for path in data_files:
        original = path.read_bytes()
        path.write_bytes(original[: len(original) // 2])  # truncated
        with pytest.raises(IndexCorrupt, match=str(tmp_path.name)):
            load_store(tmp_path, url)
        path.write_bytes(b"\x00garbage" * 10)
        with pytest.raises(IndexCorrupt):
            load_store(tmp_path, url)
        path.unlink()
        with pytest.raises(IndexCorrupt):
            load_store(tmp_path, url)
        path.write_bytes(original)
    assert len(load_store(tmp_path, url)) == 20
    (tmp_path / META_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match=META_FILE):
        load_store(tmp_path, url)
    with pytest.raises(IndexMissing):
        load_store(tmp_path / "nowhere", url)


def test_loading_with_the_wrong_backend_is_refused(kind, url, tmp_path):
    store = open_store(kind, DIM, url)
    store.save(tmp_path)
    other = NumpyStore if kind == "faiss" else FaissStore
    with pytest.raises(IndexCorrupt, match=f"{kind!r} store"):
        other.load(tmp_path, url)


def test_count_mismatch_between_description_and_data_is_corrupt(kind, url, tmp_path):
    import json

    store = open_store(kind, DIM, url)
    store.add([1, 2], unit_rows(2))
    store.save(tmp_path)
    meta = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    meta["count"] = 3
    (tmp_path / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="2 vectors stored, 3 expected"):
        load_store(tmp_path, url)


def test_backends_agree_on_random_data():
    vecs, queries = unit_rows(3000, dim=64, seed=3), unit_rows(40, dim=64, seed=4)
    ids = np.random.default_rng(7).permutation(10_000)[:3000]
    faiss_store, numpy_store = FaissStore(64), NumpyStore(64)
    for store in (faiss_store, numpy_store):
        store.add(ids, vecs)
        store.remove(ids[::7])
    for k in (1, 10, 50):
        fs, fi = faiss_store.search(queries, k)
        ns, ni = numpy_store.search(queries, k)
        np.testing.assert_array_equal(fi, ni)
        np.testing.assert_allclose(fs, ns, atol=1e-5)


def test_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="annoy"):
        open_store("annoy", DIM)
    with pytest.raises(ValueError):
        open_store("numpy", 0)
