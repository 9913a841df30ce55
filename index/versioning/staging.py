"""Build folders owned by a live process (an flock on a lock file beside each), and sweeping up dead ones."""
from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from pathlib import Path


class StagingArea:
    """The staging folder of an index root: one sub-folder a build in progress.

    Each build folder X has a lock file X.lock beside it, flock-ed by the process that began the build for as
    long as it lives. The kernel drops the lock when that process dies, even by SIGKILL, so sweep() can tell a
    live build (lock held) from an abandoned one (lock free or missing) without trusting pids or clocks.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._held: dict[Path, int] = {}  # build folder -> fd of its held lock file

    def begin(self) -> Path:
        """Returns: a new empty build folder, held until release() or abort()."""
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            build = self.folder / f"build-{os.getpid()}-{secrets.token_hex(4)}"
            # Lock first, folder second: sweep() takes a folder without a held lock for abandoned.
            fd = os.open(lock_path(build), os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, lock_path(build)):
                break
            os.close(fd)  # a sweep removed the lock file between our open and flock: take a new name
        build.mkdir()
        self._held[build] = fd
        return build

    def holds(self, build: Path) -> bool:
        """Args: build: a folder. Returns: whether this object began it and still holds it."""
        return Path(build) in self._held

    def release(self, build: Path) -> None:
        """Give up a build folder (after it was renamed away, or removed): its lock file goes too.

        Args:
            build: a folder from begin().
        """
        fd = self._held.pop(Path(build), None)
        _unlink(lock_path(Path(build)))
        if fd is not None:
            os.close(fd)

    def abort(self, build: Path) -> None:
        """Args: build: a folder from begin() whose build failed; it is removed and released."""
        shutil.rmtree(build, ignore_errors=True)
        self.release(build)

    def trash(self, folder: Path) -> None:
        """Delete a folder by first renaming it into the staging area (atomic), so that a kill mid-delete
        leaves no half folder where it was; sweep() finishes the job.

        Args:
            folder: a folder on the same file system.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"trash-{Path(folder).name}-{secrets.token_hex(3)}"
        os.rename(folder, target)
        shutil.rmtree(target, ignore_errors=True)

    def sweep(self) -> list[str]:
        """Remove the build folders no live process holds, and stray lock files.

        Returns:
            One message a removed folder, for the user.
        """
        if not self.folder.is_dir():
            return []
        messages = []
        for entry in sorted(self.folder.iterdir()):
            if entry.is_dir():
                with self._claim(entry) as abandoned:
                    if abandoned:
                        shutil.rmtree(entry, ignore_errors=True)
                        _unlink(lock_path(entry))
                        if entry.name.startswith("trash-"):
                            messages.append("finished deleting an old index version whose removal was interrupted")
                        else:
                            messages.append(f"removed an unfinished index build ({entry.name}) "
                                            "left by an interrupted run")
            elif entry.suffix == ".lock" and not entry.with_suffix("").exists():
                with self._claim(entry.with_suffix("")) as abandoned:
                    if abandoned:
                        _unlink(entry)
        return messages

    @contextlib.contextmanager
    def _claim(self, build: Path):
        """Yields True when no live process holds `build`; the lock stays held while the caller cleans up."""
        if build in self._held:
            yield False
            return
        try:
            fd = os.open(lock_path(build), os.O_RDWR)
        except FileNotFoundError:
            yield True
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False  # a live process holds it: a build in progress
                return
            yield True
        finally:
            os.close(fd)


def lock_path(build: Path) -> Path:
    """Args: build: a build folder. Returns: its lock file, beside it."""
    return build.with_name(build.name + ".lock")


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
