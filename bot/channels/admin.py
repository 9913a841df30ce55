"""Admin API under /admin: documents, status, rollback, reload (mounted by bot.channels.console when $ADMIN_TOKEN is set)."""
from __future__ import annotations

import hmac
import json
import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from index.errors import DocumentError, QABotError, UnknownDocument, UnknownVersion
from index.manage import changes, journal
from index.manage.corpus_view import list_documents

log = logging.getLogger("bot.admin")
META_FIELDS = ("title", "date", "source", "url")
_MAX_FILES = 20


class AdminChannel:
    """Handlers of the admin API over one config and service.

    Args:
        config: the program Config.
        service: the QAService.
        token: the secret every request must present as `Authorization: Bearer <token>`.
        session_ok: another way in, e.g. the staff console's session cookie: request -> bool.
    """

    def __init__(self, config, service, token: str, session_ok=None) -> None:
        self.config, self.service = config, service
        self._token = token.encode("utf-8")
        self._session_ok = session_ok

    def routes(self) -> list[BaseRoute]:
        """Returns: the /admin routes."""
        return [
            Route("/admin/status", self.guard(self.status), methods=["GET"]),
            Route("/admin/documents", self.guard(self.list), methods=["GET"]),
            Route("/admin/documents", self.guard(self.upload), methods=["POST"]),
            Route("/admin/documents/{doc_id}", self.guard(self.replace), methods=["PUT"]),
            Route("/admin/documents/{doc_id}", self.guard(self.remove), methods=["DELETE"]),
            Route("/admin/reload", self.guard(self.reload), methods=["POST"]),
            Route("/admin/rollback", self.guard(self.rollback), methods=["POST"]),
        ]

    def guard(self, handler):
        """Args: handler: an async request handler. Returns: it behind the token (or session) check, errors as JSON."""
        async def guarded(request: Request) -> Response:
            given = request.headers.get("authorization", "")
            given = given[7:].strip() if given[:7].lower() == "bearer " else request.headers.get("x-admin-token", "")
            if (not hmac.compare_digest(given.encode("utf-8"), self._token)
                    and not (self._session_ok is not None and self._session_ok(request))):
                return _error(401, "unauthorized", "需要有效的管理令牌 (Authorization: Bearer <ADMIN_TOKEN>)。",
                              headers={"WWW-Authenticate": "Bearer"})
            try:
                return await handler(request)
            except DocumentError as exc:
                status = 413 if "size limit" in exc.reason else 422
                return _error(status, "invalid_document", str(exc), file=exc.path, reason=exc.reason)
            except (UnknownDocument, UnknownVersion) as exc:
                return _error(404, "unknown", str(exc))
            except journal.ChangeBusy as exc:
                return _error(409, "busy", str(exc))
            except QABotError as exc:
                return _error(400, "invalid_request", str(exc))

        return guarded

    # --- handlers ------------------------------------------------------------------------------------------
    async def status(self, request: Request) -> Response:
        vs = journal.versions(self.config)
        rows = await anyio.to_thread.run_sync(vs.list)
        return JSONResponse({"served": self.service.status(), "current_version": vs.current(), "versions": rows,
                             "change_in_progress": (self.config.index_dir / "journal.json").exists()})

    async def list(self, request: Request) -> Response:
        return JSONResponse({"documents": await anyio.to_thread.run_sync(list_documents, self.config)})

    async def upload(self, request: Request) -> Response:
        async with _Uploads(self.config, request) as up:
            result = await self._run(changes.add_documents, self.config, up.paths, up.meta, by=up.by,
                                     names=up.names)
        return self._done(result, 201)

    async def replace(self, request: Request) -> Response:
        async with _Uploads(self.config, request) as up:
            if len(up.paths) != 1:
                raise QABotError("replace takes exactly one file")
            result = await self._run(changes.replace_document, self.config, request.path_params["doc_id"],
                                     up.paths[0], up.meta, by=up.by, name=up.names[0])
        return self._done(result, 200)

    async def remove(self, request: Request) -> Response:
        by = request.query_params.get("by") or "admin-api"
        return self._done(await self._run(changes.remove_document, self.config, request.path_params["doc_id"],
                                          by=by), 200)

    async def rollback(self, request: Request) -> Response:
        body = await request.body()
        try:
            data = json.loads(body) if body.strip() else {}
        except json.JSONDecodeError:
            raise QABotError("the body must be JSON, e.g. {\"version\": \"v2026...\"} or empty") from None
        version = data.get("version") if isinstance(data, dict) else None
        by = (data.get("by") if isinstance(data, dict) else None) or "admin-api"
        result = await anyio.to_thread.run_sync(lambda: changes.rollback(self.config, version, by=by, wait=False))
        return self._done(result, 200)

    async def reload(self, request: Request) -> Response:
        changed = await anyio.to_thread.run_sync(self.service.reload_if_changed)
        return JSONResponse({"reloaded": changed, "served": self.service.status()})

    # --- helpers -------------------------------------------------------------------------------------------
    async def _run(self, fn, *args, **kwargs):
        # the server's loaded model embeds the upload: no second copy of it in memory
        result = await anyio.to_thread.run_sync(
            lambda: fn(*args, encoder=self.service.encoder, wait=False, **kwargs))
        log.info("corpus changed", extra={"action": result.action, "doc_ids": result.doc_ids,
                                          "version": result.version})
        return result

    def _done(self, result, status: int) -> Response:
        try:
            self.service.reload_if_changed()  # serve it now rather than at the next poll
        except QABotError as exc:
            log.error("new version not loaded yet: %s", exc)
        return JSONResponse({"action": result.action, "doc_ids": result.doc_ids, "passages": result.passages,
                             "version": result.version, "served_version": self.service.status().get("version"),
                             "stats": result.stats, "recovered": result.recovered}, status_code=status)


class _Uploads:
    """The files of an upload request saved to a private temporary folder (removed afterwards).

    Multipart form: one or more `file` parts, plus fields title, date, source, url, by. Any other body: the file
    itself, named by the `filename` query parameter (or an X-Filename header, URL-encoded), metadata as query
    parameters.
    """

    def __init__(self, config, request: Request) -> None:
        self.config, self.request = config, request
        self.limit = config.index.max_document_bytes
        self.paths: list[Path] = []
        self.names: list[str] = []
        self.meta: dict = {}
        self.by = "admin-api"

    async def __aenter__(self) -> "_Uploads":
        root = self.config.data_dir / "state" / "uploads"
        root.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=root))
        try:
            await self._read()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    async def _read(self) -> None:
        req = self.request
        cap = _MAX_FILES * (self.limit + 1) + 1_000_000  # a whole request: every file at the limit, and fields
        length = req.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise DocumentError("upload", f"the request is over the size limit of {cap:,} bytes")
        if req.headers.get("content-type", "").startswith("multipart/form-data"):
            from starlette.formparsers import MultiPartException, MultiPartParser

            try:
                form = await MultiPartParser(req.headers, _capped(req.stream(), cap), max_files=_MAX_FILES,
                                             max_fields=20).parse()
            except MultiPartException as exc:
                raise QABotError(f"malformed multipart upload: {exc.message}") from None
            fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
            try:
                for upload in form.getlist("file"):
                    if isinstance(upload, str):
                        raise QABotError("the form field `file` must be a file upload")
                    self._save(upload.filename or "upload", await upload.read(self.limit + 1))
            finally:
                await form.close()
        else:
            fields = dict(req.query_params)
            name = fields.get("filename") or unquote(req.headers.get("x-filename", ""))
            if not name:
                raise QABotError("name the file: ?filename=NAME.txt (or send multipart/form-data with a `file` part)")
            chunks, size = [], 0
            async for chunk in req.stream():
                size += len(chunk)
                if size > self.limit:
                    raise DocumentError(Path(name).name, f"file is over the size limit of {self.limit:,} bytes",
                                        hint="split the document, or raise [index] max_document_bytes")
                chunks.append(chunk)
            self._save(name, b"".join(chunks))
        if not self.paths:
            raise QABotError("no file in the request (multipart field `file`)")
        self.meta = {k: fields[k] for k in META_FIELDS if fields.get(k)}
        self.by = fields.get("by") or "admin-api"

    def _save(self, name: str, data: bytes) -> None:
        name = Path(name.replace("\\", "/")).name  # a client's path is never used as ours
        name = "upload" if name in ("", ".", "..") else name
        if len(data) > self.limit:
            raise DocumentError(name, f"file is over the size limit of {self.limit:,} bytes",
                                hint="split the document, or raise [index] max_document_bytes")
        folder = self.folder / str(len(self.paths))
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        self.paths.append(path)
        self.names.append(name)


async def _capped(stream, cap: int):
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > cap:
            raise DocumentError("upload", f"the request is over the size limit of {cap:,} bytes")
        yield chunk


def _error(status: int, code: str, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)
