"""Corpus folder -> a complete new index version: clean, segment, embed (reusing unchanged vectors), store, switch."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import fsio
from index.config import Config
from index.errors import DocumentError
from index.ingest.clean import clean_document
from index.ingest.load import content_hash, iter_corpus, read_document_file, sidecar_path
from index.passages.segment import extract_entities, segment_document
from index.passages.windows import Window, windows_of
from index.storage.lexical import BM25, STOPWORDS, civic_words, get_tokenizer, lexicon_key, tokenize
from index.types import Document, Passage
from index.versioning.reuse import Previous, load_previous, segment_key, text_key

FORMAT = 2  # 2: window vectors beside the passage vectors


@dataclass(frozen=True)
class Ingested:
    """One corpus file after loading, cleaning and segmentation."""

    document: Document
    passages: list[Passage]
    meta_hash: str = ""  # sha256 of the sidecar X.meta.json ("" when none)


def context_line(p: Passage) -> str:
    """Args: p: a passage. Returns: where it stands: the title of a structured document (statute, outline, Q&A) and
    its headings, or for plain prose its heading alone; "" when it has none."""
    heads = list(p.path) + ([p.label] if p.label and not p.text.startswith(p.label) else [])
    return " ".join(([p.doc_title] if p.label or len(p.path) > 1 else []) + heads)


def embed_text(p: Passage) -> str:
    """Args: p: a passage. Returns: the text its vector is made from (where it stands, then its text)."""
    head = context_line(p)
    return f"{head}：{p.lead}{p.text}" if head else p.lead + p.text


def window_text(w: Window) -> str:
    """Args: w: a window of a passage. Returns: the text its vector is made from (its heading line, then its text)."""
    return f"{w.head}：{w.text}"


def lexical_text(p: Passage) -> str:
    """Args: p: a passage. Returns: the text its keywords are taken from."""
    return " ".join(x for x in (p.doc_title, *p.path, p.label, p.unit or "", p.case or "", p.lead, p.text) if x)


def _byline(meta: dict) -> dict:
    """Args: meta: what cleaning found in a document. Returns: its reporter and editor (questions about the report)."""
    return {k: meta[k] for k in ("reporter", "editor") if meta.get(k)}


def meta_hash(path: Path) -> str:
    """Args: path: a corpus file. Returns: sha256 of its sidecar metadata file, "" when it has none."""
    side = sidecar_path(path)
    return content_hash(side) if side.is_file() else ""


def ingest_file(path: Path, config: Config, doc_id: str | None = None, meta: dict | None = None) -> Ingested:
    """Load, clean and segment one document file.

    Args:
        path: the corpus file.
        config: settings (size limit, segmentation).
        doc_id: id to give it (default: the file's stem).
        meta: metadata that wins over the file's own and its sidecar's (title, source, date, url).

    Returns:
        The Ingested document. Raises DocumentError naming the file when it cannot be used.
    """
    raw, found = read_document_file(path, config.index.max_document_bytes)
    meta = {**found, **(meta or {})}
    cleaned = clean_document(raw)
    if not cleaned.text.strip():
        raise DocumentError(str(path.name), "no text left after cleaning")
    doc_id = doc_id or path.stem
    title = (meta.get("title") or "").strip() or _first_line(cleaned.text)
    from index.ingest.clean import clean_text
    title = clean_text(title)
    doc = Document(doc_id=doc_id, title=title, text=cleaned.text, original=cleaned.original,
                   source=meta.get("source", ""), date=meta.get("date", ""), url=meta.get("url", ""),
                   meta={**cleaned.meta, "traditional": cleaned.traditional}, path=path.name,
                   content_hash=content_hash(path))
    s = config.segment
    passages = segment_document(doc_id, title, cleaned.text, cleaned.original, cleaned.headings,
                                max_chars=s.max_chars, overlap=s.overlap_sentences, min_chars=s.min_chars,
                                unit_max_chars=s.unit_max_chars,
                                date=doc.date, source=doc.source, url=doc.url)
    if not passages:
        raise DocumentError(str(path.name), "no passages could be cut from it")
    return Ingested(doc, passages, meta_hash(path))


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line[:40] + ("…" if len(line) > 40 else "")


def ingest_corpus(config: Config, files: list[Path] | None = None, previous: Previous | None = None,
                  known: dict[str, Ingested] | None = None) -> list[Ingested]:
    """Ingest every document of the corpus folder, failing on the first bad one (nothing is written).

    Args:
        config: settings.
        files: the files to read (default: every supported file of config.corpus_dir).
        previous: an earlier version whose documents are taken over when their file, sidecar and the
            segmentation settings are unchanged (content hashes), instead of being cleaned and cut again.
        known: file name -> an Ingested made moments ago from that very file (it is not read again).

    Returns:
        The ingested documents, in file order.
    """
    files = iter_corpus(config.corpus_dir) if files is None else files
    seg = segment_key(config)
    out = []
    for f in files:
        if known and f.name in known:
            out.append(known[f.name])
            continue
        earlier = None
        if previous is not None and previous.documents:
            mh = meta_hash(f)
            earlier = previous.ingested(f.stem, f.name, content_hash(f), mh, seg)
        out.append(Ingested(earlier[0], earlier[1], mh) if earlier else ingest_file(f, config))
    return out


_text_key = text_key


def reusable_vectors(config: Config, fingerprint: str) -> dict[str, np.ndarray]:
    """Vectors of the current version, by embedded-text hash, when it was built with the same model.

    Args:
        config: settings.
        fingerprint: the encoder's fingerprint.

    Returns:
        text hash -> vector (empty when there is no usable current version).
    """
    return load_previous(config, fingerprint, with_documents=False).vectors


def write_version(config: Config, ingested: list[Ingested], encoder, progress: bool = True,
                  note: str = "", previous: Previous | None = None, change: str = "") -> tuple[str, dict]:
    """Embed what changed and write a complete new index version, then switch to it atomically.

    Args:
        config: settings.
        ingested: every document the new version holds.
        encoder: an Encoder.
        progress: show a progress bar while embedding.
        note: what changed (kept in the manifest).
        previous: the current version's reusable parts (default: read here); vectors and keyword tokens of
            unchanged passages are taken from it.
        change: the id of the staff change this version completes (kept in the manifest, for recovery).

    Returns:
        (version name, stats: passages, embedded, reused, seconds).
    """
    from index.storage.store import open_store
    from index.versioning.versions import VersionStore

    t0 = time.perf_counter()
    if previous is None:
        previous = load_previous(config, encoder.fingerprint, with_documents=False)
    passages = [p for ing in ingested for p in ing.passages]
    texts = [embed_text(p) for p in passages]
    keys = [_text_key(t) for t in texts]
    # Each passage's windows are embedded too: a question matches one sentence better than a whole article.
    win_texts = [window_text(w) for p in passages for w in windows_of(p)]
    win_keys = [_text_key(t) for t in win_texts]
    cache = dict(previous.vectors)
    todo = [i for i, k in enumerate(keys) if k not in cache]
    passage_keys = set(keys)  # a list here made this quadratic: 10,000 passages beside 30,000 windows
    win_todo = sorted({k: i for i, k in enumerate(win_keys) if k not in cache and k not in passage_keys}.values())
    # The keyword side first: a command-line change loads the model meanwhile (LazyEncoder) and waits for it last.
    entities = extract_entities(passages)
    lex_keys, tokens = _tokens(passages, entities, previous)
    bm25 = BM25.build(tokens)

    vs = VersionStore(config.index_dir, keep=config.index.keep_versions)
    staging = vs.begin()
    try:
        bm25.save(staging)
        fsio.atomic_write_jsonl(staging / "passages.jsonl", [p.to_json() for p in passages])
        fsio.atomic_write_json(staging / "text_keys.json", keys)
        fsio.atomic_write_json(staging / "lexical_keys.json", lex_keys)
        # one line a passage, tokens separated by spaces (jieba's tokens never hold whitespace): 10x faster than JSON
        fsio.atomic_write_text(staging / "tokens.txt", "".join(" ".join(t) + "\n" for t in tokens))
        fsio.atomic_write_json(staging / "entities.json", entities)
        fsio.atomic_write_jsonl(staging / "documents.jsonl", [
            {**ing.document.__dict__, "passages": len(ing.passages)} for ing in ingested])
        pending = [texts[i] for i in todo] + [win_texts[i] for i in win_todo]
        if pending:
            fresh = encoder.encode_documents(pending, progress=progress)
            for k, v in zip([keys[i] for i in todo] + [win_keys[i] for i in win_todo], fresh):
                cache[k] = v
        vectors = np.zeros((len(passages), encoder.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            vectors[i] = cache[k]
        np.save(staging / "vectors.npy", vectors, allow_pickle=False)
        win_vectors = np.zeros((len(win_keys), encoder.dim), dtype=np.float32)
        for i, k in enumerate(win_keys):
            win_vectors[i] = cache[k]
        np.save(staging / "window_vectors.npy", win_vectors, allow_pickle=False)
        fsio.atomic_write_json(staging / "window_keys.json", win_keys)
        store = open_store(config.index.vector_store, encoder.dim, config.database.url)
        try:
            if len(passages):
                store.add(np.arange(len(passages), dtype=np.int64), vectors)
            store.save(staging)
        finally:
            store.close()
        docs = {ing.document.doc_id: {"title": ing.document.title, "path": ing.document.path,
                                      "hash": ing.document.content_hash, "meta_hash": ing.meta_hash,
                                      "passages": len(ing.passages),
                                      "source": ing.document.source, "date": ing.document.date,
                                      **_byline(ing.document.meta)}
                for ing in ingested}
        corpus_hash = hashlib.sha256(json.dumps(sorted((d, v["hash"]) for d, v in docs.items())).encode()).hexdigest()
        manifest = {"format": FORMAT, "model": encoder.name, "fingerprint": encoder.fingerprint, "dim": encoder.dim,
                    "corpus_hash": corpus_hash, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "counts": {"documents": len(docs), "passages": len(passages), "embedded": len(todo),
                               "reused": len(passages) - len(todo), "entities": len(entities),
                               "windows": len(win_keys), "windows_embedded": len(win_todo)},
                    "documents": docs, "note": note, "segment": segment_key(config), "lexicon": lexicon_key(),
                    "change": change}
        from index.manage.journal import checkpoint

        checkpoint("staged")  # crash tests stop here: a complete build in staging, not yet a version
        name = vs.commit(staging, manifest)
    except BaseException:
        vs.abort(staging)  # a failed build leaves no folder behind (a killed one is swept by recover())
        raise
    return name, {"passages": len(passages), "embedded": len(todo), "reused": len(passages) - len(todo),
                  "windows": len(win_keys), "windows_embedded": len(win_todo),
                  "seconds": round(time.perf_counter() - t0, 2)}


def _tokens(passages: list[Passage], entities: list[str], previous: Previous) -> tuple[list[str], list[list[str]]]:
    """Keyword tokens of every passage: reused when its lexical text and the administrative word list are unchanged
    and no entity added to or dropped from the tokenizer's dictionary occurs in it (only then could jieba cut it
    differently)."""
    texts = [lexical_text(p) for p in passages]
    # Tokens cut before a word was added to the administrative list, or to the stopwords, would not be cut alike:
    # both lists are in the key.
    words = "\n".join(civic_words()) + "\n\n" + " ".join(sorted(STOPWORDS)) + "\n\n"
    keys = [text_key(words + t) for t in texts]
    changed = [e.lower() for e in set(entities) ^ set(previous.entities)]
    tokenizer = None
    out = []
    for text, key in zip(texts, keys):
        toks = previous.tokens.get(key)
        if toks is not None and changed:
            low = text.lower()
            if any(e in low for e in changed):
                toks = None
        if toks is None:
            tokenizer = tokenizer or get_tokenizer(tuple(entities))
            toks = tokenize(text, tokenizer)
        out.append(toks)
    return keys, out


def build_index(config: Config, encoder=None, progress: bool = True, note: str = "rebuild") -> tuple[str, dict]:
    """Build a new index version from the whole corpus folder.

    Args:
        config: settings.
        encoder: an Encoder (default: the configured model, built if needed).
        progress: show progress bars.
        note: recorded in the manifest.

    Returns:
        (version name, stats).
    """
    if encoder is None:
        from index.embedding.embed import load_encoder
        encoder = load_encoder(config)
    return write_version(config, ingest_corpus(config), encoder, progress=progress, note=note)
