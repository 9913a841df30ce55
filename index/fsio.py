"""Atomic file writes (temp file, fsync, rename, fsync folder) and checked JSON reads."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from index.errors import IndexCorrupt

_REBUILD_HINT = "run `.venv/bin/python -m index rebuild` to build the index again"


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk so a rename inside it survives a crash.

    Args:
        folder: the folder whose directory entries changed.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under `folder` (e.g. before renaming a finished build into place).

    Args:
        folder: the top folder.
    """
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old file or the new one, never a mix.

    Args:
        path: the file to write; its folder must exist.
        data: the complete new content.
    """
    _atomic_write(Path(path), lambda fh: fh.write(data))


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see atomic_write_bytes).

    Args:
        path: the file to write.
        text: the complete new content.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write one JSON value atomically, readable Chinese (ensure_ascii=False), indent 1.

    Args:
        path: the file to write.
        obj: a JSON-serialisable value.
    """
    # Serialise first: a value that cannot be encoded must not touch the disk at all.
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def atomic_write_jsonl(path: Path, rows: Iterable[Any]) -> None:
    """Write one JSON value a line, atomically; rows are streamed, not held in memory.

    Args:
        path: the file to write.
        rows: JSON-serialisable values, one per line.
    """

    def write(fh) -> None:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False).encode("utf-8"))
            fh.write(b"\n")

    _atomic_write(Path(path), write)


def _atomic_write(path: Path, writer) -> None:
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            # mkstemp makes 0600 files; keep the mode of the file being replaced, else a usual 0644.
            os.fchmod(fh.fileno(), _mode_of(path))
            writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(folder)


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o644


def read_json(path: Path) -> Any:
    """Read one JSON file written by atomic_write_json.

    Args:
        path: the file to read.

    Returns:
        The decoded value.

    Raises:
        IndexCorrupt: the file is missing, unreadable, not UTF-8 or not valid JSON (names the file).
    """
    path = Path(path)
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IndexCorrupt(f"{path}: not valid JSON ({exc})", hint=_REBUILD_HINT) from exc


def read_jsonl(path: Path) -> list[Any]:
    """Read a JSON-lines file; blank lines are ignored.

    Args:
        path: the file to read.

    Returns:
        One decoded value per non-blank line.

    Raises:
        IndexCorrupt: the file is missing, unreadable, or a line is not valid JSON (names file and line).
    """
    path = Path(path)
    rows = []
    for number, line in enumerate(_read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise IndexCorrupt(f"{path}: line {number} is not valid JSON ({exc})", hint=_REBUILD_HINT) from exc
    return rows


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise IndexCorrupt(f"{path}: file is missing", hint=_REBUILD_HINT) from exc
    except OSError as exc:
        raise IndexCorrupt(f"{path}: cannot be read ({exc.strerror})", hint=_REBUILD_HINT) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IndexCorrupt(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})", hint=_REBUILD_HINT) from exc
