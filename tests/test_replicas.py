"""Replicas as separate server processes on one PostgreSQL: one is killed mid-stream, the other answers on."""
from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import httpx
import pytest

from bot.state.logkey import ENV as LOG_KEY_ENV
from bot.state.pgfeedback import PgFeedbackStore
from tests.conftest import ROOT
from tests.live_server import ServerProcess

pytestmark = pytest.mark.slow  # two processes load the real model

QUESTIONS = [("李沧区民营社区卫生服务机构占比是多少？", True), ("明天青岛天气怎么样？", False)]


def _ask(url: str, question: str):
    # the client's timeout bounds each request: a replica that hangs fails the test instead of stalling it
    try:
        return httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60)
    except httpx.TransportError as exc:
        return exc


def test_a_replica_killed_under_load_leaves_the_other_answering_every_question(built_config, pg_url, tmp_path):
    env = {**os.environ, "QABOT_CONFIG": str(ROOT / "config.toml"), "QABOT_DATABASE_URL": pg_url,
           "QABOT_PATHS_DATA_DIR": str(built_config.data_dir), "QABOT_PATHS_CORPUS_DIR": str(built_config.corpus_dir),
           "QABOT_PATHS_MODELS_DIR": str(built_config.models_dir), LOG_KEY_ENV: "one key for every replica",
           "QABOT_SERVER_RATE_CAPACITY": "100000"}  # both replicas share one budget for 127.0.0.1
    a = ServerProcess(env, tmp_path / "a.log", ROOT)
    b = ServerProcess(env, tmp_path / "b.log", ROOT)
    try:
        a.start(), b.start()
        sent = [((a, b)[i % 2], *QUESTIONS[(i // 2) % 2]) for i in range(40)]  # a, b, a, b, ... both questions
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(_ask, server.url, question) for server, question, _ in sent]
            pending = set(futures)
            while len(futures) - len(pending) < 8:  # the stream is under way: kill replica a in the middle of it
                _, pending = wait(pending, return_when=FIRST_COMPLETED)
            a.kill()
            results = [f.result() for f in futures]
        to_b = [(r, answered) for (server, _, answered), r in zip(sent, results) if server is b]
        assert all(isinstance(r, httpx.Response) and r.status_code == 200 for r, _ in to_b), \
            [r if not isinstance(r, httpx.Response) else r.text for r, _ in to_b]
        assert [r.json()["answered"] for r, _ in to_b] == [answered for _, answered in to_b]
        assert all("92%" in r.json()["answer"] for r, answered in to_b if answered)
        lost = [r for (server, _, _), r in zip(sent, results) if server is a and not isinstance(r, httpx.Response)]
        assert lost, "replica a answered everything: it was not killed during the stream"
        assert httpx.get(f"{b.url}/readyz", timeout=30).status_code == 200, b.said()
        after = _ask(b.url, QUESTIONS[0][0])
        assert isinstance(after, httpx.Response) and after.json()["answered"] is True
    finally:
        a.kill()
        b.kill()
    log = PgFeedbackStore(pg_url)
    logged = {row["answer_id"] for row in log.questions(limit=1000)}
    log.close()
    assert {r.json()["answer_id"] for r, _ in to_b} | {after.json()["answer_id"]} <= logged
