"""`make eval`: answer and refusal accuracy of the ask() path on a question set, beside dense-only and BM25-only."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from index import cli
from index.config import Config, load_config
from index.ingest.clean import to_simplified

DEFAULT_QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions.jsonl"


def load_questions(path: Path) -> list[dict]:
    """Args: path: a JSONL question set. Returns: its rows (id, kind, question, answerable, expect, expect_any)."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: not JSON: {exc}") from None
    return rows


def judge(row: dict, answer: dict) -> bool:
    """Whether one answer is right.

    Args:
        row: the question with its expected facts.
        answer: Answer.to_json().

    Returns:
        For an answerable question: answered and the expected fact(s) inside `answer`, in either script (a set's
        facts are written in Simplified; a question asked in Traditional is answered in Traditional); otherwise:
        not answered.
    """
    if not row.get("answerable", True):
        return not answer["answered"]
    if not answer["answered"]:
        return False
    text = answer["answer"].lower()
    texts = (text, to_simplified(text))
    facts = [f.lower() for f in row.get("expect", [])]
    hits = [any(f in t or to_simplified(f) in t for t in texts) for f in facts]
    return any(hits) if row.get("expect_any") else all(hits)


def run(config: Config, rows: list[dict], encoder=None) -> dict:
    """Ask every question through the service and score the answers.

    Args:
        config: settings (its [search] mode picks hybrid, dense or lexical).
        rows: the question set.
        encoder: a shared Encoder.

    Returns:
        {"answer_accuracy", "refusal_accuracy", "by_kind": {kind: accuracy}, "failures": [...], "seconds"}.
    """
    from bot.service import QAService

    service = QAService(config, encoder=encoder)
    service.load()
    t0 = time.perf_counter()
    per_kind: dict[str, list[bool]] = defaultdict(list)
    ans_ok, ref_ok, failures = [], [], []
    for row in rows:
        answer = service.ask(row["question"]).to_json()
        ok = judge(row, answer)
        per_kind[row.get("kind", "?")].append(ok)
        (ans_ok if row.get("answerable", True) else ref_ok).append(ok)
        if not ok:
            failures.append({"id": row.get("id"), "kind": row.get("kind"), "question": row["question"],
                             "expect": row.get("expect"), "answered": answer["answered"],
                             "answer": answer["answer"][:160]})
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    return {"answer_accuracy": mean(ans_ok), "refusal_accuracy": mean(ref_ok), "answerable": len(ans_ok),
            "unanswerable": len(ref_ok), "by_kind": {k: (mean(v), len(v)) for k, v in sorted(per_kind.items())},
            "failures": failures, "seconds": time.perf_counter() - t0}


def _with_mode(config: Config, mode: str) -> Config:
    return dataclasses.replace(config, search=dataclasses.replace(config.search, mode=mode))


def report(results: dict[str, dict]) -> str:
    """Args: results: mode -> run() result. Returns: a text table, one column per mode."""
    modes = list(results)
    lines = [f"{'':22}" + "".join(f"{m:>12}" for m in modes)]
    for key, label in (("answer_accuracy", "answer accuracy"), ("refusal_accuracy", "refusal accuracy")):
        lines.append(f"{label:22}" + "".join(f"{results[m][key]:>12.1%}" for m in modes))
    kinds = sorted({k for r in results.values() for k in r["by_kind"]})
    for k in kinds:
        n = results[modes[0]]["by_kind"].get(k, (0, 0))[1]
        lines.append(f"  {k + f' ({n})':20}" + "".join(f"{results[m]['by_kind'].get(k, (float('nan'),))[0]:>12.1%}"
                                                     for m in modes))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation. Args: argv: command-line arguments. Returns: 0, or 1 when a target is missed with --strict."""
    parser = argparse.ArgumentParser(prog="python -m bot.evaluate", description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL question set")
    parser.add_argument("--config", help="config file")
    parser.add_argument("--modes", default="hybrid,dense,lexical")
    parser.add_argument("--failures", action="store_true", help="list the questions the hybrid mode gets wrong")
    parser.add_argument("--json", type=Path, help="also write the full report here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when hybrid misses 95 %% / 90 %%")
    args = parser.parse_args(argv)
    # A missing index or model is a message with the command that fixes it, as in `python -m bot`.
    return cli.run(lambda: _evaluate(args))


def _evaluate(args) -> int:
    config = load_config(args.config)
    rows = load_questions(args.questions)
    from index.embedding.embed import load_encoder

    encoder = load_encoder(config)
    results = {m: run(_with_mode(config, m), rows, encoder) for m in args.modes.split(",")}
    print(f"{len(rows)} questions from {args.questions.name}: {results[next(iter(results))]['answerable']} answerable, "
          f"{results[next(iter(results))]['unanswerable']} not")
    print(report(results))
    main_mode = next(iter(results))
    if args.failures:
        for f in results[main_mode]["failures"]:
            print(f"  ✗ {f['id']} [{f['kind']}] {f['question']}  expect={f['expect']} answered={f['answered']}\n"
                  f"      {f['answer']!r}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    r = results[main_mode]
    if args.strict and (r["answer_accuracy"] < 0.95 or r["refusal_accuracy"] < 0.90):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
