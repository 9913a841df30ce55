"""JSON API plumbing: typed HTTP errors with Chinese messages, size-limited body reading, client keys."""
from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

# code -> the message a citizen (or the page) sees; the code is for programs.
MESSAGES = {
    "invalid_json": "请求内容不是有效的 JSON，请发送形如 {\"question\": \"...\"} 的 JSON 对象。",
    "not_object": "请求内容应当是一个 JSON 对象。",
    "missing_question": "请求缺少 question 字段，或它不是文字。",
    "invalid_question": "这个问题无法处理，请换一种说法。",
    "question_too_long": "问题太长了，请精简到 {limit} 个字以内。",
    "body_too_large": "请求内容过大（上限 {limit} 字节）。",
    "rate_limited": "提问太频繁了，请 {seconds} 秒后再试。",
    "invalid_feedback": "反馈格式不对：需要 answer_id，以及 rating 为 \"up\" 或 \"down\"。",
    "unknown_answer": "找不到这条回答，无法记录反馈。",
    "not_ready": "服务正在启动，资料库还没有加载完成，请稍后再试。",
    "busy": "当前提问的人太多，请稍后再试。",
    "not_found": "没有这个接口。",
    "method_not_allowed": "这个接口不支持该请求方法。",
    "index_unavailable": "资料库暂时不可用，请稍后再试。",
    "feedback_unavailable": "暂时无法记录反馈，请稍后再试。",
    "internal": "服务器内部错误，请稍后再试。",
}


class ApiError(Exception):
    """An HTTP error the API answers with {"error": code, "message": 中文说明}.

    Attributes:
        status: the HTTP status.
        code: a stable machine-readable code (a key of MESSAGES).
        message: the Chinese message.
        headers: extra response headers (e.g. Retry-After).
    """

    def __init__(self, status: int, code: str, headers: dict | None = None, message: str | None = None,
                 **fmt: Any) -> None:
        self.status = status
        self.code = code
        self.message = message or (MESSAGES[code].format(**fmt) if fmt else MESSAGES[code])
        self.headers = headers or {}
        super().__init__(f"{status} {code}: {self.message}")

    def response(self) -> JSONResponse:
        """Returns: the JSON response for this error."""
        return error_response(self.status, self.code, self.message, self.headers)


def error_response(status: int, code: str, message: str | None = None, headers: dict | None = None) -> JSONResponse:
    """Build a JSON error response.

    Args:
        status: the HTTP status.
        code: a key of MESSAGES.
        message: the Chinese message (default MESSAGES[code]).
        headers: extra response headers.

    Returns:
        The response.
    """
    return JSONResponse({"error": code, "message": message or MESSAGES[code]}, status_code=status, headers=headers)


def rate_limited(retry_after: float) -> ApiError:
    """Args:
        retry_after: seconds until the client may try again.

    Returns:
        The 429 error, with a Retry-After header in whole seconds.
    """
    seconds = max(1, math.ceil(retry_after))
    return ApiError(429, "rate_limited", headers={"Retry-After": str(seconds)}, seconds=seconds)


async def read_body(request: Request, limit: int) -> bytes:
    """Read a request body, refusing it as soon as it is known to be over `limit` bytes.

    A declared Content-Length over the limit is refused before any byte is read; a body without one
    (chunked) or one that lies is counted while it streams and refused at the first byte over.

    Args:
        request: the incoming request.
        limit: the largest body accepted, in bytes.

    Returns:
        The body.

    Raises:
        ApiError: 413 body_too_large.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", limit=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json_object(request: Request, limit: int) -> dict:
    """Read a size-limited body and decode it as one JSON object.

    Args:
        request: the incoming request.
        limit: the largest body accepted, in bytes.

    Returns:
        The decoded object.

    Raises:
        ApiError: 413 body_too_large, 400 invalid_json (not UTF-8 JSON), 422 not_object.
    """
    body = await read_body(request, limit)
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise ApiError(400, "invalid_json") from None
    if not isinstance(value, dict):
        raise ApiError(422, "not_object")
    return value


def client_key(request: Request) -> str:
    """The rate-limit identity of a request: the client's IP address.

    Behind a reverse proxy, uvicorn's --forwarded-allow-ips makes this the original client's address.

    Args:
        request: the incoming request.

    Returns:
        The client's address, or "unknown".
    """
    return request.client.host if request.client else "unknown"
