"""In-process answer latency, build throughput, start-up time and peak memory, on the seed and a 10,000-passage corpus.

    .venv/bin/python -m bench.bench_query [--data ../shared/data] [--passages 10000] [--json]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.workspace import ROOT, ensure_index, workspace_config
from index.config import load_config

QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"


def _questions(new_documents: bool = False) -> list[str]:
    """Args: new_documents: the questions about the laws and reports of a make eval workspace (its dev sets) rather
    than the seed article's. Returns: the questions."""
    files = [QUESTIONS]
    if new_documents:
        from bench.newdocs import load_manifest

        files = [s.file for s in load_manifest()[1] if s.status == "dev"]
    return [json.loads(line)["question"] for f in files for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def measure(folder: str, engine: str = "") -> dict:
    """Run in a child process: load the workspace's index, ask every evaluation question once, report latency and memory.

    Args:
        folder: the workspace folder.
        engine: the [answer] engine to use (default: config.toml's).

    Returns:
        {"passages", "load_s", "p50_ms", "p95_ms", "max_ms", "peak_rss_mb"}.
    """
    from bot.service import QAService

    config = workspace_config(load_config(ROOT / "config.toml", env={}), Path(folder))
    eval_workspace = not (Path(folder) / "index").exists() and (Path(folder) / "data" / "index").exists()
    if eval_workspace:
        # A make eval workspace (bench/newdocs.py) keeps its index under data/.
        config = dataclasses.replace(config, paths=dataclasses.replace(config.paths, data_dir=str(Path(folder) / "data")))
    if engine:
        config = dataclasses.replace(config, answer=dataclasses.replace(config.answer, engine=engine))
    t0 = time.perf_counter()
    service = QAService(config)
    service.load()
    load_s = time.perf_counter() - t0
    times = []
    for q in _questions(eval_workspace):  # each question once: no answer comes from a cache
        t = time.perf_counter()
        service.ask(q)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"passages": service.status()["passages"], "load_s": round(load_s, 2),
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1), "questions": len(times),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)}


def _child(folder: Path, engine: str = "") -> dict:
    args = [sys.executable, "-m", "bench.bench_query", "--child", str(folder), "--engine", engine]
    out = subprocess.run(args, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def startup(folder: Path) -> float:
    """Args: folder: a workspace with a built index. Returns: seconds from `python -m bot ask` start to its answer."""
    import os

    conf = folder / "bench.toml"
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    conf.write_text(text.replace('corpus_dir = "corpus"', f'corpus_dir = "{folder / "corpus"}"')
                    .replace('data_dir = ".cache"', f'data_dir = "{folder}"')
                    .replace('models_dir = ".cache/models"', f'models_dir = "{ROOT / ".cache" / "models"}"'),
                    encoding="utf-8")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "ask", "李沧区民营社区卫生服务机构占比是多少？"], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "QABOT_CONFIG": str(conf)})
    return round(time.perf_counter() - t0, 2)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark. Args: argv: command-line arguments. Returns: exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_query", description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data", help="folder holding gov_work_reports_2026/")
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--cache", default=".cache/bench")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workspace", help="only measure answering on this built workspace, with each engine")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.engine)))
        return 0
    if args.workspace:
        for engine in ("auto", "rules", "reader"):
            r = _child(Path(args.workspace).resolve(), engine)
            print(f"{engine:>6}: {r['passages']} passages | answer p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms "
                  f"(in process, {r['questions']} questions) | peak RSS {r['peak_rss_mb']:.0f} MB")
        return 0
    import random

    from bench.bench_update import report_sentences, synthetic_sentences, write_corpus
    from index.embedding.embed import load_encoder

    config = load_config(ROOT / "config.toml", env={})
    encoder = load_encoder(config)
    cache = (ROOT / args.cache).resolve()
    results = {}
    # Seed corpus: a fresh build (every passage embedded) gives the build throughput.
    seed = workspace_config(config, cache / "query-seed")
    shutil.rmtree(seed.data_dir, ignore_errors=True)
    shutil.copytree(config.corpus_dir, seed.corpus_dir)
    built = ensure_index(seed, encoder, rebuild=True)
    results["seed"] = {**_child(seed.data_dir), "build_passages_per_s": round(built["passages"] / built["seconds"], 1),
                       "startup_s": startup(seed.data_dir)}
    # 10,000 passages of real government report text plus the seed article, so the questions still have answers.
    big = workspace_config(config, cache / f"query-{args.passages}")
    sentences = report_sentences(Path(args.data)) or synthetic_sentences(random.Random(7))
    write_corpus(big.corpus_dir, sentences, args.passages)
    for f in config.corpus_dir.glob("000_*"):
        shutil.copy2(f, big.corpus_dir / f.name)
    donor = cache / f"update-{args.passages}" / "index"
    if not big.index_dir.exists() and donor.exists():
        shutil.copytree(donor, big.index_dir)  # its vectors are reused: only passages not embedded there are embedded
    built = ensure_index(big, encoder)
    rate = built["embedded"] / built["seconds"] if built["embedded"] and built["seconds"] else None
    results["10k"] = {**_child(big.data_dir), "build_passages_per_s": round(rate, 1) if rate else "cached",
                      "startup_s": startup(big.data_dir)}
    for name, r in results.items():
        print(f"{name:>5}: {r['passages']} passages | build {r['build_passages_per_s']} passages/s | answer p50 "
              f"{r['p50_ms']} ms, p95 {r['p95_ms']} ms (in process, {r['questions']} questions) | start-up to first "
              f"answer {r['startup_s']} s (index load {r['load_s']} s) | peak RSS {r['peak_rss_mb']:.0f} MB")
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
