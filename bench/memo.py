"""An Encoder wrapper that remembers every vector it made, so baseline runs over the same questions embed once."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from index import fsio


class MemoEncoder:
    """Same vectors as the wrapped Encoder; each distinct (kind, text) is embedded once.

    Args:
        encoder: the Encoder to wrap.
        folder: where to keep the vectors between runs (None: memory only). Only for iterating on answer
            logic: figures such as questions/s are meaningless when vectors come from disk.
    """

    def __init__(self, encoder, folder: Path | None = None) -> None:
        self.inner = encoder
        self.name, self.dim, self.fingerprint = encoder.name, encoder.dim, encoder.fingerprint
        self._memo: dict[tuple[str, str], np.ndarray] = {}
        self.folder = folder
        self._saved = 0
        if folder is not None and (folder / "memo_keys.json").is_file():
            meta = fsio.read_json(folder / "memo_keys.json")
            if meta.get("fingerprint") == self.fingerprint:
                vecs = np.load(folder / "memo_vectors.npy", allow_pickle=False)
                if len(vecs) == len(meta["keys"]):
                    self._memo = {(k[0], k[1]): v for k, v in zip(meta["keys"], vecs)}
                    self._saved = len(self._memo)

    def _get(self, kind: str, texts: Sequence[str], fn) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if (kind, t) not in self._memo))
        if missing:
            for t, v in zip(missing, fn(missing)):
                self._memo[(kind, t)] = v.copy()
        return np.array([self._memo[(kind, t)] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Args: texts: questions. Returns: their vectors (float32, normalised)."""
        return self._get("q", list(texts), self.inner.encode_queries)

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Args: texts: passages or sentences. progress: passed on. Returns: their vectors (float32, normalised)."""
        return self._get("d", list(texts), lambda ts: self.inner.encode_documents(ts, progress=progress))

    def save(self) -> None:
        """Write the vectors to the folder (when one was given and something new was embedded)."""
        if self.folder is None or len(self._memo) == self._saved:
            return
        keys = list(self._memo)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / "memo_vectors.tmp.npy"
        np.save(tmp, np.array([self._memo[k] for k in keys], dtype=np.float32), allow_pickle=False)
        tmp.replace(self.folder / "memo_vectors.npy")
        fsio.atomic_write_json(self.folder / "memo_keys.json",
                               {"fingerprint": self.fingerprint, "keys": [list(k) for k in keys]})
        self._saved = len(keys)


def prefill(memo: MemoEncoder, config, questions) -> None:
    """Embed, in large batches, every question and every passage sentence a run may ask for (an iteration aid).

    Args:
        memo: the MemoEncoder to fill (and save).
        config: the workspace settings (its current index version is read).
        questions: objects with a .question text.
    """
    from bot.understand.normalize import prepare
    from index.retrieval.snapshot import open_snapshot

    snap = open_snapshot(config, memo)
    texts = [prepare(q.question, config.answer.max_question_chars).text for q in questions]
    memo.encode_queries([t for t in texts if t])
    sentences = list(dict.fromkeys(s for p in snap.passages for s in p.sentences))
    memo.encode_documents(sentences, progress=True)
    memo.save()
