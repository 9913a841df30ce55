"""HTTP channel: the JSON API (ask, feedback, examples, health, OpenAPI) and the web chat's files."""
from __future__ import annotations

import logging
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels import openapi
from bot.channels.jsonapi import ApiError, client_key, rate_limited, read_json_object
from bot.readiness import DatabaseCheck
from bot.state.feedback import RATINGS, FeedbackStore, log_fields
from bot.state.ratelimit import RateLimiter
from index.errors import DatabaseError, IndexCorrupt, IndexMismatch, IndexMissing, QuestionError

WEB_DIR = Path(__file__).resolve().parent / "web"
CHANNEL = "http"
MAX_ANSWER_ID_CHARS = 128

log = logging.getLogger("bot.http")


class HttpChannel:
    """The API's request handlers over one service, feedback store and rate limiter.

    Args:
        config: the program Config (server and answer sections are read).
        service: the QAService (ask, ready, status, examples).
        feedback: where questions and ratings are recorded.
        limiter: per-client rate limiter; questions and feedback use separate keys.
    """

    def __init__(self, config, service, feedback: FeedbackStore, limiter: RateLimiter) -> None:
        self.config = config
        self.service = service
        self.feedback = feedback
        self.limiter = limiter
        self.load_error: Exception | None = None  # set when loading the index at start-up failed
        self.database = DatabaseCheck(config.database.url) if config.database.url else None
        # Bounded: at most `workers` questions are computed at once; the CPU has no more to give anyway.
        self._inference = anyio.CapacityLimiter(max(1, config.server.workers))

    def routes(self) -> list[BaseRoute]:
        """Returns: the API and web routes (no catch-all, so other channels can add theirs)."""
        return [
            Route("/api/ask", self.ask, methods=["POST"]),
            Route("/api/feedback", self.record_feedback, methods=["POST"]),
            Route("/api/examples", self.examples, methods=["GET"]),
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/readyz", self.readyz, methods=["GET"]),
            Route("/openapi.json", self.openapi, methods=["GET"]),
            Route("/", self.index_page, methods=["GET"]),
            Route("/widget.js", self.widget, methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=WEB_DIR), name="static"),
        ]

    # --- API ------------------------------------------------------------------------------------------------
    async def ask(self, request: Request) -> Response:
        """POST /api/ask {"question": str} -> the Answer JSON (the same object as `python -m bot ask --json`)."""
        await self._check_rate("ask", request)
        body = await read_json_object(request, self.config.server.max_body_bytes)
        question = body.get("question")
        if not isinstance(question, str):
            raise ApiError(422, "missing_question")
        limit = self.config.answer.max_question_chars
        if len(question) > limit:
            raise ApiError(413, "question_too_long", limit=limit)
        if not self.service.ready:
            raise ApiError(503, "not_ready", headers={"Retry-After": "5"})
        if self.waiting() >= self.config.server.max_queue:
            raise ApiError(503, "busy", headers={"Retry-After": "2"})
        try:
            answer = await anyio.to_thread.run_sync(self._answer, question, limiter=self._inference)
        except QuestionError as exc:
            raise ApiError(422, "invalid_question", message=exc.message) from None
        except (IndexMissing, IndexCorrupt, IndexMismatch, DatabaseError) as exc:
            # DatabaseError: the index's vectors are in the database ([index] vector_store = "pgvector") and it is down
            log.error("index unavailable: %s", exc)
            raise ApiError(503, "index_unavailable", headers={"Retry-After": "5"}) from None
        return JSONResponse(answer.to_json())

    def _answer(self, question: str):
        # Runs in a worker thread: the model and the log write stay off the event loop.
        answer = self.service.ask(question)
        try:
            self.feedback.log_question(question, answer.answered, answer.kind, answer.answer_id, CHANNEL,
                                       **log_fields(answer))
        except Exception:  # a full disk must not cost the citizen the answer
            log.exception("could not log the question")
        return answer

    async def record_feedback(self, request: Request) -> Response:
        """POST /api/feedback {"answer_id": str, "rating": "up"|"down", "question"?: str} -> {"ok": true}."""
        await self._check_rate("feedback", request)
        body = await read_json_object(request, self.config.server.max_body_bytes)
        answer_id, rating, question = body.get("answer_id"), body.get("rating"), body.get("question")
        if (not isinstance(answer_id, str) or not answer_id.strip() or len(answer_id) > MAX_ANSWER_ID_CHARS
                or rating not in RATINGS or (question is not None and not isinstance(question, str))):
            raise ApiError(422, "invalid_feedback")
        if question is not None and len(question) > self.config.answer.max_question_chars:
            raise ApiError(413, "question_too_long", limit=self.config.answer.max_question_chars)
        try:
            if not await anyio.to_thread.run_sync(self.feedback.knows_answer, answer_id):
                raise ApiError(404, "unknown_answer")
            await anyio.to_thread.run_sync(self.feedback.record_feedback, answer_id, rating, question, CHANNEL)
        except DatabaseError as exc:  # the shared database is down: say so, and let the page offer a retry
            log.error("feedback not recorded: %s", exc)
            raise ApiError(503, "feedback_unavailable", headers={"Retry-After": "5"}) from None
        return JSONResponse({"ok": True, "answer_id": answer_id, "rating": rating})

    async def examples(self, request: Request) -> Response:
        """GET /api/examples -> {"examples": [...], "max_question_chars": int} for the chat's welcome."""
        examples = self.service.examples if self.service.ready else []
        return JSONResponse({"examples": list(examples), "max_question_chars": self.config.answer.max_question_chars})

    async def healthz(self, request: Request) -> Response:
        """GET /healthz: the process is alive (200 even while the index loads), with the index status."""
        return JSONResponse({"status": "ok", **self.service.status()})

    async def readyz(self, request: Request) -> Response:
        """GET /readyz: 200 once the index is loaded and the model warm (and the [database] answers), else 503."""
        status = self.service.status()
        if self.service.ready and self.database is None:
            return JSONResponse({"status": "ready", **status})
        if self.service.ready:
            if not await anyio.to_thread.run_sync(self.database.problem):
                return JSONResponse({"status": "ready", **status})
            # The reason stays in the log: it names the database's host, and this endpoint is public.
            body = {"status": "error", **status, "error": "DatabaseError", "message": "数据库暂时无法连接。",
                    "hint": "check that the [database] server runs; this replica retries by itself"}
            return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
        body = {"status": "loading", **status}
        if self.load_error is not None:
            # The type and the fix, not the message: messages name server paths, and this endpoint is public.
            body.update(status="error", error=type(self.load_error).__name__,
                        message="资料库加载失败，请联系管理员。", hint=getattr(self.load_error, "hint", ""))
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    async def openapi(self, request: Request) -> Response:
        """GET /openapi.json: the OpenAPI 3 description of this API."""
        return JSONResponse(openapi.spec(self.config))

    # --- web ------------------------------------------------------------------------------------------------
    async def index_page(self, request: Request) -> Response:
        """GET /: the chat page."""
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def widget(self, request: Request) -> Response:
        """GET /widget.js: the script a government page includes to get the chat button."""
        return FileResponse(WEB_DIR / "widget.js", media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=300"})

    def waiting(self) -> int:
        """Returns: how many questions are waiting for a worker right now."""
        return self._inference.statistics().tasks_waiting

    async def _check_rate(self, action: str, request: Request) -> None:
        # In a thread: the shared limiter asks the database, which must not stall the event loop when it is slow.
        decision = await anyio.to_thread.run_sync(self.limiter.check, f"{action}:{client_key(request)}")
        if not decision.allowed:
            raise rate_limited(decision.retry_after)

