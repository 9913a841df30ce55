"""The admin API on a real loopback server: token, uploads, replace, remove, status, reload, rollback, bad input."""
from __future__ import annotations

import dataclasses
import random

import httpx
import pytest

from bot.app import create_app
from bot.service import QAService
from index.manage import audit
from tests.docfiles import make_scanned_pdf
from tests.live_server import LiveServer
from tests.staff_helpers import NEW_DOC, NEW_FACT, NEW_QUESTION, assert_consistent, private_copy, whole_state

pytestmark = pytest.mark.slow

TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LIMIT = 50_000


@pytest.fixture(scope="module")
def cfg(built_config, tmp_path_factory):
    config = private_copy(built_config, tmp_path_factory.mktemp("admin"))
    return config.replace(index=dataclasses.replace(config.index, max_document_bytes=LIMIT))


@pytest.fixture(scope="module")
def live(cfg, encoder):
    service = QAService(cfg, encoder=encoder)
    service.load()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADMIN_TOKEN", TOKEN)
        app = create_app(cfg, service)
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def client(live):
    with httpx.Client(base_url=live.url, timeout=300) as c:
        yield c


def ask(client, question: str) -> dict:
    resp = client.post("/api/ask", json={"question": question})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_without_a_configured_token_the_admin_api_does_not_exist(cfg, encoder, monkeypatch):
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    app = create_app(cfg, QAService(cfg, encoder=encoder))
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as c:
        assert c.get("/admin/status", headers=AUTH).status_code == 404
        assert c.post("/admin/documents", headers=AUTH, content=b"x").status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"X-Admin-Token": TOKEN + "x"}])
def test_a_missing_or_wrong_token_is_refused(client, headers):
    resp = client.get("/admin/status", headers=headers)
    assert resp.status_code == 401 and resp.json()["error"] == "unauthorized"
    assert client.post("/admin/reload", headers=headers).status_code == 401


def test_upload_serves_the_document_at_once_then_remove_takes_it_away(client, cfg):
    assert not ask(client, NEW_QUESTION)["answered"]
    resp = client.post("/admin/documents", headers=AUTH,
                       files={"file": ("一卡通.txt", NEW_DOC.encode("gbk"), "text/plain")},
                       data={"title": "崂山区智慧旅游一卡通", "date": "2017-02-01", "by": "王科员"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    (doc_id,) = body["doc_ids"]
    assert body["passages"] == {doc_id: 2} and body["served_version"] == body["version"]
    row = audit.read(cfg)[-1]
    assert row["action"] == "add" and row["doc_ids"] == [doc_id] and row["by"] == "王科员"
    answer = ask(client, NEW_QUESTION)
    assert answer["answered"] and NEW_FACT in answer["answer"], answer
    assert answer["index_version"] == body["version"] and answer["sources"][0]["doc_id"] == doc_id
    listed = client.get("/admin/documents", headers=AUTH).json()["documents"]
    assert [d["doc_id"] for d in listed] == ["000_6ec06563744fe9af", doc_id]
    assert listed[1]["title"] == "崂山区智慧旅游一卡通" and listed[1]["indexed"]
    status = client.get("/admin/status", headers=AUTH).json()
    assert status["current_version"] == body["version"] == status["served"]["version"]
    assert status["served"]["documents"] == 2 and not status["change_in_progress"]
    gone = client.delete(f"/admin/documents/{doc_id}", headers=AUTH)
    assert gone.status_code == 200 and gone.json()["action"] == "remove"
    assert not ask(client, NEW_QUESTION)["answered"]
    assert client.delete(f"/admin/documents/{doc_id}", headers=AUTH).status_code == 404
    back = client.post("/admin/rollback", headers=AUTH, json={})
    assert back.status_code == 200 and back.json()["version"] == body["version"]
    assert ask(client, NEW_QUESTION)["answered"]
    assert_consistent(cfg)


def test_raw_body_upload_and_replace(client, cfg):
    doc = "即墨区推行“企业开办一日办结”。\n即墨区政府推行《企业开办一日办结》改革，开办时间由5天压缩到1天。\n"
    resp = client.post("/admin/documents", headers=AUTH, content=doc.encode("utf-8"),
                       params={"filename": "jimo.md", "source": "即墨日报"})
    assert resp.status_code == 201, resp.text
    (doc_id,) = resp.json()["doc_ids"]
    assert doc_id.endswith(tuple("0123456789abcdef")) and (cfg.corpus_dir / f"{doc_id}.md").exists()
    newer = doc.replace("压缩到1天", "压缩到半天")
    rep = client.put(f"/admin/documents/{doc_id}", headers=AUTH, content=newer.encode(),
                     params={"filename": "jimo-v2.md"})
    assert rep.status_code == 200 and rep.json()["doc_ids"] == [doc_id]
    answer = ask(client, "即墨区企业开办时间压缩到多久？")
    assert answer["answered"] and "半天" in answer["answer"] and "1天" not in answer["answer"], answer
    assert_consistent(cfg)


def _bad_uploads(tmp_path):
    rng = random.Random(3)
    return {
        "unsupported": ("tool.exe", b"MZ\x90\x00", 422, "unsupported file type"),
        "empty": ("empty.txt", b"", 422, "empty file"),
        "scanned": ("scan.pdf", make_scanned_pdf(tmp_path / "scan.pdf").read_bytes(), 422, "no text layer"),
        "undecodable": ("noise.txt", bytes(rng.randrange(1, 256) for _ in range(4000)), 422, "cannot be decoded"),
        "duplicate": ("again.txt", None, 422, "same content as document 000_"),
        "too large": ("big.txt", "政府创新。".encode() * (LIMIT // 10), 413, "size limit"),
    }


@pytest.mark.parametrize("case", ["unsupported", "empty", "scanned", "undecodable", "duplicate", "too large"])
@pytest.mark.parametrize("form", ["multipart", "raw"])
def test_bad_upload_is_refused_by_name_and_changes_nothing(client, cfg, tmp_path, case, form):
    name, data, status, reason = _bad_uploads(tmp_path)[case]
    if data is None:
        data = next(cfg.corpus_dir.glob("000_*.txt")).read_bytes()
    before = whole_state(cfg)
    if form == "multipart":
        resp = client.post("/admin/documents", headers=AUTH, files={"file": (name, data)})
    else:
        resp = client.post("/admin/documents", headers=AUTH, content=data, params={"filename": name})
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] == "invalid_document" and body["file"] == name and reason in body["message"]
    assert str(cfg.data_dir) not in body["message"]  # no server paths in messages
    assert whole_state(cfg) == before


def test_requests_without_a_file_or_with_bad_metadata_are_clear(client, cfg):
    before = whole_state(cfg)
    resp = client.post("/admin/documents", headers=AUTH, content=b"x", params={"filename": "../../etc/.."})
    assert resp.status_code == 422 and resp.json()["file"] == "upload"
    assert client.post("/admin/documents", headers=AUTH, content=b"abc").status_code == 400
    resp = client.post("/admin/documents", headers=AUTH, files={"file": ("a.txt", NEW_DOC.encode())},
                       data={"date": "17/02/01"})
    assert resp.status_code == 400 and "YYYY-MM-DD" in resp.json()["message"]
    assert client.post("/admin/rollback", headers=AUTH, json={"version": "v1"}).status_code == 404
    assert whole_state(cfg) == before


def test_reload_reports_whether_a_new_version_was_picked_up(client):
    resp = client.post("/admin/reload", headers=AUTH)
    assert resp.status_code == 200 and resp.json()["reloaded"] is False and resp.json()["served"]["ready"]
