"""Chat channels over loopback: time from a user's message to the bot's reply, p50/p95, per channel.

Run from the project folder: `.venv/bin/python -m bench.bench_channels [--n 40] [--json]` (needs the built index).
One real server (the ASGI app under uvicorn) serves every channel; the outside world is played over loopback:
WeChat and WeCom requests are signed (and encrypted) with wechatpy as WeChat sends them and their replies decrypted;
Telegram talks to a fake Bot API server, by long polling (message queued -> sendMessage received) and by webhook
(update POSTed -> sendMessage received). Every message is a different question from the seed corpus's question set.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from bench.bench_http import QUESTIONS, load_questions, percentile

SECRETS = {"WECHAT_TOKEN": "bench-token", "WECHAT_APPID": "wx0123456789abcdef", "WECOM_TOKEN": "bench-wecom",
           "WECOM_CORP_ID": "ww0123456789abcdef", "TELEGRAM_WEBHOOK_SECRET": "bench-secret"}


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"n": len(ordered), "p50_ms": round(percentile(ordered, 50) * 1000, 1),
            "p95_ms": round(percentile(ordered, 95) * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1)}


def _time(fn, questions: list[str]) -> list[float]:
    fn(questions[0])  # warm-up: connection set-up, first-use caches
    out = []
    for q in questions:
        start = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - start)
    return out


def bench_wechat(url: str, questions: list[str]) -> dict:
    """Returns: stats per mode of the Official Account and for WeCom."""
    from tests.fakes.wechat_client import WeChatSender

    results = {}
    senders = {
        "wechat (plaintext)": WeChatSender(f"{url}/wechat", SECRETS["WECHAT_TOKEN"]),
        "wechat (safe, AES)": WeChatSender(f"{url}/wechat", SECRETS["WECHAT_TOKEN"], mode="safe",
                                           aes_key=os.environ["WECHAT_AES_KEY"], app_id=SECRETS["WECHAT_APPID"]),
        "wecom (AES)": WeChatSender(f"{url}/wecom", SECRETS["WECOM_TOKEN"], aes_key=os.environ["WECOM_AES_KEY"],
                                    app_id=SECRETS["WECOM_CORP_ID"], enterprise=True),
    }
    import httpx

    with httpx.Client() as client:
        for name, sender in senders.items():
            def one(q, s=sender):
                content = s.reply(s.post(s.text(q), client=client))["Content"]
                assert content, "empty reply"
            results[name] = _stats(_time(one, questions))
    return results


def bench_telegram(api, questions: list[str], webhook_url: str | None = None) -> dict:
    """Returns: stats for Telegram, message in -> sendMessage out (polling, or webhook when a URL is given)."""
    import httpx

    users = iter(range(10_000, 10_000 + len(questions) + 10))  # one user per question: no rate limit in the way

    def one(q):
        sent = len(api.calls_of("sendMessage"))
        user = next(users)
        message = api.message(q, user=api.user(user), chat=api.private_chat(user))
        start = time.monotonic()
        if webhook_url:
            update = api.new_update(message=message)
            r = httpx.post(webhook_url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token":
                                                              SECRETS["TELEGRAM_WEBHOOK_SECRET"]})
            r.raise_for_status()
        else:
            api.push_update(message=message)
        call = api.wait_for("sendMessage", sent + 1, timeout=60)[sent]
        return call.time - start

    one(questions[0])
    return _stats([one(q) for q in questions])


def main(argv: list[str] | None = None) -> int:
    """Run every channel's benchmark on the built index and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_channels", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="questions per channel")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from bot.app import create_app
    from bot.service import QAService
    from bot.state.feedback import SQLiteFeedbackStore
    from index.config import TelegramConfig, load_config
    from tests.fakes.telegram_api import FakeBotAPI
    from tests.fakes.wechat_client import new_aes_key
    from tests.live_server import LiveServer

    questions = (load_questions(args.questions) * (args.n // 10 + 1))[: args.n]
    config = load_config()
    service = QAService(config)
    service.load()
    os.environ.update(SECRETS, WECHAT_AES_KEY=new_aes_key(), WECOM_AES_KEY=new_aes_key())
    report: dict = {"questions": len(questions), "deadline_ms": config.wechat.deadline_sec * 1000}
    with FakeBotAPI() as api:
        os.environ.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_BASE_URL=api.base_url)
        store = SQLiteFeedbackStore(":memory:")
        with LiveServer(create_app(config, service, feedback=store)) as live:
            report.update(bench_wechat(live.url, questions))
            report["telegram (polling)"] = bench_telegram(api, questions)
        hook = dataclasses.replace(config, telegram=dataclasses.replace(config.telegram or TelegramConfig(),
                                                                        webhook_path="/telegram/hook"))
        with LiveServer(create_app(hook, service, feedback=store)) as live:
            report["telegram (webhook)"] = bench_telegram(api, questions, f"{live.url}/telegram/hook")
        store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"Channels, request -> reply over loopback, {len(questions)} questions each "
          f"(WeChat deadline {report['deadline_ms']:.0f} ms)")
    print(f"{'channel':<22}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, s in report.items():
        if isinstance(s, dict):
            print(f"{name:<22}{s['p50_ms']:>10.1f}{s['p95_ms']:>10.1f}{s['max_ms']:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
