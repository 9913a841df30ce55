"""Staff data endpoints: GET /admin/insight, GET /admin/questions.csv, POST /admin/hit-test."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.state import insight
from index.errors import QABotError

CHANNELS = {"web": ("http", "web"), "telegram": ("telegram",), "wechat": ("wechat",), "wecom": ("wecom",)}
DEFAULT_DAYS = 30
MAX_DAYS = 366
_CSV_FIELDS = ("time", "channel", "question", "answered", "kind", "cited", "quote", "up", "down", "user")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Why the rules refuse, in words for staff; other codes ("no_rank", ...) name a kind of fact the passage lacks.
_REASONS = {
    "no_hits": "没有检索到任何段落。", "low_similarity": "最相关段落与问题的语义相似度低于阈值。",
    "low_confidence": "综合置信度（相似度加关键词覆盖）低于阈值。", "low_coverage": "段落没有覆盖问题中的关键词。",
    "empty": "问题为空。", "no_text": "问题里没有文字。", "script": "问题不是中文或英文。", "gibberish": "问题无法理解。",
    "reader": "阅读模型判断最相关的段落都没有回答这个问题（把握低于阈值）。",
}


def period(params) -> tuple[list[str], float, float]:
    """The period a request asks about: ?since=YYYY-MM-DD&until=YYYY-MM-DD (UTC days, both included).

    Args:
        params: the query parameters.

    Returns:
        (its days, its first second, the second after its last day), as Unix seconds.

    Raises:
        QABotError: a date is malformed, the period is reversed or longer than a year.
    """
    try:
        until = date.fromisoformat(params["until"]) if params.get("until") else datetime.now(timezone.utc).date()
        since = date.fromisoformat(params["since"]) if params.get("since") else until - timedelta(DEFAULT_DAYS - 1)
    except ValueError:
        raise QABotError("日期格式应为 YYYY-MM-DD，例如 2026-01-31。") from None
    if since > until:
        raise QABotError("开始日期不能晚于结束日期。")
    if (until - since).days >= MAX_DAYS:
        raise QABotError(f"统计区间最长 {MAX_DAYS} 天。")
    days = [(since + timedelta(i)).isoformat() for i in range((until - since).days + 1)]
    start = datetime(since.year, since.month, since.day, tzinfo=timezone.utc).timestamp()
    return days, start, start + 86400 * len(days)


def channels(params) -> tuple[str, ...]:
    """Args: params: the query parameters (?channel=web|telegram|wechat|wecom, or none for all).

    Returns:
        The channel names the question log uses for it (empty: all).
    """
    name = params.get("channel", "")
    if name and name not in CHANNELS:
        raise QABotError(f"未知渠道：{name}（可选：{'、'.join(CHANNELS)}）。")
    return CHANNELS.get(name, ())


class ConsoleData:
    """The handlers, over the service (its encoder groups questions; it answers hit tests) and the question log.

    Args:
        service: the QAService.
        feedback: the SQLiteFeedbackStore (questions_between).
    """

    def __init__(self, service, feedback) -> None:
        self.service, self.feedback = service, feedback

    async def insight(self, request: Request) -> Response:
        """GET /admin/insight?since&until&channel -> the period's counts, days, unanswered groups, 👎, citations."""
        days, start, end = period(request.query_params)
        chosen = channels(request.query_params)

        def build() -> dict:
            rows = self.feedback.questions_between(start, end, chosen)
            return insight.summarize(rows, self.service.encoder.encode_queries, days)

        body = await anyio.to_thread.run_sync(build)
        return JSONResponse({"since": days[0], "until": days[-1], "channel": request.query_params.get("channel", ""),
                             **body})

    async def questions_csv(self, request: Request) -> Response:
        """GET /admin/questions.csv?since&until&channel -> the question log of the period, one row a question."""
        days, start, end = period(request.query_params)
        rows = await anyio.to_thread.run_sync(self.feedback.questions_between, start, end, channels(request.query_params))
        out = io.StringIO()
        out.write("\ufeff")  # spreadsheet programs read UTF-8 Chinese correctly only after a byte-order mark
        writer = csv.writer(out)
        writer.writerow(_CSV_FIELDS)
        for row in rows:
            row = {**row, "time": datetime.fromtimestamp(row["time"], tz=timezone.utc).isoformat(timespec="seconds"),
                   "answered": int(row["answered"]), "channel": "web" if row["channel"] == "http" else row["channel"]}
            writer.writerow([_cell(row.get(f, "")) for f in _CSV_FIELDS])
        name = f"questions-{days[0]}-{days[-1]}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})

    async def hit_test(self, request: Request) -> Response:
        """POST /admin/hit-test {"question"} -> the passages search finds, with scores, and the bot's answer or refusal.

        The question is not written to the question log: staff tests would skew what citizens asked.
        """
        try:
            body = json.loads(await request.body() or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise QABotError("请求内容应为 JSON，例如 {\"question\": \"...\"}。") from None
        question = body.get("question") if isinstance(body, dict) else None
        if not isinstance(question, str) or not question.strip():
            raise QABotError("请输入要测试的问题。")

        def run():
            return self.service.ask(question), self.service.explain(question)

        answer, (hits, reason) = await anyio.to_thread.run_sync(run)
        passages = [{"doc_id": h.passage.doc_id, "title": h.passage.doc_title, "section": h.passage.section,
                     "text": h.passage.text, "score": round(float(h.score), 4)} for h in hits]
        return JSONResponse({"answer": answer.to_json(), "reason": reason, "reason_text": reason_text(reason),
                             "passages": passages})


def reason_text(code: str) -> str:
    """Args: code: a refusal reason from QAService.explain ("" when answered). Returns: it in words, or ""."""
    if not code or code in _REASONS:
        return _REASONS.get(code, "")
    if code.startswith("constraint:"):
        return f"问题中的限定条件在资料里找不到：{code.split(':', 1)[1]}。"
    return f"资料没有问题所问的那一类内容（{code}）。"


def _cell(value) -> str:
    # A cell starting like a formula would run in a spreadsheet: a citizen's question must stay text.
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text
