"""One suite for every FeedbackStore (SQLite, PostgreSQL): records, reads back, survives reopening, thread-safe,
hashes user ids, reads periods for the console, purges by age."""
from __future__ import annotations

import dataclasses
import logging
import sqlite3
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from bot.state.feedback import SQLiteFeedbackStore, hash_user, open_feedback_store
from bot.state.logkey import log_key
from bot.state.pgfeedback import PgFeedbackStore
from tests.conftest import ROOT, make_config
from tests.staff_helpers import cli_env, write_config_file

KEY = b"this install's key"
DAY = 86400


@pytest.fixture(params=["sqlite", "postgres"])
def reopen(request, tmp_path):
    """Opens a new store onto the same storage each call (a restart, or another replica for PostgreSQL)."""
    if request.param == "sqlite":
        def make():
            return SQLiteFeedbackStore(tmp_path / "state" / "feedback.sqlite", user_key=KEY)
    else:
        url = request.getfixturevalue("pg_url")

        def make():
            return PgFeedbackStore(url, user_key=KEY)
    opened = []
    yield lambda: opened.append(make()) or opened[-1]
    for s in opened:
        s.close()


@pytest.fixture
def store(reopen):
    return reopen()


@pytest.fixture(params=["sqlite", "postgres"])
def config(request, tmp_path):
    """Settings choosing each backend: the data folder's SQLite file, or [database] url."""
    plain = make_config(tmp_path / "data")
    if request.param == "sqlite":
        return plain
    return dataclasses.replace(plain, database=dataclasses.replace(plain.database,
                                                                   url=request.getfixturevalue("pg_url")))


@pytest.fixture
def clock(monkeypatch):
    """Sets the time the stores record entries at: clock[0], Unix seconds (now until changed)."""
    now = [time.time()]
    for module in ("bot.state.feedback", "bot.state.pgfeedback"):
        monkeypatch.setattr(f"{module}.time", types.SimpleNamespace(time=lambda: now[0], monotonic=time.monotonic))
    return now


def _log_aged(store, clock, ages=(400, 200, 10, 0)) -> None:
    # One question and one 👎 per age in days (a minute more, so a cut at whole days falls clear of them).
    now = time.time()
    for i, age_days in enumerate(ages):
        clock[0] = now - age_days * DAY - 60
        store.log_question(f"q{age_days}", True, "answer", f"a{i}", "http")
        store.record_feedback(f"a{i}", "down")


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


def test_user_ids_are_stored_only_as_keyed_hashes(store):
    store.log_question("护照丢了怎么补办？", False, "refusal", "a1", "telegram", user="123456789")
    store.log_question("还有呢？", False, "refusal", "a2", "telegram", user="123456789")
    store.log_question("网页提问", False, "refusal", "a3", "http")
    rows = store.questions()
    assert not any("123456789" in str(value) for row in rows for value in row.values())
    users = [r["user"] for r in reversed(rows)]
    assert users[0] == users[1] == store.user_hash("123456789") == hash_user(KEY, "123456789")
    assert len(users[0]) == 64 and users[2] == ""
    # another install (another key) cannot link the same person to these rows
    assert hash_user(b"another install", "123456789") != users[0]


def test_either_backend_hashes_with_the_install_key(config):
    first = open_feedback_store(config)
    first.close()
    again = open_feedback_store(config)  # a restart keeps the key, so one user stays one hash
    again.close()
    assert first.user_hash("42") == again.user_hash("42") == hash_user(log_key(config), "42")


def test_questions_between_reads_a_period_with_its_ratings(store, clock):
    now = clock[0]
    for i, (age_days, channel) in enumerate(((3, "http"), (2, "telegram"), (1, "http"), (0, "wechat"))):
        clock[0] = now - age_days * DAY
        store.log_question(f"q{age_days}", i % 2 == 0, "answer" if i % 2 == 0 else "refusal", f"a{i}", channel,
                           cited="《文件》" if i % 2 == 0 else "", quote="原文。" if i % 2 == 0 else "", user="u1")
    store.record_feedback("a2", "down")
    store.record_feedback("a2", "down")
    store.record_feedback("a2", "up")
    rows = store.questions_between(now - 2 * DAY, now)  # since included, until excluded
    assert [(r["question"], r["channel"], r["down"], r["up"]) for r in rows] == [("q2", "telegram", 0, 0),
                                                                                ("q1", "http", 2, 1)]
    assert rows[1] == {"time": now - DAY, "question": "q1", "answered": True, "kind": "answer", "answer_id": "a2",
                       "channel": "http", "cited": "《文件》", "quote": "原文。", "user": store.user_hash("u1"),
                       "down": 2, "up": 1}
    assert rows[0]["answered"] is False and rows[0]["cited"] == ""
    assert [r["question"] for r in store.questions_between(now - 9 * DAY, now + 1, ("http", "wechat"))] == [
        "q3", "q1", "q0"]
    assert store.questions_between(now - 9 * DAY, now + 1, ("web",)) == []


def test_purge_deletes_questions_and_ratings_older_than_the_cut(store, clock):
    _log_aged(store, clock)
    assert store.purge(time.time() - 180 * DAY) == (2, 2)
    assert sorted(r["question"] for r in store.questions()) == ["q0", "q10"]
    assert sorted(r["answer_id"] for r in store.feedback()) == ["a2", "a3"]
    assert store.purge(time.time() - 180 * DAY) == (0, 0)


def test_the_purge_command_keeps_the_configured_days_on_either_backend(config, clock, tmp_path):
    store = open_feedback_store(config)
    _log_aged(store, clock)
    store.close()
    extra = {"QABOT_DATABASE_URL": config.database.url} if config.database.url else {}
    env = cli_env(write_config_file(config, tmp_path / "config.toml"), **extra)
    run = lambda *args: subprocess.run([sys.executable, "-m", "bot", "purge-log", *args], cwd=ROOT, env=env,
                                       capture_output=True, text=True, timeout=120)
    first = run()
    assert first.returncode == 0, first.stderr
    assert "deleted 2 questions and 2 ratings older than 180 days" in first.stdout
    second = run("--days", "5")
    assert "deleted 1 questions and 1 ratings older than 5 days" in second.stdout
    store = open_feedback_store(config)
    assert [r["question"] for r in store.questions()] == ["q0"]
    store.close()


def test_an_older_postgresql_log_gains_the_new_columns_and_keeps_its_rows(pg_url):
    import psycopg  # present whenever pg_url is (the fixture skips without it)

    with psycopg.connect(pg_url, autocommit=True) as conn:  # the table as the first PostgreSQL release made it
        conn.execute("CREATE TABLE qabot_questions (id bigserial PRIMARY KEY, time double precision NOT NULL, "
                     "question text NOT NULL, answered boolean NOT NULL, kind text NOT NULL, "
                     "answer_id text NOT NULL, channel text NOT NULL DEFAULT '')")
        conn.execute("INSERT INTO qabot_questions (time, question, answered, kind, answer_id, channel) "
                     "VALUES (1.7e9, '旧问题', true, 'answer', 'old', 'http')")
    store = PgFeedbackStore(pg_url, user_key=KEY)
    store.log_question("新问题", True, "answer", "new", "http", cited="《某文件》", quote="原文一句。", user="7")
    rows = store.questions()
    store.close()
    assert [(r["question"], r["cited"], r["quote"], r["user"]) for r in rows] == [
        ("新问题", "《某文件》", "原文一句。", hash_user(KEY, "7")), ("旧问题", "", "", "")]
    PgFeedbackStore(pg_url).close()  # opening a migrated log again changes nothing


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
    with caplog.at_level(logging.INFO, logger="bot.state.feedback"):
        shared = open_feedback_store(dataclasses.replace(config, database=dataclasses.replace(config.database,
                                                                                                url=secret)))
    shared.close()
    assert isinstance(shared, PgFeedbackStore)
    assert "postgres:***@" in caplog.text and "s3cret" not in caplog.text
