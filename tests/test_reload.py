"""Hot reload on the real server: CLI changes are served without restart, never from a half-switched index."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import time

import httpx
import pytest

from bench.bench_reload import run as run_updates_under_load
from bot.app import create_app
from bot.service import QAService
from bot.state.ratelimit import TokenBucketLimiter
from tests.conftest import ROOT
from tests.live_server import LiveServer
from tests.staff_helpers import NEW_DOC, NEW_FACT, NEW_QUESTION, cli_env, private_copy, write_config_file

pytestmark = pytest.mark.slow


@pytest.fixture
def served(built_config, encoder, tmp_path):
    cfg = private_copy(built_config, tmp_path)
    service = QAService(cfg, encoder=encoder)
    service.load()
    app = create_app(cfg, service, limiter=TokenBucketLimiter(10**9, 10**9))
    with LiveServer(app) as server:
        yield cfg, server


def test_a_document_added_on_the_command_line_is_answered_without_restart(served, tmp_path):
    cfg, server = served
    src = tmp_path / "new.txt"
    src.write_text(NEW_DOC, encoding="utf-8")
    with httpx.Client(base_url=server.url, timeout=120) as c:
        before = c.get("/readyz").json()["version"]
        assert not c.post("/api/ask", json={"question": NEW_QUESTION}).json()["answered"]
        done = subprocess.run([sys.executable, "-m", "index", "--quiet", "add", str(src)], cwd=ROOT,
                              env=cli_env(write_config_file(cfg, tmp_path / "config.toml")),
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        doc_id = done.stdout.split()[0]
        committed = time.monotonic()
        # the server polls every [server] reload_poll_sec; the bound here only keeps a broken reload from hanging
        while (answer := c.post("/api/ask", json={"question": NEW_QUESTION}).json())["index_version"] == before:
            assert time.monotonic() - committed < 60, "the new version was never served"
            time.sleep(0.05)
        print(f"new version served {time.monotonic() - committed:.2f} s after the command finished")
        assert answer["answered"] and NEW_FACT in answer["answer"], answer
        assert answer["sources"][0]["doc_id"] == doc_id
        assert c.get("/readyz").json()["documents"] == 2


def test_questions_during_updates_never_fail_nor_see_a_half_switched_index(served, encoder, tmp_path):
    cfg, server = served
    out = run_updates_under_load(cfg, encoder, server.url, updates=4, clients=3, folder=tmp_path / "docs")
    assert out["requests"] > 20
    assert out["failures"] == []
    assert out["half_switched"] == []
    assert len(out["versions"]) == 5
    served_versions = [v for v in out["answers_by_version"] if v in out["versions"]]
    assert len(served_versions) >= 3, out["answers_by_version"]  # answers really came from several versions


def test_a_document_added_through_one_replica_is_answered_by_another(built_config, encoder, pg_url, tmp_path):
    staff = private_copy(built_config, tmp_path / "staff")  # the replica where staff run the command line
    other = private_copy(built_config, tmp_path / "other")  # a replica serving citizens, with its own data folder
    other = other.replace(database=dataclasses.replace(other.database, url=pg_url))
    service = QAService(other, encoder=encoder)
    service.load()
    src = tmp_path / "new.txt"
    src.write_text(NEW_DOC, encoding="utf-8")
    with LiveServer(create_app(other, service, limiter=TokenBucketLimiter(10**9, 10**9))) as server, \
            httpx.Client(base_url=server.url, timeout=120) as c:
        before = c.get("/readyz").json()["version"]
        assert not c.post("/api/ask", json={"question": NEW_QUESTION}).json()["answered"]
        done = subprocess.run([sys.executable, "-m", "index", "--quiet", "add", str(src)], cwd=ROOT,
                              env=cli_env(write_config_file(staff, tmp_path / "config.toml"),
                                          QABOT_DATABASE_URL=pg_url),
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "shared with every replica" in done.stdout
        committed = time.monotonic()
        # the replica polls the database every [server] reload_poll_sec; the bound only stops a broken sync hanging
        while (answer := c.post("/api/ask", json={"question": NEW_QUESTION}).json())["index_version"] == before:
            assert time.monotonic() - committed < 60, "the other replica never served the new version"
            time.sleep(0.05)
        print(f"new version served by the other replica {time.monotonic() - committed:.2f} s after the command")
        assert answer["answered"] and NEW_FACT in answer["answer"], answer
        assert c.get("/readyz").json()["documents"] == 2
