"""Building, loading and checking index versions with the real model, FAISS and jieba."""
import json
import shutil

import pytest

from index.errors import DocumentError, IndexCorrupt, IndexMismatch, IndexMissing
from index.retrieval.snapshot import open_snapshot
from index.versioning.build import build_index, ingest_corpus
from index.versioning.versions import VersionStore
from tests.conftest import make_config

pytestmark = pytest.mark.slow


def test_manifest_records_model_corpus_and_counts(built_config, encoder):
    snap = open_snapshot(built_config, encoder)
    m = snap.manifest
    assert m["model"] == encoder.name and m["fingerprint"] == encoder.fingerprint and m["dim"] == 384
    assert m["counts"]["documents"] == 1 and m["counts"]["passages"] == len(snap.passages) >= 10
    assert len(m["corpus_hash"]) == 64 and m["built_at"].endswith("Z")
    doc = m["documents"]["000_6ec06563744fe9af"]
    assert doc["title"] and doc["source"] == "半岛都市报"


def test_unchanged_passages_are_not_embedded_again(built_config, encoder):
    name, stats = build_index(built_config, encoder=encoder, progress=False)
    assert stats["embedded"] == 0 and stats["reused"] == stats["passages"]
    assert VersionStore(built_config.index_dir).current() == name


def test_missing_index_says_how_to_fix(tmp_path, encoder):
    config = make_config(tmp_path / "empty")
    with pytest.raises(IndexMissing) as err:
        open_snapshot(config, encoder)
    assert "python -m index rebuild" in str(err.value)


def _copy_index(built_config, tmp_path):
    config = make_config(tmp_path / "data", built_config.corpus_dir)
    shutil.copytree(built_config.index_dir, config.index_dir)
    return config, VersionStore(config.index_dir).current_path()


def test_index_from_another_model_is_refused(built_config, encoder, tmp_path):
    config, path = _copy_index(built_config, tmp_path)
    m = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    m["fingerprint"], m["model"] = "0" * 16, "some-other-model"
    (path / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(IndexMismatch) as err:
        open_snapshot(config, encoder)
    assert "some-other-model" in str(err.value) and "rebuild" in str(err.value)


@pytest.mark.parametrize("victim", ["passages.jsonl", "vectors.npy", "bm25_vocab.json", "manifest.json"])
def test_corrupt_index_is_refused_clearly(built_config, encoder, tmp_path, victim):
    config, path = _copy_index(built_config, tmp_path)
    (path / victim).write_bytes(b"\x00garbage{")
    with pytest.raises(IndexCorrupt) as err:
        open_snapshot(config, encoder)
    assert path.name in str(err.value) or victim in str(err.value)


def test_bad_document_stops_ingestion_and_leaves_index(built_config, encoder, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(built_config.corpus_dir, corpus)
    config, _ = _copy_index(built_config, tmp_path)
    config = make_config(tmp_path / "data", corpus)
    before = VersionStore(config.index_dir).current()
    (corpus / "001_bad.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe" * 10)
    with pytest.raises(DocumentError) as err:
        build_index(config, encoder=encoder, progress=False)
    assert "001_bad.txt" in str(err.value)
    assert VersionStore(config.index_dir).current() == before
    (corpus / "001_bad.txt").unlink()
    assert len(ingest_corpus(config)) == 1


def test_tokens_cut_before_a_word_joined_the_administrative_list_are_cut_again(monkeypatch):
    from index.types import Passage
    import index.versioning.build as build
    from index.versioning.reuse import Previous

    p = Passage(passage_id="d#0", doc_id="d", doc_title="t", text="十区市均有入选。", sentences=("十区市均有入选。",))
    keys, tokens = build._tokens([p], [], Previous())
    assert "区市" in tokens[0]  # the list cuts 区市 whole, as a question's 十个区市 is cut
    reused = Previous(tokens={keys[0]: ["stale"]})
    assert build._tokens([p], [], reused)[1] == [["stale"]]  # same list, same key: reused
    monkeypatch.setattr(build, "civic_words", lambda: ("区市", "入选率"))
    assert build._tokens([p], [], reused)[1] != [["stale"]]  # another list: cut again


def test_an_index_cut_with_another_word_list_is_built_again_when_only_missing_ones_are_built(built_config, tmp_path,
                                                                                              capsys):
    import argparse

    from index.__main__ import cmd_build
    from index.storage.lexical import lexicon_key

    config, path = _copy_index(built_config, tmp_path)
    args = argparse.Namespace(if_missing=True, quiet=True)
    assert VersionStore(config.index_dir).manifest()["lexicon"] == lexicon_key()
    assert cmd_build(args, config) == 0 and "is in place" in capsys.readouterr().out  # same list: left alone
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    (path / "manifest.json").write_text(json.dumps({**manifest, "lexicon": "older"}), encoding="utf-8")
    assert cmd_build(args, config) == 0 and "another word list" in capsys.readouterr().out
    vs = VersionStore(config.index_dir)
    assert vs.current() != path.name and vs.manifest()["lexicon"] == lexicon_key()


def test_tokens_cut_before_a_stopword_was_added_are_cut_again(monkeypatch):
    from index.types import Passage
    import index.versioning.build as build
    from index.versioning.reuse import Previous

    p = Passage(passage_id="d#0", doc_id="d", doc_title="t", text="好像十区市均有入选。", sentences=("好像十区市均有入选。",))
    keys, tokens = build._tokens([p], [], Previous())
    assert "好像" not in tokens[0]  # a hedge, no topic
    reused = Previous(tokens={keys[0]: ["stale"]})
    assert build._tokens([p], [], reused)[1] == [["stale"]]
    monkeypatch.setattr(build, "STOPWORDS", build.STOPWORDS | {"入选"})
    assert build._tokens([p], [], reused)[1] != [["stale"]]  # another stopword list: cut again
