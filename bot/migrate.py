"""`python -m bot migrate`: move an embedded install into the shared database (question log, ratings, index version).

It lives in bot/ because it copies bot/'s question log; the index part goes through index/versioning/pgversions.py, and
nothing under index/ imports bot/.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.state.feedback import LOG_COLUMNS
from bot.state.logkey import ENV as LOG_KEY_ENV
from bot.state.logkey import FILE as LOG_KEY_FILE
from index.db import Database, mask_url
from index.errors import ConfigError, QABotError

_FEEDBACK_COLUMNS = ("time", "answer_id", "rating", "question", "channel")
# A row is the same row when these agree: the log has no other key, and an answer id is new for every answer, so
# running the command again (or after the embedded install logged more) copies only what the database lacks.
_SAME = {"questions": ("time", "answer_id", "question"), "feedback": ("time", "answer_id", "rating")}


@dataclass(frozen=True)
class Copied:
    """What one table's copy did: rows read from SQLite, rows inserted into PostgreSQL."""

    table: str
    read: int
    inserted: int


def migrate(config, *, replace_served: bool = False) -> list[str]:
    """Copy the SQLite question log and ratings into PostgreSQL and publish the served index version.

    Args:
        config: the program Config; [database] url must be set.
        replace_served: publish this install's index version even when the database serves another one.

    Returns:
        Lines saying what was done, for a person.

    Raises:
        ConfigError: [database] url is not set.
        DatabaseError: the database cannot be reached.
        QABotError: the SQLite log cannot be read.
    """
    url = config.database.url
    if not url:
        raise ConfigError("migrate needs the shared database: [database] url is empty",
                          hint="set QABOT_DATABASE_URL=postgresql://user@host/db and run it again")
    from bot.state.pgfeedback import PgFeedbackStore

    PgFeedbackStore(url).close()  # its tables, created as the replicas create them (and reachable, or say so)
    lines = [f"database: {mask_url(url)}"]
    path = Path(config.data_dir) / "state" / "feedback.sqlite"
    if path.exists():
        for done in copy_log(path, url):
            lines.append(f"{done.table}: {done.inserted} of {done.read} rows copied"
                         + (f" ({done.read - done.inserted} were there already)" if done.read > done.inserted else ""))
        if not os.environ.get(LOG_KEY_ENV, "").strip():
            # The copied rows carry user ids hashed under this install's key file: replicas that hash under
            # another key cannot link a citizen's later questions to them.
            lines.append(f"note: user ids in the log are hashed with this install's key file "
                         f"({Path(config.data_dir) / 'state' / LOG_KEY_FILE}); give every replica "
                         f"{LOG_KEY_ENV} set to its content, so a citizen's later questions link to the earlier ones")
    else:
        lines.append(f"no question log at {path}: nothing to copy")
    lines.append(_publish(config, replace_served))
    return lines


def copy_log(path: Path, url: str) -> list[Copied]:
    """Copy the rows of a SQLite feedback file that the PostgreSQL tables lack, in one transaction.

    Args:
        path: the SQLite file (opened read-only; an older one without the newer columns is fine).
        url: the [database] url, whose tables exist.

    Returns:
        One Copied for the question log, one for the ratings.
    """
    questions, ratings = _read(path, "questions", LOG_COLUMNS), _read(path, "feedback", _FEEDBACK_COLUMNS)
    db = Database(url)
    try:
        with db.cursor(transaction=True) as cur:
            return [Copied("question log", len(questions), _insert(cur, "questions", LOG_COLUMNS, questions)),
                    Copied("ratings", len(ratings), _insert(cur, "feedback", _FEEDBACK_COLUMNS, ratings))]
    finally:
        db.close()


def _read(path: Path, table: str, columns: tuple[str, ...]) -> list[tuple]:
    """The table's rows in id order; a column an older file lacks reads as ''."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise QABotError(f"cannot open the question log {path}: {exc}") from None
    try:
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not have:
            return []
        picked = ", ".join(f'"{c}"' if c in have else "''" for c in columns)
        rows = db.execute(f"SELECT {picked} FROM {table} ORDER BY id").fetchall()
    except sqlite3.Error as exc:
        raise QABotError(f"cannot read the question log {path}: {exc}",
                         hint="is it a feedback.sqlite of this program?") from None
    finally:
        db.close()
    # PostgreSQL text cannot hold NUL: stored as U+FFFD, as the PostgreSQL log stores it.
    return [tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row) for row in rows]


def _insert(cur, table: str, columns: tuple[str, ...], rows: list[tuple]) -> int:
    if not rows:
        return 0
    names = ", ".join(f'"{c}"' for c in columns)
    # Through a temporary table, so the database compares all rows in one statement instead of one by one.
    cur.execute(f"CREATE TEMP TABLE migrate_rows ON COMMIT DROP AS SELECT {names} FROM qabot_{table} LIMIT 0")
    with cur.copy(f"COPY migrate_rows ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    same = " AND ".join(f't."{c}" = m."{c}"' for c in _SAME[table])
    picked = ", ".join(f'm."{c}"' for c in columns)
    cur.execute(f"INSERT INTO qabot_{table} ({names}) SELECT {picked} "
                f"FROM (SELECT DISTINCT {names} FROM migrate_rows) m "
                f"WHERE NOT EXISTS (SELECT 1 FROM qabot_{table} t WHERE {same}) ORDER BY m.\"time\"")
    inserted = cur.rowcount
    cur.execute("DROP TABLE migrate_rows")
    return inserted


def _publish(config, replace_served: bool) -> str:
    from index.versioning.pgversions import SharedVersions
    from index.versioning.versions import VersionStore

    shared = SharedVersions(config.database.url, VersionStore(config.index_dir, keep=config.index.keep_versions))
    try:
        local, served = shared.versions.current(), shared.served()
        if local is None:
            return f"index: this install has no index version under {config.index_dir}: nothing published"
        if served == local:
            return f"index: the database already serves {local}"
        if served is not None and not replace_served:
            return (f"index: the database serves {served}, not this install's {local}: left as it is "
                    f"(--replace-served publishes {local} for every replica)")
        return f"index: published {shared.publish()}; every replica pulls and serves it"
    finally:
        shared.close()
