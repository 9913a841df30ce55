"""A BERT mean-pooling sentence encoder in plain torch: same vectors as sentence-transformers, without its import cost."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from index.errors import ModelError, require

# What a sentence-transformers folder must hold for this encoder to give the very same vectors.
_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize"]


def supports(path: str | Path) -> bool:
    """Whether a model folder is a BERT encoder with mean pooling and normalisation, which this module can run.

    Args:
        path: a model folder (a hub name that is not a folder is never supported).

    Returns:
        True when the folder's modules, pooling and architecture are exactly the ones implemented here.
    """
    root = Path(path)
    try:
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
        if [m.get("type") for m in modules] != _MODULES or modules[0].get("path", "") != "":
            return False
        pooling = json.loads((root / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return (modes == {"pooling_mode_mean_tokens"} and pooling.get("include_prompt", True)
            and config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (root / "tokenizer.json").is_file() and (root / "model.safetensors").is_file())


class BertMeanEncoder:
    """Runs a BERT model folder: tokenizers for the text, a hand-written forward pass, mean pooling, L2 norm.

    Args:
        path: a folder for which supports() is True.
        max_seq_length: longest input in tokens; longer texts are cut, as sentence-transformers cuts them.
    """

    def __init__(self, path: str | Path, max_seq_length: int) -> None:
        torch = require("torch")
        tokenizers = require("tokenizers")
        require("safetensors")
        root = Path(path)
        try:
            cfg = json.loads((root / "config.json").read_text(encoding="utf-8"))
            self.tokenizer = tokenizers.Tokenizer.from_file(str(root / "tokenizer.json"))
            from safetensors.torch import load_file

            weights = load_file(str(root / "model.safetensors"))
        except Exception as exc:  # noqa: BLE001 - any unreadable part is reported the same way
            raise ModelError(f"cannot load the embedding model {str(root)!r}: {type(exc).__name__}: "
                             f"{str(exc)[:300]}",
                             hint="rebuild it: `.venv/bin/python -m index.embedding.model --force`") from None
        self._torch = torch
        self.hidden = int(cfg["hidden_size"])
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.model_max_length = int(cfg.get("max_position_embeddings", 512))
        self.max_seq_length = min(max_seq_length, self.model_max_length)
        prefix = "bert." if any(k.startswith("bert.") for k in weights) else ""
        self._w = {k[len(prefix):]: v for k, v in weights.items()}
        missing = [k for k in self._names() if k not in self._w]
        if missing:
            raise ModelError(f"the embedding model {str(root)!r} lacks weights: {', '.join(missing[:3])}",
                             hint="rebuild it: `.venv/bin/python -m index.embedding.model --force`")
        pad = self.tokenizer.token_to_id("<pad>")
        self.pad_id = int(cfg.get("pad_token_id") if pad is None else pad)

    def get_embedding_dimension(self) -> int:
        """Returns: the vector length."""
        return self.hidden

    def encode(self, texts: Sequence[str], prompt: str = "", batch_size: int = 32) -> np.ndarray:
        """Embed texts, each prefixed with prompt, in batches.

        Args:
            texts: the texts.
            prompt: prepended to every text (as sentence-transformers' prompt=).
            batch_size: texts per forward pass.

        Returns:
            float32 (len(texts), dim), L2-normalised rows.
        """
        torch = self._torch
        inputs = [prompt + t for t in texts]  # as sentence-transformers feeds them: not stripped
        out = np.zeros((len(inputs), self.hidden), dtype=np.float32)
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        self.tokenizer.enable_padding(pad_id=self.pad_id, pad_token="<pad>")
        with torch.inference_mode():
            for start in range(0, len(inputs), batch_size):
                encs = self.tokenizer.encode_batch(inputs[start:start + batch_size])
                ids = torch.tensor([e.ids for e in encs], dtype=torch.long)
                mask = torch.tensor([e.attention_mask for e in encs], dtype=torch.long)
                hidden = self._forward(ids, mask)
                m = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[start:start + len(encs)] = pooled.numpy()
        return out

    def _forward(self, ids, mask):
        torch, F, w = self._torch, self._torch.nn.functional, self._w
        n, length = ids.shape
        positions = torch.arange(length).unsqueeze(0)
        x = (F.embedding(ids, w["embeddings.word_embeddings.weight"])
             + F.embedding(positions, w["embeddings.position_embeddings.weight"])
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        keep = mask.bool()[:, None, None, :]  # (n, 1, 1, length): padding is never attended to
        head_dim = self.hidden // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def split(t):
                return t.view(n, length, self.heads, head_dim).transpose(1, 2)

            q = split(self._linear(x, p + "attention.self.query"))
            k = split(self._linear(x, p + "attention.self.key"))
            v = split(self._linear(x, p + "attention.self.value"))
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=1.0 / math.sqrt(head_dim))
            ctx = ctx.transpose(1, 2).reshape(n, length, self.hidden)
            x = self._norm(x + self._linear(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = F.gelu(self._linear(x, p + "intermediate.dense"))
            x = self._norm(x + self._linear(h, p + "output.dense"), p + "output.LayerNorm")
        return x

    def _linear(self, x, name: str):
        return self._torch.nn.functional.linear(x, self._w[name + ".weight"], self._w[name + ".bias"])

    def _norm(self, x, name: str):
        return self._torch.nn.functional.layer_norm(x, (self.hidden,), self._w[name + ".weight"],
                                                    self._w[name + ".bias"], self.eps)

    def _names(self) -> list[str]:
        names = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                 "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight"]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            names += [p + s + ".weight" for s in ("attention.self.query", "attention.self.key", "attention.self.value",
                                                   "attention.output.dense", "attention.output.LayerNorm",
                                                   "intermediate.dense", "output.dense", "output.LayerNorm")]
        return names
