"""The HTTP API against a real uvicorn server on loopback, over the real service and index."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.channels.http import WEB_DIR
from bot.serve import bind_socket
from bot.state.feedback import SQLiteFeedbackStore
from bot.state.ratelimit import TokenBucketLimiter
from index.errors import QABotError
from tests.conftest import ROOT, make_config
from tests.live_server import LiveServer

pytestmark = pytest.mark.slow  # the real model and index stand behind every request

QUESTION = "李沧区民营社区卫生服务机构占比是多少？"
OUT_OF_SCOPE = "明天青岛天气怎么样？"
HAN = re.compile(r"[\u4e00-\u9fff]")


def with_server(config, **changes):
    """Returns: config with [server] keys changed."""
    return config.replace(server=dataclasses.replace(config.server, **changes))


class GatedService:
    """The real service, except that ask() waits at a gate the test opens: "a question is being computed" becomes
    a state the test can hold, without timing."""

    def __init__(self, service) -> None:
        self._service = service
        self.entered = threading.Semaphore(0)
        self.gate = threading.Event()

    def ask(self, question):
        self.entered.release()
        self.gate.wait(60)
        return self._service.ask(question)

    def __getattr__(self, name):
        return getattr(self._service, name)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = SQLiteFeedbackStore(tmp_path_factory.mktemp("state") / "feedback.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="module")
def live(built_config, service, store):
    app = create_app(built_config, service, feedback=store, limiter=TokenBucketLimiter(100_000, 1000.0))
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def client(live):
    with httpx.Client(base_url=live.url, timeout=60) as c:
        yield c


def assert_json_error(resp, status, code):
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["error"] == code
    assert HAN.search(body["message"]), body  # a Chinese message a citizen can read


# --- answers ---------------------------------------------------------------------------------------------------
def test_ask_returns_the_cli_json_contract_with_the_answer(client, service, store):
    resp = client.post("/api/ask", json={"question": QUESTION})
    assert resp.status_code == 200
    body = resp.json()
    assert body["question"] == QUESTION and body["answered"] is True and body["kind"] == "answer"
    assert "92%" in body["answer"]
    assert body["sources"] and set(body["sources"][0]) >= {"doc_id", "title", "case", "text", "score"}
    direct = service.ask(QUESTION).to_json()  # the same object `python -m bot ask --json` prints
    assert {k: v for k, v in body.items() if k != "answer_id"} == {k: v for k, v in direct.items() if k != "answer_id"}
    logged = store.questions(limit=5)
    assert any(r["answer_id"] == body["answer_id"] and r["answered"] and r["kind"] == "answer" for r in logged)


def test_out_of_scope_question_is_a_refusal_not_an_error(client):
    resp = client.post("/api/ask", json={"question": OUT_OF_SCOPE})
    assert resp.status_code == 200
    body = resp.json()
    assert body["answered"] is False and body["kind"] == "refusal" and body["sources"] == []


def test_many_concurrent_questions_all_answered(client, live):
    def ask(i):
        with httpx.Client(base_url=live.url, timeout=120) as c:
            return c.post("/api/ask", json={"question": QUESTION if i % 2 else OUT_OF_SCOPE})

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(ask, range(32)))
    assert [r.status_code for r in results] == [200] * 32
    assert [r.json()["answered"] for r in results] == [bool(i % 2) for i in range(32)]


# --- feedback --------------------------------------------------------------------------------------------------
def test_feedback_on_an_answer_is_stored_in_sqlite(client, store):
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    resp = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "up", "question": QUESTION})
    assert resp.status_code == 200 and resp.json()["ok"] is True
    with sqlite3.connect(store.path) as db:
        rows = db.execute("SELECT rating, question FROM feedback WHERE answer_id = ?", (answer["answer_id"],)).fetchall()
    assert rows == [("up", QUESTION)]


def test_feedback_for_an_unknown_answer_is_404(client, store):
    before = len(store.feedback())
    assert_json_error(client.post("/api/feedback", json={"answer_id": "no-such-answer", "rating": "down"}),
                      404, "unknown_answer")
    assert len(store.feedback()) == before


@pytest.mark.parametrize("body", [{"rating": "up"}, {"answer_id": "x", "rating": "meh"}, {"answer_id": 5, "rating": "up"},
                                  {"answer_id": "x", "rating": "up", "question": 7}, {"answer_id": "", "rating": "up"}])
def test_malformed_feedback_is_422(client, body):
    assert_json_error(client.post("/api/feedback", json=body), 422, "invalid_feedback")


# --- bad input -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content, status, code", [
    (b"this is not json", 400, "invalid_json"),
    (b"", 400, "invalid_json"),
    (b'{"question": "\xff\xfe"}', 400, "invalid_json"),
    (b"[" * 20000, 400, "invalid_json"),
    (b'["question"]', 422, "not_object"),
    (b"{}", 422, "missing_question"),
    (b'{"question": 42}', 422, "missing_question"),
    (b'{"question": null}', 422, "missing_question"),
    (json.dumps({"question": "问" * 501}).encode(), 413, "question_too_long"),
    (b"x" * 70_000, 413, "body_too_large"),
])
def test_bad_input_gets_a_json_error_and_changes_nothing(client, store, content, status, code):
    before = store.questions(limit=1)
    resp = client.post("/api/ask", content=content, headers={"Content-Type": "application/json"})
    assert_json_error(resp, status, code)
    assert store.questions(limit=1) == before
    assert client.post("/api/ask", json={"question": QUESTION}).json()["answered"] is True


def test_a_question_at_the_limit_is_accepted(client, built_config):
    limit = built_config.answer.max_question_chars
    assert client.post("/api/ask", json={"question": "李沧区" + "问" * (limit - 3)}).status_code == 200


def _raw_request(url: str, head: bytes, body: bytes = b"") -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head + body)
        # The body is deliberately left unfinished: a reply proves the server did not wait to read it whole.
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def test_declared_oversized_body_is_refused_before_it_is_sent(live):
    head = (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\n\r\n")
    reply = _raw_request(live.url, head, b'{"question": "')
    assert reply.startswith(b"HTTP/1.1 413")


def test_streamed_oversized_body_is_refused_while_it_streams(live):
    head = b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"x" * 8192
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(9))  # 72 KB, and no final 0-chunk
    reply = _raw_request(live.url, head, body)
    assert reply.startswith(b"HTTP/1.1 413")


def test_unknown_routes_and_methods(client):
    assert_json_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_json_error(client.post("/api/nothing-here", json={}), 404, "not_found")
    assert_json_error(client.get("/api/ask"), 405, "method_not_allowed")
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_an_unexpected_failure_is_a_json_500_without_details(built_config, service, tmp_path):
    class Broken(GatedService):
        def ask(self, question):
            raise RuntimeError("boom in /srv/secret/path")

    store = SQLiteFeedbackStore(tmp_path / "fb.sqlite")
    with LiveServer(create_app(built_config, Broken(service), feedback=store)) as server:
        resp = httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, timeout=60)
        assert_json_error(resp, 500, "internal")
        assert "boom" not in resp.text and "Traceback" not in resp.text
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200  # and the server lives on
    store.close()


def test_two_replicas_sharing_the_database_share_budgets_and_the_question_log(built_config, service, pg_url):
    from bot.state.pgfeedback import PgFeedbackStore

    config = with_server(built_config, rate_capacity=3, rate_refill_per_sec=0.001)
    config = config.replace(database=dataclasses.replace(config.database, url=pg_url))
    with LiveServer(create_app(config, service)) as a, LiveServer(create_app(config, service)) as b:
        with httpx.Client(timeout=60) as c:
            asked = [c.post(f"{url}/api/ask", json={"question": QUESTION}) for url in (a.url, b.url, a.url)]
            assert [r.status_code for r in asked] == [200, 200, 200]
            assert_json_error(c.post(f"{b.url}/api/ask", json={"question": QUESTION}), 429, "rate_limited")
            # the answer came from replica a; the citizen's rating reaches replica b
            rated = c.post(f"{b.url}/api/feedback", json={"answer_id": asked[0].json()["answer_id"], "rating": "up"})
            assert rated.status_code == 200
    log = PgFeedbackStore(pg_url)
    assert len(log.questions()) == 3 and [r["rating"] for r in log.feedback()] == ["up"]
    log.close()


def _wait_for_readyz(client, status: int) -> httpx.Response:
    # /readyz reuses its database probe for a second; the bound only keeps a broken check from hanging the test
    deadline = time.monotonic() + 60
    while (ready := client.get("/readyz")).status_code != status:
        assert time.monotonic() < deadline, f"/readyz never answered {status}: {ready.text}"
        time.sleep(0.1)
    return ready


def test_a_database_outage_fails_readiness_answers_go_on_and_reach_the_log_once_it_is_back(built_config, service, pg_own):
    from bot.state import pgfeedback
    from bot.state.pgfeedback import PgFeedbackStore

    config = built_config.replace(database=dataclasses.replace(built_config.database, url=pg_own.url))
    with LiveServer(create_app(config, service)) as server, httpx.Client(base_url=server.url, timeout=60) as c:
        # every request below is bounded by the client's timeout: a hung one fails the test instead of blocking it
        assert c.get("/readyz").status_code == 200
        answered = c.post("/api/ask", json={"question": QUESTION}).json()
        pg_own.stop()
        try:
            down = _wait_for_readyz(c, 503).json()
            assert down["status"] == "error" and down["error"] == "DatabaseError" and HAN.search(down["message"])
            assert "postgresql" not in json.dumps(down) and "PGSQL" not in json.dumps(down)  # no address leaks
            assert c.get("/healthz").status_code == 200  # alive: the load balancer stops routing, nobody restarts
            during = [c.post("/api/ask", json={"question": q}) for q in (QUESTION, OUT_OF_SCOPE, QUESTION)]
            assert [r.status_code for r in during] == [200, 200, 200]
            assert [r.json()["answered"] for r in during] == [True, False, True]
            assert "92%" in during[0].json()["answer"]
            rated = c.post("/api/feedback", json={"answer_id": answered["answer_id"], "rating": "up"})
            assert_json_error(rated, 503, "feedback_unavailable")
        finally:
            pg_own.start()
        assert _wait_for_readyz(c, 200).json()["status"] == "ready"
        time.sleep(pgfeedback.RETRY_SEC)  # the log tries the database again once its pause after a failure is over
        after = c.post("/api/ask", json={"question": "李沧区民营社区卫生服务机构的比例"}).json()
        assert c.post("/api/feedback", json={"answer_id": answered["answer_id"], "rating": "up"}).status_code == 200
    log = PgFeedbackStore(pg_own.url)
    logged = [r["answer_id"] for r in log.questions()]
    feedback = log.feedback()
    log.close()
    # those asked during the outage were kept on the replica's disk and written, in order and before the question
    # asked after the restart, by that question's log write
    assert logged == [after["answer_id"], *[r.json()["answer_id"] for r in reversed(during)], answered["answer_id"]]
    assert not list((Path(config.data_dir) / "state" / "question-spool").glob("*.jsonl"))
    assert [(f["answer_id"], f["rating"]) for f in feedback] == [(answered["answer_id"], "up")]


# --- limits ----------------------------------------------------------------------------------------------------
def test_too_many_questions_from_one_client_get_429_others_are_served(built_config, service, tmp_path):
    limiter = TokenBucketLimiter(2, 0.001)
    store = SQLiteFeedbackStore(tmp_path / "fb.sqlite")
    with LiveServer(create_app(built_config, service, feedback=store, limiter=limiter)) as server:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            assert [c.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(2)] == [200, 200]
            resp = c.post("/api/ask", json={"question": QUESTION})
            assert_json_error(resp, 429, "rate_limited")
            assert int(resp.headers["Retry-After"]) >= 1
            assert c.get("/healthz").status_code == 200  # health checks are never rate limited
        other = httpx.HTTPTransport(local_address="127.0.0.2")  # another client address on loopback
        with httpx.Client(base_url=server.url, timeout=60, transport=other) as c:
            assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
    assert len(store.questions()) == 3
    store.close()


def test_health_answers_while_a_question_is_being_computed(built_config, service, tmp_path):
    gated = GatedService(service)
    store = SQLiteFeedbackStore(tmp_path / "fb.sqlite")
    with LiveServer(create_app(built_config, gated, feedback=store)) as server, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(httpx.post, f"{server.url}/api/ask", json={"question": QUESTION}, timeout=60)
        assert gated.entered.acquire(timeout=30)  # the question is inside the service now
        health = httpx.get(f"{server.url}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["ready"] is True
        gated.gate.set()
        assert pending.result().json()["answered"] is True
    store.close()


def test_a_full_queue_is_refused_with_503_busy(built_config, service, tmp_path):
    gated = GatedService(service)
    config = with_server(built_config, workers=1, max_queue=1)
    store = SQLiteFeedbackStore(tmp_path / "fb.sqlite")
    app = create_app(config, gated, feedback=store)
    with LiveServer(app) as server, ThreadPoolExecutor(2) as pool:
        post = lambda: httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, timeout=60)  # noqa: E731
        first = pool.submit(post)
        assert gated.entered.acquire(timeout=30)  # the one worker is busy
        second = pool.submit(post)  # waits for the worker: the queue is then full
        for _ in range(600):
            if app.state.http.waiting() >= 1:
                break
            threading.Event().wait(0.05)
        assert_json_error(post(), 503, "busy")
        gated.gate.set()
        assert first.result().status_code == 200 and second.result().status_code == 200
    store.close()


# --- health, readiness, CORS, OpenAPI, static files ------------------------------------------------------------
def test_healthz_and_readyz_report_the_index(client, service):
    for path in ("/healthz", "/readyz"):
        resp = client.get(path)
        assert resp.status_code == 200
        body = resp.json()
        assert body["ready"] is True and body["version"] == service.status()["version"] and body["documents"] >= 1


def test_without_an_index_the_server_is_alive_but_not_ready(tmp_path, encoder):
    from bot.service import QAService

    config = make_config(tmp_path / "empty-data")
    store = SQLiteFeedbackStore(tmp_path / "fb.sqlite")
    with LiveServer(create_app(config, QAService(config, encoder=encoder), feedback=store)) as server:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            assert c.get("/healthz").status_code == 200
            for _ in range(300):
                ready = c.get("/readyz")
                if ready.json()["status"] == "error":
                    break
                threading.Event().wait(0.05)
            assert ready.status_code == 503
            assert ready.json()["error"] == "IndexMissing" and "index" in ready.json()["hint"]
            assert str(tmp_path) not in ready.text  # no server paths on a public endpoint
            assert_json_error(c.post("/api/ask", json={"question": QUESTION}), 503, "not_ready")
    store.close()


def test_cors_only_for_configured_origins_and_only_on_the_api(client, built_config):
    allowed = built_config.server.allowed_origins[0]
    pre = client.options("/api/ask", headers={"Origin": allowed, "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == allowed
    resp = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": allowed})
    assert resp.headers["access-control-allow-origin"] == allowed
    evil = "http://evil.example"
    pre = client.options("/api/ask", headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    resp = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": evil})
    assert "access-control-allow-origin" not in resp.headers
    assert "access-control-allow-origin" not in client.get("/", headers={"Origin": allowed}).headers


def test_pages_may_be_framed_only_by_the_configured_origins(client, built_config):
    csp = client.get("/").headers["content-security-policy"]
    ancestors = re.search(r"frame-ancestors ([^;]+)", csp).group(1).split()
    assert set(ancestors) == {"'self'", *built_config.server.allowed_origins}
    assert "script-src 'self'" in csp


def test_openapi_describes_every_api_route(client, live):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    served = {r.path for r in live.app.routes if getattr(r, "path", "").startswith(("/api/", "/healthz", "/readyz"))}
    assert served <= set(spec["paths"])
    ask = spec["paths"]["/api/ask"]["post"]
    assert {"200", "400", "413", "422", "429"} <= set(ask["responses"])


def test_chat_page_and_widget_are_served_without_external_assets(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'lang="zh-CN"' in page.text
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(not r.startswith(("http:", "https:", "//")) for r in refs), refs
    for ref in refs:
        if not ref.startswith(("#", "data:")):
            assert client.get("/" + ref.lstrip("/")).status_code == 200, ref
    widget = client.get("/widget.js")
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    for name in os.listdir(WEB_DIR):  # nothing in the web folder names another site (the SVG namespace is no fetch)
        text = (WEB_DIR / name).read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"https?://|[\"'(]//\w", text), name


def test_examples_endpoint_lists_the_service_examples(client, service):
    body = client.get("/api/examples").json()
    assert body["examples"] == service.examples and body["max_question_chars"] > 0


def test_a_new_index_version_is_picked_up_without_a_restart(built_config, encoder, tmp_path):
    import shutil

    from bot.service import QAService
    from index.versioning.build import build_index

    shutil.copytree(built_config.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_config.data_dir / "index", tmp_path / "data" / "index")
    config = with_server(make_config(tmp_path / "data", tmp_path / "corpus"), reload_poll_sec=0.2)
    own = QAService(config, encoder=encoder)
    own.load()
    store = SQLiteFeedbackStore(tmp_path / "fb.sqlite")
    with LiveServer(create_app(config, own, feedback=store)) as server, httpx.Client(base_url=server.url,
                                                                                   timeout=60) as c:
        before = c.get("/readyz").json()
        (tmp_path / "corpus" / "laoshan.txt").write_text(
            "---\ntitle: 崂山区推行智慧停车\nsource: 青岛日报\ndate: 2017-03-01\n---\n"
            "崂山区政府的《崂山区智慧停车便民工程》案例，在全区设立了1200个智能停车泊位，市民可以用手机查询空余车位。\n",
            encoding="utf-8")
        build_index(config, encoder=encoder, progress=False, note="test: one more document")
        for _ in range(600):
            after = c.get("/readyz").json()
            if after["version"] != before["version"]:
                break
            threading.Event().wait(0.1)
        assert after["version"] != before["version"] and after["documents"] == before["documents"] + 1
        answer = c.post("/api/ask", json={"question": "崂山区设立了多少个智能停车泊位？"}).json()
        assert answer["answered"] and "1200" in answer["answer"] and answer["index_version"] == after["version"]
    store.close()


# --- the server process ----------------------------------------------------------------------------------------
def test_a_busy_port_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(QABotError, match="端口已被占用"):
            bind_socket("127.0.0.1", taken.getsockname()[1])


def test_the_bound_socket_accepts_connections_before_the_server_runs():
    # The address is printed before the model loads and uvicorn starts: a client must wait, not be refused.
    sock = bind_socket("127.0.0.1", 0)
    try:
        with socket.create_connection(sock.getsockname()[:2], timeout=5):
            pass
    finally:
        sock.close()


def test_bot_serve_prints_its_address_and_serves_until_interrupted(built_config, tmp_path):
    env = {**os.environ, "QABOT_CONFIG": str(ROOT / "config.toml"), "PYTHONUNBUFFERED": "1",
           "QABOT_PATHS_DATA_DIR": str(built_config.data_dir), "QABOT_PATHS_CORPUS_DIR": str(built_config.corpus_dir),
           "QABOT_PATHS_MODELS_DIR": str(built_config.models_dir)}
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    said = lambda: log.read_text(encoding="utf-8")[-3000:]  # noqa: E731 - the server's log, for a failure message
    try:
        url = None
        for line in proc.stdout:
            found = re.search(r"http://127\.0\.0\.1:\d+", line)
            if found:
                url = found.group(0)
                break
        assert url, f"the server never printed its address: {said()}"
        deadline = time.monotonic() + 120  # serving starts once the address is out; /readyz says when it answers
        while httpx.get(f"{url}/readyz", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, f"never ready: {said()}"
            time.sleep(0.2)
        reply = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60).json()
        assert reply["answered"] is True, (reply, said())
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0, said()
        assert Path(built_config.data_dir, "state", "feedback.sqlite").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
