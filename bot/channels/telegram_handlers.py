"""Telegram update handlers: parse the update -> rate limit -> service.ask() (worker thread) -> send the rendered reply."""
from __future__ import annotations

import asyncio
import functools
import logging

from bot.channels import telegram_render as render
from bot.state.dedup import TTLMap
from bot.state.feedback import log_fields

log = logging.getLogger("bot.channels.telegram")

CHANNEL = "telegram"
ANSWER_TTL_SEC = 24 * 3600   # how long "查看原文" and the thumbs work after an answer was sent


class Handlers:
    """The bot's behaviour; python-telegram-bot calls these coroutines with (update, context).

    Args:
        service: the QAService (only .ask, .examples and .scope are used).
        feedback: a FeedbackStore, or None to keep no question log or ratings.
        limiter: a RateLimiter keyed by user.
    """

    def __init__(self, service, feedback, limiter) -> None:
        self.service = service
        self.feedback = feedback
        self.limiter = limiter
        self.answers: TTLMap = TTLMap(ANSWER_TTL_SEC, 20_000)   # answer_id -> Answer
        self.views: TTLMap = TTLMap(ANSWER_TTL_SEC, 20_000)     # answer_id -> (show_source, rating)

    # --- commands and messages -------------------------------------------------------------------------------
    async def start(self, update, context) -> None:
        examples = self.service.examples
        scope = self.service.scope() if hasattr(self.service, "scope") else ""
        await _send(context.bot, update.effective_chat.id, [render.welcome(scope, examples)])

    async def help(self, update, context) -> None:
        await _send(context.bot, update.effective_chat.id, [render.Reply(render.help_text(self.service.examples))])

    async def text(self, update, context) -> None:
        msg, chat = update.effective_message, update.effective_chat
        mentions = list(msg.parse_entities(["mention"]).values())
        question = render.addressed_text(msg.text or "", chat.type, context.bot.username or "", mentions,
                                         self._replies_to_bot(msg, context))
        if question is None:
            return
        reply_to = msg.message_id if chat.type != "private" else None
        await self._answer(context, chat.id, update.effective_user.id, question, reply_to)

    async def other(self, update, context) -> None:
        """Stickers, photos, voice...: ask for text, in private chats or when a group member replies to the bot."""
        msg, chat = update.effective_message, update.effective_chat
        if chat.type == "private" or self._replies_to_bot(msg, context):
            reply_to = msg.message_id if chat.type != "private" else None
            await context.bot.send_message(chat.id, render.please_type(), reply_to_message_id=reply_to)

    async def callback(self, update, context) -> None:
        query = update.callback_query
        action, arg = render.parse_callback(query.data)
        if action == "ex":
            examples = self.service.examples
            if not arg.isdigit() or int(arg) >= len(examples):
                await query.answer(render.expired())
                return
            await query.answer()
            await self._answer(context, query.message.chat.id, query.from_user.id, examples[int(arg)], None)
        elif action in {"src", "hide"}:
            await self._toggle_source(query, arg, action == "src")
        elif action in {"up", "down"}:
            await self._rate(query, arg, action)
        else:
            await query.answer()

    async def error(self, update, context) -> None:
        """The one error handler: log with the traceback, tell the user briefly."""
        log.error("telegram update failed: %s", type(context.error).__name__, exc_info=context.error)
        chat = getattr(update, "effective_chat", None)
        if chat is None:
            return
        try:
            await context.bot.send_message(chat.id, render.apology())
        except Exception:  # the apology itself failed (e.g. network); the log above has the cause
            log.warning("could not send the apology", exc_info=True)

    # --- the work --------------------------------------------------------------------------------------------
    async def _answer(self, context, chat_id: int, user_id: int, question: str, reply_to: int | None) -> None:
        decision = self.limiter.check(f"{CHANNEL}:{user_id}")
        if not decision.allowed:
            await context.bot.send_message(chat_id, render.rate_limited(decision.retry_after),
                                           reply_to_message_id=reply_to)
            return
        await context.bot.send_chat_action(chat_id, "typing")
        answer = await asyncio.to_thread(self.service.ask, question)
        self.answers.set(answer.answer_id, answer)
        if self.feedback is not None:
            await asyncio.to_thread(functools.partial(
                self.feedback.log_question, answer.question, answer.answered, answer.kind, answer.answer_id, CHANNEL,
                user=str(user_id), **log_fields(answer)))
        await _send(context.bot, chat_id, render.answer_reply(answer), reply_to)

    async def _toggle_source(self, query, answer_id: str, show: bool) -> None:
        answer = self.answers.get(answer_id)
        if answer is None:
            await query.answer(render.expired())
            return
        rating = self.views.get(answer_id, (False, None))[1]
        replies = render.answer_reply(answer, show_source=show, rated=rating)
        await query.answer()
        if len(replies) == 1:
            self.views.set(answer_id, (show, rating))
            await _edit(query, replies[0])
        elif show:  # answer + passage exceed one message: send the passage below instead of editing
            await _send(query.get_bot(), query.message.chat.id, replies)

    async def _rate(self, query, answer_id: str, rating: str) -> None:
        answer = self.answers.get(answer_id)
        known = answer is not None or (self.feedback is not None and
                                       await asyncio.to_thread(self.feedback.knows_answer, answer_id))
        if not known:
            await query.answer(render.expired())
            return
        if self.feedback is not None:
            await asyncio.to_thread(self.feedback.record_feedback, answer_id, rating,
                                    answer.question if answer else None, CHANNEL)
        show = self.views.get(answer_id, (False, None))[0]
        self.views.set(answer_id, (show, rating))
        await query.answer("谢谢您的反馈！")
        markup = _markup(render.answer_buttons(answer_id, show_source=show, rated=rating))
        await _ignore_not_modified(query.edit_message_reply_markup(reply_markup=markup))

    @staticmethod
    def _replies_to_bot(msg, context) -> bool:
        parent = msg.reply_to_message
        return bool(parent and parent.from_user and parent.from_user.id == context.bot.id)


async def _send(bot, chat_id: int, replies: list, reply_to: int | None = None) -> None:
    from telegram import LinkPreviewOptions
    from telegram.constants import ParseMode

    for reply in replies:
        await bot.send_message(chat_id, reply.html, parse_mode=ParseMode.HTML, reply_markup=_markup(reply.buttons),
                               reply_to_message_id=reply_to, link_preview_options=LinkPreviewOptions(is_disabled=True))
        reply_to = None  # only the first part quotes the question


def _markup(buttons):
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
                                 for row in buttons])


async def _edit(query, reply) -> None:
    from telegram import LinkPreviewOptions
    from telegram.constants import ParseMode

    await _ignore_not_modified(query.edit_message_text(reply.html, parse_mode=ParseMode.HTML,
                                                       reply_markup=_markup(reply.buttons),
                                                       link_preview_options=LinkPreviewOptions(is_disabled=True)))


async def _ignore_not_modified(coro) -> None:
    from telegram.error import BadRequest

    try:
        await coro
    except BadRequest as exc:  # a double click edits to the same content; Telegram refuses, nothing is wrong
        if "not modified" not in str(exc).lower():
            raise
