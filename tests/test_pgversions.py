"""Index versions shared through PostgreSQL: published by one replica, pulled by another, rollbacks included."""
from __future__ import annotations

import pytest

from index.errors import IndexCorrupt
from index.versioning.pgversions import SharedVersions
from index.versioning.versions import VersionStore


def commit(vs: VersionStore, files: dict[str, bytes], note: str) -> str:
    staging = vs.begin()
    for rel, data in files.items():
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_bytes(data)
    return vs.commit(staging, {"note": note, "documents": {}})


def tree(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def replicas(pg_url, tmp_path):
    """Two replicas' version folders and their views of the shared database."""
    pair = [SharedVersions(pg_url, VersionStore(tmp_path / name / "index", keep=3)) for name in ("a", "b")]
    yield pair
    for shared in pair:
        shared.close()


def test_a_version_published_by_one_replica_is_served_by_another(replicas):
    a, b = replicas
    assert b.pull() is None and a.served() is None  # nothing published yet
    name = commit(a.versions, {"passages.jsonl": b'{"id": 1}\n', "dense.faiss": bytes(range(256)) * 40,
                               "sub/part.npy": b"\x93NUMPY"}, "first")
    assert a.publish() == name and b.served() == name
    assert b.pull() == name
    assert b.versions.current() == name
    assert tree(b.versions.current_path()) == tree(a.versions.current_path())
    assert b.pull() is None  # already served here: nothing to download


def test_a_rollback_on_one_replica_reaches_the_others_without_a_download(replicas):
    a, b = replicas
    first = commit(a.versions, {"x": b"1"}, "first")
    a.publish(), b.pull()
    second = commit(a.versions, {"x": b"2"}, "second")
    a.publish()
    assert b.pull() == second and b.versions.names() == [first, second]
    a.versions.rollback(first)
    assert a.publish() == first
    assert b.pull() == first and b.versions.current() == first
    assert (b.versions.current_path() / "x").read_bytes() == b"1"


def test_versions_the_publisher_no_longer_keeps_leave_the_database(replicas):
    a, _ = replicas
    names = []
    for i in range(5):
        names.append(commit(a.versions, {"x": str(i).encode()}, str(i)))
        a.publish()
    with a.db.cursor() as cur:
        stored = [r[0] for r in cur.execute("SELECT DISTINCT version FROM qabot_index_files ORDER BY 1")]
    assert stored == names[-3:] == a.versions.names()


def test_a_stored_path_outside_the_version_folder_is_refused_and_nothing_changes(replicas):
    a, b = replicas
    name = commit(a.versions, {"x": b"1"}, "first")
    a.publish()
    with a.db.cursor() as cur:
        cur.execute("UPDATE qabot_index_files SET path = '../../escape' WHERE version = %s AND path = 'x'", (name,))
    with pytest.raises(IndexCorrupt, match="outside its folder"):
        b.pull()
    assert b.versions.current() is None and b.versions.names() == []
    assert not list(b.versions.root.parent.parent.rglob("escape"))


def test_the_command_line_shares_only_the_versions_it_switches_to(pg_url, tmp_path, monkeypatch, capsys):
    from index.__main__ import main
    from tests.conftest import make_config
    from tests.staff_helpers import write_config_file

    (tmp_path / "corpus").mkdir()
    config = make_config(tmp_path / "data", tmp_path / "corpus")  # an empty corpus: the rollback moves no document
    vs = VersionStore(config.index_dir, keep=config.index.keep_versions)
    first = commit(vs, {"x": b"1"}, "first")
    second = commit(vs, {"x": b"2"}, "second")
    monkeypatch.setenv("QABOT_CONFIG", str(write_config_file(config, tmp_path / "config.toml")))
    monkeypatch.setenv("QABOT_DATABASE_URL", pg_url)
    shared = SharedVersions(pg_url, vs)
    assert main(["versions"]) == 0 and shared.served() is None  # reading changes nothing anywhere
    assert main(["rollback", first]) == 0
    assert shared.served() == first and "shared with every replica" in capsys.readouterr().out
    other = SharedVersions(pg_url, VersionStore(tmp_path / "other" / "index"))
    assert other.pull() == first and second not in other.versions.names()
    shared.close(), other.close()


@pytest.mark.slow
def test_a_new_replica_starts_from_the_served_version_instead_of_building(built_config, pg_url, tmp_path,
                                                                           monkeypatch, capsys):
    from index.__main__ import main
    from tests.conftest import make_config
    from tests.staff_helpers import private_copy, write_config_file

    staff = private_copy(built_config, tmp_path / "staff")
    published = SharedVersions(pg_url, VersionStore(staff.index_dir))
    name = published.publish()
    fresh = make_config(tmp_path / "fresh" / "data", staff.corpus_dir)  # no index of its own yet
    monkeypatch.setenv("QABOT_CONFIG", str(write_config_file(fresh, tmp_path / "fresh.toml")))
    monkeypatch.setenv("QABOT_DATABASE_URL", pg_url)
    assert main(["--quiet", "build", "--if-missing"]) == 0  # what `make run` does first
    assert "is in place" in capsys.readouterr().out
    assert VersionStore(fresh.index_dir).current() == name
    published.close()


def test_a_pruned_version_built_on_pgvector_takes_its_vector_table_with_it(replicas, pg_url, tmp_path):
    import numpy as np

    from index.storage.pgstore import PgVectorStore

    a, _ = replicas
    tables = []
    for i in range(5):
        store = PgVectorStore(4, pg_url)
        store.add(np.arange(2), np.eye(4, dtype=np.float32)[:2])
        folder = tmp_path / f"store{i}"
        folder.mkdir()
        store.save(folder)
        tables.append(store.table)
        store.close()
        commit(a.versions, {name: (folder / name).read_bytes() for name in tree(folder)}, str(i))
        a.publish()
    with a.db.cursor() as cur:
        present = [cur.execute("SELECT to_regclass(%s) IS NOT NULL", (t,)).fetchone()[0] for t in tables]
    assert present == [False, False, True, True, True]  # keep=3: the two oldest versions' tables are dropped
