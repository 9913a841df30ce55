"""The OpenAPI 3 description of the HTTP API, written by hand to match bot/channels/http.py."""
from __future__ import annotations


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def spec(config) -> dict:
    """Build the OpenAPI document.

    Args:
        config: the program Config (limits appear in the schema).

    Returns:
        The OpenAPI 3.1 document as a dict.
    """
    limit = config.answer.max_question_chars
    body_limit = config.server.max_body_bytes
    nullable_str = {"type": ["string", "null"]}
    schemas = {
        "AskRequest": {"type": "object", "required": ["question"],
                       "properties": {"question": {"type": "string", "maxLength": limit,
                                                   "example": "李沧区民营社区卫生服务机构占比是多少？"}}},
        "Source": {"type": "object", "required": ["doc_id", "title", "case", "text", "score"], "properties": {
            "doc_id": {"type": "string"}, "title": {"type": "string"}, "case": nullable_str,
            "text": {"type": "string", "description": "the full passage"}, "score": {"type": "number"},
            "section": {"type": "string"}, "unit": nullable_str, "source": {"type": "string"},
            "url": {"type": "string"}, "date": {"type": "string"}}},
        "Answer": {"type": "object", "required": ["question", "answered", "answer", "sources"], "properties": {
            "question": {"type": "string"},
            "answered": {"type": "boolean", "description": "true only when the answer is taken from the corpus"},
            "answer": {"type": "string"},
            "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
            "kind": {"type": "string", "enum": ["answer", "refusal", "smalltalk", "invalid"]},
            "script": {"type": "string", "enum": ["hans", "hant"]},
            "notice": {"type": "string"}, "suggestions": {"type": "array", "items": {"type": "string"}},
            "answer_id": {"type": "string", "description": "refer to it in POST /api/feedback"},
            "citation": {"type": "string"}, "quote": {"type": "string"}, "short": {"type": "string"},
            "index_version": {"type": "string"}}},
        "FeedbackRequest": {"type": "object", "required": ["answer_id", "rating"], "properties": {
            "answer_id": {"type": "string", "maxLength": 128}, "rating": {"type": "string", "enum": ["up", "down"]},
            "question": {"type": "string", "maxLength": limit}}},
        "FeedbackResponse": {"type": "object", "properties": {
            "ok": {"type": "boolean"}, "answer_id": {"type": "string"}, "rating": {"type": "string"}}},
        "Examples": {"type": "object", "properties": {
            "examples": {"type": "array", "items": {"type": "string"}}, "max_question_chars": {"type": "integer"}}},
        "Status": {"type": "object", "properties": {
            "status": {"type": "string", "enum": ["ok", "ready", "loading", "error"]}, "ready": {"type": "boolean"},
            "version": nullable_str, "documents": {"type": "integer"}, "passages": {"type": "integer"},
            "model": nullable_str, "error": {"type": "string", "description": "type of the loading error"},
            "message": {"type": "string"}, "hint": {"type": "string", "description": "how to fix it"}}},
        "Error": {"type": "object", "required": ["error", "message"], "properties": {
            "error": {"type": "string", "description": "stable machine-readable code"},
            "message": {"type": "string", "description": "explanation in Chinese, fit to show a citizen"}}},
    }
    too_large = _error(f"body over {body_limit} bytes, or question over {limit} characters")
    return {
        "openapi": "3.1.0",
        "info": {"title": "政务资料问答 API", "version": "1.0",
                 "description": "Ask questions about the documents a government published; answers quote the source."},
        "paths": {
            "/api/ask": {"post": {
                "summary": "Answer one question", "operationId": "ask",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AskRequest"}}}},
                "responses": {"200": _json("Answer", "the answer, a refusal, or small talk"),
                              "400": _error("the body is not JSON"), "413": too_large,
                              "422": _error("question missing or not a string"),
                              "429": _error("too many questions from this client; see Retry-After"),
                              "503": _error("index not loaded yet, or the server is busy")}}},
            "/api/feedback": {"post": {
                "summary": "Rate an answer (thumbs up or down)", "operationId": "feedback",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackRequest"}}}},
                "responses": {"200": _json("FeedbackResponse", "recorded"), "400": _error("the body is not JSON"),
                              "404": _error("no answer with this answer_id"), "413": too_large,
                              "422": _error("answer_id or rating missing or invalid"),
                              "429": _error("too many requests from this client"),
                              "503": _error("the shared database cannot be reached right now")}}},
            "/api/examples": {"get": {"summary": "Example questions for a welcome message", "operationId": "examples",
                                      "responses": {"200": _json("Examples", "example questions")}}},
            "/healthz": {"get": {"summary": "Liveness, with the index status", "operationId": "healthz",
                                 "responses": {"200": _json("Status", "the process is alive")}}},
            "/readyz": {"get": {"summary": "Readiness: index loaded, model warm, [database] answering",
                                "operationId": "readyz",
                                "responses": {"200": _json("Status", "ready"),
                                              "503": _json("Status", "still loading, loading failed, or the "
                                                                     "database is unreachable")}}},
        },
        "components": {"schemas": schemas},
    }
