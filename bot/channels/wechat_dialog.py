"""The WeChat conversation: one reply per message however often WeChat retries it, within its 5-second deadline.

Deadline strategy ("keep it for the retry, then for the next message"):

* Every try of a message (same MsgId; for events, sender + CreateTime) joins one shared job, so a message is
  processed once; retries and concurrent duplicates get the very same reply text.
* A try waits for the job until `deadline_sec` (4.5 s) after it arrived. If the reply is ready, it is sent.
* If not, and WeChat will try again (it makes three tries), the try sends nothing: the connection is held
  until `timeout_sec` (WeChat's 5 s) so WeChat times out and retries, and the retry picks up the finished reply.
* On the last try, the user is told the answer is on its way ("send any text to get it"); the finished reply is
  kept for that user and sent in reply to their next message, whatever it says.

A user's state ("更多", "原文", the owed answer) is a DialogState (bot/state/dialogstate.py): in this process, or with
[database] url in PostgreSQL, so the user's next message may reach any replica. An owed answer is kept as the
message's key until its reply is done, then as the reply's text; a replica that gets the next message before
that joins the message's job through the retry memory (shared too).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time

from bot.channels import wechat_render as render
from bot.channels.wechat_render import Inbound
from bot.state.dedup import OnceCache, wait_result
from bot.state.dialogstate import MemoryDialogState
from bot.state.feedback import log_fields
from index.errors import DatabaseError

log = logging.getLogger("bot.channels.wechat")

TRIES = 3                  # WeChat tries a passive-reply message three times in all


class Dialog:
    """Turns inbound messages into reply texts; one instance per account (Official Account or WeCom app).

    Args:
        service: the QAService.
        feedback: a FeedbackStore for the question log, or None.
        channel: "wechat" or "wecom" (recorded with each question).
        deadline_sec: when a passive reply must leave at the latest.
        timeout_sec: how long WeChat waits for a reply before it retries.
        jobs: the retry memory (default an OnceCache in this process; a PgOnceCache shares it across replicas).
        state: the users' state (default a MemoryDialogState; a PgDialogState shares it across replicas).
    """

    def __init__(self, service, feedback, channel: str, deadline_sec: float, timeout_sec: float,
                 jobs=None, state=None) -> None:
        self.service = service
        self.feedback = feedback
        self.channel = channel
        self.deadline_sec = deadline_sec
        self.timeout_sec = timeout_sec
        self.jobs = jobs if jobs is not None else OnceCache[str](ttl_sec=300)
        self.state = state if state is not None else MemoryDialogState()
        self._background: set[asyncio.Future] = set()
        self.asked = 0                                 # questions sent to the service (for tests and stats)

    async def reply_for(self, msg: Inbound, arrived: float | None = None) -> str | None:
        """The reply text for one try of a message.

        Args:
            msg: the parsed message.
            arrived: time.monotonic() when the request arrived (default: now).

        Returns:
            The text to send; "" to answer "success" (nothing to say); None to send nothing, so WeChat retries.
        """
        arrived = time.monotonic() if arrived is None else arrived
        claim = await self.jobs.claim(msg.dedup_key, lambda: self._work(msg))
        done, text = await wait_result(claim.task, arrived + self.deadline_sec - time.monotonic())
        if done:
            return text
        if claim.tries < TRIES:
            # Hold the connection: a reply ready before WeChat gives up is still delivered; otherwise it retries.
            done, text = await wait_result(claim.task, arrived + self.timeout_sec - time.monotonic())
            return text if done else None
        owed = {"key": msg.dedup_key, "text": None}
        await self._put(msg.user, "owed", owed)
        claim.task.add_done_callback(lambda task: self._keep_owed(msg.user, owed, task))
        log.warning("answer missed the deadline; kept for the user's next message",
                    extra={"channel": self.channel, "tries": claim.tries})
        return render.pending_text()

    def _keep_owed(self, user: str, owed: dict, task: asyncio.Future) -> None:
        """Once the owed reply is done, keep its text: the user may write after the retry memory forgot it."""
        if task.cancelled() or task.exception() is not None:
            return
        job = asyncio.ensure_future(self._safe(self.state.put_if(user, "owed", owed, {**owed, "text": task.result()})))
        self._background.add(job)  # the loop keeps only a weak reference to a task
        job.add_done_callback(self._background.discard)

    async def _work(self, msg: Inbound) -> str:
        """Compute the reply for a message; runs once per message. Never raises."""
        try:
            return await self._respond(msg)
        except Exception:
            log.exception("wechat message failed", extra={"channel": self.channel, "kind": msg.kind})
            return render.apology()

    async def _respond(self, msg: Inbound) -> str:
        if msg.kind == "subscribe":
            return render.welcome_text(self.service.scope(), self.service.examples)
        if msg.kind == "event":
            return ""
        owed = await self._safe(self.state.take(msg.user, "owed"))
        if owed is not None:  # "send any text to get the answer": this message fetches it
            text = owed["text"]
            if text is None:  # not done yet: join its job, here or on the replica computing it
                claim = await self.jobs.claim(owed["key"], _forgotten)
                text = await asyncio.shield(claim.task)
            with_intro = "您刚才问题的答案：\n" + text
            return with_intro if text and len(with_intro.encode()) <= render.MAX_REPLY_BYTES else text
        text = " ".join(msg.text.split())
        if msg.kind not in {"text", "voice"} or not text:
            return render.please_type()
        if text.lower() in render.MORE_WORDS:
            return await self._next_page(msg.user)
        if text.lower() in render.SOURCE_WORDS:
            source = await self._safe(self.state.get(msg.user, "source"))
            return await self._paged(msg.user, source or render.source_text(None))
        self.asked += 1
        answer = await asyncio.to_thread(self.service.ask, text)
        await self._put(msg.user, "source", render.source_text(answer))
        if self.feedback is not None:
            await asyncio.to_thread(functools.partial(
                self.feedback.log_question, answer.question, answer.answered, answer.kind, answer.answer_id,
                self.channel, user=msg.user, **log_fields(answer)))
        return await self._paged(msg.user, render.answer_text(answer))

    async def _paged(self, user: str, text: str) -> str:
        pages = render.paginate(text)
        if len(pages) > 1:
            await self._put(user, "pages", pages[1:])
        else:
            await self._safe(self.state.take(user, "pages"))
        return pages[0]

    async def _next_page(self, user: str) -> str:
        pages = await self._safe(self.state.take(user, "pages"))
        if not pages:
            return "没有更多内容了。请继续提问。"
        if len(pages) > 1:
            await self._put(user, "pages", pages[1:])
        return pages[0]

    async def _put(self, user: str, item: str, value) -> None:
        await self._safe(self.state.put(user, item, value))

    async def _safe(self, call):
        """The state call's result; None when the database cannot be reached (the reply goes out without it)."""
        try:
            return await call
        except DatabaseError as exc:
            log.error("conversation state unavailable: %s", exc, extra={"channel": self.channel})
            return None


async def _forgotten() -> str:
    """The reply owed for a message the retry memory no longer knows (its replica stopped before answering)."""
    return render.apology()
