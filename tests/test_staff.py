"""Staff changes through the real pipeline: add, replace, remove, rollback, read-only views, bad input, SIGKILL."""
from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.__main__ import main
from index.config import IndexConfig
from index.errors import DocumentError, QABotError, UnknownDocument
from index.manage import audit, changes
from index.manage.journal import ChangeBusy
from index.retrieval.snapshot import open_snapshot
from index.versioning.build import build_index
from index.versioning.versions import VersionStore
from tests.conftest import ROOT, make_config
from tests.docfiles import make_docx, make_pdf, make_scanned_pdf
from tests.staff_helpers import (NEW_DOC, NEW_FACT, assert_consistent, cli_env, private_copy, whole_state,
                                 write_config_file)

pytestmark = pytest.mark.slow  # the real model, FAISS and jieba behind every change


@pytest.fixture
def cfg(built_config, tmp_path):
    return private_copy(built_config, tmp_path)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def texts_of(config, encoder) -> list[str]:
    return [p.text for p in open_snapshot(config, encoder).passages]


# --- add ----------------------------------------------------------------------------------------------------
def test_add_keeps_the_file_as_received_and_serves_only_new_passages_embedded(cfg, encoder, tmp_path):
    src = write(tmp_path, "崂山.txt", NEW_DOC.encode("gbk"))  # government files often come in GBK
    before = VersionStore(cfg.index_dir).current()
    result = changes.add_documents(cfg, [src], {"title": "崂山区智慧旅游一卡通", "date": "2017-02-01",
                                                 "source": "青岛日报"}, by="王科员", encoder=encoder)
    (doc_id,) = result.doc_ids
    assert re.fullmatch(r"001_[0-9a-f]{16}", doc_id) and result.passages == {doc_id: 2}
    stored = cfg.corpus_dir / f"{doc_id}.txt"
    assert stored.read_bytes() == src.read_bytes()  # byte for byte, still GBK
    assert doc_id[4:] == __import__("hashlib").sha256(src.read_bytes()).hexdigest()[:16]
    side = json.loads((cfg.corpus_dir / f"{doc_id}.meta.json").read_text(encoding="utf-8"))
    assert side == {"title": "崂山区智慧旅游一卡通", "date": "2017-02-01", "source": "青岛日报"}
    assert result.stats["embedded"] == 2 and result.stats["reused"] == result.stats["passages"] - 2
    assert result.version != before and VersionStore(cfg.index_dir).current() == result.version
    snap = open_snapshot(cfg, encoder)
    added = [p for p in snap.passages if p.doc_id == doc_id]
    assert any(NEW_FACT in p.text for p in added) and added[0].doc_title == "崂山区智慧旅游一卡通"
    assert added[0].date == "2017-02-01"
    assert snap.searcher.search("崂山区智慧旅游一卡通发卡多少").hits[0].passage.doc_id == doc_id
    row = audit.read(cfg)[-1]
    assert row["action"] == "add" and row["doc_ids"] == [doc_id] and row["by"] == "王科员"
    assert row["version"] == result.version and row["base_version"] == before
    assert_consistent(cfg)


def test_add_reads_docx_pdf_html_and_markdown_in_one_change(cfg, encoder, tmp_path):
    files = [
        make_docx(tmp_path / "a.docx", ["市南区推行“电子证照”改革。", "市南区政府上线电子证照库，已归集证照120类。"]),
        make_pdf(tmp_path / "b.pdf", [["城阳区建设“智慧社区”。", "城阳区政府在42个社区部署了智能门禁。"]]),
        write(tmp_path, "c.html", "<html><head><title>胶州市政务公开</title></head><body><nav>首页</nav><article>"
              "<p>胶州市政府推行政务公开标准化，公开事项目录覆盖全部38个部门。</p></article></body></html>"),
        write(tmp_path, "d.md", "---\ntitle: 平度市农村电商\n---\n平度市政府建设农村电商服务站，覆盖全部行政村。\n"),
    ]
    result = changes.add_documents(cfg, files, encoder=encoder)
    assert len(result.doc_ids) == 4 and all(n >= 1 for n in result.passages.values())
    assert [int(d[:3]) for d in result.doc_ids] == [1, 2, 3, 4]
    assert [Path(n).suffix for n in sorted(p.name for p in cfg.corpus_dir.glob("00[1-4]_*") if
                                           not p.name.endswith(".meta.json"))] == [".docx", ".pdf", ".html", ".md"]
    joined = "".join(texts_of(cfg, encoder))
    for fact in ("120类", "42个社区", "38个部门", "行政村"):
        assert fact in joined
    assert_consistent(cfg)


# --- bad input: a clear reason naming the file, and nothing changes --------------------------------------------
def _bad_cases(tmp_path: Path, cfg):
    rng = random.Random(7)
    return {
        "unsupported": (write(tmp_path, "report.exe", b"MZ\x90\x00binary"), "unsupported file type"),
        "empty": (write(tmp_path, "empty.txt", b""), "empty file"),
        "no text layer": (make_scanned_pdf(tmp_path / "scan.pdf"), "no text layer"),
        "undecodable": (write(tmp_path, "noise.txt", bytes(rng.randrange(1, 256) for _ in range(4000))),
                        "cannot be decoded"),
        "duplicate": (write(tmp_path, "copy.txt", next(cfg.corpus_dir.glob("000_*.txt")).read_bytes()),
                      "same content as document 000_"),
        "missing": (tmp_path / "missing.txt", "file not found"),
    }


@pytest.mark.parametrize("case", ["unsupported", "empty", "no text layer", "undecodable", "duplicate", "missing"])
def test_bad_file_is_refused_by_name_and_nothing_changes(cfg, encoder, tmp_path, case):
    path, reason = _bad_cases(tmp_path, cfg)[case]
    good = write(tmp_path, "good.txt", NEW_DOC)
    before = whole_state(cfg)
    with pytest.raises(DocumentError) as err:
        changes.add_documents(cfg, [good, path], encoder=encoder)  # the good file is not added either
    assert path.name in str(err.value) and reason in str(err.value)
    assert whole_state(cfg) == before
    assert not (cfg.data_dir / "state" / "archive").exists()


def test_file_over_the_size_limit_is_refused(cfg, encoder, tmp_path):
    small = cfg.replace(index=IndexConfig(keep_versions=5, max_document_bytes=100))
    before = whole_state(cfg)
    with pytest.raises(DocumentError) as err:
        changes.add_documents(small, [write(tmp_path, "big.txt", NEW_DOC)], encoder=encoder)
    assert "big.txt" in str(err.value) and "over the size limit" in str(err.value)
    assert whole_state(cfg) == before


def test_bad_metadata_and_unknown_ids_change_nothing(cfg, encoder, tmp_path):
    before = whole_state(cfg)
    with pytest.raises(QABotError, match="YYYY-MM-DD"):
        changes.add_documents(cfg, [write(tmp_path, "n.txt", NEW_DOC)], {"date": "2017-13-01"}, encoder=encoder)
    with pytest.raises(UnknownDocument, match="999_nope"):
        changes.remove_document(cfg, "999_nope", encoder=encoder)
    with pytest.raises(UnknownDocument, match="999_nope"):
        changes.replace_document(cfg, "999_nope", write(tmp_path, "r.txt", NEW_DOC), encoder=encoder)
    with pytest.raises(QABotError, match="only document"):
        changes.remove_document(cfg, "000_6ec06563744fe9af", encoder=encoder)
    assert whole_state(cfg) == before


# --- replace, remove, rollback -------------------------------------------------------------------------------
def test_replace_serves_the_new_text_only_and_keeps_id_and_metadata(cfg, encoder, tmp_path):
    added = changes.add_documents(cfg, [write(tmp_path, "v1.txt", NEW_DOC)], {"title": "一卡通"}, encoder=encoder)
    (doc_id,) = added.doc_ids
    v2 = NEW_DOC.replace("38万张", "52万张").replace("12个景区", "15个景区")
    result = changes.replace_document(cfg, doc_id, write(tmp_path, "v2.txt", v2), by="李科长", encoder=encoder)
    assert result.doc_ids == [doc_id] and result.action == "replace"
    texts = [p for p in open_snapshot(cfg, encoder).passages if p.doc_id == doc_id]
    joined = "".join(p.text for p in texts)
    assert "52万张" in joined and "38万张" not in joined and "12个景区" not in joined
    assert texts[0].doc_title == "一卡通"
    with pytest.raises(DocumentError, match="identical to the current file"):
        changes.replace_document(cfg, doc_id, write(tmp_path, "v3.txt", v2), encoder=encoder)
    assert audit.read(cfg)[-1]["by"] == "李科长"
    assert_consistent(cfg)


def test_remove_archives_the_file_and_rollback_brings_back_corpus_and_index(cfg, encoder, tmp_path):
    added = changes.add_documents(cfg, [write(tmp_path, "n.txt", NEW_DOC)], encoder=encoder)
    (doc_id,) = added.doc_ids
    with_doc = whole_state(cfg)["corpus"]
    removed = changes.remove_document(cfg, doc_id, encoder=encoder)
    assert not list(cfg.corpus_dir.glob(f"{doc_id}*"))
    assert not any(NEW_FACT in t for t in texts_of(cfg, encoder))
    assert_consistent(cfg)
    back = changes.rollback(cfg)
    assert back.version == added.version and VersionStore(cfg.index_dir).current() == added.version
    assert whole_state(cfg)["corpus"] == with_doc
    assert any(NEW_FACT in t for t in texts_of(cfg, encoder))
    again = changes.rollback(cfg, removed.version)  # forward again, by name
    assert again.version == removed.version and not list(cfg.corpus_dir.glob(f"{doc_id}*"))
    assert [r["action"] for r in audit.read(cfg)][-4:] == ["add", "remove", "rollback", "rollback"]
    assert_consistent(cfg)


def test_incremental_version_equals_a_full_rebuild(cfg, encoder, tmp_path):
    changes.add_documents(cfg, [write(tmp_path, "n.txt", NEW_DOC)], encoder=encoder)
    fresh = make_config(tmp_path / "fresh", cfg.corpus_dir)
    build_index(fresh, encoder=encoder, progress=False)
    a = VersionStore(cfg.index_dir).current_path()
    b = VersionStore(fresh.index_dir).current_path()
    for name in ("passages.jsonl", "tokens.txt", "lexical_keys.json", "text_keys.json", "entities.json",
                 "documents.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert np.allclose(np.load(a / "vectors.npy"), np.load(b / "vectors.npy"), atol=1e-5)


# --- read-only commands ---------------------------------------------------------------------------------------
def test_cli_list_show_check_and_versions(cfg, tmp_path, capsys):
    conf = str(write_config_file(cfg, tmp_path / "config.toml"))
    assert main(["--config", conf, "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["doc_id"] for r in rows] == ["000_6ec06563744fe9af"] and rows[0]["indexed"] and rows[0]["passages"]
    assert main(["--config", conf, "show", "000_6ec06563744fe9af"]) == 0
    shown = capsys.readouterr().out
    assert "李沧区" in shown and "case:" in shown and "unit:" in shown and "   [1] " in shown
    assert main(["--config", conf, "versions"]) == 0
    assert re.search(r"^\* v\d{8}T", capsys.readouterr().out, re.M)
    assert main(["--config", conf, "check"]) == 0
    assert "0 problems" in capsys.readouterr().out
    before = whole_state(cfg)
    write(cfg.corpus_dir, "005_broken.txt", b"")
    assert main(["--config", conf, "check"]) == 1
    out = capsys.readouterr().out
    assert "005_broken.txt" in out and "empty file" in out
    assert main(["--config", conf, "show", "999_nope"]) == 2
    assert "999_nope" in capsys.readouterr().err
    (cfg.corpus_dir / "005_broken.txt").unlink()
    assert whole_state(cfg) == before


def test_cli_remove_prints_and_audits_the_user(cfg, encoder, tmp_path, capsys, monkeypatch):
    (doc_id,) = changes.add_documents(cfg, [write(tmp_path, "n.txt", NEW_DOC)], encoder=encoder).doc_ids
    monkeypatch.setenv("USER", "zhang")
    conf = str(write_config_file(cfg, tmp_path / "config.toml"))
    assert main(["--config", conf, "remove", doc_id]) == 0  # nothing to embed: the model is not even loaded
    assert doc_id in capsys.readouterr().out
    assert audit.read(cfg)[-1]["by"] == "zhang" and audit.read(cfg)[-1]["action"] == "remove"
    assert_consistent(cfg)


# --- crash safety: SIGKILL at every step of a change ---------------------------------------------------------
def _start(conf: Path, args: list[str], pause: str | None = None) -> subprocess.Popen:
    env = cli_env(conf, **({"QABOT_TEST_PAUSE_AT": pause} if pause else {}))
    return subprocess.Popen([sys.executable, "-m", "index", "--quiet", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, ready, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the step was never reached"
        time.sleep(0.002)


def _kill_when(proc: subprocess.Popen, ready) -> None:
    _wait_for(proc, ready)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _paused(proc: subprocess.Popen, step: str):
    return lambda: f"paused at {step}" in (proc.stderr.readline() if proc.poll() is None else "")


def _next_command(conf: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "index", "list"], cwd=ROOT, env=cli_env(conf),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.parametrize("step,outcome", [
    ("validated", None), ("journal-written", "rolled back"), ("corpus-changed", "rolled back"),
    ("staged", "rolled back"), ("committed", "finished")])
def test_sigkill_during_add_leaves_corpus_and_index_consistent(cfg, encoder, tmp_path, step, outcome):
    conf = write_config_file(cfg, tmp_path / "config.toml")
    src = write(tmp_path, "new.txt", NEW_DOC)
    before = whole_state(cfg)
    proc = _start(conf, ["add", str(src), "--by", "crash-test"], step)
    _kill_when(proc, _paused(proc, step))
    if step == "staged":
        assert list((Path(cfg.index_dir) / "staging").glob("build-*/passages.jsonl"))
    snap = open_snapshot(cfg, encoder)  # what a server would load right now: a complete version
    assert snap.version in (before["current"], VersionStore(cfg.index_dir).current())
    said = _next_command(conf)
    if outcome is None:
        assert "recovered" not in said
    else:
        assert outcome in said and "interrupted add" in said, said
    manifest = assert_consistent(cfg)
    has_new = any(NEW_FACT in t for t in texts_of(cfg, encoder))
    if outcome == "finished":
        assert has_new and len(manifest["documents"]) == 2
        assert audit.read(cfg)[-1]["outcome"] == "finished after interruption"
    else:
        assert not has_new and whole_state(cfg)["corpus"] == before["corpus"]
        assert VersionStore(cfg.index_dir).current() == before["current"]
    staging = Path(cfg.index_dir) / "staging"
    assert not staging.exists() or not list(staging.glob("build-*"))


def test_sigkill_mid_replace_restores_the_old_file(cfg, encoder, tmp_path):
    (doc_id,) = changes.add_documents(cfg, [write(tmp_path, "v1.txt", NEW_DOC)], encoder=encoder).doc_ids
    before = whole_state(cfg)
    conf = write_config_file(cfg, tmp_path / "config.toml")
    v2 = write(tmp_path, "v2.txt", NEW_DOC.replace("38万张", "52万张"))
    proc = _start(conf, ["replace", doc_id, str(v2)], "corpus-changed")
    _kill_when(proc, _paused(proc, "corpus-changed"))
    assert "rolled back" in _next_command(conf)
    assert whole_state(cfg)["corpus"] == before["corpus"]
    assert any(NEW_FACT in t for t in texts_of(cfg, encoder))
    assert_consistent(cfg)


def test_a_second_change_waits_or_is_refused_while_one_runs(cfg, encoder, tmp_path):
    conf = write_config_file(cfg, tmp_path / "config.toml")
    proc = _start(conf, ["add", str(write(tmp_path, "new.txt", NEW_DOC))], "corpus-changed")
    try:
        _wait = _paused(proc, "corpus-changed")
        while not _wait():
            assert proc.poll() is None, proc.communicate()
        with pytest.raises(ChangeBusy):
            changes.add_documents(cfg, [write(tmp_path, "other.txt", NEW_DOC + "补充。")], encoder=encoder,
                                  wait=False)
        assert "in progress" in _next_command(conf)  # read-only commands still answer, and recover nothing
        assert (Path(cfg.index_dir) / "journal.json").exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert "rolled back" in _next_command(conf)
    assert_consistent(cfg)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_a_random_moment_without_any_hook(cfg, encoder, tmp_path, seed):
    conf = write_config_file(cfg, tmp_path / "config.toml")
    before = whole_state(cfg)
    proc = _start(conf, ["add", str(write(tmp_path, "new.txt", NEW_DOC))])
    journal_file = Path(cfg.index_dir) / "journal.json"
    _wait_for(proc, journal_file.exists)  # the change has begun ...
    time.sleep(random.Random(seed).uniform(0.0, 0.3))  # ... and is now somewhere in corpus write or build
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    open_snapshot(cfg, encoder)
    said = _next_command(conf)
    manifest = assert_consistent(cfg)
    if len(manifest["documents"]) == 1:
        assert whole_state(cfg)["corpus"] == before["corpus"]
    else:
        assert any(NEW_FACT in t for t in texts_of(cfg, encoder))
    assert proc.returncode == 0 or "interrupted add" in said


class OutOfMemoryEncoder:
    """The real encoder, except that embedding fails as a machine out of memory would."""

    def __init__(self, real) -> None:
        self.name, self.dim, self.fingerprint = real.name, real.dim, real.fingerprint

    def encode_documents(self, texts, progress=False):
        raise MemoryError("no memory left for the batch")


def test_a_change_that_fails_midway_is_undone_at_once(cfg, encoder, tmp_path):
    before = whole_state(cfg)
    with pytest.raises(MemoryError):
        changes.add_documents(cfg, [write(tmp_path, "n.txt", NEW_DOC)], encoder=OutOfMemoryEncoder(encoder))
    after = whole_state(cfg)
    assert after["corpus"] == before["corpus"] and after["current"] == before["current"]
    assert after["versions"] == before["versions"]
    assert "rolled back interrupted add" in after["audit"]
    assert_consistent(cfg)
    staging = Path(cfg.index_dir) / "staging"
    assert not staging.exists() or not list(staging.glob("build-*"))


def test_the_same_file_twice_in_one_add_is_refused(cfg, encoder, tmp_path):
    before = whole_state(cfg)
    a, b = write(tmp_path, "a.txt", NEW_DOC), write(tmp_path, "b.txt", NEW_DOC)
    with pytest.raises(DocumentError, match="b.txt: same content as .*a.txt, given in the same command"):
        changes.add_documents(cfg, [a, b], encoder=encoder)
    assert whole_state(cfg) == before
