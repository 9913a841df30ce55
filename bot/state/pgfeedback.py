"""The FeedbackStore contract in PostgreSQL: one question log and one feedback table shared by every replica."""
from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from bot.state.feedback import ADDED, LOG_COLUMNS, RATINGS, hash_user
from bot.state.logspool import LogSpool
from index.db import Database
from index.errors import DatabaseError

log = logging.getLogger(__name__)

# Two replicas starting at once must not both create the tables: a transaction-scoped advisory lock serialises it.
_SCHEMA_LOCK = 0x71AB07_01
_SCHEMA = """
CREATE TABLE IF NOT EXISTS qabot_questions (
    id        bigserial PRIMARY KEY,
    time      double precision NOT NULL,
    question  text NOT NULL,
    answered  boolean NOT NULL,
    kind      text NOT NULL,
    answer_id text NOT NULL,
    channel   text NOT NULL DEFAULT '',
    cited     text NOT NULL DEFAULT '',
    quote     text NOT NULL DEFAULT '',
    "user"    text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS qabot_questions_answer_id ON qabot_questions (answer_id);
-- The console reads periods and purge-log deletes by age from a log every replica writes to.
CREATE INDEX IF NOT EXISTS qabot_questions_time ON qabot_questions (time);
CREATE TABLE IF NOT EXISTS qabot_feedback (
    id        bigserial PRIMARY KEY,
    time      double precision NOT NULL,
    answer_id text NOT NULL,
    rating    text NOT NULL CHECK (rating IN ('up', 'down')),
    question  text,
    channel   text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS qabot_feedback_answer_id ON qabot_feedback (answer_id);
"""
# "user" is a reserved word in PostgreSQL, so every column name is quoted.
_ROW = ", ".join(f'q."{c}"' for c in LOG_COLUMNS)
_NAMES = ", ".join(f'"{c}"' for c in LOG_COLUMNS)
_SLOTS = ", ".join(["%s"] * len(LOG_COLUMNS))
_INSERT = f"INSERT INTO qabot_questions ({_NAMES}) VALUES ({_SLOTS})"
_REPLAY = (f"INSERT INTO qabot_questions ({_NAMES}) SELECT {_SLOTS} WHERE NOT EXISTS "
           "(SELECT 1 FROM qabot_questions WHERE time = %s AND answer_id = %s)")
RETRY_SEC = 2.0  # after a failed write, how long rows go straight to the spool before the database is tried again


def _text(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; a citizen's stray control character must not lose the record.
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class PgFeedbackStore:
    """FeedbackStore in PostgreSQL (tables qabot_questions, qabot_feedback in the URL's schema); thread-safe."""

    def __init__(self, url: str, user_key: bytes | None = None, spool: Path | None = None) -> None:
        """Args:
            url: the [database] url; the tables are created if missing, older ones gain the newer columns.
            user_key: the key user ids are hashed with (default: a random one, so ids cannot be linked across runs).
            spool: a local folder keeping the questions logged while the database is unreachable, written into it
                once it is back (None: such a question's row is lost, and log_question raises).

        Raises:
            DatabaseError: the server cannot be reached.
        """
        self.db = Database(url)
        self._user_key = user_key or secrets.token_bytes(32)
        self._spool = LogSpool(spool) if spool is not None else None
        self._down_until = 0.0  # while the database was just found down, rows go to the spool without a try
        # A log made before a column existed gains it in place; the default fills every existing row.
        added = [f'ALTER TABLE qabot_{table} ADD COLUMN IF NOT EXISTS "{column}" {decl}' for table, column, decl in ADDED]
        self.db.ensure_schema(_SCHEMA_LOCK, _SCHEMA, *added)

    @classmethod
    def from_config(cls, config) -> "PgFeedbackStore":
        """Open the store at [database] url, hashing user ids with the install key SQLite uses (bot/state/logkey.py).

        Args:
            config: the program Config.

        Returns:
            The store.
        """
        from bot.state.logkey import ENV, log_key

        if not os.environ.get(ENV, "").strip():
            # Each replica's key file is its own: one user's questions hash alike across replicas only when every
            # replica is given the same key.
            log.warning("user ids are hashed with this replica's own key file; set %s alike on every replica "
                        "so that one user's questions hash alike on all of them", ENV)
        return cls(config.database.url, user_key=log_key(config),
                   spool=Path(config.data_dir) / "state" / "question-spool")

    def log_question(self, question: str, answered: bool, kind: str, answer_id: str, channel: str = "", *,
                     cited: str = "", quote: str = "", user: str = "") -> None:
        """Record one question and how it was answered (see SQLiteFeedbackStore.log_question); user is hashed.

        While the database is unreachable the row goes to the local spool (when there is one) and is written on the
        first successful log after the database is back, with its original time.

        Raises:
            DatabaseError: the database is unreachable and there is no spool (or it is full).
        """
        row = {"time": time.time(), "question": _text(question), "answered": bool(answered), "kind": kind,
               "answer_id": _text(answer_id), "channel": _text(channel), "cited": _text(cited),
               "quote": _text(quote), "user": self.user_hash(user)}
        if self._spool is not None and time.monotonic() < self._down_until and self._spool.append(row):
            return
        try:
            if self._spool is not None and self._spool.pending():
                # The rows kept while the database was down go first, so the log's order stays the order of time.
                n = self._spool.replay(self._write_rows, transient=(DatabaseError,))
                if n:
                    log.info("question log: %d rows kept while the database was unreachable are written", n)
            with self.db.cursor() as cur:
                cur.execute(_INSERT, tuple(row[c] for c in LOG_COLUMNS))
        except DatabaseError:
            if self._spool is None:
                raise
            # A down server must not cost each answer a connect timeout: for a while rows are spooled untried.
            self._down_until = time.monotonic() + RETRY_SEC
            if not self._spool.append(row):
                raise
            log.warning("question log: the database is unreachable; the row is kept in %s until it is back",
                        self._spool.folder)

    def _write_rows(self, rows: list[dict]) -> None:
        # Idempotent: a row is the one logged already when its time and answer id agree (answer ids are new for
        # every answer), so a replay cut short after its commit writes nothing twice.
        with self.db.cursor(transaction=True) as cur:
            cur.executemany(_REPLAY, [tuple(r.get(c, "") for c in LOG_COLUMNS) + (r["time"], r["answer_id"])
                                      for r in rows])

    def user_hash(self, user: str) -> str:
        """Args: user: a channel's user id. Returns: its HMAC-SHA256 under this install's key, hex ("" for "")."""
        return hash_user(self._user_key, user)

    def record_feedback(self, answer_id: str, rating: str, question: str | None = None,
                        channel: str = "") -> None:
        """Record a rating on an answer (see SQLiteFeedbackStore.record_feedback).

        Raises:
            ValueError: rating is not "up" or "down".
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        with self.db.cursor() as cur:
            cur.execute("INSERT INTO qabot_feedback (time, answer_id, rating, question, channel) "
                        "VALUES (%s, %s, %s, %s, %s)",
                        (time.time(), _text(answer_id), rating, _text(question), _text(channel)))

    def knows_answer(self, answer_id: str) -> bool:
        """Returns: True when a logged question, by any replica, carries this answer id."""
        with self.db.cursor() as cur:
            return cur.execute("SELECT 1 FROM qabot_questions WHERE answer_id = %s LIMIT 1",
                               (_text(answer_id),)).fetchone() is not None

    def feedback(self, answer_id: str | None = None) -> list[dict]:
        """Read ratings back, oldest first.

        Args:
            answer_id: only this answer's ratings; None for all.

        Returns:
            Dicts with time, answer_id, rating, question, channel.
        """
        where, args = ("WHERE answer_id = %s", (_text(answer_id),)) if answer_id is not None else ("", ())
        return self._read(f"SELECT time, answer_id, rating, question, channel FROM qabot_feedback {where} "
                          "ORDER BY id", args)

    def questions(self, limit: int = 100) -> list[dict]:
        """Read the latest logged questions, newest first.

        Args:
            limit: how many rows at most.

        Returns:
            Dicts with time, question, answered, kind, answer_id, channel, cited, quote, user (hashed).
        """
        return self._read(f"SELECT {_ROW} FROM qabot_questions q ORDER BY q.id DESC LIMIT %s", (limit,))

    def questions_between(self, since: float, until: float, channels: tuple[str, ...] = ()) -> list[dict]:
        """Read the question log of a period, oldest first, each row with its ratings.

        Args:
            since: the first moment included (Unix seconds).
            until: the first moment excluded.
            channels: only these channels' questions (empty: all).

        Returns:
            Dicts as questions() gives, plus `down` and `up`: how many ratings of each the answer got.
        """
        where, args = "q.time >= %s AND q.time < %s", [since, until]
        if channels:
            where += " AND q.channel = ANY(%s)"
            args.append([_text(c) for c in channels])
        return self._read(
            f"SELECT {_ROW}, "
            "(SELECT COUNT(*) FROM qabot_feedback f WHERE f.answer_id = q.answer_id AND f.rating = 'down') AS down, "
            "(SELECT COUNT(*) FROM qabot_feedback f WHERE f.answer_id = q.answer_id AND f.rating = 'up') AS up "
            f"FROM qabot_questions q WHERE {where} ORDER BY q.time, q.id", tuple(args))

    def purge(self, before: float) -> tuple[int, int]:
        """Delete questions and ratings older than a moment, in one transaction.

        Args:
            before: Unix seconds; entries logged earlier are deleted.

        Returns:
            (questions deleted, ratings deleted).
        """
        with self.db.cursor(transaction=True) as cur:
            questions = cur.execute("DELETE FROM qabot_questions WHERE time < %s", (before,)).rowcount
            ratings = cur.execute("DELETE FROM qabot_feedback WHERE time < %s", (before,)).rowcount
        return questions, ratings

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _read(self, sql: str, args: tuple) -> list[dict]:
        with self.db.cursor() as cur:
            cur.execute(sql, args)
            names = [d.name for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
