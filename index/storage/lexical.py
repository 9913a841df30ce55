"""Keyword search: jieba tokens (with administrative words and the corpus's own entities) into BM25, as .npy arrays."""
from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
from pathlib import Path

import numpy as np

from index.errors import IndexCorrupt, require

# Function words and question words: they carry no topic, so they neither score nor count for coverage.
STOPWORDS = frozenset("""
的 了 是 在 和 与 及 等 有 也 都 就 还 又 而 或 并 被 把 将 对 从 向 为 以 于 之 其 该 此 这 那 这些 那些 这个 那个
我 你 他 她 它 我们 你们 他们 咱们 您 吗 呢 吧 啊 呀 哦 嘛 么 请问 请 问 一下 想 想要 知道 告诉 了解 一些 什么 啥 哪些
哪个 哪里 哪儿 哪 怎么 怎么样 咋样 怎样 如何 为什么 为何 多少 几 几个 多 谁 是否 是不是 有没有 能不能 可以 可不可以 会 能 要 吗
个 位 次 年 年度 方面 情况 问题 相关 关于 具体 主要 一个 一种 什么样 哪家 哪位 哪些地方 来着 呗 嗯 帮 帮我 查 查一下 说说
介绍 讲讲 下 得 地 着 过 上 中 内 里 后 前 时 时候 所 给 让 使 由 当 到 最 很 更 非常 比较 已经 曾经 大概 大约 约
一共 总共 共 总计 合计 到底 究竟 这次 此次 这项 那项 这种 那种 哪类 哪种 哪几种 几种 几家 几名 几项 第几 有个 有没有 干嘛 干啥 多不多
大不大 好不好 一起 起来 那边 这边 那个 这个 啥样 都 弄 搞 拿 来 去 呀 啦 哈 嘞 么样 是啥 叫啥 哪几个 哪几家 一下子 还有
什么时候 啥时候 啥时 几时 何时 多会儿 什么时间 咋 咋办 咋整 咋弄 咋样 怎么办 为啥 啥意思 多久 多长时间 哪天
几月 几号 几日 几点 这篇 那篇 本篇 来着 叫啥名 啥名字 哪能 按照 依照 按着
哪一天 哪一日 哪日 哪一个 哪一家 哪一位
哎 哎呀 诶 欸 喂 唉 噢 哇 哟 嘿 哈喽 好像 貌似
""".split())
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]")
_lock = threading.Lock()
_tokenizers: dict[tuple[str, ...], object] = {}
_base: list = []  # the default dictionary, loaded once per process
_tagger: list = []  # its part-of-speech tagger, built once per process


def _base_dictionary(jieba):
    if not _base:
        tok = jieba.Tokenizer()
        tok.initialize()
        _base.append(tok)
    return _base[0]


@functools.lru_cache(maxsize=1)
def civic_words() -> tuple[str, ...]:
    """Returns: the administrative words every tokenizer knows (civic_words.txt), whose change re-cuts the corpus."""
    text = Path(__file__).with_name("civic_words.txt").read_text(encoding="utf-8")
    return tuple(w for w in (line.split("#")[0].strip() for line in text.splitlines()) if w)


def lexicon_key() -> str:
    """Returns: a short key of the administrative word list, recorded in each index version's manifest."""
    return hashlib.sha256("\n".join(civic_words()).encode("utf-8")).hexdigest()[:12]


def pos_tagger():
    """Returns: a jieba part-of-speech tagger over the shipped dictionary (built once per process and shared)."""
    with _lock:
        if not _tagger:
            posseg = require("jieba.posseg", "jieba")
            _tagger.append(posseg.POSTokenizer(_base_dictionary(require("jieba"))))
        return _tagger[0]


def word_counts() -> dict[str, int]:
    """Returns: jieba's general-Chinese word counts (its shipped dictionary, loaded once per process and shared)."""
    with _lock:
        return _base_dictionary(require("jieba")).FREQ


def get_tokenizer(entities: tuple[str, ...] = ()):
    """A jieba tokenizer that knows the corpus's entities (one per entity set, shared, thread-safe to build).

    Args:
        entities: words to keep whole (units, places, programme names).

    Returns:
        A jieba.Tokenizer.
    """
    with _lock:
        tok = _tokenizers.get(entities)
        if tok is None:
            jieba = require("jieba")
            jieba.setLogLevel(60)
            tok = jieba.Tokenizer()
            # A copy of the already loaded dictionary: loading it from disk again costs about a second, paid on
            # every index change (entity sets differ) by both the updater and the reloading server.
            base = _base_dictionary(jieba)
            tok.FREQ, tok.total, tok.initialized = dict(base.FREQ), base.total, True
            for word in civic_words():
                tok.add_word(word, freq=2000)
            for word in entities:
                tok.add_word(word, freq=20000)
            _tokenizers.clear()  # the entity set changes with the corpus; keep only the newest
            _tokenizers[entities] = tok
        return tok


def tokenize(text: str, tokenizer) -> list[str]:
    """Cut Simplified text into search terms (jieba search mode), without stopwords and punctuation.

    Args:
        text: cleaned Simplified text.
        tokenizer: from get_tokenizer.

    Returns:
        Lower-cased terms, in order, repeats kept.
    """
    out = []
    for w in tokenizer.cut_for_search(text.lower()):
        w = w.strip()
        if w and w not in STOPWORDS and _TOKEN_OK.search(w):
            out.append(w)
    return out


class BM25:
    """Okapi BM25 over a term-by-passage sparse matrix (CSC: one column of postings per term)."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, rows: np.ndarray, tfs: np.ndarray,
                 doc_len: np.ndarray, k1: float = 1.2, b: float = 0.75) -> None:
        self.vocab, self.indptr, self.rows, self.tfs, self.doc_len = vocab, indptr, rows, tfs, doc_len
        self.k1, self.b = k1, b
        self.n = len(doc_len)
        self.avgdl = float(doc_len.mean()) if self.n else 1.0
        df = np.diff(indptr).astype(np.float64)
        self.idf = np.log(1.0 + (self.n - df + 0.5) / (df + 0.5))
        self.max_idf = math.log(1.0 + (self.n + 0.5) / 0.5)

    @classmethod
    def build(cls, docs: list[list[str]]) -> "BM25":
        """Args: docs: tokens of each passage. Returns: the BM25 index."""
        # Vectorised (one dict pass, then numpy): a 10,000-passage index is rebuilt on every corpus change.
        # Term ids follow first appearance and each term's postings ascend by passage, as a plain loop would give.
        vocab: dict[str, int] = {}
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for toks in docs for t in toks), dtype=np.int64)
        doc_len = np.array([len(d) for d in docs], dtype=np.float32)
        n = len(docs)
        doc_of = np.repeat(np.arange(n, dtype=np.int64), doc_len.astype(np.int64))
        keys, tfs = np.unique(ids * max(n, 1) + doc_of, return_counts=True)
        terms = keys // max(n, 1)
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(vocab)), out=indptr[1:])
        rows = (keys % max(n, 1)).astype(np.int32)
        return cls(vocab, indptr, rows, tfs.astype(np.float32), doc_len)

    def idf_of(self, term: str) -> float:
        """Args: term: a token. Returns: its IDF; unseen terms get the highest IDF (they are the most specific)."""
        tid = self.vocab.get(term)
        return float(self.idf[tid]) if tid is not None else self.max_idf

    def scores(self, query_terms: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
        """Args: query_terms: tokens of the query; weights: a factor per term (default 1).

        Returns:
            A BM25 score for every passage.
        """
        out = np.zeros(self.n, dtype=np.float32)
        norm = self.k1 * (1 - self.b + self.b * self.doc_len / max(self.avgdl, 1e-9))
        for term in set(query_terms):
            tid = self.vocab.get(term)
            if tid is None:
                continue
            lo, hi = self.indptr[tid], self.indptr[tid + 1]
            rows, tf = self.rows[lo:hi], self.tfs[lo:hi]
            factor = weights.get(term, 1.0) if weights else 1.0
            out[rows] += factor * self.idf[tid] * tf * (self.k1 + 1) / (tf + norm[rows])
        return out

    def ceiling(self, query_terms: list[str]) -> float:
        """Args: query_terms: tokens of the query. Returns: the score of a passage holding every term (unseen ones too)."""
        return sum(self.idf_of(t) for t in set(query_terms)) * (self.k1 + 1)

    def save(self, folder: Path) -> None:
        """Write vocab.json and .npy arrays into folder (the caller's folder is staged, then renamed)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "bm25_vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        for name in ("indptr", "rows", "tfs", "doc_len"):
            np.save(folder / f"bm25_{name}.npy", getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "BM25":
        """Args: folder: where save() wrote. Returns: the BM25 index. Raises: IndexCorrupt."""
        try:
            vocab = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
            arrays = [np.load(folder / f"bm25_{n}.npy", allow_pickle=False) for n in ("indptr", "rows", "tfs", "doc_len")]
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"{folder}: keyword index unreadable: {exc}",
                               hint="run `make index` (or `python -m index rebuild`)") from None
        if len(arrays[0]) != len(vocab) + 1 or len(arrays[1]) != len(arrays[2]):
            raise IndexCorrupt(f"{folder}: keyword index arrays disagree", hint="run `python -m index rebuild`")
        return cls(vocab, *arrays)
