"""Insight for staff: unanswered questions grouped by meaning with the real model, and the endpoints over a real log."""
from __future__ import annotations

import csv
import io
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pytest
from starlette.testclient import TestClient

from bot.app import create_app
from bot.state.feedback import SQLiteFeedbackStore
from bot.state.insight import group_questions, normalise

pytestmark = pytest.mark.slow

TOKEN = "insight-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ANSWERABLE = "李沧区民营社区卫生服务机构占比是多少？"


def test_normalise_drops_punctuation_space_and_traditional_forms():
    assert normalise(" 護照丟了，怎麼補辦？ ") == normalise("护照丢了怎么补办") == "护照丢了怎么补办"
    assert normalise("ＡＢＣ 办证！") == "abc办证"


def test_unanswered_questions_are_grouped_by_meaning_most_asked_first(encoder):
    asked = ["护照丢了怎么补办？", "护照丢了怎么补办", "護照丟了怎麼補辦？", "护照丢失如何补办？",
             "公积金怎么提取？", "如何提取住房公积金",
             "身份证丢了怎么办？"]
    groups = group_questions(asked, encoder.encode_queries)
    assert [(g["question"], g["count"]) for g in groups] == [
        ("护照丢了怎么补办？", 4), ("公积金怎么提取？", 2), ("身份证丢了怎么办？", 1)]
    assert set(groups[0]["examples"]) == {"护照丢了怎么补办", "護照丟了怎麼補辦？", "护照丢失如何补办？"}
    assert groups[1]["examples"] == ["如何提取住房公积金"] and groups[2]["examples"] == []
    assert group_questions([], encoder.encode_queries) == [] and group_questions(["？！"], encoder.encode_queries) == []


def _day(days_ago: int) -> str:
    return (datetime.now(timezone.utc).date() - timedelta(days_ago)).isoformat()


@pytest.fixture
def logged(tmp_path):
    """A real log: questions over several days and channels, with ratings; times set through SQLite."""
    store = SQLiteFeedbackStore(tmp_path / "feedback.sqlite")
    rows = [  # (days ago, question, answered, kind, channel, cited, quote, rating)
        (0, ANSWERABLE, True, "answer", "http", "李沧区社区卫生", "民营机构占92%。", "down"),
        (0, "明天青岛天气怎么样？", False, "refusal", "http", "", "", None),
        (1, "青岛明天天气如何", False, "refusal", "telegram", "", "", None),
        (1, "=1+2 公积金怎么提取", False, "refusal", "wechat", "", "", "down"),
        (2, ANSWERABLE, True, "answer", "http", "李沧区社区卫生", "民营机构占92%。", "up"),
        (3, "你好", False, "smalltalk", "http", "", "", None),
        (40, "很久以前的问题", False, "refusal", "http", "", "", None),
    ]
    for i, (_, question, answered, kind, channel, cited, quote, rating) in enumerate(rows):
        store.log_question(question, answered, kind, f"a{i}", channel, cited=cited, quote=quote)
        if rating:
            store.record_feedback(f"a{i}", rating, question, channel)
    with sqlite3.connect(store.path) as db:
        for i, (days_ago, *_) in enumerate(rows):
            db.execute("UPDATE questions SET time = ? WHERE answer_id = ?", (time.time() - days_ago * 86400, f"a{i}"))
    yield store
    store.close()


@pytest.fixture
def client(built_config, service, logged, monkeypatch):
    monkeypatch.setenv("ADMIN_TOKEN", TOKEN)
    return TestClient(create_app(built_config, service, feedback=logged))


def test_insight_counts_days_groups_thumbs_down_and_citations(client):
    resp = client.get("/admin/insight", headers=AUTH)
    assert resp.status_code == 200, resp.text
    r = resp.json()
    assert (r["since"], r["until"], len(r["days"])) == (_day(29), _day(0), 30)
    assert (r["questions"], r["answered"], r["refused"], r["down"]) == (6, 2, 3, 2)
    assert [(g["question"], g["count"]) for g in r["unanswered"]] == [("明天青岛天气怎么样？", 2),
                                                                      ("=1+2 公积金怎么提取", 1)]
    assert r["unanswered"][0]["examples"] == ["青岛明天天气如何"]
    today = next(d for d in r["days"] if d["day"] == _day(0))
    assert today == {"day": _day(0), "questions": 2, "answered": 1, "refused": 1, "down": 1}
    assert [(d["question"], d["quote"], d["cited"]) for d in r["down_answers"]] == [
        (ANSWERABLE, "民营机构占92%。", "李沧区社区卫生"), ("=1+2 公积金怎么提取", "", "")]
    assert r["cited"] == [{"title": "李沧区社区卫生", "count": 2}]


def test_insight_by_channel_and_period(client):
    tg = client.get("/admin/insight", headers=AUTH, params={"channel": "telegram"}).json()
    assert (tg["questions"], tg["refused"], tg["unanswered"][0]["question"]) == (1, 1, "青岛明天天气如何")
    web = client.get("/admin/insight", headers=AUTH, params={"channel": "web", "since": _day(60),
                                                             "until": _day(1)}).json()
    assert (web["questions"], web["answered"], len(web["days"])) == (3, 1, 60)
    assert [g["question"] for g in web["unanswered"]] == ["很久以前的问题"]
    for params, words in (({"since": "2026-13-01"}, "YYYY-MM-DD"), ({"since": _day(0), "until": _day(3)}, "不能晚于"),
                          ({"channel": "fax"}, "未知渠道")):
        bad = client.get("/admin/insight", headers=AUTH, params=params)
        assert bad.status_code == 400 and words in bad.json()["message"]
    assert client.get("/admin/insight").status_code == 401


def test_the_question_log_as_csv_keeps_formulas_as_text(client):
    resp = client.get("/admin/questions.csv", headers=AUTH, params={"since": _day(1), "until": _day(0)})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    assert resp.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(resp.text.lstrip("\ufeff"))))
    assert [(r["question"], r["channel"], r["answered"], r["down"]) for r in rows] == [
        ("青岛明天天气如何", "telegram", "0", "0"), ("'=1+2 公积金怎么提取", "wechat", "0", "1"),
        (ANSWERABLE, "web", "1", "1"), ("明天青岛天气怎么样？", "web", "0", "0")]  # oldest first
    wechat = client.get("/admin/questions.csv", headers=AUTH, params={"channel": "wechat"}).text
    assert wechat.count("\n") == 2 and "公积金" in wechat


def test_the_hit_test_shows_passages_and_the_verdict_and_logs_nothing(client, logged):
    before = len(logged.questions(limit=1000))
    hit = client.post("/admin/hit-test", headers=AUTH, json={"question": ANSWERABLE}).json()
    assert hit["answer"]["answered"] and "92%" in hit["answer"]["answer"] and hit["reason"] == ""
    scores = [p["score"] for p in hit["passages"]]
    assert scores and scores == sorted(scores, reverse=True) and hit["passages"][0]["text"]
    miss = client.post("/admin/hit-test", headers=AUTH, json={"question": "明天青岛天气怎么样？"}).json()
    assert not miss["answer"]["answered"] and miss["reason"] and miss["reason_text"].endswith("。")
    assert client.post("/admin/hit-test", headers=AUTH, json={"question": " "}).status_code == 400
    assert len(logged.questions(limit=1000)) == before
