"""Telegram channel: builds the python-telegram-bot Application and runs it by long polling or behind our webhook route.

Enabled when TELEGRAM_BOT_TOKEN is set. TELEGRAM_BASE_URL points python-telegram-bot at another Bot API server
(default https://api.telegram.org/bot). With [telegram] webhook_path set, updates arrive at that path of the one
ASGI server instead of by polling; TELEGRAM_WEBHOOK_SECRET is then required and checked against the
X-Telegram-Bot-Api-Secret-Token header. Secrets are read from the environment only and never logged.
"""
from __future__ import annotations

import hmac
import json
import logging
import os

from bot.channels.telegram_handlers import Handlers
from index.config import Config
from index.errors import ConfigError, QABotError, require

log = logging.getLogger("bot.channels.telegram")

ENV_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_BASE_URL = "TELEGRAM_BASE_URL"
ENV_SECRET = "TELEGRAM_WEBHOOK_SECRET"
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
SECRET_HEADER = "x-telegram-bot-api-secret-token"
UPDATE_TYPES = ["message", "callback_query"]


class _Redact(logging.Filter):
    """Replaces the bot token in log records (httpx logs request URLs, which carry it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if self.token in msg:
            record.msg, record.args = msg.replace(self.token, "<token>"), None
        return True


def build_application(config: Config, service, feedback=None, token: str | None = None,
                      base_url: str | None = None, limiter=None):
    """Build the Application with every handler registered (not yet started).

    Args:
        config: settings ([telegram] rate limits).
        service: the QAService.
        feedback: a FeedbackStore for the question log and thumbs, or None.
        token: the bot token (default $TELEGRAM_BOT_TOKEN).
        base_url: the Bot API base URL (default $TELEGRAM_BASE_URL or Telegram's own).
        limiter: a RateLimiter (default a per-user token bucket from [telegram]).

    Returns:
        The telegram.ext.Application.
    """
    ext = require("telegram.ext", "python-telegram-bot")
    from telegram.ext import filters

    from bot.state.ratelimit import open_rate_limiter

    token = token or os.environ.get(ENV_TOKEN, "")
    if not token:
        raise ConfigError(f"{ENV_TOKEN} is not set", hint="export the token BotFather gave you")
    base_url = base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL
    httpx_log = logging.getLogger("httpx")  # logs every request URL, and the URL carries the token
    if not any(isinstance(f, _Redact) and f.token == token for f in httpx_log.filters):
        httpx_log.addFilter(_Redact(token))
    httpx_log.setLevel(max(httpx_log.level, logging.WARNING))
    handlers = Handlers(service, feedback, limiter or open_rate_limiter(config, config.telegram, "telegram"))
    app = (ext.ApplicationBuilder().token(token).base_url(base_url).concurrent_updates(8)
           .get_updates_read_timeout(40).build())
    message = filters.UpdateType.MESSAGE
    app.add_handler(ext.CommandHandler("start", handlers.start))
    app.add_handler(ext.CommandHandler("help", handlers.help))
    app.add_handler(ext.MessageHandler(message & filters.COMMAND & filters.ChatType.PRIVATE, handlers.help))
    app.add_handler(ext.MessageHandler(message & filters.TEXT & ~filters.COMMAND, handlers.text))
    app.add_handler(ext.MessageHandler(message & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.other))
    app.add_handler(ext.CallbackQueryHandler(handlers.callback))
    app.add_error_handler(handlers.error)
    app.bot_data["handlers"] = handlers
    return app


def run_polling(config: Config, service, feedback=None) -> int:
    """Run the bot alone by long polling until interrupted (`python -m bot telegram`); with [database] url set,
    only while it holds the polling lock that the replicas share.

    Args:
        config: settings.
        service: a loaded QAService.
        feedback: a FeedbackStore (default the one the settings choose: open_feedback_store).

    Returns:
        The exit status.
    """
    if feedback is None:
        from bot.state.feedback import open_feedback_store
        feedback = open_feedback_store(config)
    from telegram.error import InvalidToken, NetworkError

    log.info("telegram polling starting")
    try:
        if config.database.url:  # replicas share the database: take turns with them for getUpdates
            import asyncio

            from bot.channels.telegram_poller import run_until_signal
            return asyncio.run(run_until_signal(TelegramChannel(config, service, feedback)))
        build_application(config, service, feedback).run_polling(allowed_updates=UPDATE_TYPES, close_loop=False)
    except InvalidToken:  # its message carries the token: never let it reach a terminal or a log
        raise ConfigError(f"the Bot API rejected {ENV_TOKEN}", hint="check the token with BotFather") from None
    except NetworkError as exc:
        raise QABotError(f"cannot reach the Bot API: {type(exc).__name__}",
                         hint=f"check the network or {ENV_BASE_URL}") from None
    return 0


class TelegramChannel:
    """The bot inside the ASGI server's event loop: `await start()` in the lifespan, `await stop()` at exit.

    In webhook mode, `routes()` gives the route to mount; otherwise the bot long-polls in the background, and
    with [database] url set only while this replica holds the polling lock (telegram_poller.SinglePoller).
    """

    def __init__(self, config: Config, service, feedback=None, *, token: str | None = None,
                 base_url: str | None = None, env: dict | None = None, limiter=None) -> None:
        env = os.environ if env is None else env
        self.config = config
        self.webhook_path = config.telegram.webhook_path
        self.secret = env.get(ENV_SECRET, "")
        if self.webhook_path and not self.secret:
            raise ConfigError(f"Telegram webhook mode needs {ENV_SECRET}",
                              hint="set it, or leave [telegram] webhook_path empty for long polling")
        self._token = token or env.get(ENV_TOKEN, "")
        self.app = build_application(config, service, feedback, self._token, base_url or env.get(ENV_BASE_URL),
                                     limiter)
        self.poller = None
        if not self.webhook_path and config.database.url:
            from bot.channels.telegram_poller import SinglePoller
            from bot.state.pgleader import TELEGRAM_POLLING, LeaderLock

            lock = LeaderLock(config.database.url, TELEGRAM_POLLING, "telegram polling")
            self.poller = SinglePoller(self.app.updater, lock, config.telegram.poll_lock_retry_sec, UPDATE_TYPES)

    def routes(self) -> list:
        """Returns: the Starlette route for the webhook (none in polling mode)."""
        from starlette.routing import Route

        return [Route(self.webhook_path, self.webhook, methods=["POST"])] if self.webhook_path else []

    async def start(self) -> None:
        """Connect (getMe), then poll, or register the webhook when [telegram] webhook_url is set."""
        await self.app.initialize()
        if self.webhook_path:
            url = self.config.telegram.webhook_url
            if url:
                await self.app.bot.set_webhook(url.rstrip("/") + self.webhook_path, secret_token=self.secret,
                                               allowed_updates=UPDATE_TYPES)
        elif self.poller is None:
            await self.app.updater.start_polling(allowed_updates=UPDATE_TYPES)
        await self.app.start()
        if self.poller is not None:  # replicas share the database: poll only while holding its lock
            self.poller.start()
        mode = "webhook" if self.webhook_path else "polling, one replica" if self.poller else "polling"
        log.info("telegram started", extra={"mode": mode, "bot": self.app.bot.username})

    async def try_start(self) -> bool:
        """Start, but log instead of raising when the Bot API cannot be reached or refuses the token.

        Returns:
            True when the bot runs.
        """
        from telegram.error import TelegramError

        try:
            await self.start()
            return True
        except TelegramError as exc:  # the web keeps serving; the operator sees why Telegram is off
            reason = str(exc).replace(self._token, "<token>") if self._token else str(exc)
            log.error("telegram could not start: %s: %s", type(exc).__name__, reason)
            await self.stop()
            return False

    async def stop(self) -> None:
        """Stop polling (letting the polling lock go) and the update processing; safe to call twice."""
        if self.poller is not None:
            await self.poller.stop()
        if self.app.updater and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def webhook(self, request):
        """POST from Telegram: check the secret header, queue the update, answer 200 at once."""
        from starlette.responses import JSONResponse, Response
        from telegram import Update

        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return JSONResponse({"error": "forbidden", "message": "密钥不正确"}, status_code=403)
        body = await request.body()
        if len(body) > self.config.server.max_body_bytes:
            return JSONResponse({"error": "too_large", "message": "请求过大"}, status_code=413)
        try:
            update = Update.de_json(json.loads(body), self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return JSONResponse({"error": "bad_request", "message": "不是有效的 Telegram 更新"}, status_code=400)
        await self.app.update_queue.put(update)
        return Response(status_code=200)


def channel_from_env(config: Config, service, feedback=None, env: dict | None = None) -> TelegramChannel | None:
    """The channel for the ASGI server, when TELEGRAM_BOT_TOKEN is set (mount `routes()`, then `try_start()`).

    Args:
        config: settings.
        service: the QAService.
        feedback: the server's FeedbackStore.
        env: environment to read secrets from (default os.environ).

    Returns:
        The channel, not started; None without a token.
    """
    env = os.environ if env is None else env
    return TelegramChannel(config, service, feedback, env=env) if env.get(ENV_TOKEN) else None


async def start_polling_in_background(config: Config, service, feedback=None,
                                      env: dict | None = None) -> TelegramChannel | None:
    """Start the bot inside a running event loop (e.g. a server lifespan) when TELEGRAM_BOT_TOKEN is set.

    Args:
        config: settings.
        service: the QAService.
        feedback: the server's FeedbackStore.
        env: environment to read secrets from (default os.environ).

    Returns:
        The started channel (`await channel.stop()` at shutdown), or None without a token or when Telegram
        cannot be reached (logged; the caller keeps serving).
    """
    channel = channel_from_env(config, service, feedback, env)
    return channel if channel is not None and await channel.try_start() else None
