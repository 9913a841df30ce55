"""The WeChat conversation: one reply per message however often WeChat retries it, within its 5-second deadline.

Deadline strategy ("keep it for the retry, then for the next message"):

* Every try of a message (same MsgId; for events, sender + CreateTime) joins one shared job, so a message is
  processed once; retries and concurrent duplicates get the very same reply text.
* A try waits for the job until `deadline_sec` (4.5 s) after it arrived. If the reply is ready, it is sent.
* If not, and WeChat will try again (it makes three tries), the try sends nothing: the connection is held
  until `timeout_sec` (WeChat's 5 s) so WeChat times out and retries, and the retry picks up the finished reply.
* On the last try, the user is told the answer is on its way ("send any text to get it"); the finished reply is
  kept for that user and sent in reply to their next message, whatever it says.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time

from bot.channels import wechat_render as render
from bot.channels.wechat_render import Inbound
from bot.dedup import OnceCache, TTLMap, wait_result
from bot.feedback import log_fields

log = logging.getLogger("bot.channels.wechat")

TRIES = 3                  # WeChat tries a passive-reply message three times in all
STATE_TTL_SEC = 3600       # how long "更多", "原文" and a pending answer stay available to a user


class Dialog:
    """Turns inbound messages into reply texts; one instance per account (Official Account or WeCom app).

    Args:
        service: the QAService.
        feedback: a FeedbackStore for the question log, or None.
        channel: "wechat" or "wecom" (recorded with each question).
        deadline_sec: when a passive reply must leave at the latest.
        timeout_sec: how long WeChat waits for a reply before it retries.
        jobs: the retry memory (default an OnceCache in this process; a PgOnceCache shares it across replicas).
    """

    def __init__(self, service, feedback, channel: str, deadline_sec: float, timeout_sec: float,
                 jobs=None) -> None:
        self.service = service
        self.feedback = feedback
        self.channel = channel
        self.deadline_sec = deadline_sec
        self.timeout_sec = timeout_sec
        self.jobs = jobs if jobs is not None else OnceCache[str](ttl_sec=300)
        self.last: TTLMap = TTLMap(STATE_TTL_SEC)      # user -> their last Answer (for "原文")
        self.pages: TTLMap = TTLMap(STATE_TTL_SEC)     # user -> pages not yet sent (for "更多")
        self.pending: TTLMap = TTLMap(STATE_TTL_SEC)   # user -> task of an answer that missed its deadline
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
        self.pending.set(msg.user, claim.task)
        log.warning("answer missed the deadline; kept for the user's next message",
                    extra={"channel": self.channel, "tries": claim.tries})
        return render.pending_text()

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
        earlier = self.pending.pop(msg.user)
        if earlier is not None:  # "send any text to get the answer": this message fetches it
            text = await asyncio.shield(earlier)
            with_intro = "您刚才问题的答案：\n" + text
            return with_intro if text and len(with_intro.encode()) <= render.MAX_REPLY_BYTES else text
        text = " ".join(msg.text.split())
        if msg.kind not in {"text", "voice"} or not text:
            return render.please_type()
        if text.lower() in render.MORE_WORDS:
            return self._next_page(msg.user)
        if text.lower() in render.SOURCE_WORDS:
            return self._paged(msg.user, render.source_text(self.last.get(msg.user)))
        self.asked += 1
        answer = await asyncio.to_thread(self.service.ask, text)
        self.last.set(msg.user, answer)
        if self.feedback is not None:
            await asyncio.to_thread(functools.partial(
                self.feedback.log_question, answer.question, answer.answered, answer.kind, answer.answer_id,
                self.channel, user=msg.user, **log_fields(answer)))
        return self._paged(msg.user, render.answer_text(answer))

    def _paged(self, user: str, text: str) -> str:
        pages = render.paginate(text)
        if len(pages) > 1:
            self.pages.set(user, pages[1:])
        else:
            self.pages.pop(user)
        return pages[0]

    def _next_page(self, user: str) -> str:
        pages = self.pages.pop(user)
        if not pages:
            return "没有更多内容了。请继续提问。"
        if len(pages) > 1:
            self.pages.set(user, pages[1:])
        return pages[0]
