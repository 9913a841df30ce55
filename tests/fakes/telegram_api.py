"""A fake Telegram Bot API server on loopback: real Bot API JSON, an update queue fed by the test, every request kept."""
from __future__ import annotations

import html.parser
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Parameters the Bot API reads as strings; python-telegram-bot JSON-encodes everything else in its form data.
_STRING_PARAMS = {"text", "parse_mode", "callback_query_id", "url", "secret_token", "inline_message_id",
                  "caption", "ip_address"}
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "tg-spoiler", "span", "blockquote", "tg-emoji"}
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64


class BadRequest(Exception):
    """A request the real Bot API would refuse with 400 and this description."""


@dataclass
class Call:
    """One request the bot made: the method name and its decoded parameters."""

    method: str
    params: dict
    response: dict = field(default_factory=dict)
    time: float = field(default_factory=time.monotonic)
    replica: str = ""  # the tag of base_url_for(tag) the bot was given, to tell replicas apart

    @property
    def result(self):
        """The `result` the fake answered (e.g. the Message that sendMessage created)."""
        return self.response.get("result")


def utf16_len(text: str) -> int:
    """Returns: the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


class _HTMLText(html.parser.HTMLParser):
    """Checks Telegram's HTML subset the way the Bot API does and collects the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in _ALLOWED_TAGS:
            raise BadRequest(f"Bad Request: can't parse entities: unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise BadRequest(f"Bad Request: can't parse entities: unexpected end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data):
        if "<" in data or ">" in data:
            raise BadRequest("Bad Request: can't parse entities: unescaped '<' or '>'")
        self.parts.append(data)

    def handle_entityref(self, name):
        table = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
        if name not in table:
            raise BadRequest(f"Bad Request: can't parse entities: unsupported entity \"&{name};\"")
        self.parts.append(table[name])

    def handle_charref(self, name):
        self.parts.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))


def html_to_text(text: str) -> str:
    """Parse Telegram HTML like the Bot API.

    Args:
        text: a message in parse_mode HTML.

    Returns:
        The plain text the user sees.

    Raises:
        BadRequest: the HTML is not what the Bot API accepts.
    """
    p = _HTMLText()
    p.feed(text)
    p.close()
    if p.stack:
        raise BadRequest(f"Bad Request: can't parse entities: can't find end tag corresponding to \"{p.stack[-1]}\"")
    if p.rawdata:
        raise BadRequest("Bad Request: can't parse entities: unfinished markup")
    return "".join(p.parts)


class FakeBotAPI:
    """The Bot API at http://127.0.0.1:<port>/bot<token>/<method>, run in a thread.

    Use `base_url` as python-telegram-bot's base_url. `push_update` queues an update for getUpdates (long
    polling waits for it); `calls` records every request; `wait_for(method)` blocks until the bot made one.
    """

    def __init__(self, token: str = "123456:TEST-token", username: str = "qa_test_bot") -> None:
        self.token = token
        self.me = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "问答助手", "username": username,
                   "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
                   "can_connect_to_business": False, "has_main_web_app": False}
        self.calls: list[Call] = []      # answered requests, in the order of their answers
        self.requests: list[Call] = []   # every request as it arrives (a long poll before it is answered)
        self.webhook: dict = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._next_message_id = 1000
        self._chats: dict[int, dict] = {}
        self._cond = threading.Condition()
        self._closed = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-bot-api", daemon=True)

    # --- life cycle ----------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def base_url_for(self, replica: str) -> str:
        """Returns: a base URL whose calls are recorded with Call.replica == replica (one per bot process)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/r/{replica}/bot"

    def start(self) -> "FakeBotAPI":
        self._thread.start()
        return self

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeBotAPI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # --- what tests use ------------------------------------------------------------------------------------
    def user(self, user_id: int = 42, first_name: str = "小李") -> dict:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans"}

    def private_chat(self, user_id: int = 42) -> dict:
        return {"id": user_id, "type": "private", "first_name": "小李"}

    def group_chat(self, chat_id: int = -100123) -> dict:
        return {"id": chat_id, "type": "supergroup", "title": "街道办事处群"}

    def message(self, text: str | None = None, *, user: dict | None = None, chat: dict | None = None,
                reply_to: dict | None = None, **extra) -> dict:
        """Build a Message object as Telegram sends it (entities for mentions and commands included)."""
        user = user or self.user()
        chat = chat or self.private_chat(user["id"])
        with self._cond:
            self._next_message_id += 1
            self._chats[chat["id"]] = chat
            msg = {"message_id": self._next_message_id, "from": user, "chat": chat, "date": int(time.time())}
        if text is not None:
            msg["text"] = text
            entities = _entities(text)
            if entities:
                msg["entities"] = entities
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        msg.update(extra)
        return msg

    def push_update(self, **payload) -> dict:
        """Queue an update, e.g. push_update(message=...) or push_update(callback_query=...).

        Returns:
            The update with its update_id.
        """
        with self._cond:
            update = {"update_id": self._next_update_id, **payload}
            self._next_update_id += 1
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def new_update(self, **payload) -> dict:
        """An update not queued (for webhook mode), numbered like the queued ones."""
        with self._cond:
            update = {"update_id": self._next_update_id, **payload}
            self._next_update_id += 1
        return update

    def callback_query(self, data: str, message: dict, user: dict | None = None) -> dict:
        return {"id": str(int(time.time() * 1e6)), "from": user or self.user(), "message": message,
                "chat_instance": "-77", "data": data}

    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        """Block until the bot has called `method` at least `count` times.

        Returns:
            Those calls.

        Raises:
            TimeoutError: not within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{method} called {len(found)} times, expected {count}; "
                                       f"calls: {[c.method for c in self.calls]}")
                self._cond.wait(left)

    # --- the API -------------------------------------------------------------------------------------------
    def _dispatch(self, method: str, params: dict):
        handler = getattr(self, "_api_" + method, None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        try:
            return 200, {"ok": True, "result": handler(params)}
        except BadRequest as exc:
            return 400, {"ok": False, "error_code": 400, "description": str(exc)}

    def _api_getMe(self, p):
        return self.me

    def _api_getUpdates(self, p):
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), 30.0)
        with self._cond:
            while True:
                # Telegram forgets updates below the offset: they are confirmed.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self._closed or time.monotonic() >= deadline:
                    return self._updates[:limit]
                self._cond.wait(deadline - time.monotonic())

    def _api_sendMessage(self, p):
        text = self._check_text(p)
        chat = self._chats.get(int(p["chat_id"])) or {"id": int(p["chat_id"]), "type": "private"}
        with self._cond:
            self._next_message_id += 1
            msg = {"message_id": self._next_message_id, "from": self.me, "chat": chat, "date": int(time.time()),
                   "text": text}
        if p.get("reply_markup"):
            msg["reply_markup"] = self._check_markup(p["reply_markup"])
        return msg

    def _api_editMessageText(self, p):
        text = self._check_text(p)
        msg = {"message_id": int(p["message_id"]), "from": self.me,
               "chat": {"id": int(p["chat_id"]), "type": "private"}, "date": int(time.time()),
               "edit_date": int(time.time()), "text": text}
        if p.get("reply_markup"):
            msg["reply_markup"] = self._check_markup(p["reply_markup"])
        return msg

    def _api_editMessageReplyMarkup(self, p):
        msg = {"message_id": int(p["message_id"]), "from": self.me,
               "chat": {"id": int(p["chat_id"]), "type": "private"}, "date": int(time.time()), "text": "…"}
        if p.get("reply_markup"):
            msg["reply_markup"] = self._check_markup(p["reply_markup"])
        return msg

    def _api_answerCallbackQuery(self, p):
        if not p.get("callback_query_id"):
            raise BadRequest("Bad Request: query is too old and response timeout expired or query ID is invalid")
        return True

    def _api_sendChatAction(self, p):
        return True

    def _api_setWebhook(self, p):
        self.webhook = {"url": p.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def _api_deleteWebhook(self, p):
        self.webhook = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def _api_getWebhookInfo(self, p):
        return self.webhook

    def _api_setMyCommands(self, p):
        return True

    def _check_text(self, p) -> str:
        text = p.get("text") or ""
        if p.get("parse_mode", "").upper() == "HTML":
            text = html_to_text(text)
        if not text.strip():
            raise BadRequest("Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise BadRequest("Bad Request: message is too long")
        return text

    @staticmethod
    def _check_markup(markup: dict) -> dict:
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _handler_class(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                self._serve(b"")

            def do_POST(self):
                self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def _serve(self, body: bytes):
                url = urllib.parse.urlsplit(self.path)
                path, replica = url.path, ""
                if path.startswith("/r/"):  # base_url_for(replica): the same API, calls tagged by replica
                    replica, path = path[3:].split("/", 1)
                    path = "/" + path
                prefix = f"/bot{api.token}/"
                if not path.startswith(prefix):
                    status, payload = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    method = path[len(prefix):]
                    params = _decode(body, self.headers.get("Content-Type", ""), url.query)
                    call = Call(method, params, replica=replica)  # its time: when the request arrived
                    with api._cond:
                        api.requests.append(call)  # a long poll is here now, though answered later
                    status, payload = api._dispatch(method, params)
                    call.response = payload
                    with api._cond:
                        api.calls.append(call)
                        api._cond.notify_all()
                data = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the bot gave up a long poll while stopping
                    pass

        return Handler


def _decode(body: bytes, content_type: str, query: str) -> dict:
    """Bot API parameters from the query string, a JSON body or form data (what python-telegram-bot sends)."""
    if "application/json" in content_type and body:
        return json.loads(body)
    pairs = urllib.parse.parse_qsl(query) + urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    out = {}
    for key, value in pairs:
        if key in _STRING_PARAMS:
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _entities(text: str) -> list[dict]:
    """The mention and bot_command entities Telegram attaches to a text (offsets in UTF-16 units)."""
    import re

    out = []
    for m in re.finditer(r"(?<![\w@])(@\w{5,32}|/\w+(?:@\w+)?)", text):
        kind = "mention" if m.group(1).startswith("@") else "bot_command"
        if kind == "bot_command" and m.start() != 0:
            continue
        out.append({"type": kind, "offset": utf16_len(text[:m.start()]), "length": utf16_len(m.group(1))})
    return out
