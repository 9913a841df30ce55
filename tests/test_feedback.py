"""One suite for every FeedbackStore (SQLite, PostgreSQL): records, reads back, survives reopening, thread-safe."""
from __future__ import annotations

import dataclasses
import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.feedback import SQLiteFeedbackStore, open_feedback_store
from bot.pgfeedback import PgFeedbackStore
from tests.conftest import make_config


@pytest.fixture(params=["sqlite", "postgres"])
def reopen(request, tmp_path):
    """Opens a new store onto the same storage each call (a restart, or another replica for PostgreSQL)."""
    if request.param == "sqlite":
        def make():
            return SQLiteFeedbackStore(tmp_path / "state" / "feedback.sqlite")
    else:
        url = request.getfixturevalue("pg_url")

        def make():
            return PgFeedbackStore(url)
    opened = []
    yield lambda: opened.append(make()) or opened[-1]
    for s in opened:
        s.close()


@pytest.fixture
def store(reopen):
    return reopen()


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


def test_the_cited_document_the_quote_and_a_hashed_user_are_logged(store):
    store.log_question("护照丢了怎么补办？", True, "answer", "a1", "telegram", cited="《某文件》", quote="原文一句。",
                       user="123456789")
    store.log_question("还有呢？", False, "refusal", "a2", "telegram", user="123456789")
    store.log_question("网页提问", False, "refusal", "a3", "http")
    rows = store.questions()[::-1]
    assert [(r["cited"], r["quote"]) for r in rows] == [("《某文件》", "原文一句。"), ("", ""), ("", "")]
    users = [r["user"] for r in rows]
    assert users[0] == users[1] == store.user_hash("123456789") and len(users[0]) == 64 and users[2] == ""
    assert "123456789" not in users


def test_a_period_of_the_log_comes_with_each_answers_rating_counts(store):
    store.log_question("q1", True, "answer", "a1", "http")
    store.log_question("q2", False, "refusal", "a2", "telegram")
    for rating in ("down", "down", "up"):
        store.record_feedback("a1", rating)
    rows = store.questions_between(0, time.time() + 60)
    assert [(r["question"], r["down"], r["up"], r["answered"]) for r in rows] == [("q1", 2, 1, True),
                                                                               ("q2", 0, 0, False)]
    assert [r["question"] for r in store.questions_between(0, time.time() + 60, ("telegram",))] == ["q2"]
    assert store.questions_between(time.time() + 60, time.time() + 120) == []


def _after(moment: float) -> float:
    while time.time() <= moment:  # the clock's resolution: rows on either side of a cut get distinct times
        time.sleep(0.001)
    return time.time()


def test_purge_deletes_only_what_was_logged_before_the_cut(store):
    store.log_question("old", True, "answer", "a1", "http")
    store.record_feedback("a1", "down")
    cut = _after(max(store.questions()[0]["time"], store.feedback()[0]["time"]))
    _after(cut)
    store.log_question("new", True, "answer", "a2", "http")
    store.record_feedback("a2", "up")
    assert store.purge(cut) == (1, 1)
    assert [r["question"] for r in store.questions()] == ["new"] and len(store.feedback()) == 1
    assert store.purge(cut) == (0, 0)


def test_knows_answer_only_for_logged_answer_ids(store):
    store.log_question("q", True, "answer", "a1")
    assert store.knows_answer("a1")
    assert not store.knows_answer("a2")
    assert not store.knows_answer("")


def test_an_invalid_rating_is_refused_and_not_stored(store):
    with pytest.raises(ValueError):
        store.record_feedback("a1", "meh")
    assert store.feedback() == []


def test_data_survives_reopening(reopen):
    first = reopen()
    first.log_question("问题", True, "answer", "a1")
    first.record_feedback("a1", "up", "问题")
    first.close()
    again = reopen()
    assert again.knows_answer("a1")
    assert [(r["answer_id"], r["rating"], r["question"]) for r in again.feedback()] == [("a1", "up", "问题")]


def test_a_nul_character_does_not_lose_the_record(store):
    store.log_question("a\x00b", False, "refusal", "a1")
    # SQLite keeps the NUL; PostgreSQL text cannot, so it becomes U+FFFD
    assert store.questions()[0]["question"].replace("\x00", "\ufffd") == "a\ufffdb"


def test_the_sqlite_file_is_readable_by_plain_sqlite(tmp_path):
    path = tmp_path / "fb.sqlite"
    first = SQLiteFeedbackStore(path)
    first.log_question("问题", True, "answer", "a1")
    first.record_feedback("a1", "up", "问题")
    first.close()
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


def test_two_replicas_share_one_postgresql_log(pg_url):
    first, second = PgFeedbackStore(pg_url), PgFeedbackStore(pg_url)
    try:
        first.log_question("q", True, "answer", "a1", "http")
        assert second.knows_answer("a1")  # a rating may reach another replica than the answer came from
        second.record_feedback("a1", "down", "q", "http")
        assert [r["rating"] for r in first.feedback("a1")] == ["down"]
    finally:
        first.close()
        second.close()


def test_the_setting_chooses_the_backend_and_logs_the_url_masked(tmp_path, pg_url, caplog):
    config = make_config(tmp_path / "data")
    plain = open_feedback_store(config)
    plain.close()
    assert isinstance(plain, SQLiteFeedbackStore)
    secret = pg_url.replace("postgres:@", "postgres:s3cret@", 1)  # the test server trusts local logins
    assert secret != pg_url
    with caplog.at_level(logging.INFO, logger="bot.feedback"):
        shared = open_feedback_store(dataclasses.replace(config, database=dataclasses.replace(config.database,
                                                                                                url=secret)))
    shared.close()
    assert isinstance(shared, PgFeedbackStore)
    assert "postgres:***@" in caplog.text and "s3cret" not in caplog.text
