"""The audit log of corpus changes: one JSON object a line in <data_dir>/state/audit.jsonl, appended and flushed."""
from __future__ import annotations

import getpass
import json
import os
import time
from pathlib import Path

from index.config import Config


def audit_path(config: Config) -> Path:
    """Args: config: settings. Returns: the audit log file."""
    return config.data_dir / "state" / "audit.jsonl"


def who(by: str | None = None) -> str:
    """Args: by: a name given on the command line or by the admin API. Returns: it, else $USER, else the login."""
    if by and by.strip():
        return by.strip()
    name = os.environ.get("USER") or os.environ.get("LOGNAME")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return name


def record(config: Config, action: str, doc_ids: list[str], by: str, version: str | None, **extra) -> dict:
    """Append one change to the audit log (flushed to disk before returning).

    Args:
        config: settings.
        action: add, replace, remove, rollback, rebuild, recover.
        doc_ids: the documents it touched.
        by: who made it.
        version: the index version served afterwards.
        extra: more fields (files, change id, outcome, ...).

    Returns:
        The record written.
    """
    row = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "action": action, "doc_ids": list(doc_ids),
           "by": by, "version": version, **extra}
    path = audit_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    # O_APPEND: concurrent writers (CLI and server) never interleave within one line
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return row


def read(config: Config) -> list[dict]:
    """Args: config: settings. Returns: the audit records, oldest first (a torn last line is skipped)."""
    path = audit_path(config)
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows
