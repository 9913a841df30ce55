"""Hybrid search over one loaded index version: dense (FAISS) + BM25 + entity matches, with coverage per hit."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from index.config import SearchConfig
from index.passages.windows import windows_of
from index.storage.lexical import BM25, get_tokenizer, tokenize
from index.types import Hit, Passage
from index.words.glossary import figures, load as load_glossary, translate
from index.words.query import Query, analyse, coverage, respell, without_preamble
from index.words.romanise import latin_words, syllable_runs
from index.words.thesaurus import load as load_thesaurus


_HAN = re.compile(r"[\u3400-\u9fff]")


def evidence_text(p: Passage) -> str:
    """Args: p: a passage. Returns: everything a passage can be cited for (lower-cased): text, section, case, unit, title, date."""
    return " ".join(x for x in (p.doc_title, p.date, p.section, p.unit or "", p.case or "", p.text) if x).lower()


@dataclass(frozen=True)
class WindowTable:
    """Every passage's windows (index/passages/windows.py) with their vectors: passage i owns rows
    starts[i]:starts[i + 1]."""

    vectors: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, passages: list[Passage], vectors: np.ndarray) -> "WindowTable | None":
        """Args: passages; vectors: one row a window, in passage order. Returns: the table, or None when the
        vectors do not fit the passages' windows."""
        counts = [len(windows_of(p)) for p in passages]
        starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64)
        return cls(vectors, starts) if int(starts[-1]) == len(vectors) else None

    def best(self, sims: np.ndarray) -> np.ndarray:
        """Args: sims: one cosine a window. Returns: each passage's best window cosine (-1 for one without)."""
        out = np.full(len(self.starts) - 1, -1.0, dtype=np.float32)
        has = self.starts[1:] > self.starts[:-1]
        if has.any():
            out[has] = np.maximum.reduceat(sims, self.starts[:-1][has])
        return out

    def owner(self, rows: np.ndarray) -> np.ndarray:
        """Args: rows: window rows. Returns: the passage each belongs to."""
        return np.searchsorted(self.starts, rows, side="right") - 1


@dataclass
class SearchResult:
    """Hits for one query, best first, and the analysed query they answer."""

    query: Query
    hits: list[Hit]


class HybridSearcher:
    """Ranks passages by a weighted sum of dense cosine, normalised BM25, shared entities and best-sentence coverage.

    Args:
        passages: the passage table; row i is vector i of the store.
        store: a VectorStore holding one L2-normalised vector per passage.
        vectors: the same vectors as a (n, dim) array, for exact scores of keyword-only candidates.
        bm25: the keyword index over the same rows.
        entities: the corpus's entities (tokenizer dictionary and entity bonus).
        encoder: embeds queries (an Encoder).
        config: the [search] settings.
        windows: the passages' window vectors (a passage is also scored by its best window).
    """

    def __init__(self, passages: list[Passage], store, vectors: np.ndarray, bm25: BM25, entities: list[str],
                 encoder, config: SearchConfig, windows: WindowTable | None = None) -> None:
        self.passages, self.store, self.vectors, self.bm25 = passages, store, vectors, bm25
        self.windows = windows
        self.entities = tuple(entities)
        self.encoder, self.config = encoder, config
        self.tokenizer = get_tokenizer(self.entities)
        self._names = "\n".join(self.entities)
        self._evidence = [evidence_text(p) for p in passages]
        self._sentences = [tuple(x.lower() for x in p.sentences) for p in passages]
        self._romanised: dict[str, dict[str, str]] | None = None
        self.thesaurus = load_thesaurus() if config.synonym_weight > 0 else {}
        self.glossary = load_glossary()
        by_doc: dict[str, list[str]] = {}
        for p, ev in zip(passages, self._evidence):
            by_doc.setdefault(p.doc_id, []).append(ev)
        self._doc_evidence = {d: " ".join(evs) for d, evs in by_doc.items()}

    def document_evidence(self, doc_id: str) -> str:
        """Args: doc_id: a document. Returns: all its citable text, lower-cased (for places and years it names)."""
        return self._doc_evidence.get(doc_id, "")

    def entities_named(self, text: str) -> list[str]:
        """The corpus entities a query names: written out, or, in a question without Chinese characters, the
        characters of an entity that a romanised word spells ("Licang" -> 李沧, not all of 李沧区政府).

        Args:
            text: the Simplified query.

        Returns:
            The entity strings, one per romanised word at most.
        """
        named = [e for e in self.entities if e in text]
        if _HAN.search(text) or not (words := latin_words(text)):
            return named
        spelled = self._spelled()
        return named + sorted({chars for w in words for chars in spelled.get(w, {})})

    def _spelled(self) -> dict[str, dict[str, str]]:
        """Romanised run -> {characters it spells: the shortest entity holding them}; built on first use."""
        if self._romanised is None:  # a race only repeats the work
            spelled: dict[str, dict[str, str]] = {}
            for e in sorted(self.entities, key=len):
                for run, chars in syllable_runs(e).items():
                    spelled.setdefault(run, {}).setdefault(chars, e)
            self._romanised = spelled
        return self._romanised

    def _expansion(self, text: str) -> list[str]:
        """Search terms for the names a Latin-script question romanises (Shibei -> 市北区), for BM25."""
        if _HAN.search(text):
            return []
        terms: list[str] = []
        for w in sorted(latin_words(text)):
            for chars, entity in self._spelled().get(w, {}).items():
                toks = tokenize(chars, self.tokenizer)
                # 市北 alone may fall apart into single characters: then search for the entity that holds it.
                terms += toks if any(len(t) > 1 for t in toks) else tokenize(entity.lower(), self.tokenizer)
        return terms

    def _attested(self, word: str) -> bool:
        """Whether the corpus's passages use a word (or every token it is cut into)."""
        toks = tokenize(word.lower(), self.tokenizer)
        return word.lower() in self.bm25.vocab or bool(toks) and all(t in self.bm25.vocab for t in toks)

    def analyse(self, text: str) -> Query:
        """Its analysis against this corpus's vocabulary; a question without Chinese characters is analysed as the
        Chinese words its English phrases and romanised names stand for (its text stays as asked).

        Args:
            text: Simplified query.

        Returns:
            The Query.
        """
        if _HAN.search(text) or not latin_words(text):
            return analyse(text, self.tokenizer, self.bm25.idf_of, self.thesaurus, self.config.synonym_weight)
        groups, rest = translate(text, self.glossary, fallback=True)
        # Of a word's translations, the ones this corpus uses come first (provide: 提供 before 规定, demonstration:
        # 示范 before 游行): the dictionary's commonest sense is often not the one official text means.
        groups = [tuple(sorted(g, key=lambda w: not self._attested(w))) for g in groups]
        spelled = {w: e for w in latin_words(text) for e in self._spelled().get(w, {})}
        numbers = figures(text)
        query = analyse(" ".join([g[0] for g in groups] + list(spelled.values()) + numbers), self.tokenizer,
                        self.bm25.idf_of)
        # A phrase's other translations (long-term: 远期 or 长期) stand in for its first one at full weight; when the
        # first one falls apart into words (巡查员 -> 巡查 员), they stand in for its weightiest word.
        weight = dict(query.keywords)
        alternatives = []
        for g in (g for g in groups if len(g) > 1):
            parts = [w for w in (g[0].lower(), *tokenize(g[0].lower(), self.tokenizer)) if w in weight]
            if parts:
                alternatives.append((max(parts, key=lambda w: (w == g[0].lower(), weight[w])),
                                     tuple(a.lower() for a in g[1:])))
        alternatives = tuple(alternatives)
        # Words the glossary cannot translate (register, live) are asked too: no Chinese text is seen to cover them.
        missing = [w for w in rest if w not in spelled]
        if missing and query.keywords:
            mean = sum(wt for _, wt in query.keywords) / len(query.keywords)
            query = dataclasses.replace(query, keywords=query.keywords + tuple((w, mean) for w in missing))
        # "the 2017 awards": a year is a constraint in English too (Chinese writes it 2017年).
        years = tuple(dict.fromkeys(re.findall(r"\b((?:19|20)\d{2})\b", text)))
        # "Metro Line 1" (1号线) is one line, which the answer must name, as in Chinese.
        lines = tuple(g[0] for g in groups if re.fullmatch(r"\d+号线", g[0]))
        return dataclasses.replace(query, text=text, alternatives=alternatives, constraints=years + lines,
                                   synonym_weight=1.0 if alternatives else 0.0)

    def _synonym_scores(self, query: Query, terms: list[str]) -> np.ndarray:
        """BM25 credit for the thesaurus's other words of the query's keywords (看病 -> 就医 医疗).

        Per keyword, a passage earns its best synonym's score beyond what the keyword itself scored there, so many
        synonyms never add up. A synonym never says more than the citizen's word did: its factor is
        synonym_weight times the keyword's IDF over its own, at most 1, so a word every passage has (评选) gains
        nothing from rare synonyms (评审).
        """
        extra = np.zeros(self.bm25.n, dtype=np.float32)
        asked = set(terms)
        weight = dict(query.keywords)
        for word, alts in query.alternatives:
            best = np.zeros(self.bm25.n, dtype=np.float32)
            for t in {t for alt in alts for t in tokenize(alt, self.tokenizer)} - asked:
                factor = query.synonym_weight * min(1.0, weight[word] / max(self.bm25.idf_of(t), 1e-9))
                best = np.maximum(best, self.bm25.scores([t], {t: factor}))
            if best.any():
                extra += np.maximum(best - self.bm25.scores(tokenize(word, self.tokenizer)), 0.0)
        return extra

    def search(self, text: str, k: int | None = None, mode: str = "hybrid", query_vector: np.ndarray | None = None,
               window_weight: float | None = None) -> SearchResult:
        """Find the passages that best answer a query.

        Args:
            text: cleaned Simplified query.
            k: how many hits (default config.top_k).
            mode: "hybrid", "dense" or "lexical" (the last two are the evaluation baselines).
            query_vector: a precomputed query embedding (skips encoding).
            window_weight: the best window's share of a passage's score (default config.window_weight).

        Returns:
            A SearchResult with up to k hits, best first.
        """
        k = k or self.config.top_k
        if _HAN.search(text) and (fixed := respell(without_preamble(text), self.tokenizer, self._names)) != text:
            text, query_vector = fixed, None
        query = self.analyse(text)
        n = len(self.passages)
        if n == 0:
            return SearchResult(query, [])
        cand = self.config.candidates
        dense: dict[int, float] = {}
        qv = None
        if mode in ("hybrid", "dense"):
            qv = query_vector if query_vector is not None else self.encoder.encode_queries([text])[0]
            scores, ids = self.store.search(qv[None, :].astype(np.float32), min(cand, n))
            dense = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        q_entities = self.entities_named(query.text)
        # "Licang" in an English question: search for 李沧 too, so its passages become candidates.
        terms = list(query.search_terms) + self._expansion(query.text)
        lex_all = self.bm25.scores(terms) if mode in ("hybrid", "lexical") else None
        if lex_all is not None and query.alternatives:
            # Official words for the citizen's (看病 -> 就医) score at a discount and leave the ceiling as it is.
            lex_all = lex_all + self._synonym_scores(query, terms)
        lexical: dict[int, float] = {}
        if lex_all is not None and lex_all.max() > 0:
            top = np.argpartition(-lex_all, min(cand, n) - 1)[:min(cand, n)]
            # Scaled by what a passage holding every query word would score, not by the best passage: a match on
            # words every passage has (the title's) must not look like a perfect keyword match.
            ceiling = max(self.bm25.ceiling(terms), 1e-9)
            lexical = {int(i): min(1.0, float(lex_all[i]) / ceiling) for i in top if lex_all[i] > 0}
        ids = set(dense) | set(lexical)
        wsims = best_window = None
        weight = self.config.window_weight if window_weight is None else window_weight
        if qv is not None and self.windows is not None and mode == "hybrid" and weight:
            # A passage is as good as its best sentence: the passages of the best windows are candidates too.
            wsims = self.windows.vectors @ qv
            best_window = self.windows.best(wsims)
            top = np.argpartition(-wsims, min(cand, len(wsims)) - 1)[:min(cand, len(wsims))]
            ids |= {int(i) for i in self.windows.owner(top)}
        if qv is not None:
            missing = [i for i in ids if i not in dense]
            if missing:
                sims = self.vectors[missing] @ qv
                dense.update({i: float(s) for i, s in zip(missing, sims)})
        # A lone character (看, 用) is found inside unrelated words (看病): proximity counts whole words only.
        words = dataclasses.replace(query, keywords=tuple(kw for kw in query.keywords if len(kw[0]) > 1))
        if not (mode == "hybrid" and self.config.sentence_weight and words.keywords):
            words = None
        hits = []
        for i in ids:
            ev = self._evidence[i]
            d, lx = dense.get(i, 0.0), lexical.get(i, 0.0)
            cov = coverage(query, ev)
            if mode == "dense":
                score = d
            elif mode == "lexical":
                score = lx
            else:
                bonus = self.config.entity_bonus * sum(e.lower() in ev for e in q_entities)
                score = self.config.dense_weight * d + self.config.lexical_weight * lx + bonus
                if words is not None:
                    # Proximity: a passage whose single sentence holds most of the question more likely answers it
                    # than one where the same words are scattered (and the quote is taken from one sentence).
                    score += self.config.sentence_weight * max(
                        (coverage(words, x) for x in self._sentences[i]), default=0.0)
            windows: tuple[float, ...] = ()
            if wsims is not None:
                score += weight * float(best_window[i])
                windows = tuple(float(x) for x in wsims[self.windows.starts[i]:self.windows.starts[i + 1]])
            hits.append(Hit(passage=self.passages[i], score=score, dense=d, lexical=lx, coverage=cov,
                            windows=windows))
        hits.sort(key=lambda h: (-h.score, h.passage.passage_id))
        return SearchResult(query, hits[:k])
