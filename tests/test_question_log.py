"""The SQLite question log's privacy and upkeep: the file never holds a user id, the install key, in-place migration,
the retention setting (what every backend does alike is in tests/test_feedback.py)."""
from __future__ import annotations

import sqlite3
import stat

import pytest

from bot.state.feedback import SQLiteFeedbackStore
from bot.state.logkey import ENV, log_key
from index.config import load_config
from index.errors import ConfigError
from tests.conftest import ROOT, make_config

OLD_SCHEMA = """
CREATE TABLE questions (id INTEGER PRIMARY KEY, time REAL NOT NULL, question TEXT NOT NULL, answered INTEGER NOT NULL,
    kind TEXT NOT NULL, answer_id TEXT NOT NULL, channel TEXT NOT NULL DEFAULT '');
CREATE TABLE feedback (id INTEGER PRIMARY KEY, time REAL NOT NULL, answer_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), question TEXT, channel TEXT NOT NULL DEFAULT '');
"""


def test_the_log_file_never_holds_a_user_id(tmp_path):
    config = make_config(tmp_path / "data")
    store = SQLiteFeedbackStore.from_config(config)
    store.log_question("护照丢了怎么补办？", False, "refusal", "a1", "telegram", user="123456789")
    store.close()
    # not in the table, nor in a free page or the write-ahead log
    state = tmp_path / "data" / "state"
    assert not any(b"123456789" in path.read_bytes() for path in state.glob("feedback.sqlite*"))
    with sqlite3.connect(state / "feedback.sqlite") as db:
        assert [len(u) for (u,) in db.execute("SELECT user FROM questions")] == [64]


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


def test_retention_is_read_from_the_config_and_must_not_be_negative():
    assert load_config(ROOT / "config.toml", env={}).feedback.retention_days == 180
    assert load_config(ROOT / "config.toml", env={"QABOT_FEEDBACK_RETENTION_DAYS": "30"}).feedback.retention_days == 30
    with pytest.raises(ConfigError, match="retention_days"):
        load_config(ROOT / "config.toml", env={"QABOT_FEEDBACK_RETENTION_DAYS": "-1"})
