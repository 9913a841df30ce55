"""Embedding benchmark: model build time, load time and memory, passage throughput and query latency by thread count.

Run from the project folder: `.venv/bin/python -m bench.bench_embed [--build] [--threads 2,0] [--json]`.
Each thread setting runs in a fresh process (torch's thread pool and peak memory are per process).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOPICS = ["社区卫生服务", "地铁建设融资", "人才引进", "行政审批改革", "海洋经济", "民营资本", "互联网+政务", "标准化建设",
          "一揽子授信", "养老服务"]
PLACES = ["李沧区", "市北区", "即墨市", "青岛开发区", "青岛高新区"]


def rss_mb() -> float:
    """Returns: this process's resident memory now, in MiB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def passages(n: int, length: int = 150) -> list[str]:
    """Args: n: how many; length: characters each. Returns: distinct windows of the cleaned seed corpus."""
    from index.ingest.clean import clean_text

    raw = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt")))
    text = clean_text(raw).replace("\n", "")
    step = max(1, (len(text) - length) // max(1, n))
    out = [text[(i * step) % (len(text) - length):][:length] for i in range(n)]
    return [f"{p}(第{i}段)" for i, p in enumerate(out)]  # distinct even when windows repeat


def questions(n: int) -> list[str]:
    """Args: n: how many. Returns: distinct short questions."""
    return [f"{PLACES[i % len(PLACES)]}在{TOPICS[i % len(TOPICS)]}方面有什么创新做法?(问{i})" for i in range(n)]


def token_count(model, text: str) -> int:
    """Args: model: the encoder's model (plain-torch BERT or SentenceTransformer); text: a text. Returns: its tokens, uncut."""
    tok = model.tokenizer
    if callable(tok):  # a transformers tokenizer
        return len(tok(text)["input_ids"])
    tok.no_truncation()  # a tokenizers.Tokenizer (the plain-torch path re-arms truncation on every encode)
    tok.no_padding()
    return len(tok.encode(text).ids)


def measure(threads: int, n_passages: int, n_queries: int, batch: int, window: int) -> dict:
    """One process's figures for one setting (threads 0: torch's default)."""
    from index.config import load_config
    from index.embedding.embed import SentenceTransformerEncoder
    from index.embedding.model import ensure_model

    base = load_config(ROOT / "config.toml")
    config = dataclasses.replace(base, model=dataclasses.replace(
        base.model, threads=threads, batch_size=batch, max_seq_length=window))
    path = ensure_model(config, progress=True)
    rss0 = rss_mb()
    t0 = time.perf_counter()
    enc = SentenceTransformerEncoder(config, path, cache_size=0)
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()
    import torch

    docs = passages(n_passages)
    tokens = [token_count(enc.model, config.model.document_prompt + d) for d in docs]
    enc.encode_documents(docs[:batch])  # warm-up
    t0 = time.perf_counter()
    enc.encode_documents(docs)
    encode_s = time.perf_counter() - t0
    qs = questions(n_queries + 5)
    for q in qs[:5]:
        enc.encode_queries([q])
    lat = []
    for q in qs[5:]:
        t0 = time.perf_counter()
        enc.encode_queries([q])
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    return {"threads": threads, "torch_threads": torch.get_num_threads(), "batch_size": batch,
            "max_seq_length": window, "load_s": round(load_s, 2), "rss_before_load_mb": round(rss0),
            "rss_after_load_mb": round(rss_loaded), "peak_rss_mb": round(_peak_mb()),
            "passages": n_passages, "passage_chars": 150, "passage_tokens_mean": round(statistics.mean(tokens), 1),
            "passages_per_s": round(n_passages / encode_s, 1), "queries": n_queries,
            "query_p50_ms": round(lat[len(lat) // 2], 1), "query_p95_ms": round(lat[int(len(lat) * 0.95) - 1], 1)}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def time_build() -> dict:
    """Build the default model from scratch into a temporary folder, in a child process."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-model-"))
    env = {**os.environ, "QABOT_PATHS_MODELS_DIR": str(tmp), "QABOT_CONFIG": str(ROOT / "config.toml")}
    try:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "index.embedding.model"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file())
        return {"build_s": round(seconds, 1), "build_peak_rss_mb": round(peak), "folder_mb": round(size / 2**20)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Print the embedding figures (a table, or one JSON object with --json)."""
    ap = argparse.ArgumentParser(prog="python -m bench.bench_embed", description=main.__doc__)
    ap.add_argument("--threads", default="2,0", help="comma-separated torch thread counts; 0 = torch's default")
    ap.add_argument("--passages", type=int, default=320)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--window", type=int, default=256, help="max_seq_length")
    ap.add_argument("--build", action="store_true", help="also time a from-scratch model build (~20 s, ~0.5 GB)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure(args.child, args.passages, args.queries, args.batch, args.window)))
        return 0
    report: dict = {"build": time_build() if args.build else None, "runs": []}
    for threads in [int(t) for t in args.threads.split(",") if t.strip()]:
        cmd = [sys.executable, "-m", "bench.bench_embed", "--child", str(threads), "--passages", str(args.passages),
               "--queries", str(args.queries), "--batch", str(args.batch), "--window", str(args.window)]
        out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        report["runs"].append(json.loads(out.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    if report["build"]:
        b = report["build"]
        print(f"model build: {b['build_s']} s, peak {b['build_peak_rss_mb']} MiB, folder {b['folder_mb']} MiB")
    for r in report["runs"]:
        print(f"threads={r['threads']} (torch {r['torch_threads']}): load {r['load_s']} s, "
              f"RSS after load {r['rss_after_load_mb']} MiB (peak {r['peak_rss_mb']}); "
              f"{r['passages_per_s']} passages/s ({r['passages']} x {r['passage_chars']} chars, "
              f"~{r['passage_tokens_mean']} tokens, batch {r['batch_size']}, window {r['max_seq_length']}); "
              f"query p50 {r['query_p50_ms']} ms, p95 {r['query_p95_ms']} ms ({r['queries']} queries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
