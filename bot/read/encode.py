"""Question + window -> the model's token ids, and back from token positions to characters of the window."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_TOKENS = 160
SEPARATOR = "："


@dataclass
class Batch:
    """Token ids of several (question, window) pairs, padded to one length.

    Attributes:
        ids, mask: int64 arrays (n, length).
        text_spans: per pair, for each token, the window characters it covers (start, end), or (-1, -1) for a token
            of the question, the heading line or padding: only the window's own tokens can hold the answer.
    """

    ids: np.ndarray
    mask: np.ndarray
    text_spans: list[list[tuple[int, int]]]


class PairEncoder:
    """Encodes pairs with the base model's own tokenizer (tokenizer.json of the model folder).

    Args:
        model_dir: the base model folder.
        max_tokens: the longest input; the heading line and then the question give way first.
    """

    def __init__(self, model_dir: str | Path, max_tokens: int = MAX_TOKENS) -> None:
        from index.errors import require

        tokenizers = require("tokenizers")
        self.tokenizer = tokenizers.Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.max_tokens = max_tokens
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 1

    def encode(self, pairs: list[tuple[str, str, str]]) -> Batch:
        """Args: pairs: (question, heading line, window text). Returns: the padded Batch."""
        rows, spans = [], []
        for question, head, text in pairs:
            ids, span = self._one(question, head, text)
            rows.append(ids)
            spans.append(span)
        length = max(len(r) for r in rows)
        ids = np.full((len(rows), length), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = r
            mask[i, :len(r)] = 1
            spans[i] += [(-1, -1)] * (length - len(r))
        return Batch(ids, mask, spans)

    def _one(self, question: str, head: str, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """<s> question </s></s> head：text </s>, the window's tokens mapped to its characters."""
        q = self.tokenizer.encode(question, add_special_tokens=False)
        prefix = head + SEPARATOR if head else ""
        c = self.tokenizer.encode(prefix + text, add_special_tokens=False)
        c_ids, c_offsets = list(c.ids), list(c.offsets)
        budget = self.max_tokens - 4
        q_ids = list(q.ids)[: max(16, budget - len(c_ids))]
        room = budget - len(q_ids)
        if len(c_ids) > room:
            # Cut the heading line first, then the window's end: the window's start holds the sentence's subject.
            head_tokens = sum(1 for s, _ in c_offsets if s < len(prefix))
            drop = min(head_tokens, len(c_ids) - room)
            c_ids, c_offsets = c_ids[drop:], c_offsets[drop:]
            c_ids, c_offsets = c_ids[:room], c_offsets[:room]
        bos, eos = self.tokenizer.token_to_id("<s>"), self.tokenizer.token_to_id("</s>")
        ids = [bos] + q_ids + [eos, eos] + c_ids + [eos]
        span = [(-1, -1)] * (len(q_ids) + 3)
        for s, e in c_offsets:
            span.append((s - len(prefix), e - len(prefix)) if s >= len(prefix) else (-1, -1))
        span.append((-1, -1))
        return ids, span


def token_targets(span: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The tokens where an answer's characters [start, end) begin and end.

    Args:
        span: a pair's token -> window characters (Batch.text_spans row).
        start, end: the answer in the window's characters.

    Returns:
        (first token, last token) covering the answer, or (0, 0) when no token holds it (cut off).
    """
    first = next((i for i, (s, e) in enumerate(span) if s >= 0 and e > start), None)
    last = next((i for i in range(len(span) - 1, -1, -1) if span[i][0] >= 0 and span[i][0] < end), None)
    if first is None or last is None or last < first:
        return 0, 0
    return first, last


def best_span(start: np.ndarray, end: np.ndarray, span: list[tuple[int, int]], longest: int = 24):
    """The best answer span in a window's characters (start, end, score), or None.

    Args:
        start, end: the token logits.
        span: token -> window characters (-1 for tokens outside the window).
        longest: the most tokens a span may hold.

    Returns:
        (first char, end char, start logit + end logit) of the best span with start <= end.
    """
    ok = np.array([s >= 0 for s, _ in span])
    if not ok.any():
        return None
    st = np.where(ok, start, -np.inf)
    en = np.where(ok, end, -np.inf)
    best, where = -np.inf, None
    for i in np.argsort(st)[::-1][:10]:
        j_end = min(len(en), i + longest)
        if i >= j_end or not np.isfinite(st[i]):
            continue
        j = i + int(np.argmax(en[i:j_end]))
        if st[i] + en[j] > best:
            best, where = st[i] + en[j], (span[i][0], span[j][1], float(st[i] + en[j]))
    return where
