"""`make eval-external`: open retrieval on public SQuAD-format sets (CMRC 2018, DRCD) through the bot's own ask() path."""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from bench.squad import Question, load_squad, write_corpus
from bench.workspace import ROOT, ensure_index, workspace_config
from index.config import Config, load_config

SETS = {"cmrc": ("cmrc2018", "cmrc2018_dev.json"), "drcd": ("drcd", "DRCD_dev.json")}
DEFAULT_DATA = ROOT.parent / "shared" / "data"
MODES = ("hybrid", "dense", "lexical")


def norm(text: str) -> str:
    """Args: text: an answer or a gold span. Returns: it NFKC-folded, lower-cased, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def in_traditional(text: str) -> bool:
    """Args: text: a quote. Returns: True when it holds Traditional-only characters or none specific to either script.

    (Taiwanese text keeps characters such as 台 that OpenCC would still convert; a majority vote would miss it.)
    """
    from index.ingest.clean import to_simplified, to_traditional

    return to_simplified(text) != text or to_traditional(text) == text


def ask_all(config: Config, questions: list[Question], encoder) -> dict:
    """Ask every question through QAService.ask() and score retrieval and answers.

    Args:
        config: workspace settings; config.search.mode picks hybrid, dense or lexical.
        questions: the questions.
        encoder: a shared Encoder.

    Returns:
        The figures (top1, top5, hit, hit_any_script, median_chars, refusal, qps, p50_ms, p95_ms, traditional)
        and "rows", one per question.
    """
    from bot.service import QAService
    from index.ingest.clean import to_simplified

    service = QAService(config, encoder=encoder)
    service.load()
    searcher = service._current().searcher
    seen: list = []
    real_search = searcher.search

    def spy(*args, **kwargs):  # records what ask() retrieved, without changing it
        result = real_search(*args, **kwargs)
        seen.append(result)
        return result

    searcher.search = spy
    rows, times = [], []
    t0 = time.perf_counter()
    for q in questions:
        seen.clear()
        t = time.perf_counter()
        ans = service.ask(q.question)
        times.append(time.perf_counter() - t)
        docs = [h.passage.doc_id for h in seen[0].hits] if seen else []  # the first search: the answering engine's
        quote = ans.quote if ans.answered else ""
        gold = [norm(a) for a in q.answers]
        hit = bool(quote) and any(g in norm(quote) for g in gold)
        loose = bool(quote) and any(norm(to_simplified(g)) in norm(to_simplified(quote)) for g in q.answers)
        rows.append({"id": q.qid, "question": q.question, "gold": list(q.answers), "doc": q.doc_id,
                     "top": docs[:5], "answered": ans.answered, "quote": quote, "hit": hit, "loose": loose,
                     "script": ans.script, "kind": ans.kind})
    secs = time.perf_counter() - t0
    answered = [r for r in rows if r["answered"]]
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    times.sort()
    return {
        "questions": len(rows),
        "top1": mean([bool(r["top"]) and r["top"][0] == r["doc"] for r in rows]),
        "top5": mean([r["doc"] in r["top"][:5] for r in rows]),
        "hit": mean([r["hit"] for r in rows]),
        "hit_any_script": mean([r["loose"] for r in rows]),
        "median_chars": statistics.median([len(r["quote"]) for r in answered]) if answered else 0,
        "refusal": mean([not r["answered"] for r in rows]),
        "traditional": mean([in_traditional(r["quote"]) for r in answered]),
        "qps": len(rows) / secs if secs else 0.0,
        "p50_ms": 1000 * times[len(times) // 2] if times else 0.0,
        "p95_ms": 1000 * times[min(len(times) - 1, int(len(times) * 0.95))] if times else 0.0,
        "rows": rows,
    }


def run_set(name: str, data_dir: Path, config: Config, encoder, limit: int | None, modes: list[str],
            rebuild: bool = False, keep_vectors: bool = False, asked_only: bool = False) -> dict | None:
    """Run one named set (cmrc, drcd) from the data folder; None (with a message) when its file is absent."""
    folder, filename = SETS[name]
    path = data_dir / folder / filename
    if not path.is_file():
        print(f"{name}: {path} not found - skipped (pass --data DIR holding {folder}/{filename})", file=sys.stderr)
        return None
    work = ROOT / ".cache" / "external" / (name + ("-asked" if asked_only else ""))
    return run_file(path, name, work, config, encoder, limit, modes, rebuild, keep_vectors, asked_only)


def run_file(path: Path, name: str, work: Path, config: Config, encoder, limit: int | None, modes: list[str],
             rebuild: bool = False, keep_vectors: bool = False, asked_only: bool = False) -> dict:
    """Index every context of a SQuAD-format file into a workspace and ask its questions in each mode.

    Args:
        path: the SQuAD-format file.
        name: the set's label ("drcd" also reports the share of answers in Traditional).
        work: the workspace folder (corpus/, index/, answers_<mode>.jsonl, summary.json).
        config: the project's settings.
        encoder: the Encoder.
        limit: ask only the first `limit` questions (the whole file is indexed).
        modes: search modes to run, the first one on cold vectors.
        rebuild: rebuild the index even when nothing changed.
        keep_vectors: keep question and sentence vectors between runs (speed figures then mean nothing).
        asked_only: index only the contexts the asked questions come from (fewer distractors: a quicker, easier
            run whose figures compare engines with each other, not with a whole-set run).

    Returns:
        {"set", "file", "contexts", "index": {...}, "modes": {mode: figures}, "vectors_kept"}.
    """
    from bench.memo import MemoEncoder, prefill

    contexts, questions = load_squad(path)
    questions = questions[:limit] if limit else questions
    if asked_only:
        asked = {q.doc_id for q in questions}
        contexts = [c for c in contexts if c.doc_id in asked]
    wcfg = workspace_config(config, work)
    write_corpus(contexts, wcfg.corpus_dir)
    built = ensure_index(wcfg, encoder, rebuild=rebuild)
    memo = MemoEncoder(encoder, work / "memo" if keep_vectors else None)
    if keep_vectors:
        prefill(memo, wcfg, questions)
    out = {"set": name, "file": path.name, "contexts": len(contexts), "index": built, "modes": {},
           "vectors_kept": keep_vectors}
    for mode in modes:
        mcfg = dataclasses.replace(wcfg, search=dataclasses.replace(wcfg.search, mode=mode))
        figures = ask_all(mcfg, questions, memo)
        rows = figures.pop("rows")
        (work / f"answers_{mode}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        out["modes"][mode] = figures
        memo.save()
        print(f"{name} {mode}: {_line(figures)}", file=sys.stderr)
    (work / "summary.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def _line(f: dict) -> str:
    return (f"top1 {f['top1']:.3f} top5 {f['top5']:.3f} hit {f['hit']:.3f} median {f['median_chars']:.0f} "
            f"refused {f['refusal']:.1%} {f['qps']:.1f} q/s")


def report(result: dict) -> str:
    """Args: result: run_set() output. Returns: a text table, one column per mode."""
    modes = list(result["modes"])
    figs = result["modes"]
    rows = [("gold context top-1", "top1", "{:.3f}"), ("gold context top-5", "top5", "{:.3f}"),
            ("answer hit", "hit", "{:.3f}"), ("answer hit (either script)", "hit_any_script", "{:.3f}"),
            ("median answer chars", "median_chars", "{:.0f}"), ("refusal rate", "refusal", "{:.1%}"),
            ("answers in Traditional", "traditional", "{:.1%}"), ("questions/s", "qps", "{:.1f}"),
            ("latency p50 ms", "p50_ms", "{:.0f}"), ("latency p95 ms", "p95_ms", "{:.0f}")]
    first = figs[modes[0]]
    ix = result["index"]
    head = (f"{result['set']} ({result['file']}): {first['questions']} questions over {result['contexts']} contexts, "
            f"{ix['passages']} passages" + ("" if ix["reused_index"] else f", indexed in {ix['seconds']} s")
            + ("; vectors kept from earlier runs, speed figures not valid" if result.get("vectors_kept") else ""))
    lines = [head, f"{'':28}" + "".join(f"{m:>10}" for m in modes)]
    for label, key, fmt in rows:
        if key == "traditional" and result["set"] != "drcd":
            continue
        lines.append(f"{label:28}" + "".join(f"{fmt.format(figs[m][key]):>10}" for m in modes))
    if len(modes) > 1:
        lines.append(f"(speed of {', '.join(modes[1:])}: question vectors reused from the {modes[0]} run)")
    return "\n".join(lines)


def baseline_run(rev: str, name: str, data: Path, mode: str, limit: int | None) -> dict | None:
    """Run another code version's own `python -m bench.external` on one set and read its summary.

    Args:
        rev: a git revision (checked out under .cache/trees/).
        name: the set (cmrc, drcd).
        data: the shared data folder.
        mode: the search mode.
        limit: as for run_set.

    Returns:
        Its summary ({"modes": {mode: figures}, ...}), or None when it could not run (a message says why).
    """
    import os
    import subprocess

    from bench.newdocs import checkout

    try:
        tree = checkout(rev)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"baseline {rev} skipped: no git checkout of it ({exc})", file=sys.stderr)
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("QABOT_")}
    env.update(PYTHONPATH=str(tree), QABOT_PATHS_MODELS_DIR=str(ROOT / ".cache" / "models"))
    cmd = [sys.executable, "-m", "bench.external", "--set", name, "--modes", mode, "--data", str(data)]
    done = subprocess.run(cmd + (["--limit", str(limit)] if limit else []), cwd=tree, env=env, capture_output=True,
                          text=True)
    summary = tree / ".cache" / "external" / name / "summary.json"
    if done.returncode != 0 or not summary.is_file():
        print(f"baseline {rev} failed on {name}:\n{done.stderr[-1500:]}", file=sys.stderr)
        return None
    return json.loads(summary.read_text(encoding="utf-8"))


def side_by_side(result: dict, baseline: dict | None, label: str) -> str:
    """Args: result: run_set() output; baseline: baseline_run() output; label: its name. Returns: the comparison."""
    if not baseline:
        return f"(baseline {label}: not measured)"
    mode = next(iter(result["modes"]))
    now, then = result["modes"][mode], baseline["modes"].get(mode) or next(iter(baseline["modes"].values()))
    rows = [("gold context top-1", "top1", "{:.3f}"), ("answer hit", "hit", "{:.3f}"),
            ("median answer chars", "median_chars", "{:.0f}"), ("refusal rate", "refusal", "{:.1%}"),
            ("latency p95 ms", "p95_ms", "{:.0f}")]
    lines = [f"{result['set']} {mode}, side by side:{'':6}{'now':>10}{label:>10}"]
    lines += [f"  {name:34}{fmt.format(now[key]):>10}{fmt.format(then[key]):>10}" for name, key, fmt in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the external evaluation. Args: argv: command-line arguments. Returns: 0 (also when data is absent)."""
    parser = argparse.ArgumentParser(prog="python -m bench.external", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding cmrc2018/ and drcd/")
    parser.add_argument("--set", choices=("cmrc", "drcd", "both"), default="both")
    parser.add_argument("--limit", type=int, help="ask only the first N questions (the whole set is indexed)")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: hybrid,dense,lexical")
    parser.add_argument("--config", help="config file")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even when nothing changed")
    parser.add_argument("--keep-vectors", action="store_true",
                        help="keep question and sentence vectors between runs (fast iteration; speed figures invalid)")
    parser.add_argument("--baseline", help="also run this git revision's own bench.external, side by side")
    parser.add_argument("--asked-only", action="store_true",
                        help="index only the contexts the asked questions come from (quick; compares engines only)")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if bad := [m for m in modes if m not in MODES]:
        parser.error(f"unknown mode(s): {', '.join(bad)} (choose from {', '.join(MODES)})")
    if not args.data.is_dir():
        print(f"external evaluation skipped: data folder {args.data} not found (pass --data DIR)", file=sys.stderr)
        return 0
    config = load_config(args.config)
    from index.embedding.embed import load_encoder

    encoder = load_encoder(config)
    t0 = time.perf_counter()
    for name in (("cmrc", "drcd") if args.set == "both" else (args.set,)):
        result = run_set(name, args.data, config, encoder, args.limit, modes, args.rebuild, args.keep_vectors,
                         args.asked_only)
        if result:
            print(report(result), flush=True)
            if args.baseline:
                print(side_by_side(result, baseline_run(args.baseline, name, args.data, modes[0], args.limit),
                                   args.baseline), flush=True)
            print(flush=True)
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
