"""Growth test: the project's own question set on the seed corpus alone, then with thousands of distractor passages."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.distractors import law_documents, report_documents
from bench.squad import mirror
from bench.workspace import ROOT, ensure_index, workspace_config
from index.config import Config, load_config
from index.ingest.load import iter_corpus

DEFAULT_DATA = ROOT.parent / "shared" / "data"
TOLERANCE = 0.02  # answer and refusal accuracy may drop at most 2 points


def seed_files(config: Config) -> dict[str, bytes]:
    """Args: config: the project's settings. Returns: its corpus documents and their sidecars, name -> bytes."""
    files: dict[str, bytes] = {}
    for path in iter_corpus(config.corpus_dir):
        files[str(path.relative_to(config.corpus_dir))] = path.read_bytes()
        side = path.with_name(path.name[: -len(path.suffix)] + ".meta.json")
        if side.is_file():
            files[str(side.relative_to(config.corpus_dir))] = side.read_bytes()
    return files


def growth_corpus(config: Config, data: Path, folder: Path) -> dict[str, int]:
    """Fill a corpus folder with the seed corpus (as received) plus the distractor documents.

    Args:
        config: the project's settings (its corpus folder is the seed).
        data: the folder holding gov_work_reports_2026/ and prc_laws/.
        folder: the growth corpus folder.

    Returns:
        Document counts: {"seed", "reports", "laws"}.
    """
    files = seed_files(config)
    reports = report_documents(data / "gov_work_reports_2026")
    laws = law_documents(data / "prc_laws")
    files.update(reports)
    files.update(laws)
    mirror(files, folder)
    count = lambda d: sum(not n.endswith(".meta.json") for n in d)  # noqa: E731
    return {"seed": count(seed_files(config)), "reports": count(reports), "laws": count(laws)}


def grown_rows(rows: list[dict]) -> list[dict]:
    """The question set as it stands on the grown corpus: a question whose `grown` entry says the distractors
    answer it (护照过期了怎么换新 -> 护照法 第十一条) is judged by that entry.

    Args:
        rows: the question set.

    Returns:
        New rows; those with a `grown` entry take its answerable, expect and expect_any.
    """
    return [{**r, **r["grown"]} if "grown" in r else r for r in rows]


def main(argv: list[str] | None = None) -> int:
    """Run the growth test. Args: argv: command-line arguments. Returns: 0 when within tolerance (or skipped), else 1."""
    from bot.evaluate import DEFAULT_QUESTIONS, load_questions, run

    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding the distractor sets")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--config", help="config file")
    parser.add_argument("--failures", action="store_true", help="list the questions that change between the runs")
    args = parser.parse_args(argv)
    if not ((args.data / "gov_work_reports_2026").is_dir() and (args.data / "prc_laws").is_dir()):
        print(f"growth test skipped: {args.data} holds no gov_work_reports_2026/ and prc_laws/ (pass --data DIR)",
              file=sys.stderr)
        return 0
    config = load_config(args.config)
    rows = load_questions(args.questions)
    from index.embedding.embed import load_encoder

    encoder = load_encoder(config)
    work = ROOT / ".cache" / "growth"
    seed_cfg = workspace_config(config, work / "seed")
    grown_cfg = workspace_config(config, work / "grown")
    mirror(seed_files(config), seed_cfg.corpus_dir)
    counts = growth_corpus(config, args.data, grown_cfg.corpus_dir)
    results, sizes = {}, {}
    for label, cfg in (("seed", seed_cfg), ("grown", grown_cfg)):
        sizes[label] = ensure_index(cfg, encoder)["passages"]
        results[label] = run(cfg, rows if label == "seed" else grown_rows(rows), encoder)
    seed, grown = results["seed"], results["grown"]
    print(f"{len(rows)} questions; seed corpus {counts['seed']} document(s), {sizes['seed']} passages; grown: + "
          f"{counts['reports']} work reports + {counts['laws']} laws, {sizes['grown']} passages")
    changed = [r["id"] for r in rows if "grown" in r]
    if changed:
        print(f"premise changed by the distractors (the question's `grown` entry): {', '.join(changed)}")
    print(f"{'':22}{'seed':>10}{'grown':>10}{'change':>10}")
    ok = True
    for key, label in (("answer_accuracy", "answer accuracy"), ("refusal_accuracy", "refusal accuracy")):
        delta = grown[key] - seed[key]
        ok &= delta >= -TOLERANCE
        print(f"{label:22}{seed[key]:>10.1%}{grown[key]:>10.1%}{delta * 100:>+9.1f}p")
    print("within 2 points: " + ("yes" if ok else "NO"))
    if args.failures:
        before = {f["id"] for f in seed["failures"]}
        for f in grown["failures"]:
            if f["id"] not in before:
                print(f"  new failure {f['id']} [{f['kind']}] {f['question']}  expect={f['expect']}\n      {f['answer']!r}")
        for f in seed["failures"]:
            if f["id"] not in {g["id"] for g in grown["failures"]}:
                print(f"  fixed by growth {f['id']} {f['question']}")
    (work / "summary.json").write_text(json.dumps({"counts": counts, "passages": sizes, "results": {
        k: {m: v[m] for m in ("answer_accuracy", "refusal_accuracy", "answerable", "unanswerable")}
        for k, v in results.items()}}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
