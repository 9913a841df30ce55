"""The embedding model in a child process, loading on the other core while a staff command does its own work."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading

import numpy as np

from index.config import Config, ModelConfig
from index.errors import ModelError

# Protocol over the child's stdin/stdout, one request at a time:
#   parent: a JSON line {"model": {...ModelConfig}, "path": model folder}, then {"texts": [...]} per request
#   child:  "ok <rows> <dim>\n" and rows*dim float32 (little-endian) per request, or "error <message>\n"


class WorkerEncoder:
    """Embeds documents in a child process started at construction (the import and the model load take seconds:
    they overlap the parent's corpus scan and keyword index, on the other core, free of the parent's GIL).

    Args:
        config: settings ([model] is sent to the child).
        path: the built model folder.
    """

    def __init__(self, config: Config, path: str) -> None:
        self._lock = threading.Lock()
        self.batch = config.model.batch_size * 4
        self._proc = subprocess.Popen([sys.executable, "-m", "index.embedding.embed_worker"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=None, cwd=os.getcwd())
        self._send({"model": dataclasses.asdict(config.model), "path": str(path)})

    def encode_documents(self, texts: list[str], bar=None) -> np.ndarray:
        """Args: texts: passages; bar: a tqdm bar to advance. Returns: float32 (len(texts), dim), normalised rows."""
        parts = []
        with self._lock:
            for start in range(0, len(texts), self.batch):
                chunk = list(texts[start:start + self.batch])
                self._send({"texts": chunk})
                parts.append(self._receive())
                if bar is not None:
                    bar.update(len(chunk))
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def close(self, wait: float = 5.0) -> None:
        """End the child's input, so it exits, and reap it.

        Args:
            wait: seconds to let it exit by itself; 0 stops it at once (the end of a command: a child still
                loading the model, for a command that failed early, would otherwise load it for nothing).
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
            if wait <= 0:
                proc.kill()  # a pure compute worker: nothing of it needs a graceful end
            proc.wait(timeout=wait if wait > 0 else 5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()

    def _send(self, obj: dict) -> None:
        try:
            self._proc.stdin.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
            self._proc.stdin.flush()
        except (OSError, AttributeError):
            raise self._died() from None

    def _receive(self) -> np.ndarray:
        head = self._proc.stdout.readline().decode("utf-8", "replace").strip()
        if head.startswith("error "):
            raise ModelError(head[6:],
                             hint="check [model] in config.toml; `.venv/bin/python -m index.embedding.model --force` "
                                            "rebuilds the default model")
        parts = head.split()
        if len(parts) != 3 or parts[0] != "ok":
            raise self._died()
        rows, dim = int(parts[1]), int(parts[2])
        data = self._proc.stdout.read(rows * dim * 4)
        if len(data) != rows * dim * 4:
            raise self._died()
        return np.frombuffer(data, dtype="<f4").reshape(rows, dim).copy()

    def _died(self) -> ModelError:
        code = self._proc.poll() if self._proc else None
        return ModelError(f"the embedding worker stopped (exit status {code}); its message is above",
                          hint="run `.venv/bin/python -m index.embedding.model` to check the model")


def _write_error(out, exc: Exception) -> None:
    """Send one "error <message>" line (the message on one line, at most 500 characters of it)."""
    out.write(f"error {type(exc).__name__}: {str(exc)[:500]}".replace("\n", " ").encode() + b"\n")
    out.flush()


def main() -> int:
    """The child: load the model named on the first input line, then answer embedding requests until input ends."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # anything a library prints must not corrupt the protocol
    first = sys.stdin.buffer.readline()
    if not first:
        return 0
    try:
        spec = json.loads(first)
        from index.embedding.embed import SentenceTransformerEncoder

        config = Config(model=ModelConfig(**spec["model"]))
        encoder = SentenceTransformerEncoder(config, spec["path"], cache_size=0)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it as a ModelError
        _write_error(out, exc)
        return 1
    for line in sys.stdin.buffer:
        try:
            vecs = np.ascontiguousarray(encoder.encode_documents(json.loads(line)["texts"]), dtype="<f4")
        except Exception as exc:  # noqa: BLE001 - as above
            _write_error(out, exc)
            continue
        out.write(f"ok {vecs.shape[0]} {vecs.shape[1]}\n".encode() + vecs.tobytes())
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
