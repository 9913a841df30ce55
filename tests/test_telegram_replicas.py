"""Telegram long polling from one replica only: the advisory lock on a real PostgreSQL, the real python-telegram-bot
Application against the fake Bot API, then two `bot serve` processes of which the polling one is killed."""
from __future__ import annotations

import dataclasses
import logging
import os
import time

import httpx
import psycopg
import pytest

from bot.channels.telegram import TelegramChannel
from bot.state.pgleader import TELEGRAM_POLLING, LeaderLock
from bot.state.ratelimit import TokenBucketLimiter
from index.config import DatabaseConfig
from index.errors import DatabaseError
from tests.fakes.telegram_api import FakeBotAPI
from tests.test_telegram import QUESTION, LoopThread

KEY = 0x71AB07_FF  # a lock of the tests' own: each test has its own schema, but advisory locks are server-wide


def _until(predicate, timeout: float, what: str) -> float:
    """Wait for predicate(); returns the seconds it took, fails the test after `timeout`."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def _terminate(url: str, lock: LeaderLock) -> None:
    """End the holder's session from the server side, as a database restart or a cut connection would."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                     (f"qabot {lock.job} {lock.name}",))


# --- the lock alone --------------------------------------------------------------------------------------------
def test_one_session_holds_the_lock_and_the_next_takes_it_when_released(pg_url):
    a, b = LeaderLock(pg_url, KEY, "test job"), LeaderLock(pg_url, KEY, "test job")
    b.name = "other-replica:2"  # two replicas, though both live in this process
    try:
        assert a.try_acquire() and a.held and a.still_held()
        assert not b.try_acquire() and not b.held
        assert b.holder() == f"qabot test job {a.name}"
        a.release()
        assert not a.held and b.try_acquire() and b.still_held()
        assert not a.try_acquire()
    finally:
        a.release(), b.release()


def test_a_holder_whose_session_ended_knows_it_and_another_takes_over(pg_url):
    a, b = LeaderLock(pg_url, KEY, "test job"), LeaderLock(pg_url, KEY, "test job")
    b.name = "other-replica:2"
    try:
        assert a.try_acquire()
        _terminate(pg_url, a)
        assert a.still_held() is False and not a.held
        assert b.try_acquire()
    finally:
        a.release(), b.release()


def test_an_unreachable_database_is_a_database_error_without_the_password(tmp_path):
    url = f"postgresql://qabot:s3cret@/qabot?host={tmp_path}"  # no server on this socket folder
    lock = LeaderLock(url, KEY, "test job")
    with pytest.raises(DatabaseError) as caught:
        lock.try_acquire()
    assert "s3cret" not in str(caught.value) and not lock.held
    assert lock.still_held() is False and lock.holder() == ""


# --- two Applications in one process, each with its own lock connection ---------------------------------------
@pytest.fixture
def api():
    with FakeBotAPI() as fake:
        yield fake


def _channel(base_config, pg_url, api, replica: str, loop: LoopThread) -> TelegramChannel:
    config = dataclasses.replace(base_config, database=DatabaseConfig(url=pg_url),
                                 telegram=dataclasses.replace(base_config.telegram, poll_lock_retry_sec=0.2))
    channel = TelegramChannel(config, service=None, token=api.token, base_url=api.base_url_for(replica), env={},
                              limiter=TokenBucketLimiter(10, 1.0))
    channel.poller.lock.name = f"{replica}:1"
    loop.run(channel.start())
    return channel


def _pollers(api, since: float = 0.0) -> set[str]:
    """Returns: the replicas whose getUpdates requests arrived since then (answered or still waiting)."""
    return {c.replica for c in list(api.requests) if c.method == "getUpdates" and c.time >= since}


def test_two_channels_on_one_database_poll_one_at_a_time_and_hand_over(base_config, pg_url, api, caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.telegram")
    loops = {name: LoopThread() for name in "ab"}
    channels = {name: _channel(base_config, pg_url, api, name, loops[name]) for name in "ab"}
    try:
        _until(lambda: _pollers(api), 15, "one replica polls")
        time.sleep(1.0)  # five of the waiting replica's tries
        [first] = _pollers(api)
        second = "b" if first == "a" else "a"
        assert channels[first].poller.polling and not channels[second].poller.polling
        assert f"telegram polling is on another replica (qabot telegram polling {first}:1)" in caplog.text

        stopped = time.monotonic()  # a graceful stop lets the lock go: the other takes over at its next try
        loops[first].run(channels[first].stop())
        took = _until(lambda: second in _pollers(api, stopped), 10, "the other replica takes over")
        assert took < 3
        after = time.monotonic()
        time.sleep(1.0)  # five tries of the stopped replica's loop, were it still running
        assert first not in _pollers(api, after) and channels[second].poller.polling

        # The holder's session is ended by the server (a database restart, a cut connection): the holder sees it
        # at its next check and stops; then exactly one of the two polls again (the restarted first replica,
        # trying all along, or the second one retaking the lock).
        channels[first] = _channel(base_config, pg_url, api, first, loops[first])  # the replica restarted
        _terminate(pg_url, channels[second].poller.lock)
        _until(lambda: "its database session ended" in caplog.text, 5, "the holder notices its session ended")
        _until(lambda: any(c.poller.polling for c in channels.values()), 5, "a replica polls again")
        settled = time.monotonic()
        time.sleep(1.0)  # five tries of each
        [polling] = [name for name, c in channels.items() if c.poller.polling]
        assert _pollers(api, settled) <= {polling}
    finally:
        for name in "ab":
            loops[name].run(channels[name].stop())
            loops[name].close()


def test_without_a_database_the_channel_polls_at_once_with_no_lock(base_config, api):
    loop = LoopThread()
    channel = TelegramChannel(base_config, service=None, token=api.token, base_url=api.base_url, env={},
                              limiter=TokenBucketLimiter(10, 1.0))
    try:
        assert channel.poller is None
        loop.run(channel.start())
        assert channel.app.updater.running
        api.wait_for("getUpdates")
    finally:
        loop.run(channel.stop())
        loop.close()


# --- two `bot serve` processes: the polling one is killed -------------------------------------------------------
def _offset_past(api, replica: str, update_id: int) -> bool:
    """Whether `replica` has confirmed every update up to update_id (a getUpdates with a higher offset)."""
    return any(c.method == "getUpdates" and c.replica == replica and int(c.params.get("offset") or 0) > update_id
               for c in list(api.requests))


@pytest.mark.slow  # two processes load the real model
def test_only_one_replica_polls_and_another_takes_over_when_it_is_killed(built_config, pg_url, api, tmp_path):
    from bot.state.logkey import ENV as LOG_KEY_ENV
    from tests.conftest import ROOT
    from tests.live_server import ServerProcess

    env = {**os.environ, "QABOT_CONFIG": str(ROOT / "config.toml"), "QABOT_DATABASE_URL": pg_url,
           "QABOT_PATHS_DATA_DIR": str(built_config.data_dir), "QABOT_PATHS_CORPUS_DIR": str(built_config.corpus_dir),
           "QABOT_PATHS_MODELS_DIR": str(built_config.models_dir), LOG_KEY_ENV: "one key for every replica",
           "QABOT_TELEGRAM_POLL_LOCK_RETRY_SEC": "0.5", "TELEGRAM_BOT_TOKEN": api.token}
    servers = {name: ServerProcess({**env, "TELEGRAM_BASE_URL": api.base_url_for(name)}, tmp_path / f"{name}.log",
                                   ROOT) for name in "ab"}
    users = iter(range(101, 200))
    try:
        for server in servers.values():
            server.start()
        _until(lambda: _pollers(api), 60, "one replica polls")
        time.sleep(2.0)  # four tries of the other replica
        [holder] = _pollers(api)
        other = "b" if holder == "a" else "a"
        assert "telegram polling on this replica" in servers[holder].said()
        assert "telegram polling is on another replica (qabot telegram polling" in servers[other].said()
        asked = httpx.post(f"{servers[other].url}/api/ask", json={"question": QUESTION}, timeout=60)
        assert asked.status_code == 200 and asked.json()["answered"]  # the waiting replica serves HTTP

        before = [api.push_update(message=api.message(QUESTION, user=api.user(next(users)))) for _ in range(3)]
        sent = api.wait_for("sendMessage", 3, timeout=120)
        assert {c.replica for c in sent} == {holder}
        _until(lambda: _offset_past(api, holder, before[-1]["update_id"]), 30, "the holder confirms the updates")

        killed = time.monotonic()
        servers[holder].kill()  # SIGKILL: no goodbye; PostgreSQL ends its session, and with it the lock
        took = _until(lambda: other in _pollers(api, killed), 30, "the other replica takes over")
        assert took < 10, f"took over after {took:.1f} s"
        after = [api.push_update(message=api.message(QUESTION, user=api.user(next(users)))) for _ in range(3)]
        sent = api.wait_for("sendMessage", 6, timeout=120)
        time.sleep(1.0)  # a second answer to any update would arrive now
        sent = api.calls_of("sendMessage")
        # every update answered exactly once, the later ones by the replica that took over
        asked_by = [u["message"]["from"]["id"] for u in before + after]
        assert sorted(c.params["chat_id"] for c in sent) == sorted(asked_by)
        assert {c.replica for c in sent if c.params["chat_id"] in asked_by[3:]} == {other}
        assert all("92%" in c.result["text"] for c in sent)
        assert "telegram polling on this replica" in servers[other].said()
    finally:
        for server in servers.values():
            server.kill()


@pytest.mark.slow
def test_python_m_bot_telegram_with_a_database_polls_while_holding_the_lock_and_stops_on_interrupt(
        built_config, pg_url, api, tmp_path):
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "QABOT_CONFIG": str(ROOT / "config.toml"), "PYTHONUNBUFFERED": "1",
           "QABOT_PATHS_DATA_DIR": str(built_config.data_dir), "QABOT_PATHS_CORPUS_DIR": str(built_config.corpus_dir),
           "QABOT_PATHS_MODELS_DIR": str(built_config.models_dir), "QABOT_DATABASE_URL": pg_url,
           "QABOT_TELEGRAM_POLL_LOCK_RETRY_SEC": "0.5",
           "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url_for("alone")}
    other = LeaderLock(pg_url, TELEGRAM_POLLING, "telegram polling")  # a replica polling already
    assert other.try_acquire()
    log_file = tmp_path / "telegram.log"
    with open(log_file, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "telegram"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        _until(lambda: "telegram polling is on another replica" in log_file.read_text(), 120, "it waits its turn")
        assert not _pollers(api)
        other.release()
        _until(lambda: _pollers(api) == {"alone"}, 15, "it polls once the lock is free")
        api.push_update(message=api.message(QUESTION))
        [sent] = api.wait_for("sendMessage", timeout=60)
        assert "92%" in sent.result["text"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert other.try_acquire(), "the lock is free once it stopped"
        assert api.token not in log_file.read_text()
    finally:
        other.release()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
