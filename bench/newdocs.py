"""`make eval`: question sets asked through a code version's own ask(), optionally beside another version's answers.

Two suites: "new" is the seed plus the laws and work reports of tests/eval/docs/sets.toml, added one by one with the
staff command line, and the sets written about them; "seed" is the seed corpus alone and the sets written about the
seed article (questions, holdout, blind1-75), the regression check."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bench.workspace import ROOT
from bot.read.sources import staged_file

MANIFEST = ROOT / "tests" / "eval" / "docs" / "sets.toml"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
# Code whose change alters the passages: a change re-cuts the workspace (`index rebuild`, vectors reused).
_INDEX_CODE = ("index",)

# Run inside a code tree (its own `bot` and `index` first on sys.path): questions in on stdin, answers out on stdout.
# Only the public calls every version has: load_config, QAService(config).load(), ask(text).to_json().
_DRIVER = r"""
import json, sys
from index.config import load_config
from bot.service import QAService
service = QAService(load_config())
service.load()
for line in sys.stdin:
    row = json.loads(line)
    answer = service.ask(row["question"]).to_json()
    print(json.dumps({"id": row["id"], "answer": answer}, ensure_ascii=False), flush=True)
"""


@dataclass(frozen=True)
class QuestionSet:
    """One set of the manifest."""

    name: str
    file: Path
    status: str
    about: str = ""


def seed_sets() -> list[QuestionSet]:
    """Returns: the sets about the seed article, the regression check (blind1-59 also train the reading model)."""
    evals = ROOT / "tests" / "eval"
    blind = sorted(evals.glob("blind*.jsonl"), key=lambda p: int(p.stem[5:]))
    named = [QuestionSet("questions", evals / "questions.jsonl", "seed-trained"),
             QuestionSet("holdout", evals / "holdout.jsonl", "seed")]
    return named + [QuestionSet(p.stem, p, "seed" if int(p.stem[5:]) >= 60 else "seed-trained") for p in blind]


def load_manifest(path: Path = MANIFEST) -> tuple[list[str], list[QuestionSet]]:
    """Args: path: the manifest. Returns: (document files relative to the data folder, the question sets)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    docs = [d["file"] for d in data.get("document", [])]
    sets = [QuestionSet(s["name"], path.parent.parent / s["file"], s["status"], s.get("about", ""))
            for s in data.get("set", [])]
    return docs, sets


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(str(f.name).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _env(tree: Path, folder: Path, models: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QABOT_")}
    env.update(QABOT_CONFIG=str(tree / "config.toml"), QABOT_PATHS_CORPUS_DIR=str(folder / "corpus"),
               QABOT_PATHS_DATA_DIR=str(folder / "data"), QABOT_PATHS_MODELS_DIR=str(models),
               PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    return env


def _staff(tree: Path, env: dict, *args: str) -> None:
    cmd = [sys.executable, "-m", "index", "--quiet", *args]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"`python -m index {' '.join(args)}` failed in {tree}:\n{done.stderr[-2000:]}")


def prepare(tree: Path, folder: Path, data: Path, documents: list[str], models: Path, out=sys.stderr) -> None:
    """Make folder hold the seed corpus of `tree` plus every document, added one by one with that tree's staff CLI.

    A workspace built from the same documents is kept; when only the indexing code changed it is rebuilt in place
    (`index rebuild`, unchanged passages keep their vectors).

    Args:
        tree: the code version (a checkout holding bot/, index/, corpus/, config.toml).
        folder: the workspace.
        data: the shared data folder.
        documents: the manifest's documents.
        models: the built model folder to share.
        out: where progress goes.
    """
    env = _env(tree, folder, models)
    docs_key = _digest([tree / "corpus"] + [data / d for d in documents])
    code_key = _digest([tree / p for p in _INDEX_CODE])
    state_path = folder / "state.json"
    state = json.loads(state_path.read_text()) if state_path.is_file() else {}
    if state.get("docs") == docs_key:
        if state.get("code") != code_key:
            print(f"{folder.name}: indexing code changed: rebuilding", file=out)
            _staff(tree, env, "rebuild")
            state_path.write_text(json.dumps({"docs": docs_key, "code": code_key}))
        return
    t0 = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(tree / "corpus", folder / "corpus")
    _staff(tree, env, "build")
    for n, rel in enumerate(documents, 1):
        path, meta = staged_file(data, rel, folder / "incoming")
        flags = [x for k, v in meta.items() for x in (f"--{k}", v)]
        print(f"{folder.name}: [{n}/{len(documents)}] index add {Path(rel).name}", file=out)
        _staff(tree, env, "add", str(path), *flags, "--by", "eval")
    state_path.write_text(json.dumps({"docs": docs_key, "code": code_key}))
    print(f"{folder.name}: {len(documents)} documents added in {time.perf_counter() - t0:.0f} s", file=out)


def answer(tree: Path, folder: Path, models: Path, rows: list[dict], engine: str = "") -> dict[str, dict]:
    """Ask every question through `tree`'s own QAService.ask(), in a child process.

    Args:
        tree: the code version.
        folder: its workspace (prepare()).
        models: the shared model folder.
        rows: questions ({"id", "question", ...}).
        engine: the [answer] engine (default: the tree's config.toml).

    Returns:
        id -> Answer.to_json().
    """
    feed = "".join(json.dumps({"id": r["id"], "question": r["question"]}, ensure_ascii=False) + "\n" for r in rows)
    env = {**_env(tree, folder, models), **({"QABOT_ANSWER_ENGINE": engine} if engine else {})}
    done = subprocess.run([sys.executable, "-c", _DRIVER], cwd=tree, env=env, input=feed, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"answering failed in {tree}:\n{done.stderr[-2000:]}")
    return {x["id"]: x["answer"] for x in map(json.loads, done.stdout.splitlines())}


def cites(row: dict, ans: dict) -> bool | None:
    """Args: row: a question; ans: its answer. Returns: whether the reply names the article asked about (None when
    the question has no article)."""
    where = row.get("where", "")
    if not re.fullmatch(r"第[一二三四五六七八九十百零〇]+条", where or ""):
        return None
    from index.ingest.clean import to_simplified

    return ans["answered"] and where in to_simplified(ans["answer"])


def score(rows: list[dict], answers: dict[str, dict]) -> dict:
    """Args: rows: a question set; answers: id -> answer. Returns: answer and refusal accuracy, counts, failures."""
    from bot.evaluate import judge

    ans_ok, ref_ok, cited, failures = [], [], [], []
    for r in rows:
        a = answers[r["id"]]
        ok = judge(r, a)
        (ans_ok if r.get("answerable", True) else ref_ok).append(ok)
        if (c := cites(r, a)) is not None and ok:
            cited.append(c)
        if not ok:
            failures.append({"id": r["id"], "kind": r.get("kind"), "question": r["question"],
                             "expect": r.get("expect"), "answered": a["answered"], "answer": a["answer"][:200]})
    return {"answers": (sum(ans_ok), len(ans_ok)), "refusals": (sum(ref_ok), len(ref_ok)),
            "cites": (sum(cited), len(cited)), "failures": failures}


def _pct(pair) -> str:
    ok, n = pair
    return f"{100 * ok / n:5.1f} % ({ok}/{n})" if n else "   —"


def main(argv: list[str] | None = None) -> int:
    """Score the new-document sets. Args: argv: command-line arguments. Returns: 0 (also when data is absent)."""
    parser = argparse.ArgumentParser(prog="python -m bench.newdocs", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--suite", choices=("new", "seed"), default="new",
                        help="new: documents added beside the seed; seed: the seed article's sets")
    parser.add_argument("--status", default="dev,blind,held",
                        help="which sets: dev, blind, held, sealed (new); seed, seed-trained (seed); comma-separated")
    parser.add_argument("--sets", help="only these sets (comma-separated names)")
    parser.add_argument("--engines", default="auto,rules,reader",
                        help="today's [answer] engines to answer with, side by side (comma-separated)")
    parser.add_argument("--baseline", help="also answer with this git revision's code, side by side")
    parser.add_argument("--failures", action="store_true", help="list the questions answered wrongly")
    parser.add_argument("--json", type=Path, help="write every answer and figure here")
    args = parser.parse_args(argv)
    if args.suite == "seed":
        documents, sets = [], seed_sets()
        if args.status == "dev,blind,held":
            args.status = "seed,seed-trained"
    elif not (args.data / "prc_laws").is_dir():
        print(f"new-document evaluation skipped: {args.data} holds no prc_laws/ (pass --data DIR)", file=sys.stderr)
        return 0
    else:
        documents, sets = load_manifest()
    wanted = set(args.status.split(","))
    sets = [s for s in sets if s.status in wanted and (not args.sets or s.name in args.sets.split(","))]
    sets = [s for s in sets if s.file.is_file()]
    rows = {s.name: [json.loads(x) for x in s.file.read_text(encoding="utf-8").splitlines() if x.strip()]
            for s in sets}
    models = ROOT / ".cache" / "models"
    runs = [(engine, ROOT, engine) for engine in args.engines.split(",")]  # (label, code tree, engine)
    if args.baseline:
        try:
            runs.append((args.baseline, checkout(args.baseline), ""))
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"baseline {args.baseline} skipped: no git checkout of it ({exc})", file=sys.stderr)
    results: dict[str, dict] = {}
    for label, tree, engine in runs:
        name = "eval-docs" if args.suite == "new" else "eval-seed"
        folder = ROOT / ".cache" / (name if tree == ROOT else f"{name}-{label}")
        prepare(tree, folder, args.data, documents, models)
        every = [r for s in sets for r in rows[s.name]]
        t0 = time.perf_counter()
        answers = answer(tree, folder, models, every, engine)
        results[label] = {"seconds": time.perf_counter() - t0,
                          "sets": {s.name: {**score(rows[s.name], answers),
                                            "answers_by_id": {r["id"]: answers[r["id"]] for r in rows[s.name]}}
                                   for s in sets}}
    print(report(sets, results, per_set=args.suite == "new"))
    if args.failures:
        for s in sets:
            for f in results[runs[0][0]]["sets"][s.name]["failures"]:
                print(f"  ✗ {f['id']} [{f['kind']}] {f['question']}  expect={f['expect']} answered={f['answered']}"
                      f"\n      {f['answer']!r}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def report(sets: list[QuestionSet], results: dict[str, dict], per_set: bool = True) -> str:
    """A table of answers right and refusals right, one pair of columns per engine; each set's row (per_set), then
    each status's total.

    Args:
        sets: the sets asked.
        results: engine label -> its figures.
        per_set: a row for each set, else the totals only.

    Returns:
        The table as text.
    """
    labels = list(results)
    head = f"{'set':14}{'status':14}" + "".join(f"{'answers ' + x:>24}{'refusals ' + x:>24}" for x in labels)
    cites = bool(labels)  # for today's first engine
    lines = [head + (f"{'cites the article':>22}" if cites else "")]

    def row(name: str, status: str, members: list[QuestionSet]) -> str:
        cells = ""
        for label in labels:
            tot = {k: [sum(results[label]["sets"][m.name][k][i] for m in members) for i in (0, 1)]
                   for k in ("answers", "refusals", "cites")}
            cells += f"{_pct(tot['answers']):>24}{_pct(tot['refusals']):>24}"
            if label == labels[0] and cites:
                cite = _pct(tot["cites"])
        return f"{name:14}{status:14}{cells}" + (f"{cite:>22}" if cites else "")

    if per_set:
        lines += [row(x.name, x.status, [x]) for x in sets]
    for status in dict.fromkeys(x.status for x in sets):
        lines.append(row("all", status, [x for x in sets if x.status == status]))
    return "\n".join(lines)


def checkout(rev: str) -> Path:
    """Args: rev: a git revision. Returns: a worktree of it under .cache/trees/ (made once; its corpus as committed)."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    path = ROOT / ".cache" / "trees" / sha
    if not (path / "bot").is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", "--force", str(path), sha], cwd=ROOT, check=True,
                       capture_output=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
