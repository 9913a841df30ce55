"""The reading model at answer time: how likely each window answers the question, and the answer's span in it."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.read.encode import PairEncoder, best_span
from bot.read.excerpt import Excerpt


@dataclass(frozen=True)
class Reading:
    """What the model read in one excerpt.

    Attributes:
        excerpt: what was read.
        logit: the answer logit (above 0: more likely than not that the excerpt answers).
        span: (start, end) of the answer in the excerpt's characters, or None.
        span_score: the span's start + end logits (higher is surer).
    """

    excerpt: Excerpt
    logit: float
    span: tuple[int, int] | None = None
    span_score: float = float("-inf")

    @property
    def answer(self) -> str:
        """The span's text ("" when none)."""
        return self.excerpt.text[self.span[0]:self.span[1]] if self.span else ""


class Reader:
    """Runs the built reader (bot/read/build.py) with onnxruntime.

    Args:
        folder: the built reader (model.onnx, card.json).
        base_dir: the base model folder (its tokenizer).
        threads: onnxruntime threads for one call.
    """

    def __init__(self, folder: Path, base_dir: Path, threads: int = 1) -> None:
        from index.errors import require

        ort = require("onnxruntime")
        card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
        self.encoder = PairEncoder(base_dir, card["settings"]["max_tokens"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.name = folder.name
        self._lock = threading.Lock()

    def read(self, question: str, excerpts: list[Excerpt]) -> list[Reading]:
        """Read excerpts for a question, in one batch.

        Args:
            question: the Simplified question.
            excerpts: what to read.

        Returns:
            One Reading per excerpt, in the same order.
        """
        if not excerpts:
            return []
        texts = [e.text for e in excerpts]
        b = self.encoder.encode([(question, e.head, t) for e, t in zip(excerpts, texts)])
        # One run at a time: onnxruntime's own threads already use the cores it was given.
        with self._lock:
            answer, start, end = self.session.run(None, {"ids": b.ids, "mask": b.mask})
        out = []
        for i, (e, text) in enumerate(zip(excerpts, texts)):
            got = best_span(start[i], end[i], b.text_spans[i])
            span = (max(0, got[0]), min(len(text), got[1])) if got else None
            out.append(Reading(e, float(answer[i]), span, got[2] if got else float("-inf")))
        return out


def sigmoid(x: float) -> float:
    """Args: x: a logit. Returns: its probability."""
    return float(1.0 / (1.0 + np.exp(-x)))
