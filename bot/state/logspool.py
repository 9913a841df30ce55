"""Question-log rows kept on local disk while the shared database is unreachable, and replayed into it once it is back."""
from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

MAX_BYTES = 64 << 20  # one replica's spool: some 200,000 questions, then new rows are dropped (and counted)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


class LogSpool:
    """Rows appended to a file of this process's own; replayed by whichever process of the machine is first.

    Each process appends to `spool-<pid>.jsonl`. Replaying takes a file by renaming it to `claimed-<pid>-…`
    (a rename is atomic, so of two replicas sharing the folder one gets it), writes its rows, and deletes it; a file
    whose replay failed is given back. A claimed file of a process that died mid-replay is taken over. The write
    must be idempotent (the question log skips a row it holds already), so a replay cut short between the write and
    the delete costs nothing twice.
    """

    def __init__(self, folder: Path, max_bytes: int = MAX_BYTES) -> None:
        """Args:
            folder: the spool folder (data_dir/state/question-spool), created on first use.
            max_bytes: the most this process's file may hold.
        """
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.dropped = 0
        self._lock = threading.Lock()
        self._maybe = True  # a previous run, or another process, may have left rows

    @property
    def _mine(self) -> Path:
        # Read on each use: a forked worker has a pid of its own.
        return self.folder / f"spool-{os.getpid()}.jsonl"

    def append(self, row: dict) -> bool:
        """Keep one row on disk.

        Args:
            row: the row's columns (JSON-serialisable).

        Returns:
            True when it was kept; False when this process's spool is full (the row is lost, and counted).
        """
        line = json.dumps(row, ensure_ascii=False) + "\n"
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self._mine
            if path.exists() and path.stat().st_size + len(line.encode()) > self.max_bytes:
                self.dropped += 1
                return False
            with path.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            self._maybe = True
            return True

    def pending(self) -> bool:
        """Returns: whether rows may wait for a replay (cheap: a flag, set when this process spooled or started)."""
        return self._maybe

    def replay(self, write: Callable[[list[dict]], None], transient: tuple[type[Exception], ...] = (),
               batch: int = 500) -> int:
        """Write every waiting row of the machine's spool files, oldest file first.

        Args:
            write: writes a batch of rows to the database, idempotently.
            transient: the errors of write that mean "not now" (the database is down): the files not yet written are
                given back and the error is raised. Any other error sets the file aside as `failed-…` (kept for
                an operator, never replayed again) and the replay goes on with the next file.
            batch: rows per call of write.

        Returns:
            How many rows were written.
        """
        with self._lock:
            if not self.folder.is_dir():
                self._maybe = False
                return 0
            done = 0
            claimed = self._claim()
            for i, path in enumerate(claimed):
                try:
                    rows = _rows(path)
                    for at in range(0, len(rows), batch):
                        write(rows[at:at + batch])
                except transient:
                    for rest in claimed[i:]:
                        self._give_back(rest)
                    raise
                except Exception:
                    log.exception("question log: the spooled rows of %s cannot be written; the file is kept as "
                                  "failed-%s", path.name, path.name)
                    os.rename(path, path.with_name(f"failed-{path.name}"))
                    continue
                path.unlink()
                done += len(rows)
            self._maybe = False
            return done

    def _claim(self) -> list[Path]:
        me = os.getpid()
        got = []
        for path in sorted(self.folder.glob("spool-*.jsonl"), key=lambda p: p.stat().st_mtime):
            target = path.with_name(f"claimed-{me}-{path.name}")
            try:
                os.rename(path, target)
            except FileNotFoundError:  # another process took it first
                continue
            got.append(target)
        for path in self.folder.glob("claimed-*.jsonl"):
            owner = int(path.name.split("-")[1])
            if owner != me and not _alive(owner):
                target = path.with_name(f"claimed-{me}-{path.name.split('-', 2)[2]}")
                try:
                    os.rename(path, target)
                except FileNotFoundError:
                    continue
                got.append(target)
        return got

    def _give_back(self, claimed: Path) -> None:
        original = claimed.with_name(claimed.name.split("-", 2)[2])
        if original.exists():  # the owner wrote again meanwhile: keep both, under a name replay finds
            original = original.with_name(f"spool-{os.getpid()}-{claimed.stat().st_mtime_ns}.jsonl")
        os.rename(claimed, original)


def _rows(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:  # a line torn by a crash mid-append: the rest are whole
            log.warning("a torn line in %s was skipped", path.name)
    return rows
