"""The question log through a database outage: rows kept on local disk, replayed once, in order, when it is back."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.state.logspool import LogSpool
from bot.state.pgfeedback import PgFeedbackStore
from index.errors import DatabaseError

KEY = b"this install's key"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


class Flaky(Exception):
    pass


# --- the spool on its own ----------------------------------------------------------------------------------------
def test_rows_are_replayed_once_in_order_and_the_file_is_removed(tmp_path):
    spool = LogSpool(tmp_path / "spool")
    for i in range(3):
        assert spool.append({"n": i, "q": f"问题{i}"})
    written: list[dict] = []
    assert spool.replay(written.extend) == 3
    assert [r["n"] for r in written] == [0, 1, 2] and written[1]["q"] == "问题1"
    assert list((tmp_path / "spool").iterdir()) == [] and not spool.pending()
    assert spool.replay(written.extend) == 0 and len(written) == 3


def test_a_replay_refused_for_now_gives_the_rows_back_for_the_next(tmp_path):
    spool = LogSpool(tmp_path / "spool")
    spool.append({"n": 1})

    def down(rows):
        raise Flaky("the database is down")

    with pytest.raises(Flaky):
        spool.replay(down, transient=(Flaky,))
    assert [p.name.startswith("spool-") for p in (tmp_path / "spool").iterdir()] == [True]
    written: list[dict] = []
    assert spool.replay(written.extend, transient=(Flaky,)) == 1 and written == [{"n": 1}]


def test_rows_that_cannot_be_written_are_set_aside_and_the_rest_still_replayed(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / f"spool-{_dead_pid()}.jsonl").write_text(json.dumps({"bad": True}) + "\n", encoding="utf-8")
    spool = LogSpool(folder)
    spool.append({"n": 2})
    written: list[dict] = []

    def write(rows):
        if any(r.get("bad") for r in rows):
            raise ValueError("a column the table does not have")
        written.extend(rows)

    assert spool.replay(write) == 1 and written == [{"n": 2}]
    assert [p.name.startswith("failed-") for p in folder.iterdir()] == [True]


def test_a_dead_replicas_spool_and_its_half_done_replay_are_taken_over(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    dead = _dead_pid()
    (folder / f"spool-{dead}.jsonl").write_text(json.dumps({"n": 1}) + "\n", encoding="utf-8")
    (folder / f"claimed-{dead}-spool-{dead + 1}.jsonl").write_text(json.dumps({"n": 2}) + "\n", encoding="utf-8")
    written: list[dict] = []
    assert LogSpool(folder).replay(written.extend) == 2
    assert sorted(r["n"] for r in written) == [1, 2] and list(folder.iterdir()) == []


def test_a_full_spool_refuses_and_counts_the_rows_it_drops(tmp_path):
    spool = LogSpool(tmp_path / "spool", max_bytes=40)
    assert spool.append({"q": "短"})
    assert not spool.append({"q": "这一行放不下了" * 3})
    assert spool.dropped == 1


def test_a_line_torn_by_a_crash_is_skipped_and_the_whole_ones_replayed(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / f"spool-{_dead_pid()}.jsonl").write_text('{"n": 1}\n{"n": 2}\n{"n": 3', encoding="utf-8")
    written: list[dict] = []
    assert LogSpool(folder).replay(written.extend) == 2 and written == [{"n": 1}, {"n": 2}]


# --- the PostgreSQL question log through a real outage -------------------------------------------------------------
def test_questions_answered_while_the_database_is_down_reach_the_log_once_it_is_back(pg_own, tmp_path):
    store = PgFeedbackStore(pg_own.url, user_key=KEY, spool=tmp_path / "spool")
    store.log_question("问题一", True, "answer", "a1", "web")
    pg_own.stop()
    try:
        for i in (2, 3, 4):  # the first finds the server down; the others go straight to the spool
            store.log_question(f"问题{i}", i != 3, "answer", f"a{i}", "web", cited="《护照法》第七条", user="u1")
        assert sum(1 for _ in (tmp_path / "spool").iterdir()) == 1
    finally:
        pg_own.start()
    store._down_until = 0.0  # the retry pause is a wall-clock matter, not what this test is about
    store.log_question("问题五", True, "answer", "a5", "web")
    rows = list(reversed(store.questions()))
    assert [r["answer_id"] for r in rows] == ["a1", "a2", "a3", "a4", "a5"]  # in the order they were asked
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)  # each with the time it was asked at
    assert rows[2]["answered"] is False and rows[1]["cited"] == "《护照法》第七条"
    assert rows[1]["user"] == store.user_hash("u1") != "u1"
    assert list((tmp_path / "spool").iterdir()) == []
    store.close()


def test_a_replay_run_twice_writes_nothing_twice(pg_own, tmp_path):
    store = PgFeedbackStore(pg_own.url, user_key=KEY, spool=tmp_path / "spool")
    pg_own.stop()
    try:
        store.log_question("问题一", True, "answer", "a1")
        store.log_question("问题二", True, "answer", "a2")
    finally:
        pg_own.start()
    (spooled,) = (tmp_path / "spool").iterdir()
    copy = spooled.read_bytes()
    store._down_until = 0.0
    store.log_question("问题三", True, "answer", "a3")
    # as if the process had died after the replay's commit and before it deleted the file
    (tmp_path / "spool" / f"spool-{_dead_pid()}.jsonl").write_bytes(copy)
    after = PgFeedbackStore(pg_own.url, user_key=KEY, spool=tmp_path / "spool")  # the replica, restarted
    after.log_question("问题四", True, "answer", "a4")
    assert sorted(r["answer_id"] for r in after.questions()) == ["a1", "a2", "a3", "a4"]
    store.close()
    after.close()


def test_without_a_spool_an_outage_still_raises_a_database_error(pg_own):
    store = PgFeedbackStore(pg_own.url, user_key=KEY)
    pg_own.stop()
    try:
        with pytest.raises(DatabaseError):
            store.log_question("问题", True, "answer", "a1")
    finally:
        pg_own.start()
    store.close()
