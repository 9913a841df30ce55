"""Versioned index folders with an atomic switch (index/versioning/versions.py), including real SIGKILLs mid-commit."""
import hashlib
import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.errors import IndexCorrupt, IndexMissing, UnknownVersion
from index.versioning.versions import VersionStore, created_at

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^v\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}$")


def build(vs: VersionStore, tag: str, docs: int = 1) -> str:
    staging = vs.begin()
    (staging / "passages.jsonl").write_text(json.dumps({"tag": tag}) + "\n", encoding="utf-8")
    (staging / "sub").mkdir()
    (staging / "sub" / "vectors.bin").write_bytes(tag.encode() * 10)
    manifest = {"tag": tag, "counts": {"documents": docs, "passages": 3},
                "documents": {f"d{i}": {} for i in range(docs)}, "note": f"build {tag}"}
    return vs.commit(staging, manifest)


def staging_entries(vs: VersionStore) -> list[str]:
    return sorted(p.name for p in vs.staging_dir.iterdir()) if vs.staging_dir.exists() else []


def test_empty_store(tmp_path):
    vs = VersionStore(tmp_path / "index")
    assert vs.current() is None and vs.current_path() is None
    assert vs.list() == [] and vs.names() == []
    with pytest.raises(IndexMissing):
        vs.manifest()
    with pytest.raises(UnknownVersion):
        vs.rollback()
    assert vs.recover() == []


def test_commit_makes_a_complete_current_version(tmp_path):
    vs = VersionStore(tmp_path / "index")
    name = build(vs, "a")
    assert NAME.match(name)
    assert vs.current() == name
    path = vs.current_path()
    assert path == tmp_path / "index" / "versions" / name
    assert (path / "sub" / "vectors.bin").read_bytes() == b"a" * 10
    assert vs.manifest()["tag"] == "a" and vs.manifest(name)["tag"] == "a"
    assert (tmp_path / "index" / "CURRENT").read_text(encoding="utf-8").strip() == name
    assert staging_entries(vs) == []  # neither the folder nor its lock file is left behind


def test_names_increase_and_list_is_newest_first(tmp_path):
    vs = VersionStore(tmp_path, keep=10)
    names = [build(vs, str(i), docs=i + 1) for i in range(4)]
    assert names == sorted(names) and len(set(names)) == 4
    rows = vs.list()
    assert [r["name"] for r in rows] == names[::-1]
    assert [r["current"] for r in rows] == [True, False, False, False]
    assert rows[0]["counts"] == {"documents": 4, "passages": 3}
    assert rows[0]["documents"] == 4 and rows[0]["note"] == "build 3"
    assert rows[0]["created"] == created_at(names[-1]) and rows[0]["created"].endswith("Z")


def test_prune_keeps_the_newest(tmp_path):
    vs = VersionStore(tmp_path, keep=3)
    names = [build(vs, str(i)) for i in range(6)]
    assert vs.names() == names[-3:]
    assert sorted(p.name for p in vs.versions_dir.iterdir()) == names[-3:]
    assert staging_entries(vs) == []  # pruned folders went through staging and are gone


def test_prune_never_removes_the_current_version(tmp_path):
    vs = VersionStore(tmp_path, keep=3)
    old, middle, newest = (build(vs, t) for t in ("old", "middle", "newest"))
    assert vs.rollback(old) == old
    vs.keep = 1  # only the newest would be kept now, but the served one must stay too
    vs._prune(vs.current())
    assert vs.names() == [old, newest] and vs.current() == old
    assert not (vs.versions_dir / middle).exists()


def test_rollback(tmp_path):
    vs = VersionStore(tmp_path)
    a, b, c = (build(vs, t) for t in "abc")
    assert vs.rollback() == b and vs.current() == b
    assert vs.manifest()["tag"] == "b"
    assert vs.rollback() == a
    with pytest.raises(UnknownVersion, match="no earlier"):
        vs.rollback()
    assert vs.rollback(c) == c  # forward again, by name
    with pytest.raises(UnknownVersion) as info:
        vs.rollback("v20990101T000000.000000Z-abcdef")
    assert c in info.value.hint
    for bad in ("../index", "CURRENT", ""):
        with pytest.raises(UnknownVersion):
            vs.rollback(bad)
    assert vs.current() == c


def test_current_pointing_nowhere_is_corrupt(tmp_path):
    vs = VersionStore(tmp_path)
    name = build(vs, "a")
    (tmp_path / "CURRENT").write_text("v20990101T000000.000000Z-abcdef\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="missing"):
        vs.current_path()
    (tmp_path / "CURRENT").write_text("garbage", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="does not name"):
        vs.current()
    (tmp_path / "CURRENT").write_text(name, encoding="utf-8")
    (vs.versions_dir / name / "manifest.json").unlink()
    with pytest.raises(IndexCorrupt, match="incomplete"):
        vs.current_path()


def test_unreadable_manifest_shows_in_list(tmp_path):
    vs = VersionStore(tmp_path)
    name = build(vs, "a")
    (vs.versions_dir / name / "manifest.json").write_text("{broken", encoding="utf-8")
    assert "not valid JSON" in vs.list()[0]["error"]
    with pytest.raises(IndexCorrupt):
        vs.manifest()


def test_abort_and_foreign_staging(tmp_path):
    vs = VersionStore(tmp_path)
    staging = vs.begin()
    (staging / "x").write_text("x")
    vs.abort(staging)
    assert staging_entries(vs) == []
    with pytest.raises(ValueError):
        vs.commit(tmp_path / "elsewhere", {})


def test_recover_keeps_live_builds_and_repairs_the_pointer(tmp_path):
    vs = VersionStore(tmp_path)
    a = build(vs, "a")
    b = build(vs, "b")
    live = vs.begin()  # held by this store
    other_live = VersionStore(tmp_path).begin()  # held by another store object of this process
    orphan = vs.staging_dir / "build-1-deadbeef"
    orphan.mkdir()  # no lock file at all: abandoned
    (tmp_path / ".CURRENT.abc.tmp").write_text("v2")
    (tmp_path / "CURRENT").unlink()  # as if killed between renaming b into place and switching
    messages = VersionStore(tmp_path).recover()
    assert any("build-1-deadbeef" in m for m in messages)
    assert any("half-written pointer" in m for m in messages)
    assert any(f"now serving the newest complete version {b}" in m for m in messages)
    assert live.exists() and other_live.exists() and not orphan.exists()
    assert vs.current() == b and a in vs.names()
    assert VersionStore(tmp_path).recover() == []  # nothing left to say


def test_journal_round_trip(tmp_path):
    vs = VersionStore(tmp_path)
    assert vs.journal() is None
    vs.write_journal({"action": "add", "doc_id": "001_x", "files": ["001_x.txt"]})
    assert VersionStore(tmp_path).journal()["doc_id"] == "001_x"
    vs.clear_journal()
    assert vs.journal() is None


def test_readers_never_see_a_half_switched_version(tmp_path):
    vs = VersionStore(tmp_path, keep=50)
    build(vs, "0")
    stop, errors, seen = threading.Event(), [], set()

    def reader():
        reader_vs = VersionStore(tmp_path)
        while not stop.is_set():
            try:
                path = reader_vs.current_path()
                manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
                assert (path / "sub" / "vectors.bin").read_bytes() == manifest["tag"].encode() * 10
                seen.add(manifest["tag"])
            except Exception as exc:  # collected and asserted on below
                errors.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(1, 40):
            build(vs, str(i))
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert len(seen) > 1


CHILD = r"""
import hashlib, os, random, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from index.versioning.versions import VersionStore
vs = VersionStore(Path(sys.argv[1]), keep=3)
rng = random.Random(os.getpid())
i = 0
while True:
    staging = vs.begin()
    files = {}
    for k in range(3):
        data = os.urandom(rng.randrange(1_000, 300_000))
        (staging / f"part{k}.bin").write_bytes(data)
        files[f"part{k}.bin"] = hashlib.sha256(data).hexdigest()
    vs.commit(staging, {"counts": {"parts": 3}, "files": files, "pid": os.getpid(), "i": i})
    i += 1
    print(i, flush=True)
"""


def assert_complete(path: Path) -> None:
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in path.iterdir()) == sorted([*manifest["files"], "manifest.json"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((path / name).read_bytes()).hexdigest() == digest, f"{path.name}/{name}"


@pytest.mark.timeout(120)
def test_sigkill_mid_commit_leaves_a_complete_current_version(tmp_path):
    root = tmp_path / "index"
    rng = random.Random(20170117)
    cleaned_rounds, served = 0, set()
    for _round in range(10):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(ROOT)], stdout=subprocess.PIPE,
                                 text=True)
        try:
            assert child.stdout.readline().strip() == "1"  # it is committing in a loop now
            time.sleep(rng.uniform(0.0, 0.25))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        vs = VersionStore(root, keep=3)
        messages = vs.recover()
        cleaned_rounds += any("unfinished index build" in m for m in messages)
        path = vs.current_path()
        assert path is not None
        assert_complete(path)
        served.add(path.name)
        for name in vs.names():  # every kept version is complete, not just the served one
            assert_complete(vs.versions_dir / name)
        assert 1 <= len(vs.names()) <= 4  # keep=3, plus at most one built but never switched to
        assert staging_entries(vs) == []
        assert not list(root.glob(".CURRENT.*"))
    assert len(served) == 10  # each round committed and switched to versions of its own
    assert cleaned_rounds >= 1  # some kills landed mid-build and left staging to clean
