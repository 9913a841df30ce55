"""Helpers for the corpus-change tests: a private copy of the seed corpus and index, its state, its invariants."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from index.ingest.load import iter_corpus
from index.versioning.versions import VersionStore
from tests.conftest import ROOT, make_config

NEW_DOC = ("崂山区推行“智慧旅游一卡通”\n"
           "崂山区政府推出《智慧旅游一卡通》创新项目，游客凭一张卡即可进入全区12个景区，并享受公交优惠。\n"
           "该项目自2016年5月上线以来，累计发卡38万张，景区排队时间平均缩短了40%。\n")
NEW_QUESTION = "崂山区智慧旅游一卡通累计发卡多少张？"
NEW_FACT = "38万张"


def private_copy(built_config, folder: Path):
    """A Config over copies of the shared seed corpus and its built index (the originals stay untouched).

    Args:
        built_config: the session's built Config.
        folder: an empty temporary folder.

    Returns:
        The new Config.
    """
    corpus = folder / "corpus"
    shutil.copytree(built_config.corpus_dir, corpus)
    config = make_config(folder / "data", corpus)
    shutil.copytree(built_config.index_dir, config.index_dir, ignore=shutil.ignore_patterns("*.lock", "staging"))
    return config


def write_config_file(config, path: Path) -> Path:
    """Write a config.toml for the command line: the project's, with this Config's folders.

    Args:
        config: the Config whose paths to use.
        path: where to write it.

    Returns:
        path.
    """
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for key, value in (("corpus_dir", config.corpus_dir), ("data_dir", config.data_dir),
                       ("models_dir", config.models_dir)):
        text = re.sub(rf"(?m)^{key}\s*=.*$", f"{key} = {json.dumps(str(Path(value).resolve()))}", text)
    path.write_text(text, encoding="utf-8")
    return path


def cli_env(config_file: Path, **extra) -> dict:
    """Args: config_file: from write_config_file; extra: more variables. Returns: the environment for a CLI run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QABOT_")}
    env.update(QABOT_CONFIG=str(config_file), PYTHONPATH=str(ROOT), **extra)
    return env


def corpus_state(config) -> dict:
    """Args: config: settings. Returns: every file of the corpus folder (sidecars too) -> sha256."""
    out = {}
    for path in sorted(Path(config.corpus_dir).rglob("*")):
        if path.is_file():
            out[path.relative_to(config.corpus_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def whole_state(config) -> dict:
    """Args: config: settings. Returns: corpus files, the current version, the versions kept, the audit log."""
    audit = Path(config.data_dir) / "state" / "audit.jsonl"
    vs = VersionStore(config.index_dir)
    return {"corpus": corpus_state(config), "current": vs.current(), "versions": vs.names(),
            "audit": audit.read_text(encoding="utf-8") if audit.exists() else ""}


def assert_consistent(config) -> dict:
    """Check the invariant every change keeps: the served version is complete and holds exactly the corpus's
    documents (same files, same bytes), and no change is pending.

    Args:
        config: settings.

    Returns:
        The current manifest.
    """
    vs = VersionStore(config.index_dir)
    path = vs.current_path()
    assert path is not None and (path / "manifest.json").is_file()
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    served = {doc["path"]: doc["hash"] for doc in manifest["documents"].values()}
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in iter_corpus(config.corpus_dir)}
    assert served == files, (served, files)
    assert vs.journal() is None
    assert not list(Path(config.corpus_dir).glob(".staff-*"))
    return manifest
