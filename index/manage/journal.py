"""Crash safety of corpus changes: a lock, a journal written before the corpus is touched, and recovery."""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from index import fsio
from index.config import Config
from index.errors import IndexCorrupt, QABotError
from index.ingest.load import content_hash
from index.manage import audit
from index.manage.corpus import Archive, place, sweep_temp, unlink
from index.versioning.versions import VersionStore


class ChangeBusy(QABotError):
    """Another corpus change is in progress (and the caller chose not to wait)."""


PAUSE_ENV = "QABOT_TEST_PAUSE_AT"  # crash tests: stop at this step so the test can SIGKILL the process there


def checkpoint(step: str) -> None:
    """Mark a step of a change; when $QABOT_TEST_PAUSE_AT names it, announce the step on stderr and wait forever
    (crash tests kill the process there; in normal runs this does nothing).

    Args:
        step: validated, journal-written, corpus-changed, staged, committed.
    """
    if os.environ.get(PAUSE_ENV) == step:
        os.write(2, f"paused at {step}\n".encode())
        while True:
            time.sleep(60)


def versions(config: Config) -> VersionStore:
    """Args: config: settings. Returns: the VersionStore of config.index_dir."""
    return VersionStore(config.index_dir, keep=config.index.keep_versions)


@contextlib.contextmanager
def change_lock(config: Config, wait: bool = True, on_wait=None):
    """Hold the corpus-change lock (an flock: the kernel drops it when the holder dies, even by SIGKILL).

    Args:
        config: settings.
        wait: block until the lock is free; else raise ChangeBusy at once.
        on_wait: called once with no arguments before blocking (e.g. to tell the user).

    Yields:
        None, with the lock held.
    """
    config.index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.index_dir / ".change.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise ChangeBusy("another change to the corpus is in progress",
                                 hint="try again when it has finished") from None
            if on_wait:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def begin(config: Config, entry: dict) -> None:
    """Record a change about to be made (atomically, before the corpus is touched); files it takes out of the
    corpus are archived first, so that it can always be undone.

    Args:
        config: settings.
        entry: id, action, by, base_version, doc_ids, files, adds and removes ([{name, sha256}]), target.
    """
    archive = Archive(config)
    for item in entry["removes"]:
        archive.keep(config.corpus_dir / item["name"], item["sha256"])
    versions(config).write_journal(entry)


def apply(config: Config, entry: dict, data: dict[str, bytes]) -> None:
    """Make the corpus match the change: remove what it removes, then place what it adds.

    Args:
        config: settings.
        entry: from begin().
        data: name -> bytes of each added file.
    """
    for item in entry["removes"]:
        unlink(config.corpus_dir / item["name"])
    for item in entry["adds"]:
        place(data[item["name"]], config.corpus_dir / item["name"])


@contextlib.contextmanager
def undone_on_error(config: Config):
    """Around the steps after begin(): if one fails (an error, Ctrl+C), finish or undo the change at once, as the
    next command would, so that a failed change leaves nothing behind; the error is raised again.

    Args:
        config: settings.
    """
    try:
        yield
    except BaseException:
        try:
            recover(config)
        except Exception:  # noqa: BLE001 - the original error matters; the next command retries the recovery
            pass
        raise


def finish(config: Config, entry: dict, version: str, **extra) -> dict:
    """Audit a committed change and forget its journal.

    Args:
        config: settings.
        entry: the change.
        version: the version now served.
        extra: more audit fields.

    Returns:
        The audit record.
    """
    row = audit.record(config, entry["action"], entry["doc_ids"], entry["by"], version, change=entry["id"],
                       files=entry.get("files", []), base_version=entry.get("base_version"), **extra)
    versions(config).clear_journal()
    return row


def committed_version(config: Config, entry: dict) -> str | None:
    """Args: config: settings; entry: a journal entry. Returns: the version that completed it, or None."""
    vs = versions(config)
    if entry["action"] == "rollback":
        return entry["target"] if vs.current() == entry["target"] else None
    base = entry.get("base_version") or ""
    for name in reversed(vs.names()):
        if name <= base:
            break
        try:
            if fsio.read_json(vs.versions_dir / name / "manifest.json").get("change") == entry["id"]:
                return name
        except IndexCorrupt:
            continue
    return None


def recover(config: Config) -> list[str]:
    """Finish or undo a change that an interrupted process left; call with change_lock held.

    Returns:
        One message a thing found and done, for the user (empty when all was in order).
    """
    vs = versions(config)
    try:
        entry = vs.journal()
    except IndexCorrupt:
        # the journal is written atomically, so this is outside damage; the corpus holds the truth
        vs.clear_journal()
        entry = None
    messages = vs.recover()
    if sweep_temp(config):
        messages.append("removed a half-copied file left in the corpus folder by an interrupted change")
    if entry is None:
        return messages
    what = f"{entry['action']} of {', '.join(entry.get('files') or entry['doc_ids'])}"
    done = committed_version(config, entry)
    if done is not None:
        if vs.current() != done:
            vs.rollback(done)  # committed but the pointer switch was cut short: finish it
        if not any(r.get("change") == entry["id"] for r in audit.read(config)):
            finish(config, entry, done, outcome="finished after interruption")
        else:
            vs.clear_journal()
        messages.append(f"an interrupted {what} was finished: now serving index version {done}")
        return messages
    problems = _undo(config, entry)
    audit.record(config, "recover", entry["doc_ids"], audit.who(), vs.current(), change=entry["id"],
                 outcome=f"rolled back interrupted {entry['action']}", problems=problems)
    vs.clear_journal()
    messages.append(f"an interrupted {what} was rolled back: the corpus and the index are as before "
                    f"(version {vs.current()}); run the command again" + (f" ({'; '.join(problems)})" if problems else ""))
    return messages


def _undo(config: Config, entry: dict) -> list[str]:
    archive, problems = Archive(config), []
    for item in entry["adds"]:
        path = config.corpus_dir / item["name"]
        if path.is_file() and content_hash(path) == item["sha256"]:
            unlink(path)
    for item in entry["removes"]:
        path: Path = config.corpus_dir / item["name"]
        if path.exists():
            continue
        try:
            place(archive.read(item["sha256"]), path)
        except OSError as exc:
            problems.append(f"could not restore {item['name']}: {exc}")
    return problems
