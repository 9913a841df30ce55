"""Command line: `python -m bot ask "问题"`, `serve`, `telegram`, `purge-log`, `migrate` (install -> database)."""
from __future__ import annotations

import argparse
import json
import sys

from index.config import load_config
from index import cli


def _print_answer(ans, as_json: bool) -> None:
    if as_json:
        print(json.dumps(ans.to_json(), ensure_ascii=False), flush=True)
        return
    if ans.notice:
        print(f"（{ans.notice}）")
    print(ans.answer)
    for i, s in enumerate(ans.sources[:3], 1):
        label = f"《{s.case}》" if s.case else (s.unit or s.title)
        print(f"  [{i}] {label} · {s.title} · 相关度 {s.score:.2f}")
    print(flush=True)


def cmd_ask(args, config) -> int:
    from bot.service import QAService

    service = QAService(config)
    service.load()
    if args.question:
        _print_answer(service.ask(" ".join(args.question)), args.json)
        return 0
    for line in sys.stdin:
        if line.strip():
            _print_answer(service.ask(line.rstrip("\n")), args.json)
    return 0


def cmd_serve(args, config) -> int:
    from bot import serve

    return serve.main(config, host=args.host, port=args.port) or 0


def cmd_telegram(args, config) -> int:
    from bot.channels import telegram
    from bot.service import QAService

    service = QAService(config)
    service.load()
    return telegram.run_polling(config, service) or 0


def cmd_purge_log(args, config) -> int:
    import time

    from bot.state.feedback import open_feedback_store

    days = config.feedback.retention_days if args.days is None else args.days
    if days <= 0:
        print("retention is 0 days (keep everything): nothing deleted")
        return 0
    # The log the replicas write: the shared PostgreSQL one when [database] url is set, else this install's file.
    store = open_feedback_store(config)
    try:
        questions, ratings = store.purge(time.time() - days * 86400)
    finally:
        store.close()
    print(f"deleted {questions} questions and {ratings} ratings older than {days} days")
    return 0


def cmd_migrate(args, config) -> int:
    from bot.migrate import migrate

    for line in migrate(config, replace_served=args.replace_served):
        print(line, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: arguments (default sys.argv[1:]).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m bot", description="政务资料问答机器人")
    parser.add_argument("--config", help="config file (default: config.toml or $QABOT_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ask", help="answer a question (or one per line from standard input)")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print one JSON object per answer")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("serve", help="start the web chat, JSON API and channels")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("telegram", help="run the Telegram bot alone (long polling)")
    p.set_defaults(func=cmd_telegram)
    p = sub.add_parser("purge-log", help="delete questions and ratings older than [feedback] retention_days")
    p.add_argument("--days", type=int, help="keep this many days instead")
    p.set_defaults(func=cmd_purge_log)
    p = sub.add_parser("migrate", help="copy this install's question log and ratings into [database] url and "
                                       "publish its index version (safe to run again)")
    p.add_argument("--replace-served", action="store_true",
                   help="publish this install's index version even when the database serves another one")
    p.set_defaults(func=cmd_migrate)
    args = parser.parse_args(argv)
    from bot import logs

    logs.setup("WARNING" if args.command == "ask" else "INFO")
    return cli.run(lambda: args.func(args, load_config(args.config)))


if __name__ == "__main__":
    sys.exit(main())
