"""The question log's privacy and upkeep: hashed user ids, the install key, in-place migration, purge by age."""
from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import time

import pytest

from bot.feedback import SQLiteFeedbackStore
from bot.logkey import ENV, log_key
from index.config import load_config
from index.errors import ConfigError
from tests.conftest import ROOT, make_config
from tests.staff_helpers import cli_env, write_config_file

OLD_SCHEMA = """
CREATE TABLE questions (id INTEGER PRIMARY KEY, time REAL NOT NULL, question TEXT NOT NULL, answered INTEGER NOT NULL,
    kind TEXT NOT NULL, answer_id TEXT NOT NULL, channel TEXT NOT NULL DEFAULT '');
CREATE TABLE feedback (id INTEGER PRIMARY KEY, time REAL NOT NULL, answer_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), question TEXT, channel TEXT NOT NULL DEFAULT '');
"""


def test_user_ids_are_stored_only_as_keyed_hashes(tmp_path):
    config = make_config(tmp_path / "data")
    store = SQLiteFeedbackStore.from_config(config)
    store.log_question("护照丢了怎么补办？", False, "refusal", "a1", "telegram", user="123456789")
    store.log_question("还有呢？", False, "refusal", "a2", "telegram", user="123456789")
    store.log_question("网页提问", False, "refusal", "a3", "http")
    store.close()
    raw = (tmp_path / "data" / "state" / "feedback.sqlite").read_bytes()
    assert b"123456789" not in raw
    with sqlite3.connect(tmp_path / "data" / "state" / "feedback.sqlite") as db:
        users = [u for (u,) in db.execute("SELECT user FROM questions ORDER BY id")]
    assert users[0] == users[1] and len(users[0]) == 64 and users[2] == ""
    # another install (another key) cannot link the same person to these rows
    other = SQLiteFeedbackStore(":memory:", user_key=b"another install")
    assert other.user_hash("123456789") != users[0]


def test_the_install_key_is_made_once_private_and_the_environment_wins(tmp_path):
    config = make_config(tmp_path / "data")
    first = log_key(config, env={})
    path = tmp_path / "data" / "state" / "log-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) == 64
    assert log_key(config, env={}) == first
    assert [p.name for p in path.parent.iterdir()] == ["log-key"]  # no temporary file left behind
    assert log_key(config, env={ENV: "from-the-environment"}) == b"from-the-environment"


def test_an_older_log_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO questions (time, question, answered, kind, answer_id, channel) "
                   "VALUES (1.7e9, '旧问题', 1, 'answer', 'old', 'http')")
    store = SQLiteFeedbackStore(path)
    store.log_question("新问题", True, "answer", "new", "http", cited="《某文件》", quote="原文一句。")
    rows = store.questions()
    store.close()
    assert [(r["question"], r["cited"], r["quote"]) for r in rows] == [("新问题", "《某文件》", "原文一句。"),
                                                                      ("旧问题", "", "")]
    SQLiteFeedbackStore(path).close()  # opening a migrated log again changes nothing


def _aged_store(path):
    store = SQLiteFeedbackStore(path)
    for i, age_days in enumerate((400, 200, 10, 0)):
        store.log_question(f"q{age_days}", True, "answer", f"a{i}", "http")
        store.record_feedback(f"a{i}", "down")
    store.close()
    with sqlite3.connect(path) as db:
        for table in ("questions", "feedback"):
            for i, age_days in enumerate((400, 200, 10, 0)):
                db.execute(f"UPDATE {table} SET time = ? WHERE answer_id = ?",
                           (time.time() - age_days * 86400 - 60, f"a{i}"))


def test_purge_deletes_questions_and_ratings_older_than_the_cut(tmp_path):
    path = tmp_path / "fb.sqlite"
    _aged_store(path)
    store = SQLiteFeedbackStore(path)
    assert store.purge(time.time() - 180 * 86400) == (2, 2)
    assert sorted(r["question"] for r in store.questions()) == ["q0", "q10"]
    assert len(store.feedback()) == 2
    store.close()


def test_the_purge_command_keeps_the_configured_days(tmp_path):
    config = make_config(tmp_path / "data")
    (tmp_path / "data" / "state").mkdir(parents=True)
    _aged_store(tmp_path / "data" / "state" / "feedback.sqlite")
    cfg_file = write_config_file(config, tmp_path / "config.toml")
    run = lambda *args: subprocess.run([sys.executable, "-m", "bot", "purge-log", *args], cwd=ROOT,
                                       env=cli_env(cfg_file), capture_output=True, text=True, timeout=120)
    first = run()
    assert first.returncode == 0, first.stderr
    assert "deleted 2 questions and 2 ratings older than 180 days" in first.stdout
    second = run("--days", "5")
    assert "deleted 1 questions and 1 ratings older than 5 days" in second.stdout
    store = SQLiteFeedbackStore(tmp_path / "data" / "state" / "feedback.sqlite")
    assert [r["question"] for r in store.questions()] == ["q0"]
    store.close()


def test_retention_is_read_from_the_config_and_must_not_be_negative():
    assert load_config(ROOT / "config.toml", env={}).feedback.retention_days == 180
    assert load_config(ROOT / "config.toml", env={"QABOT_FEEDBACK_RETENTION_DAYS": "30"}).feedback.retention_days == 30
    with pytest.raises(ConfigError, match="retention_days"):
        load_config(ROOT / "config.toml", env={"QABOT_FEEDBACK_RETENTION_DAYS": "-1"})
