"""SQLite feedback store and question log: records, reads back, survives reopening, thread-safe."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bot.feedback import SQLiteFeedbackStore
from tests.conftest import make_config


@pytest.fixture
def store(tmp_path):
    s = SQLiteFeedbackStore(tmp_path / "state" / "feedback.sqlite")
    yield s
    s.close()


def test_questions_are_logged_with_their_outcome(store):
    store.log_question("李沧区民营社区卫生服务机构占比是多少？", True, "answer", "a1", "http")
    store.log_question("明天青岛天气怎么样？", False, "refusal", "a2", "telegram")
    rows = store.questions()
    assert [(r["question"], r["answered"], r["kind"], r["answer_id"], r["channel"]) for r in rows] == [
        ("明天青岛天气怎么样？", False, "refusal", "a2", "telegram"),
        ("李沧区民营社区卫生服务机构占比是多少？", True, "answer", "a1", "http"),
    ]
    assert all(r["time"] > 1.6e9 for r in rows)


def test_feedback_is_recorded_and_read_back_per_answer(store):
    store.log_question("q", True, "answer", "a1")
    store.record_feedback("a1", "up", "q", "http")
    store.record_feedback("a1", "down")
    store.record_feedback("a9", "up")
    got = store.feedback("a1")
    assert [(r["rating"], r["question"], r["channel"]) for r in got] == [("up", "q", "http"), ("down", None, "")]
    assert len(store.feedback()) == 3


def test_knows_answer_only_for_logged_answer_ids(store):
    store.log_question("q", True, "answer", "a1")
    assert store.knows_answer("a1")
    assert not store.knows_answer("a2")
    assert not store.knows_answer("")


def test_an_invalid_rating_is_refused_and_not_stored(store):
    with pytest.raises(ValueError):
        store.record_feedback("a1", "meh")
    assert store.feedback() == []


def test_data_survives_reopening_and_is_readable_by_plain_sqlite(tmp_path):
    path = tmp_path / "fb.sqlite"
    first = SQLiteFeedbackStore(path)
    first.log_question("问题", True, "answer", "a1")
    first.record_feedback("a1", "up", "问题")
    first.close()
    again = SQLiteFeedbackStore(path)
    assert again.knows_answer("a1")
    again.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT answer_id, rating, question FROM feedback").fetchall() == [("a1", "up", "问题")]


def test_default_location_is_in_the_data_folder(tmp_path):
    config = make_config(tmp_path / "data")
    store = SQLiteFeedbackStore.from_config(config)
    try:
        assert Path(store.path) == tmp_path / "data" / "state" / "feedback.sqlite"
        assert Path(store.path).exists()
    finally:
        store.close()


def test_writes_from_many_threads_are_all_kept(store):
    def worker(n):
        for i in range(50):
            store.log_question(f"q{n}-{i}", True, "answer", f"a{n}-{i}")
            store.record_feedback(f"a{n}-{i}", "up" if i % 2 else "down")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.questions(limit=1000)) == 400
    assert len(store.feedback()) == 400
