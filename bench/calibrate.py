"""Fit the answer-or-refuse decision (bot/read/weights/decision.json) on question sets about documents added beside
the seed: what the reading model and retrieval measured, against whether answering was right."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from bench.newdocs import DEFAULT_DATA, ROOT, load_manifest, prepare
from bot.read.decide import FEATURES, Decision

DECISION = "decision.json"


def workspace_config(folder: Path):
    """Args: folder: a prepared workspace (bench.newdocs.prepare). Returns: the settings that serve it."""
    from index.config import load_config

    return load_config(ROOT / "config.toml", env={"QABOT_PATHS_CORPUS_DIR": str(folder / "corpus"),
                                                  "QABOT_PATHS_DATA_DIR": str(folder / "data"),
                                                  "QABOT_PATHS_MODELS_DIR": str(ROOT / ".cache" / "models")})


def measure(service, rows: list[dict]) -> list[dict]:
    """What the pipeline measures for each question, and whether answering it would be right.

    Args:
        service: a loaded QAService.
        rows: question-set rows (each with the name of its set under "set").

    Returns:
        One record a question: {"set", "id", "answerable", "right" (the answer would hold the expected facts),
        "features"}; questions the bot never searches (unusable input) are left out.
    """
    from bot.evaluate import judge
    from bot.understand.normalize import prepare as prepare_question

    out = []
    snap = service._current()
    for row in rows:
        prepared = prepare_question(row["question"], service.config.answer.max_question_chars)
        if prepared.problem:
            continue
        result = service._search(snap, prepared.text)
        evidence = service._read(prepared.text, result, snap=snap)
        if evidence is None:
            continue
        answer = service._answered(prepared, snap, evidence, result.hits).to_json()
        answerable = bool(row.get("answerable", True))
        right = answerable and judge(row, answer)
        span = evidence.reading.answer.strip(" ，,。；;：:、")
        out.append({"set": row.get("set", ""), "id": row["id"], "answerable": answerable, "right": right,
                    "features": evidence.features, "span_score": float(evidence.reading.span_score),
                    "span_right": answerable and bool(span) and judge(row, {"answered": True, "answer": span})})
    return out


def short_answers(records: list[dict], scores: tuple[float, ...]) -> list[dict]:
    """How the short answer shown first would fare at each span-score gate, on the questions answered rightly.

    Args:
        records: from measure().
        scores: the gates to report ([answer] short_answer_score values).

    Returns:
        One row a gate: {"score", "shown" (share of right answers that would show their span first),
        "span_right" (share of those spans holding every expected fact on their own)}.
    """
    right = [r for r in records if r["right"]]
    out = []
    for score in scores:
        shown = [r for r in right if r["span_score"] >= score]
        out.append({"score": score, "shown": round(len(shown) / max(1, len(right)), 3),
                    "span_right": round(sum(r["span_right"] for r in shown) / max(1, len(shown)), 3),
                    "n": len(shown)})
    return out


def accuracy(records: list[dict], probs: np.ndarray, threshold: float) -> tuple[float, float]:
    """Args: records; probs: each record's probability; threshold. Returns: (answers right, refusals right)."""
    ans = [r for r in records if r["answerable"]]
    ans_ok = sum(r["right"] and p >= threshold for r, p in zip(records, probs) if r["answerable"])
    ref = [p < threshold for r, p in zip(records, probs) if not r["answerable"]]
    return ans_ok / max(1, len(ans)), sum(ref) / max(1, len(ref))


def fit(records: list[dict], c: float = 1.0) -> Decision:
    """A logistic model of "answering is right" over the features, and the threshold that serves answerable and
    unanswerable questions alike (the highest mean of both accuracies).

    Args:
        records: from measure().
        c: the inverse regularisation strength.

    Returns:
        The Decision.
    """
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r["features"][k] for k in FEATURES] for r in records], dtype=np.float64)
    y = np.array([int(r["right"]) for r in records])
    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=1000).fit((x - mean) / scale, y)
    w, b = model.coef_[0], float(model.intercept_[0])
    probs = 1.0 / (1.0 + np.exp(-(((x - mean) / scale) @ w + b)))
    best = max(np.unique(np.round(probs, 3)), key=lambda t: (sum(accuracy(records, probs, t)), -t))
    return Decision(dict(zip(FEATURES, map(float, w))), b, dict(zip(FEATURES, map(float, mean))),
                    dict(zip(FEATURES, map(float, scale))), float(best))


def cross_validate(records: list[dict]) -> tuple[float, float]:
    """Args: records (from measure()). Returns: (answers right, refusals right) of decisions each fit without one
    set and scored on it: questions about a document the decision never saw, as staff's next document will be."""
    ans_ok = ans_n = ref_ok = ref_n = 0
    for name in sorted({r["set"] for r in records}):
        d = fit([r for r in records if r["set"] != name])
        for r in (r for r in records if r["set"] == name):
            p = d.probability(r["features"])
            if r["answerable"]:
                ans_n += 1
                ans_ok += r["right"] and p >= d.threshold
            else:
                ref_n += 1
                ref_ok += p < d.threshold
    return ans_ok / max(1, ans_n), ref_ok / max(1, ref_n)


def main(argv: list[str] | None = None) -> int:
    """Calibrate. Args: argv: command-line arguments. Returns: 0, or 2 when the data folder is absent."""
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--status", default="dev,blind",
                        help="which sets calibrate (blind sets once scored as received; never the sealed ones)")
    parser.add_argument("--weights", type=Path, help="the weights folder (default: the shipped one)")
    parser.add_argument("--dry-run", action="store_true", help="report, do not write decision.json")
    args = parser.parse_args(argv)
    if not (args.data / "prc_laws").is_dir():
        print(f"cannot calibrate: {args.data} holds no prc_laws/ (pass --data DIR)", file=sys.stderr)
        return 2
    from bot.read.build import WEIGHTS, base_folder, ensure
    from bot.read.reader import Reader
    from bot.service import QAService

    weights = args.weights or WEIGHTS
    documents, sets = load_manifest()
    wanted = set(args.status.split(",")) - {"sealed"}
    sets = [s for s in sets if s.status in wanted and s.file.is_file()]
    folder = ROOT / ".cache" / "eval-docs"
    prepare(ROOT, folder, args.data, documents, ROOT / ".cache" / "models")
    config = workspace_config(folder)
    # The reader's own search (its window scores), whichever engine config.toml serves with.
    config = dataclasses.replace(config, answer=dataclasses.replace(config.answer, engine="reader"))
    base = base_folder(config)
    reader = Reader(ensure(config.models_dir, base, weights), base, config.reader.threads)
    service = QAService(config, reader=reader, decision=Decision.from_logit())
    service.load()
    rows = [{**json.loads(x), "set": s.name} for s in sets for x in s.file.read_text(encoding="utf-8").splitlines()
            if x.strip()]
    records = measure(service, rows)
    decision = fit(records)
    probs = np.array([decision.probability(r["features"]) for r in records])
    fitted = accuracy(records, probs, decision.threshold)
    held = cross_validate(records)
    reachable = sum(r["right"] for r in records) / max(1, sum(r["answerable"] for r in records))
    note = {"sets": [s.name for s in sets], "questions": len(records),
            "answers_right_fitted": round(fitted[0], 4), "refusals_right_fitted": round(fitted[1], 4),
            "answers_right_leave_one_set_out": round(held[0], 4), "refusals_right_leave_one_set_out": round(held[1], 4),
            "best_excerpt_right": round(reachable, 4)}
    decision = Decision(decision.weights, decision.bias, decision.mean, decision.scale, decision.threshold, note)
    print(json.dumps(note, ensure_ascii=False, indent=1))
    print(f"short answer shown first ([answer] short_answer_score; config.toml has {config.answer.short_answer_score}):")
    for row in short_answers(records, (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0)):
        print(f"  score >= {row['score']:4.1f}: shown for {row['shown']:6.1%} of right answers ({row['n']}), "
              f"the span alone holds the facts for {row['span_right']:6.1%}")
    print("weights: " + ", ".join(f"{k} {v:+.2f}" for k, v in decision.weights.items()) +
          f"; threshold {decision.threshold:.3f}")
    if not args.dry_run:
        decision.save(weights / DECISION)
        print(f"wrote {weights / DECISION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
