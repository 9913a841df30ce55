"""`python -m bot migrate`: an embedded install's question log, ratings and index version moved into a real
PostgreSQL, through the real command line; twice copies nothing twice."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from bot.state.feedback import SQLiteFeedbackStore
from bot.state.pgfeedback import PgFeedbackStore
from index.versioning.pgversions import SharedVersions
from index.versioning.versions import VersionStore
from tests.conftest import ROOT, make_config
from tests.staff_helpers import cli_env, write_config_file
from tests.test_pgversions import commit, tree

KEY = b"the embedded install's key"


@pytest.fixture
def install(tmp_path):
    """An embedded install: its config file, a question log with ratings, and one index version it serves."""
    config = make_config(tmp_path / "data")
    store = SQLiteFeedbackStore(config.data_dir / "state" / "feedback.sqlite", user_key=KEY)
    store.log_question("护照有效期多久？", True, "answer", "a1", "web", cited="《护照法》", quote="十年。")
    store.log_question("明天天气？", False, "refusal", "a2", "wechat", user="oUser-1")
    store.log_question("带\x00控制字符", False, "invalid", "a3", "telegram", user="42")
    store.record_feedback("a1", "up", "护照有效期多久？", "web")
    store.record_feedback("a1", "down", None, "web")
    store.close()
    versions = VersionStore(config.index_dir, keep=5)
    version = commit(versions, {"manifest.json": b"{}", "dense/vectors.bin": b"\x00\x01" * 100}, "first")
    return config, write_config_file(config, tmp_path / "config.toml"), version


def migrate(config_file, url: str | None, *args):
    env = cli_env(config_file, **({"QABOT_DATABASE_URL": url} if url else {}))
    env.pop("QUESTION_LOG_KEY", None)  # the install hashed with its own key file
    return subprocess.run([sys.executable, "-m", "bot", "migrate", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _pg_rows(url: str):
    store = PgFeedbackStore(url)
    try:
        questions = sorted((q["time"], q["question"], q["answered"], q["kind"], q["answer_id"], q["channel"],
                            q["cited"], q["quote"], q["user"]) for q in store.questions(limit=1000))
        return questions, sorted(tuple(f.values()) for f in store.feedback())
    finally:
        store.close()


def _sqlite_rows(config):
    store = SQLiteFeedbackStore(config.data_dir / "state" / "feedback.sqlite", user_key=KEY)
    try:
        questions = sorted((q["time"], q["question"].replace("\x00", "\ufffd"), q["answered"], q["kind"],
                            q["answer_id"], q["channel"], q["cited"], q["quote"], q["user"])
                           for q in store.questions(limit=1000))
        return questions, sorted(tuple(f.values()) for f in store.feedback())
    finally:
        store.close()


def test_migrate_copies_the_log_once_and_publishes_the_served_version(install, pg_url, tmp_path):
    config, config_file, version = install
    first = migrate(config_file, pg_url)
    assert first.returncode == 0, first.stderr
    assert "question log: 3 of 3 rows copied" in first.stdout and "ratings: 2 of 2 rows copied" in first.stdout
    assert f"index: published {version}" in first.stdout
    assert "give every replica QUESTION_LOG_KEY set to its content" in first.stdout  # the key's path, not the key
    assert _pg_rows(pg_url) == _sqlite_rows(config)  # every column, hashed users as they were, NUL as U+FFFD

    again = migrate(config_file, pg_url)
    assert again.returncode == 0, again.stderr
    assert "question log: 0 of 3 rows copied (3 were there already)" in again.stdout
    assert "ratings: 0 of 2 rows copied" in again.stdout and f"already serves {version}" in again.stdout
    assert _pg_rows(pg_url) == _sqlite_rows(config)

    store = SQLiteFeedbackStore(config.data_dir / "state" / "feedback.sqlite", user_key=KEY)
    store.log_question("迁移后又问了一个", True, "answer", "a4", "web")  # the install answered on meanwhile
    store.close()
    later = migrate(config_file, pg_url)
    assert "question log: 1 of 4 rows copied (3 were there already)" in later.stdout
    assert _pg_rows(pg_url) == _sqlite_rows(config)

    replica = SharedVersions(pg_url, VersionStore(tmp_path / "replica" / "index", keep=5))
    try:  # a new replica pulls the install's version, file for file
        assert replica.pull() == version
        assert tree(replica.versions.current_path()) == tree(VersionStore(config.index_dir).current_path())
    finally:
        replica.close()


def test_another_served_version_is_left_unless_replace_served_is_given(install, pg_url, tmp_path):
    config, config_file, version = install
    other = SharedVersions(pg_url, VersionStore(tmp_path / "staff" / "index", keep=5))
    try:
        commit(other.versions, {"manifest.json": b'{"other": 1}'}, "the staff's")
        served = other.publish()
        kept = migrate(config_file, pg_url)
        assert kept.returncode == 0, kept.stderr
        assert f"the database serves {served}, not this install's {version}: left as it is" in kept.stdout
        assert other.served() == served
        replaced = migrate(config_file, pg_url, "--replace-served")
        assert f"index: published {version}" in replaced.stdout and other.served() == version
    finally:
        other.close()


def test_an_older_log_without_the_newer_columns_and_no_log_at_all(tmp_path, pg_url):
    config = make_config(tmp_path / "data")
    config_file = write_config_file(config, tmp_path / "config.toml")
    nothing = migrate(config_file, pg_url)
    assert nothing.returncode == 0, nothing.stderr
    assert "no question log at" in nothing.stdout and "has no index version" in nothing.stdout

    path = config.data_dir / "state" / "feedback.sqlite"
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)  # the log as the first release made it: no cited, quote, user; no feedback table
    db.execute("CREATE TABLE questions (id INTEGER PRIMARY KEY, time REAL NOT NULL, question TEXT NOT NULL, "
               "answered INTEGER NOT NULL, kind TEXT NOT NULL, answer_id TEXT NOT NULL, channel TEXT NOT NULL "
               "DEFAULT '')")
    db.execute("INSERT INTO questions (time, question, answered, kind, answer_id, channel) "
               "VALUES (1.7e9, '旧问题', 1, 'answer', 'old', 'web')")
    db.commit()
    db.close()
    old = migrate(config_file, pg_url)
    assert old.returncode == 0, old.stderr
    assert "question log: 1 of 1 rows copied" in old.stdout and "ratings: 0 of 0 rows copied" in old.stdout
    questions, ratings = _pg_rows(pg_url)
    assert questions == [(1.7e9, "旧问题", True, "answer", "old", "web", "", "", "")] and ratings == []


def test_without_a_url_or_a_reachable_database_it_says_so_plainly(install, tmp_path):
    config, config_file, _ = install
    missing = migrate(config_file, None)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "migrate needs the shared database" in missing.stderr and "QABOT_DATABASE_URL" in missing.stderr
    down = migrate(config_file, f"postgresql://qabot:s3cret-pw@/qabot?host={tmp_path}")  # no server there
    assert down.returncode == 2 and "Traceback" not in down.stderr
    assert "cannot connect to postgresql://qabot:***@/qabot" in down.stderr and "s3cret-pw" not in down.stderr
