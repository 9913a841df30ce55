"""The runnable reader: base layers with the trained adapters folded in, exported to ONNX and quantised to int8 (set-up)."""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from index.errors import ModelError

WEIGHTS = Path(__file__).with_name("weights")
FILES = ("adapters.safetensors", "heads.safetensors", "card.json")


def weights_key(weights: Path, base_dir: Path) -> str:
    """Args: weights: the trained weights folder; base_dir: the base model folder. Returns: a key naming the build."""
    h = hashlib.sha256()
    for name in FILES:
        h.update((weights / name).read_bytes())
    h.update(str(base_dir.resolve()).encode())
    config = base_dir / "config.json"
    if config.is_file():
        h.update(config.read_bytes())
    return h.hexdigest()[:16]


def built_path(models_dir: Path, weights: Path, base_dir: Path) -> Path:
    """Args: models_dir; weights; base_dir. Returns: where the built reader of these weights lives."""
    return models_dir / f"reader-{weights_key(weights, base_dir)}"


def has_weights(weights: Path = WEIGHTS) -> bool:
    """Args: weights: a weights folder. Returns: whether it holds a trained reader."""
    return all((weights / f).is_file() for f in FILES)


def build(base_dir: Path, weights: Path, target: Path, quantize: bool = True, log=sys.stderr) -> Path:
    """Fold the adapters into the base layers, export the network to ONNX and quantise its linear maps.

    Args:
        base_dir: the base model folder.
        weights: the trained weights folder (adapters, heads, card).
        target: the folder to create (written atomically: a half-built reader is never seen).
        quantize: int8 weights for the linear maps (what runs in production; fp32 for equivalence tests).
        log: where progress goes.

    Returns:
        target, holding model.onnx and card.json.
    """
    from index.errors import require

    torch = require("torch")
    require("onnx")
    from safetensors.torch import load_file

    from bot.read import net as netmod

    card = json.loads((weights / "card.json").read_text(encoding="utf-8"))
    s = card["settings"]
    model = netmod.build(base_dir, s["layers"])
    netmod.merge(model, load_file(str(weights / "adapters.safetensors")),
                 load_file(str(weights / "heads.safetensors")), card["scale"])
    model.eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".reader-", dir=target.parent))
    try:
        raw = tmp / "raw.onnx"
        ids = torch.ones((2, 24), dtype=torch.long)
        with torch.inference_mode():
            torch.onnx.export(model, (ids, torch.ones_like(ids)), str(raw), input_names=["ids", "mask"],
                              output_names=["answer", "start", "end"], opset_version=17, dynamo=False,
                              dynamic_axes={"ids": {0: "n", 1: "length"}, "mask": {0: "n", 1: "length"},
                                            "answer": {0: "n"}, "start": {0: "n", 1: "length"},
                                            "end": {0: "n", 1: "length"}})
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(raw), str(tmp / "model.onnx"), weight_type=QuantType.QInt8)
            raw.unlink()
        else:
            raw.rename(tmp / "model.onnx")
        shutil.copy2(weights / "card.json", tmp / "card.json")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"reader built: {target}", file=log)
    return target


def ensure(models_dir: Path, base_dir: Path, weights: Path = WEIGHTS, log=sys.stderr) -> Path:
    """The built reader for these weights, building it first when missing.

    Args:
        models_dir: where built models live.
        base_dir: the base model folder.
        weights: the trained weights.
        log: where progress goes.

    Returns:
        The built folder. Raises ModelError when there are no trained weights.
    """
    if not has_weights(weights):
        raise ModelError(f"no trained reading model in {weights}", hint="train it: `make train`")
    target = built_path(models_dir, weights, base_dir)
    if not (target / "model.onnx").is_file():
        build(base_dir, weights, target, log=log)
    return target


def base_folder(config) -> Path:
    """Args: config: settings. Returns: the reader's base model folder ([reader] base), built first when missing."""
    import dataclasses

    from index.embedding.model import ensure_model

    base = ensure_model(dataclasses.replace(config, model=dataclasses.replace(config.model, name=config.reader.base)),
                        progress=True)
    return Path(base)


def weights_folder(config) -> Path:
    """Args: config: settings. Returns: the trained weights folder ([reader] weights, else the shipped one)."""
    return config._resolve(config.reader.weights) if config.reader.weights else WEIGHTS


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.read.build`: build the reader for the shipped weights (set-up). Returns: the exit status."""
    import argparse

    from index import cli
    from index.config import load_config

    parser = argparse.ArgumentParser(prog="python -m bot.read.build", description=__doc__)
    parser.add_argument("--config", help="config file")
    args = parser.parse_args(argv)

    def run() -> int:
        config = load_config(args.config)
        path = ensure(config.models_dir, base_folder(config), weights_folder(config))
        print(f"reader ready: {path}")
        return 0

    return cli.run(run)


if __name__ == "__main__":
    sys.exit(main())
