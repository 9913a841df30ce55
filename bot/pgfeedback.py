"""The FeedbackStore contract in PostgreSQL: one question log and one feedback table shared by every replica."""
from __future__ import annotations

import time

from bot.feedback import RATINGS
from index.db import Database

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
    channel   text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS qabot_questions_answer_id ON qabot_questions (answer_id);
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


def _text(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; a citizen's stray control character must not lose the record.
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class PgFeedbackStore:
    """FeedbackStore in PostgreSQL (tables qabot_questions, qabot_feedback in the URL's schema); thread-safe."""

    def __init__(self, url: str) -> None:
        """Args:
            url: the [database] url; the tables are created if missing.

        Raises:
            DatabaseError: the server cannot be reached.
        """
        self.db = Database(url)
        with self.db.cursor(transaction=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            cur.execute(_SCHEMA)

    def log_question(self, question: str, answered: bool, kind: str, answer_id: str, channel: str = "") -> None:
        """Record one question and how it was answered (see SQLiteFeedbackStore.log_question)."""
        with self.db.cursor() as cur:
            cur.execute("INSERT INTO qabot_questions (time, question, answered, kind, answer_id, channel) "
                        "VALUES (%s, %s, %s, %s, %s, %s)",
                        (time.time(), _text(question), bool(answered), kind, _text(answer_id), _text(channel)))

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
            Dicts with time, question, answered, kind, answer_id, channel.
        """
        return self._read("SELECT time, question, answered, kind, answer_id, channel FROM qabot_questions "
                          "ORDER BY id DESC LIMIT %s", (limit,))

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _read(self, sql: str, args: tuple) -> list[dict]:
        with self.db.cursor() as cur:
            cur.execute(sql, args)
            names = [d.name for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
