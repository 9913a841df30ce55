"""HTTP load run: N concurrent clients ask questions for a fixed time; answers/s, latency percentiles, errors.

Run from the project folder: `.venv/bin/python -m bench.bench_http [--clients 16] [--duration 30] [--url URL] [--json]`.
Without --url it starts `python -m bot serve` on a free loopback port in its own process (per-client rate limits
lifted, since every bench client shares one address) and stops it afterwards; the load always comes from this,
separate, process. Only loopback addresses are accepted.
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
MAX_CLIENTS = 256
MAX_DURATION = 600.0
FALLBACK_QUESTIONS = ["李沧区民营社区卫生服务机构占比是多少？", "即墨市有什么创新做法？", "明天青岛天气怎么样？"]


def load_questions(path: Path) -> list[str]:
    """Args: path: a JSON-lines question set with a "question" field. Returns: the questions (a fallback if absent)."""
    if not path.exists():
        return FALLBACK_QUESTIONS
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["question"] for r in rows if isinstance(r.get("question"), str) and r["question"].strip()] or \
        FALLBACK_QUESTIONS


def check_loopback(url: str) -> str:
    """Args: url: the server's base URL. Returns: it without a trailing slash. Raises SystemExit unless loopback."""
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"refusing to load-test {url!r}: only loopback addresses (127.0.0.0/8, ::1, localhost)")
    return url.rstrip("/")


def percentile(sorted_values: list[float], q: float) -> float:
    """Args: sorted_values: ascending. q: 0..100. Returns: the nearest-rank percentile (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


async def run_load(url: str | list[str], questions: list[str], clients: int, duration: float) -> dict:
    """Drive the server with `clients` concurrent keep-alive connections for `duration` seconds.

    Args:
        url: base URL of a running server, or of several replicas (client k talks to the k-th modulo their number).
        questions: asked round-robin, each client starting at a different offset.
        clients: concurrent clients.
        duration: seconds of measured load (a short warm-up comes first, unmeasured).

    Returns:
        The report: requests, ok, answered, errors by kind, answers/s, latency percentiles in ms, answers per URL.
    """
    import contextlib

    import httpx

    urls = [url] if isinstance(url, str) else list(url)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    per_url = {u: 0 for u in urls}
    answered = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with contextlib.AsyncExitStack() as stack:
        https = {u: await stack.enter_async_context(httpx.AsyncClient(base_url=u, timeout=30.0, limits=limits))
                 for u in urls}
        for http in https.values():
            for q in questions[:4]:  # warm-up: connections open, first-request costs paid
                await http.post("/api/ask", json={"question": q})
        deadline = time.perf_counter() + duration

        async def client(offset: int, k: int) -> None:
            nonlocal answered
            mine = urls[k % len(urls)]
            http = https[mine]
            i = offset
            while time.perf_counter() < deadline:
                q = questions[i % len(questions)]
                i += 1
                start = time.perf_counter()
                try:
                    resp = await http.post("/api/ask", json={"question": q})
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    continue
                elapsed = time.perf_counter() - start
                if resp.status_code != 200:
                    errors[f"HTTP {resp.status_code}"] = errors.get(f"HTTP {resp.status_code}", 0) + 1
                    continue
                latencies.append(elapsed)
                per_url[mine] += 1
                answered += bool(resp.json().get("answered"))

        started = time.perf_counter()
        await asyncio.gather(*(client(k * len(questions) // clients, k) for k in range(clients)))
        wall = time.perf_counter() - started
    lat = sorted(latencies)
    return {"clients": clients, "duration_s": round(wall, 2), "requests": len(lat) + sum(errors.values()),
            "ok": len(lat), "answered": answered, "errors": sum(errors.values()), "error_kinds": errors,
            "answers_per_s": round(len(lat) / wall, 1),
            "latency_ms": {k: round(percentile(lat, q) * 1000, 1)
                           for k, q in (("p50", 50), ("p95", 95), ("p99", 99))} | {"max": round(lat[-1] * 1000, 1)
                                                                                    if lat else 0.0},
            "per_url": per_url}


def start_server(timeout: float = 300.0, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `python -m bot serve` on a free loopback port with the rate limits lifted.

    Args:
        timeout: seconds to wait for it to print its address (index load and model warm-up included).
        env: more environment for it (a replica's database URL).

    Returns:
        The process and its base URL.
    """
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "QABOT_SERVER_RATE_CAPACITY": "1000000000",
           "QABOT_SERVER_RATE_REFILL_PER_SEC": "1000000000", "QABOT_SERVER_RELOAD_POLL_SEC": "5", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if found:
            return proc, found.group(0)
        if time.monotonic() > deadline:
            break
    stop_server(proc)
    raise SystemExit("the server did not start (run `make index` first?)")


def stop_server(proc: subprocess.Popen) -> None:
    """Args: proc: the server process; it gets Ctrl+C, then a kill if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the load and print the report.

    Args:
        argv: command-line arguments.

    Returns:
        0, or 1 when any request failed.
    """
    parser = argparse.ArgumentParser(prog="python -m bench.bench_http", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (loopback only); default: start one")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="JSON lines with a question field")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--clients must be 1..{MAX_CLIENTS} and --duration 0..{MAX_DURATION:.0f} s")
    questions = load_questions(args.questions)
    proc = None
    if args.url:
        url = check_loopback(args.url)
    else:
        proc, url = start_server()
    try:
        report = asyncio.run(run_load(url, questions, args.clients, args.duration))
    finally:
        if proc is not None:
            stop_server(proc)
    report["questions"] = len(questions)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        lat = report["latency_ms"]
        print(f"HTTP load: {report['clients']} clients for {report['duration_s']} s, {report['questions']} distinct "
              f"questions\n  answers/s {report['answers_per_s']}  ({report['ok']} answers, {report['answered']} "
              f"answered from the corpus)\n  latency p50 {lat['p50']} ms  p95 {lat['p95']} ms  p99 {lat['p99']} ms  "
              f"max {lat['max']} ms\n  errors {report['errors']} {report['error_kinds'] or ''}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
