"""`make eval`, new documents: the seed plus laws and work reports added with the staff command line, and the
question sets written about them (tests/eval/docs/sets.toml), optionally beside another code version's answers."""
from __future__ import annotations

import argparse
import csv
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


def load_manifest(path: Path = MANIFEST) -> tuple[list[str], list[QuestionSet]]:
    """Args: path: the manifest. Returns: (document files relative to the data folder, the question sets)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    docs = [d["file"] for d in data.get("document", [])]
    sets = [QuestionSet(s["name"], path.parent.parent / s["file"], s["status"], s.get("about", ""))
            for s in data.get("set", [])]
    return docs, sets


def staged_file(data: Path, rel: str, folder: Path) -> tuple[Path, dict]:
    """A manifest document as staff receive it, and the metadata they would type.

    A law is its Markdown file as published; a work report (one CSV row of a scrape) is the text of the page it was
    scraped from, menu lines and all, saved as a .txt, with the row's title, date and province as metadata.

    Args:
        data: the shared data folder.
        rel: the document's path under it.
        folder: where a converted file is written.

    Returns:
        (the file to add, {"title", "date", "source"} to pass with it; empty for a law, whose file names its title).
    """
    src = data / rel
    if src.suffix != ".csv":
        return src, {}
    csv.field_size_limit(1 << 30)
    with src.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / (src.stem + ".txt")
    out.write_text(row["full_text"], encoding="utf-8")
    date = row["publish_date"].strip()
    return out, {"title": row["title"].strip(), "source": f"{row['province']}人民政府",
                 **({"date": date} if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else {})}


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


def answer(tree: Path, folder: Path, models: Path, rows: list[dict]) -> dict[str, dict]:
    """Ask every question through `tree`'s own QAService.ask(), in a child process.

    Args:
        tree: the code version.
        folder: its workspace (prepare()).
        models: the shared model folder.
        rows: questions ({"id", "question", ...}).

    Returns:
        id -> Answer.to_json().
    """
    feed = "".join(json.dumps({"id": r["id"], "question": r["question"]}, ensure_ascii=False) + "\n" for r in rows)
    done = subprocess.run([sys.executable, "-c", _DRIVER], cwd=tree, env=_env(tree, folder, models), input=feed,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"answering failed in {tree}:\n{done.stderr[-2000:]}")
    return {x["id"]: x["answer"] for x in map(json.loads, done.stdout.splitlines())}


def cites(row: dict, ans: dict) -> bool | None:
    """Args: row: a question; ans: its answer. Returns: whether the reply names the article asked about (None when
    the question has no article)."""
    where = row.get("where", "")
    if not re.fullmatch(r"第[一二三四五六七八九十百零〇]+条", where or ""):
        return None
    from index.clean import to_simplified

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
    parser.add_argument("--status", default="dev,blind", help="which sets: dev, blind, sealed (comma-separated)")
    parser.add_argument("--sets", help="only these sets (comma-separated names)")
    parser.add_argument("--baseline", help="also answer with this git revision's code, side by side")
    parser.add_argument("--failures", action="store_true", help="list the questions answered wrongly")
    parser.add_argument("--json", type=Path, help="write every answer and figure here")
    args = parser.parse_args(argv)
    if not (args.data / "prc_laws").is_dir():
        print(f"new-document evaluation skipped: {args.data} holds no prc_laws/ (pass --data DIR)", file=sys.stderr)
        return 0
    documents, sets = load_manifest()
    wanted = set(args.status.split(","))
    sets = [s for s in sets if s.status in wanted and (not args.sets or s.name in args.sets.split(","))]
    sets = [s for s in sets if s.file.is_file()]
    rows = {s.name: [json.loads(x) for x in s.file.read_text(encoding="utf-8").splitlines() if x.strip()]
            for s in sets}
    models = ROOT / ".cache" / "models"
    trees = {"now": ROOT}
    if args.baseline:
        trees[args.baseline] = checkout(args.baseline)
    results: dict[str, dict] = {}
    for label, tree in trees.items():
        folder = ROOT / ".cache" / ("eval-docs" if label == "now" else f"eval-docs-{label}")
        prepare(tree, folder, args.data, documents, models)
        every = [r for s in sets for r in rows[s.name]]
        t0 = time.perf_counter()
        answers = answer(tree, folder, models, every)
        results[label] = {"seconds": time.perf_counter() - t0,
                          "sets": {s.name: {**score(rows[s.name], answers),
                                            "answers_by_id": {r["id"]: answers[r["id"]] for r in rows[s.name]}}
                                   for s in sets}}
    print(report(sets, results))
    if args.failures:
        for s in sets:
            for f in results["now"]["sets"][s.name]["failures"]:
                print(f"  ✗ {f['id']} [{f['kind']}] {f['question']}  expect={f['expect']} answered={f['answered']}"
                      f"\n      {f['answer']!r}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def report(sets: list[QuestionSet], results: dict[str, dict]) -> str:
    """Args: sets: the sets asked; results: label -> figures. Returns: a text table, one row per set and engine."""
    lines = [f"{'set':8}{'status':8}{'engine':10}{'answers right':>22}{'refusals right':>22}{'cites the article':>22}"]
    for label, res in results.items():
        tot = {"answers": [0, 0], "refusals": [0, 0], "cites": [0, 0]}
        for s in sets:
            r = res["sets"][s.name]
            for k in tot:
                tot[k][0] += r[k][0]
                tot[k][1] += r[k][1]
            lines.append(f"{s.name:8}{s.status:8}{label:10}{_pct(r['answers']):>22}{_pct(r['refusals']):>22}"
                         f"{_pct(r['cites']):>22}")
        lines.append(f"{'all':8}{'':8}{label:10}{_pct(tot['answers']):>22}{_pct(tot['refusals']):>22}"
                     f"{_pct(tot['cites']):>22}")
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
