"""Citizen feedback and the question log: the FeedbackStore contract and its SQLite default."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

RATINGS = ("up", "down")
log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id        INTEGER PRIMARY KEY,
    time      REAL NOT NULL,
    question  TEXT NOT NULL,
    answered  INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    channel   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS questions_answer_id ON questions(answer_id);
CREATE TABLE IF NOT EXISTS feedback (
    id        INTEGER PRIMARY KEY,
    time      REAL NOT NULL,
    answer_id TEXT NOT NULL,
    rating    TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question  TEXT,
    channel   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_answer_id ON feedback(answer_id);
"""
# Columns added after the first release: (table, column, declaration); added in place to older databases, by both
# backends (bot/state/pgfeedback.py reads this list too, so a column added here reaches PostgreSQL as well).
ADDED = (("questions", "cited", "TEXT NOT NULL DEFAULT ''"), ("questions", "quote", "TEXT NOT NULL DEFAULT ''"),
         ("questions", "user", "TEXT NOT NULL DEFAULT ''"))
# What a question-log row holds, in order, on either backend.
LOG_COLUMNS = ("time", "question", "answered", "kind", "answer_id", "channel", "cited", "quote", "user")
_ROW = ", ".join(LOG_COLUMNS)


def log_fields(answer) -> dict:
    """Args: answer: an Answer. Returns: what the log keeps of it beside the question: cited (title) and quote."""
    cited = answer.sources[0].title if answer.answered and answer.sources else ""
    return {"cited": cited, "quote": answer.quote if answer.answered else ""}


def hash_user(key: bytes, user: str) -> str:
    """Args: key: the install key (bot/state/logkey.py); user: a channel's user id.

    Returns: HMAC-SHA256 hex ("" for "")."""
    if not user:
        return ""
    return hmac.new(key, user.encode("utf-8"), hashlib.sha256).hexdigest()


class FeedbackStore(Protocol):
    """What channels need to record questions and ratings: SQLite here, PostgreSQL in bot/state/pgfeedback.py."""

    def log_question(self, question: str, answered: bool, kind: str, answer_id: str, channel: str = "", *,
                     cited: str = "", quote: str = "", user: str = "") -> None:
        """Record one question and how it was answered."""
        ...  # pragma: no cover - protocol

    def record_feedback(self, answer_id: str, rating: str, question: str | None = None,
                        channel: str = "") -> None:
        """Record a thumbs up ("up") or down ("down") on an answer."""
        ...  # pragma: no cover - protocol

    def knows_answer(self, answer_id: str) -> bool:
        """Returns: True when the question log holds an answer with this id."""
        ...  # pragma: no cover - protocol

    def user_hash(self, user: str) -> str:
        """Returns: the keyed hash the log stores for a channel's user id ("" for "")."""
        ...  # pragma: no cover - protocol

    def questions_between(self, since: float, until: float, channels: tuple[str, ...] = ()) -> list[dict]:
        """Returns: the log of a period with each answer's rating counts (for the staff console)."""
        ...  # pragma: no cover - protocol

    def purge(self, before: float) -> tuple[int, int]:
        """Returns: (questions deleted, ratings deleted), everything logged before the moment."""
        ...  # pragma: no cover - protocol

    def close(self) -> None:
        """Release the store's resources."""
        ...  # pragma: no cover - protocol


class SQLiteFeedbackStore:
    """FeedbackStore in one SQLite file; one connection shared by all threads behind a lock.

    WAL mode lets an operator read the file (e.g. with the sqlite3 shell) while the server writes.
    """

    def __init__(self, path: str | Path, user_key: bytes | None = None) -> None:
        """Args:
            path: the database file; its folder is created if missing. ":memory:" for a throwaway store.
            user_key: the key user ids are hashed with (default: a random one, so ids cannot be linked across runs).
        """
        self.path = str(path)
        self._user_key = user_key or secrets.token_bytes(32)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode loses at most the last transactions on power loss, never corrupts.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._migrate()

    @classmethod
    def from_config(cls, config) -> "SQLiteFeedbackStore":
        """Open the default store at <data_dir>/state/feedback.sqlite.

        Args:
            config: the program Config.

        Returns:
            The store.
        """
        from bot.state.logkey import log_key

        return cls(Path(config.data_dir) / "state" / "feedback.sqlite", user_key=log_key(config))

    def log_question(self, question: str, answered: bool, kind: str, answer_id: str, channel: str = "", *,
                     cited: str = "", quote: str = "", user: str = "") -> None:
        """Record one question and how it was answered.

        Args:
            question: the question as asked.
            answered: whether the corpus answered it.
            kind: the Answer kind (answer, refusal, smalltalk, invalid).
            answer_id: the Answer's id, which feedback refers to.
            channel: where it was asked (web, telegram, wechat, ...).
            cited: the title of the document the answer quoted ("" when none).
            quote: the text quoted ("" when none).
            user: the asker's id on the channel; only its keyed hash is stored.
        """
        self._write("INSERT INTO questions (time, question, answered, kind, answer_id, channel, cited, quote, user) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (time.time(), question, int(bool(answered)), kind, answer_id, channel, cited, quote,
                     self.user_hash(user)))

    def user_hash(self, user: str) -> str:
        """Args: user: a channel's user id. Returns: its HMAC-SHA256 under this install's key, hex ("" for "")."""
        return hash_user(self._user_key, user)

    def record_feedback(self, answer_id: str, rating: str, question: str | None = None,
                        channel: str = "") -> None:
        """Record a rating on an answer.

        Args:
            answer_id: the Answer's id.
            rating: "up" or "down".
            question: the question the rating refers to, when the client sends it.
            channel: where the rating came from.

        Raises:
            ValueError: rating is not "up" or "down" (callers validate input first).
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        self._write("INSERT INTO feedback (time, answer_id, rating, question, channel) VALUES (?, ?, ?, ?, ?)",
                    (time.time(), answer_id, rating, question, channel))

    def knows_answer(self, answer_id: str) -> bool:
        """Args:
            answer_id: an Answer's id.

        Returns:
            True when a logged question carries this answer id.
        """
        with self._lock:
            row = self._db.execute("SELECT 1 FROM questions WHERE answer_id = ? LIMIT 1", (answer_id,)).fetchone()
        return row is not None

    def feedback(self, answer_id: str | None = None) -> list[dict]:
        """Read ratings back (for reports and tests), oldest first.

        Args:
            answer_id: only this answer's ratings; None for all.

        Returns:
            Dicts with time, answer_id, rating, question, channel.
        """
        sql = "SELECT time, answer_id, rating, question, channel FROM feedback"
        args: tuple = ()
        if answer_id is not None:
            sql, args = sql + " WHERE answer_id = ?", (answer_id,)
        return self._read(sql + " ORDER BY id", args)

    def questions(self, limit: int = 100) -> list[dict]:
        """Read the latest logged questions, newest first.

        Args:
            limit: how many rows at most.

        Returns:
            Dicts with time, question, answered, kind, answer_id, channel, cited, quote, user (hashed).
        """
        rows = self._read(f"SELECT {_ROW} FROM questions ORDER BY id DESC LIMIT ?", (limit,))
        for row in rows:
            row["answered"] = bool(row["answered"])
        return rows

    def questions_between(self, since: float, until: float, channels: tuple[str, ...] = ()) -> list[dict]:
        """Read the question log of a period, oldest first, each row with its ratings.

        Args:
            since: the first moment included (Unix seconds).
            until: the first moment excluded.
            channels: only these channels' questions (empty: all).

        Returns:
            Dicts as questions() gives, plus `down` and `up`: how many ratings of each the answer got.
        """
        where, args = "q.time >= ? AND q.time < ?", [since, until]
        if channels:
            where += f" AND q.channel IN ({','.join('?' * len(channels))})"
            args += list(channels)
        cols = ", ".join(f"q.{c.strip()}" for c in _ROW.split(","))
        rows = self._read(
            f"SELECT {cols}, (SELECT COUNT(*) FROM feedback f WHERE f.answer_id = q.answer_id AND f.rating = 'down') "
            f"AS down, (SELECT COUNT(*) FROM feedback f WHERE f.answer_id = q.answer_id AND f.rating = 'up') AS up "
            f"FROM questions q WHERE {where} ORDER BY q.time, q.id", tuple(args))
        for row in rows:
            row["answered"] = bool(row["answered"])
        return rows

    def purge(self, before: float) -> tuple[int, int]:
        """Delete questions and ratings older than a moment.

        Args:
            before: Unix seconds; entries logged earlier are deleted.

        Returns:
            (questions deleted, ratings deleted).
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                q = self._db.execute("DELETE FROM questions WHERE time < ?", (before,)).rowcount
                f = self._db.execute("DELETE FROM feedback WHERE time < ?", (before,)).rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return q, f

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        # An older log gains the new columns in place; ADD COLUMN with a default keeps every existing row.
        for table, column, decl in ADDED:
            have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                try:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
                except sqlite3.OperationalError as exc:  # another process added it first
                    if "duplicate column" not in str(exc):
                        raise

    def _write(self, sql: str, args: tuple) -> None:
        with self._lock:
            self._db.execute(sql, args)

    def _read(self, sql: str, args: tuple) -> list[dict]:
        with self._lock:
            cur = self._db.execute(sql, args)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]


def open_feedback_store(config) -> FeedbackStore:
    """The store the settings choose: PostgreSQL when [database] url is set, else SQLite under data_dir.

    Args:
        config: the program Config.

    Returns:
        The open store (the caller closes it).

    Raises:
        DatabaseError: the database is set but cannot be reached.
    """
    url = config.database.url
    if not url:
        return SQLiteFeedbackStore.from_config(config)
    from bot.state.pgfeedback import PgFeedbackStore
    from index.db import mask_url

    log.info("question log and feedback in PostgreSQL at %s", mask_url(url))
    return PgFeedbackStore.from_config(config)
