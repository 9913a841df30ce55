"""Questions asked without pause while corpus updates land on a running server: failures, half-switched answers,
and how long each new version takes to be served.

    .venv/bin/python -m bench.bench_reload [--updates 10] [--clients 4] [--json]

Each update (add, replace or remove, in turn) goes through the staff change functions; the server is the real app
on a loopback port, picking versions up by polling. Every answer is checked against the version it names: that
version must be one that was completely committed, and each source passage must be one of that version's.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

SEED_QUESTION = "李沧区民营社区卫生服务机构占比是多少？"


def update_doc(k: int, fact: int) -> str:
    """Args: k: which update's district; fact: the number it states. Returns: a small case document."""
    place = ["崂山区", "黄岛区", "城阳区", "即墨区", "胶州市", "平度市", "莱西市", "市南区", "市北区", "李沧区"][k % 10]
    return (f"{place}推行“第{k}号便民改革”。\n{place}政府推出《第{k}号便民改革》，当年办结群众诉求{fact}件，"
            f"群众满意率达到{90 + k % 10}%。\n")


def version_contents(config, name: str) -> dict:
    """Args: config: settings; name: a committed version. Returns: {doc_id: set of its passage texts}."""
    folder = Path(config.index_dir) / "versions" / name
    out: dict = {}
    for line in (folder / "passages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            p = json.loads(line)
            out.setdefault(p["doc_id"], set()).add(p["text"])
    return out


def run(config, encoder, url: str, updates: int = 10, clients: int = 4, folder: Path | None = None) -> dict:
    """Ask questions from `clients` threads while `updates` changes land, then check every answer.

    Args:
        config: the served Config (its corpus and index are changed).
        encoder: the Encoder the changes embed with.
        url: the server's base URL.
        updates: how many changes (add, replace, remove in turn).
        clients: concurrent askers.
        folder: where to write the update documents (default: <data_dir>/bench-docs).

    Returns:
        {"requests", "failures" (list), "half_switched" (list), "versions", "reload_s" (per update, commit to
        served), "answers_by_version"}.
    """
    from index.manage import changes
    from index.versioning.versions import VersionStore

    folder = folder or Path(config.data_dir) / "bench-docs"
    folder.mkdir(parents=True, exist_ok=True)
    contents = {VersionStore(config.index_dir).current(): None}
    contents[next(iter(contents))] = version_contents(config, next(iter(contents)))
    answers, failures, stop = [], [], threading.Event()
    questions = [SEED_QUESTION] + [f"第{k}号便民改革办结了多少件群众诉求？" for k in range(updates)]

    def ask_loop(i: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as c:
            n = i
            while not stop.is_set():
                q = questions[n % len(questions)]
                n += 1
                try:
                    r = c.post("/api/ask", json={"question": q})
                    if r.status_code != 200:
                        failures.append(f"{r.status_code}: {r.text[:200]}")
                    else:
                        answers.append(r.json())
                except httpx.HTTPError as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")

    def served_version(c: httpx.Client) -> str:
        return c.get("/readyz").json().get("version")

    threads = [threading.Thread(target=ask_loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    reload_s, live_doc = [], None
    try:
        with httpx.Client(base_url=url, timeout=60) as probe:
            for k in range(updates):
                if live_doc is None:
                    path = folder / f"u{k}.txt"
                    path.write_text(update_doc(k, 1000 + k), encoding="utf-8")
                    result = changes.add_documents(config, [path], encoder=encoder, by="bench")
                    live_doc = (result.doc_ids[0], k)
                elif k % 3 == 1:
                    path = folder / f"u{k}r.txt"
                    path.write_text(update_doc(live_doc[1], 5000 + k), encoding="utf-8")
                    result = changes.replace_document(config, live_doc[0], path, encoder=encoder, by="bench")
                else:
                    result = changes.remove_document(config, live_doc[0], encoder=encoder, by="bench")
                    live_doc = None
                committed = time.perf_counter()
                contents[result.version] = version_contents(config, result.version)
                while served_version(probe) != result.version:
                    if time.perf_counter() - committed > 120:
                        raise RuntimeError(f"version {result.version} was not served within 120 s")
                    time.sleep(0.01)
                reload_s.append(time.perf_counter() - committed)
                time.sleep(0.5)  # let some answers come from this version
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    half = []
    for a in answers:
        version = a.get("index_version")
        if version not in contents:
            half.append(f"answer from an unknown or uncommitted version {version!r}")
            continue
        docs = contents[version]
        for s in a.get("sources", []):
            if s["text"] not in docs.get(s["doc_id"], ()):
                half.append(f"{version}: source {s['doc_id']} {s['text'][:30]!r} is not a passage of that version")
    by_version: dict = {}
    for a in answers:
        by_version[a.get("index_version")] = by_version.get(a.get("index_version"), 0) + 1
    return {"requests": len(answers) + len(failures), "failures": failures, "half_switched": half,
            "versions": list(contents), "reload_s": reload_s, "answers_by_version": by_version}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_reload", description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cache", default=".cache/bench")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from bench.workspace import ROOT, ensure_index, workspace_config
    from bot.app import create_app
    from bot.state.ratelimit import TokenBucketLimiter
    from bot.service import QAService
    from index.config import load_config
    from index.embedding.embed import load_encoder
    from bot.serve import address, bind_socket, make_server

    config = load_config(ROOT / "config.toml", env={})
    base = workspace_config(config, (ROOT / args.cache / "reload-base").resolve())
    shutil.rmtree(base.corpus_dir, ignore_errors=True)
    shutil.copytree(config.corpus_dir, base.corpus_dir)
    encoder = load_encoder(config)
    ensure_index(base, encoder)
    work = workspace_config(config, (ROOT / args.cache / "reload-run").resolve())
    shutil.rmtree(work.data_dir, ignore_errors=True)
    shutil.copytree(base.corpus_dir, work.corpus_dir)
    shutil.copytree(base.index_dir, work.index_dir, ignore=shutil.ignore_patterns("*.lock", "staging"))
    service = QAService(work, encoder=encoder)
    service.load()
    app = create_app(work, service, limiter=TokenBucketLimiter(10**9, 10**9))
    sock = bind_socket("127.0.0.1", 0)
    server = make_server(app, sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        out = run(work, encoder, address(sock), args.updates, args.clients)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
    rel = out["reload_s"]
    print(f"reload under load: {args.updates} updates, {out['requests']} requests from {args.clients} clients, "
          f"{len(out['failures'])} failed, {len(out['half_switched'])} from a half-switched index; new version "
          f"served {statistics.median(rel):.2f} s (median), {max(rel):.2f} s (max) after its commit "
          f"(poll every {work.server.reload_poll_sec} s)")
    if args.json:
        print(json.dumps({k: v for k, v in out.items()}, ensure_ascii=False))
    return 0 if not out["failures"] and not out["half_switched"] else 1


if __name__ == "__main__":
    sys.exit(main())
