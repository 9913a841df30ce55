"""How fast one staff `add` lands on a 10,000-passage index: in process, through the CLI, and the server's reload.

    .venv/bin/python -m bench.bench_update [--data ../shared/data] [--passages 10000] [--runs 3] [--json]

The base corpus is generated from the 2026 government work reports under --data (read there, never copied into
the project) or, when they are absent, from a synthetic generator; its index is cached under .cache/bench.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.workspace import ROOT, ensure_index, workspace_config
from index.config import load_config
from index.passages.segment import split_sentences

PARAGRAPHS_PER_DOC = 25
_HAN = re.compile(r"[\u4e00-\u9fff]")


def report_sentences(data_dir: Path) -> dict[str, list[str]]:
    """Args: data_dir: the shared data folder. Returns: province -> sentences of its 2026 work report ({} if absent)."""
    folder = data_dir / "gov_work_reports_2026"
    out: dict[str, list[str]] = {}
    csv.field_size_limit(1 << 30)
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                text = row.get("full_text") or ""
                sents = [s.strip() for line in text.splitlines() for s in split_sentences(re.sub(r"\s+", "", line))]
                good = [s for s in sents if 15 <= len(s) <= 120 and len(_HAN.findall(s)) > 0.6 * len(s)]
                if good:
                    out.setdefault(row.get("province") or path.stem, []).extend(good)
    return out


def synthetic_sentences(rng: random.Random, n: int = 6000) -> dict[str, list[str]]:
    """Args: rng: random source; n: sentences per place. Returns: place -> made-up work-report sentences."""
    places = ["东湖区", "西山县", "南港新区", "北岭市", "青川县", "临江区", "云台市", "金沙县"]
    acts = ["推进", "实施", "完善", "深化", "建设", "优化", "推广", "启动"]
    things = ["一网通办改革", "社区养老服务", "智慧交通平台", "营商环境评价", "农村电商服务站", "老旧小区改造",
              "中小企业一揽子授信", "河长制巡查", "职业技能培训", "公共法律服务"]
    units = ["个", "项", "家", "万人次", "公里", "亿元", "所"]
    out = {}
    for place in places:
        out[place] = [f"{place}{rng.choice(acts)}{rng.choice(things)}，全年完成{rng.randint(2, 980)}"
                      f"{rng.choice(units)}，比上年增长{rng.randint(1, 60)}%。" for _ in range(n)]
    return out


def write_corpus(folder: Path, sentences: dict[str, list[str]], passages: int, seed: int = 2026) -> int:
    """Write documents of PARAGRAPHS_PER_DOC short paragraphs each (one passage a paragraph) with sidecars.

    Args:
        folder: the corpus folder (emptied first).
        sentences: place -> sentences to draw from.
        passages: how many paragraphs in all.
        seed: random seed (the same corpus every run).

    Returns:
        The number of documents written.
    """
    rng = random.Random(seed)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    places = sorted(sentences)
    docs = -(-passages // PARAGRAPHS_PER_DOC)
    for k in range(docs):
        place = places[k % len(places)]
        n = min(PARAGRAPHS_PER_DOC, passages - k * PARAGRAPHS_PER_DOC)
        # two sentences from two places: paragraphs (and so passages) are all but never repeated
        paras = [rng.choice(sentences[place]) + rng.choice(sentences[rng.choice(places)]) for _ in range(n)]
        stem = f"{k:03d}_{k:016x}"
        (folder / f"{stem}.txt").write_text("\n".join(paras) + "\n", encoding="utf-8")
        meta = {"title": f"{place}政府工作报告摘编（第{k // len(places) + 1}辑）", "date": "2026-02-09"}
        (folder / f"{stem}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return docs


def new_document(path: Path, sentences: dict[str, list[str]], run: int) -> Path:
    """Args: path: where to write; sentences: to draw from; run: varies the text. Returns: a fresh 12-paragraph case."""
    rng = random.Random(10_000 + run)
    places = sorted(sentences)
    paras = [f"基准测试区政府推出《第{run}号便民服务创新》，当年办结群众诉求{1000 + run}件。"]
    paras += [rng.choice(sentences[rng.choice(places)]) for _ in range(11)]
    path.write_text("\n".join(paras) + "\n", encoding="utf-8")
    return path


def fresh_copy(base, folder: Path):
    """Args: base: the cached workspace's Config; folder: an empty folder. Returns: a Config over a copy of it."""
    shutil.copytree(base.corpus_dir, folder / "corpus")
    current = (base.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    shutil.copytree(base.index_dir / "versions" / current, folder / "index" / "versions" / current)
    (folder / "index" / "CURRENT").write_text(current + "\n", encoding="utf-8")
    return workspace_config(base, folder)


def config_file(config, path: Path) -> Path:
    """Args: config: a workspace Config; path: where to write. Returns: a config.toml with its folders."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for key, value in (("corpus_dir", config.corpus_dir), ("data_dir", config.data_dir),
                       ("models_dir", config.models_dir)):
        text = re.sub(rf"(?m)^{key}\s*=.*$", f"{key} = {json.dumps(str(value))}", text)
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_update", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/data", help="folder holding gov_work_reports_2026/")
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", default=".cache/bench")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line runs")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    args = parser.parse_args(argv)

    from bot.service import QAService
    from index.embedding.embed import load_encoder
    from index.manage import changes

    config = load_config(ROOT / "config.toml", env={})
    sentences = report_sentences(Path(args.data))
    source = "2026 government work reports" if sentences else "synthetic generator (reports not found)"
    sentences = sentences or synthetic_sentences(random.Random(7))
    base = workspace_config(config, (ROOT / args.cache / f"update-{args.passages}").resolve())
    docs = write_corpus(base.corpus_dir, sentences, args.passages)  # same bytes every run: the cached index stays valid
    print(f"corpus: {docs} documents, {args.passages} paragraphs, from {source}", file=sys.stderr)
    encoder = load_encoder(config)
    built = ensure_index(base, encoder)
    cores = os.cpu_count()
    scratch = Path(tempfile.mkdtemp(prefix="update-", dir=ROOT / args.cache))
    results: dict = {"passages": built["passages"], "documents": docs, "cores": cores, "source": source,
                     "in_process_s": [], "reload_s": [], "cli_s": [], "added_passages": []}
    try:
        for run in range(args.runs):
            work = fresh_copy(base, scratch / f"p{run}")
            service = QAService(work, encoder=encoder)
            service.load()
            doc = new_document(scratch / f"new{run}.txt", sentences, run)
            t0 = time.perf_counter()
            result = changes.add_documents(work, [doc], encoder=encoder, by="bench")
            results["in_process_s"].append(time.perf_counter() - t0)
            results["added_passages"].append(result.stats["embedded"])
            t1 = time.perf_counter()
            assert service.reload_if_changed()
            results["reload_s"].append(time.perf_counter() - t1)
            if not args.no_cli:
                work = fresh_copy(base, scratch / f"c{run}")
                env = {**os.environ, "QABOT_CONFIG": str(config_file(work, scratch / f"c{run}.toml"))}
                t2 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "index", "--quiet", "add", str(doc)], cwd=ROOT, env=env,
                               check=True, capture_output=True)
                results["cli_s"].append(time.perf_counter() - t2)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    med = {k: round(statistics.median(v), 2) for k, v in results.items() if k.endswith("_s") and v}
    results.update({f"{k}_median": v for k, v in med.items()})
    print(f"add one document ({results['added_passages'][0]} new passages) to {results['passages']} passages on "
          f"{cores} cores, median of {args.runs}: in process {med['in_process_s']} s"
          + (f", whole CLI command {med['cli_s']} s" if "cli_s" in med else "")
          + f"; server swap to the new version {med['reload_s']} s")
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
