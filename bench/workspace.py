"""A private corpus + index folder for a benchmark: its own config, an index reused while nothing it depends on changed."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path

from index.config import Config, PathsConfig
from index.errors import QABotError
from index.ingest.load import content_hash, iter_corpus
from index.versioning.build import FORMAT, ingest_corpus, write_version

ROOT = Path(__file__).resolve().parent.parent
# Code whose change alters the passages or the keyword index: a change forces a rebuild (vectors are still reused).
_INDEX_CODE = ("index/ingest/clean.py", "index/passages/segment.py", "index/passages/structure.py",
               "index/passages/windows.py", "index/versioning/build.py",
               "index/storage/lexical.py", "index/ingest/load.py")


def workspace_config(config: Config, folder: Path) -> Config:
    """Args: config: the project's settings. folder: the workspace (corpus/ and index/ inside).

    Returns:
        The same settings reading corpus and writing the index under folder; the model cache is shared.
    """
    paths = PathsConfig(corpus_dir=str((folder / "corpus").resolve()), data_dir=str(folder.resolve()),
                        models_dir=str(config.models_dir.resolve()))
    return dataclasses.replace(config, paths=paths)


def build_key(config: Config, encoder) -> str:
    """What an index of this workspace depends on: the corpus bytes, segmentation settings, model, index code.

    Args:
        config: the workspace settings.
        encoder: the Encoder.

    Returns:
        A hex digest.
    """
    h = hashlib.sha256()
    for path in iter_corpus(config.corpus_dir):
        h.update(f"{path.relative_to(config.corpus_dir)}\0{content_hash(path)}\0".encode())
        side = path.with_name(path.name[: -len(path.suffix)] + ".meta.json")
        if side.exists():
            h.update(side.read_bytes())
    h.update(json.dumps([FORMAT, dataclasses.asdict(config.segment), encoder.fingerprint]).encode())
    for rel in _INDEX_CODE:
        h.update((ROOT / rel).read_bytes())
    return h.hexdigest()


def ensure_index(config: Config, encoder, rebuild: bool = False, out=None) -> dict:
    """Build the workspace's index unless the current version was built from exactly this corpus and code.

    Args:
        config: the workspace settings (workspace_config).
        encoder: the Encoder (vectors of unchanged passages are reused on a rebuild).
        rebuild: build even when the key matches.
        out: where progress lines go (default standard error).

    Returns:
        {"version", "passages", "embedded", "seconds", "reused_index": bool}.
    """
    from index.versioning.versions import VersionStore

    out = out or sys.stderr
    key = build_key(config, encoder)
    vs = VersionStore(config.index_dir, keep=2)
    try:
        current = vs.manifest() if vs.current() else None
    except QABotError:
        current = None
    if current and not rebuild and current.get("note") == f"bench:{key}":
        n = current.get("counts", {}).get("passages", 0)
        print(f"index: reusing {vs.current()} ({n} passages; corpus and code unchanged)", file=out)
        return {"version": vs.current(), "passages": n, "embedded": 0, "seconds": 0.0, "reused_index": True}
    t0 = time.perf_counter()
    ingested = ingest_corpus(config)
    t_ingest = time.perf_counter() - t0
    n = sum(len(i.passages) for i in ingested)
    print(f"index: {len(ingested)} documents -> {n} passages in {t_ingest:.1f} s; embedding what changed", file=out)
    t1 = time.perf_counter()
    name, stats = write_version(dataclasses.replace(config, index=dataclasses.replace(config.index, keep_versions=2)),
                                ingested, encoder, progress=True, note=f"bench:{key}")
    secs = time.perf_counter() - t1
    rate = stats["embedded"] / secs if stats["embedded"] else 0.0
    print(f"index: {name}: {stats['passages']} passages, {stats['embedded']} embedded in {secs:.1f} s "
          f"({rate:.1f} passages/s), {stats['reused']} vectors reused", file=out)
    return {"version": name, "passages": n, "embedded": stats["embedded"], "seconds": round(t_ingest + secs, 1),
            "reused_index": False}
