"""The per-install secret the question log hashes user ids with: $QUESTION_LOG_KEY, else a 0600 file made once."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from index import fsio

ENV = "QUESTION_LOG_KEY"
FILE = "log-key"


def log_key(config, env: dict | None = None) -> bytes:
    """The key, from the environment or <data_dir>/state/log-key (created on first use, readable by the owner only).

    Args:
        config: the program Config.
        env: the environment (default os.environ).

    Returns:
        The key bytes.
    """
    env = os.environ if env is None else env
    if env.get(ENV, "").strip():
        return env[ENV].strip().encode("utf-8")
    path = Path(config.data_dir) / "state" / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _create(path, secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def _create(path: Path, key: bytes) -> None:
    # Written whole to a private temporary file, then linked into place: a reader never sees a partial key, and
    # when two processes start at once the first link wins and both use its key (link fails if the name exists).
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        fsio.fsync_dir(path.parent)
    finally:
        os.unlink(tmp)
