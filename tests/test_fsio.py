"""Atomic writes and checked JSON reads (index/fsio.py)."""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from index import fsio
from index.errors import IndexCorrupt

ROOT = Path(__file__).resolve().parent.parent


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_bytes_and_text_round_trip(tmp_path):
    target = tmp_path / "a.bin"
    fsio.atomic_write_bytes(target, b"\x00\x01old")
    fsio.atomic_write_bytes(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    fsio.atomic_write_text(tmp_path / "t.txt", "青岛市\n")
    assert (tmp_path / "t.txt").read_bytes() == "青岛市\n".encode("utf-8")
    assert _leftovers(tmp_path) == []


def test_json_is_readable_chinese_with_indent_one(tmp_path):
    target = tmp_path / "m.json"
    fsio.atomic_write_json(target, {"title": "创新工作案例", "n": [1, 2]})
    text = target.read_text(encoding="utf-8")
    assert "创新工作案例" in text  # ensure_ascii=False
    assert '\n "title"' in text  # indent=1
    assert fsio.read_json(target) == {"title": "创新工作案例", "n": [1, 2]}


def test_jsonl_round_trip_streams_a_generator(tmp_path):
    target = tmp_path / "p.jsonl"
    fsio.atomic_write_jsonl(target, ({"i": i, "text": "段落" * i} for i in range(3)))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[2]) == {"i": 2, "text": "段落段落"}
    assert fsio.read_jsonl(target) == [{"i": i, "text": "段落" * i} for i in range(3)]


def test_jsonl_of_no_rows_is_an_empty_file(tmp_path):
    target = tmp_path / "e.jsonl"
    fsio.atomic_write_jsonl(target, [])
    assert target.read_bytes() == b""
    assert fsio.read_jsonl(target) == []


def test_writer_failing_midway_leaves_old_file_intact(tmp_path):
    target = tmp_path / "passages.jsonl"
    fsio.atomic_write_jsonl(target, [{"old": 1}, {"old": 2}])
    before = target.read_bytes()

    def rows():
        yield {"new": 1}
        yield {"new": 2}
        raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError, match="disk went away"):
        fsio.atomic_write_jsonl(target, rows())
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_fsync_failing_leaves_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "m.json"
    fsio.atomic_write_json(target, {"version": 1})

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fsio.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        fsio.atomic_write_json(target, {"version": 2})
    assert fsio.read_json(target) == {"version": 1}
    assert _leftovers(tmp_path) == []


def test_unserialisable_value_never_touches_the_file(tmp_path):
    target = tmp_path / "m.json"
    fsio.atomic_write_json(target, {"ok": True})
    with pytest.raises(TypeError):
        fsio.atomic_write_json(target, {"bad": object()})
    assert fsio.read_json(target) == {"ok": True}
    assert _leftovers(tmp_path) == []


def test_new_files_are_not_private_and_modes_are_kept(tmp_path):
    fresh = tmp_path / "fresh.json"
    fsio.atomic_write_json(fresh, {})
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    fresh.chmod(0o640)
    fsio.atomic_write_json(fresh, {"again": 1})
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640


def test_missing_folder_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        fsio.atomic_write_text(tmp_path / "nope" / "x.txt", "x")


@pytest.mark.parametrize(
    "content, expected",
    [
        (b'{"a": 1', "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_read_json_bad_content_names_the_file(tmp_path, content, expected):
    target = tmp_path / "manifest.json"
    target.write_bytes(content)
    with pytest.raises(IndexCorrupt) as info:
        fsio.read_json(target)
    assert "manifest.json" in info.value.message and expected in info.value.message
    assert info.value.hint  # says what to run


def test_read_json_missing_file(tmp_path):
    with pytest.raises(IndexCorrupt, match="missing") as info:
        fsio.read_json(tmp_path / "gone.json")
    assert "gone.json" in info.value.message


def test_read_jsonl_names_the_bad_line(tmp_path):
    target = tmp_path / "passages.jsonl"
    target.write_text('{"a": 1}\n\n{"b": 2}\n{"c": \n', encoding="utf-8")
    with pytest.raises(IndexCorrupt) as info:
        fsio.read_jsonl(target)
    assert "passages.jsonl" in info.value.message and "line 4" in info.value.message


AS_NOBODY = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
from index.errors import IndexCorrupt
from index.fsio import read_json
os.setgid(65534); os.setuid(65534)  # root reads every file: drop to 'nobody' to meet a permission error
try:
    read_json(sys.argv[2])
except IndexCorrupt as exc:
    print(exc.message)
"""


def test_read_json_unreadable_file(tmp_path):
    if os.geteuid() != 0:
        target = tmp_path / "locked.json"
        target.write_text("{}", encoding="utf-8")
        target.chmod(0)
        with pytest.raises(IndexCorrupt, match="locked.json: cannot be read"):
            fsio.read_json(target)
        return
    folder = Path(tempfile.mkdtemp(prefix="qabot-fsio-"))  # pytest's base folder is private to root
    try:
        folder.chmod(0o755)
        target = folder / "locked.json"
        target.write_text("{}", encoding="utf-8")
        target.chmod(0)
        out = subprocess.run([sys.executable, "-c", AS_NOBODY, str(ROOT), str(target)], capture_output=True,
                             text=True, timeout=60)
        assert out.stdout.strip().endswith("locked.json: cannot be read (Permission denied)"), out.stderr
    finally:
        shutil.rmtree(folder)
