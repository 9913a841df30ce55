"""Versioned index folders: build in staging, rename into versions/, switch CURRENT atomically, roll back."""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import os
import re
import secrets
from pathlib import Path

from index import fsio
from index.errors import IndexCorrupt, IndexMissing, UnknownVersion
from index.versioning.staging import StagingArea

MANIFEST = "manifest.json"
_NAME = re.compile(r"^v(\d{8}T\d{6}\.\d{6})Z-[0-9a-f]{6}$")
_STAMP = "%Y%m%dT%H%M%S.%f"
_HINT = "run `.venv/bin/python -m index versions` to see the versions, then `rollback NAME` or `rebuild`"


class VersionStore:
    """The index versions under one root folder (config.index_dir).

    Layout: versions/<name>/ (complete, immutable, manifest.json written last), CURRENT (the served version's
    name, replaced by atomic rename), staging/<tmp>/ (builds in progress, each held by an flock on
    staging/<tmp>.lock so that recover() never removes a live build), journal.json (an in-flight change,
    for the staff commands), .lock (serialises commit, rollback and recover between processes).
    """

    def __init__(self, root: Path, keep: int = 5) -> None:
        self.root = Path(root)
        self.keep = max(1, keep)
        self.versions_dir = self.root / "versions"
        self.staging_dir = self.root / "staging"
        self._staging = StagingArea(self.staging_dir)

    # --- reading -----------------------------------------------------------------------------------------

    def current(self) -> str | None:
        """Returns: the current version's name, or None when no version was ever switched to.

        Raises: IndexCorrupt when CURRENT is unreadable or does not hold a version name.
        """
        try:
            name = (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexCorrupt(f"{self.root / 'CURRENT'} cannot be read ({exc})", hint=_HINT) from exc
        if not _NAME.match(name):
            raise IndexCorrupt(f"{self.root / 'CURRENT'} does not name an index version ({name[:40]!r})", hint=_HINT)
        return name

    def current_path(self) -> Path | None:
        """Returns: the current version's folder, or None when there is none.

        Raises: IndexCorrupt when CURRENT names a missing or incomplete (manifest-less) folder.
        """
        name = self.current()
        if name is None:
            return None
        path = self.versions_dir / name
        if not (path / MANIFEST).is_file():
            what = "missing" if not path.is_dir() else "incomplete (no manifest.json)"
            raise IndexCorrupt(f"the current index version {name} is {what}", hint=_HINT)
        return path

    def names(self) -> list[str]:
        """Returns: the names of the complete versions, oldest first."""
        if not self.versions_dir.is_dir():
            return []
        return sorted(p.name for p in self.versions_dir.iterdir()
                      if _NAME.match(p.name) and (p / MANIFEST).is_file())

    def manifest(self, name: str | None = None) -> dict:
        """Args: name: a version (default: the current one). Returns: its manifest.

        Raises: IndexMissing (no current version), UnknownVersion, IndexCorrupt (unreadable manifest).
        """
        if name is None:
            path = self.current_path()
            if path is None:
                raise IndexMissing(f"no index version in {self.root}", hint="run `.venv/bin/python -m index rebuild`")
        else:
            path = self._known(name)
        return fsio.read_json(path / MANIFEST)

    def list(self) -> list[dict]:
        """Returns: one dict a version, newest first: name, created (ISO UTC), current, and from the manifest
        counts, documents (how many) and note when present (error when the manifest is unreadable)."""
        try:
            current = self.current()
        except IndexCorrupt:
            current = None
        rows = []
        for name in reversed(self.names()):
            row: dict = {"name": name, "created": created_at(name), "current": name == current}
            try:
                manifest = fsio.read_json(self.versions_dir / name / MANIFEST)
            except IndexCorrupt as exc:
                row["error"] = exc.message
                manifest = {}
            if isinstance(manifest, dict):
                if "counts" in manifest:
                    row["counts"] = manifest["counts"]
                docs = manifest.get("documents")
                if isinstance(docs, (dict, list)):
                    row["documents"] = len(docs)
                if manifest.get("note"):
                    row["note"] = manifest["note"]
            rows.append(row)
        return rows

    # --- writing -----------------------------------------------------------------------------------------

    def begin(self) -> Path:
        """Returns: a new empty staging folder, held (by an flock) until commit() or abort()."""
        return self._staging.begin()

    def commit(self, staging: Path, manifest: dict) -> str:
        """Make a finished build a version and serve it.

        Args:
            staging: a folder from begin(), holding every file of the version.
            manifest: the version's manifest (written into it last).

        Returns:
            The new version's name.
        """
        staging = Path(staging)
        if not self._staging.holds(staging):
            raise ValueError(f"{staging} is not a staging folder begun by this VersionStore")
        fsio.atomic_write_json(staging / MANIFEST, manifest)
        fsio.fsync_tree(staging)
        with self._locked():
            self.versions_dir.mkdir(parents=True, exist_ok=True)
            name = self._new_name()
            self._keep(staging, name)
            self._switch(name)
            self._prune(name)
        return name

    def adopt(self, staging: Path, name: str) -> None:
        """Keep a version made elsewhere (by another replica) under its own name, and serve it.

        Args:
            staging: a folder from begin() holding every file of the version, manifest.json included.
            name: the version's name where it was made.

        Raises:
            IndexCorrupt: the name is not a version name, or the folder has no manifest.
        """
        staging = Path(staging)
        if not self._staging.holds(staging):
            raise ValueError(f"{staging} is not a staging folder begun by this VersionStore")
        if not _NAME.match(name) or not (staging / MANIFEST).is_file():
            raise IndexCorrupt(f"a shared index version {name[:40]!r} is incomplete or misnamed", hint=_HINT)
        fsio.fsync_tree(staging)
        with self._locked():
            self.versions_dir.mkdir(parents=True, exist_ok=True)
            if (self.versions_dir / name).is_dir():  # another process of this replica adopted it meanwhile
                self._staging.abort(staging)
            else:
                self._keep(staging, name)
            self._switch(name)
            self._prune(name)

    def _keep(self, staging: Path, name: str) -> None:
        """Move a finished staging folder into the versions folder under name, durably (the lock is held)."""
        os.rename(staging, self.versions_dir / name)
        fsio.fsync_dir(self.versions_dir)
        fsio.fsync_dir(self.staging_dir)
        self._staging.release(staging)

    def abort(self, staging: Path) -> None:
        """Args: staging: a folder from begin() whose build failed; it is removed."""
        self._staging.abort(Path(staging))

    def rollback(self, name: str | None = None) -> str:
        """Serve an older (or any other complete) version.

        Args:
            name: the version to serve (default: the one before the current one).

        Returns:
            The name now served. Raises UnknownVersion for a name that is not a complete version.
        """
        with self._locked():
            if name is None:
                current, names = self.current(), self.names()
                older = [n for n in names if current is None or n < current]
                if not older:
                    raise UnknownVersion("there is no earlier index version to roll back to",
                                         hint="versions kept: " + (", ".join(names) or "none"))
                name = older[-1]
            self._known(name)
            self._switch(name)
        return name

    def recover(self) -> list[str]:
        """Clean up after an interrupted process: abandoned builds, temporary files, an unfinished switch.

        Returns:
            One message a thing found and done, for the user (empty when all was in order).
        """
        with self._locked():
            messages = self._staging.sweep()
            for tmp in self.root.glob(".CURRENT.*.tmp"):
                _unlink(tmp)
                messages.append("removed a half-written pointer file left by an interrupted switch")
            messages += self._repair_current()
        return messages

    # --- journal (an in-flight staff change; its meaning belongs to the caller) ---------------------------

    def write_journal(self, entry: dict) -> None:
        """Args: entry: what is about to change (written atomically to journal.json)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fsio.atomic_write_json(self.root / "journal.json", entry)

    def journal(self) -> dict | None:
        """Returns: the recorded in-flight change, or None. Raises IndexCorrupt if unreadable."""
        path = self.root / "journal.json"
        return fsio.read_json(path) if path.exists() else None

    def clear_journal(self) -> None:
        """Forget the in-flight change (it finished or was rolled back)."""
        _unlink(self.root / "journal.json")
        fsio.fsync_dir(self.root)

    # --- internals ---------------------------------------------------------------------------------------

    def _known(self, name: str) -> Path:
        if name not in self.names():
            raise UnknownVersion(f"no complete index version named {name!r}",
                                 hint="versions kept: " + (", ".join(reversed(self.names())) or "none"))
        return self.versions_dir / name

    def _new_name(self) -> str:
        now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
        existing = [n for n in os.listdir(self.versions_dir) if _NAME.match(n)]
        if existing:  # names sort in creation order even if the clock steps back
            latest = _dt.datetime.strptime(_NAME.match(max(existing)).group(1), _STAMP)
            now = max(now, latest + _dt.timedelta(microseconds=1))
        return f"v{now.strftime(_STAMP)}Z-{secrets.token_hex(3)}"

    def _switch(self, name: str) -> None:
        fsio.atomic_write_text(self.root / "CURRENT", name + "\n")

    def _prune(self, current: str) -> None:
        doomed = [n for n in self.names()[:-self.keep] if n != current]
        for name in doomed:
            # Moved out of versions/ first (atomic), so a kill mid-delete never leaves a half version there.
            self._staging.trash(self.versions_dir / name)
        if doomed:
            fsio.fsync_dir(self.versions_dir)

    def _repair_current(self) -> list[str]:
        try:
            if self.current_path() is not None:
                return []
            problem = ""  # CURRENT absent: a first build was killed between its rename and its switch
        except IndexCorrupt as exc:
            problem = exc.message
        names = self.names()
        if not names:
            return [f"{problem}; there is no complete version to serve"] if problem else []
        self._switch(names[-1])
        return [f"{problem or 'an interrupted build was never switched to'}; "
                f"now serving the newest complete version {names[-1]}"]

    @contextlib.contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def created_at(name: str) -> str:
    """Args: name: a version name. Returns: its creation time as ISO 8601 UTC ("" for a foreign name)."""
    found = _NAME.match(name)
    if not found:
        return ""
    return _dt.datetime.strptime(found.group(1), _STAMP).isoformat() + "Z"


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
