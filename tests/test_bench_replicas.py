"""bench.bench_replicas end to end: 1 and 2 real server processes on one real PostgreSQL under HTTP load."""
from __future__ import annotations

import io

import pytest

from bench.bench_replicas import measure, table
from bot.state.logkey import ENV as LOG_KEY_ENV
from bot.state.pgfeedback import PgFeedbackStore
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # each replica loads the real model


def test_two_replicas_share_the_load_and_log_every_answer_in_the_one_database(built_config, pg_url):
    env = {"QABOT_CONFIG": str(ROOT / "config.toml"), "QABOT_PATHS_DATA_DIR": str(built_config.data_dir),
           "QABOT_PATHS_CORPUS_DIR": str(built_config.corpus_dir),
           "QABOT_PATHS_MODELS_DIR": str(built_config.models_dir), LOG_KEY_ENV: "one key for every replica"}
    questions = ["李沧区民营社区卫生服务机构占比是多少？", "明天青岛天气怎么样？"]
    rows = measure([1, 2], pg_url, questions, clients=4, duration=2.0, env=env, log=io.StringIO())
    assert [r["replicas"] for r in rows] == [1, 2]
    for r in rows:
        assert r["errors"] == 0 and r["ok"] > 0 and r["answered"] > 0, r
        assert len(r["per_url"]) == r["replicas"] and all(n > 0 for n in r["per_url"].values()), r
    assert "| 2 | 4 |" in table(rows)
    store = PgFeedbackStore(pg_url)
    try:
        logged = len(store.questions(limit=100000))
    finally:
        store.close()
    warmups = min(4, len(questions)) * (1 + 2)  # each replica's first questions, before the measured load
    assert logged == sum(r["ok"] for r in rows) + warmups
