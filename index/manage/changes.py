"""Staff changes to the corpus (add, replace, remove, rollback), shared by the command line and the admin API."""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.config import Config
from index.errors import DocumentError, QABotError, UnknownVersion
from index.ingest.load import SIDECAR_SUFFIX, read_sidecar
from index.manage import journal
from index.manage.audit import who
from index.manage.corpus import Archive, CorpusDoc, find, next_number, scan, stored_name
from index.manage.intake import Incoming, check_meta, prepare, read_incoming
from index.versioning.build import ingest_corpus, write_version
from index.versioning.reuse import load_previous


@dataclass
class ChangeResult:
    """What a change did.

    Attributes:
        action: add, replace, remove or rollback.
        version: the index version served afterwards.
        doc_ids: the documents it touched.
        passages: doc_id -> passage count, for added or replaced documents.
        stats: build figures (passages, embedded, reused, seconds).
        recovered: messages about an earlier interrupted change this call finished or undid first.
    """

    action: str
    version: str
    doc_ids: list[str]
    passages: dict[str, int] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    recovered: list[str] = field(default_factory=list)


def add_documents(config: Config, sources: list[Path], meta: dict | None = None, by: str | None = None,
                  encoder=None, names: list[str] | None = None, wait: bool = True) -> ChangeResult:
    """Add new documents: stored as received under <NNN>_<hash>.<ext>, ingested, and served in a new version.

    Args:
        config: settings.
        sources: the files to add.
        meta: metadata for every one of them (title, source, date, url), kept in a sidecar file.
        by: who adds them (default $USER).
        encoder: an Encoder (default: the configured model, loaded only if needed).
        names: how to name each file in messages (default: its path).
        wait: wait for another change in progress (else raise ChangeBusy).

    Returns:
        The ChangeResult. Raises DocumentError naming the file and reason; then nothing has changed.
    """
    if not sources:
        raise QABotError("no file given to add")
    meta = check_meta(meta)
    encoder = encoder or _lazy(config)
    with journal.change_lock(config, wait=wait):
        recovered = journal.recover(config)
        docs = scan(config)
        known = {d.sha256 for d in docs}
        number, seen, new = next_number(docs), {d.sha256: d.doc_id for d in docs}, []
        for i, src in enumerate(sources):
            display = names[i] if names else str(src)
            data = read_incoming(src, display, config)
            sha = hashlib.sha256(data).hexdigest()
            if sha in seen:
                where = (f"document {seen[sha]}, which is already in the corpus" if sha in known
                         else f"{seen[sha]}, given in the same command")
                raise DocumentError(display, f"same content as {where}",
                                    hint="nothing was added; use `replace DOC_ID FILE` to change a document")
            name = stored_name(number + i, sha, Path(src).suffix or Path(display).suffix)
            new.append(prepare(config, src, display, name, data, sha, meta))
            seen[sha] = display
        return _change(config, "add", new, [], by, encoder, recovered)


def replace_document(config: Config, doc_id: str, source: Path, meta: dict | None = None, by: str | None = None,
                     encoder=None, name: str | None = None, wait: bool = True) -> ChangeResult:
    """Replace a document's file, keeping its id (and its metadata, unless new values are given).

    Args:
        config: settings.
        doc_id: the document to replace.
        source: the new file.
        meta: metadata to change.
        by: who replaces it.
        encoder: an Encoder (default: the configured model, loaded only if needed).
        name: how to name the file in messages.
        wait: wait for another change in progress.

    Returns:
        The ChangeResult; the old passages are not in the new version.
    """
    meta = check_meta(meta)
    encoder = encoder or _lazy(config)
    display = name or str(source)
    with journal.change_lock(config, wait=wait):
        recovered = journal.recover(config)
        docs = scan(config)
        old = find(docs, doc_id)
        data = read_incoming(source, display, config)
        sha = hashlib.sha256(data).hexdigest()
        for d in docs:
            if d.sha256 == sha:
                raise DocumentError(display, "identical to the current file of this document" if d is old else
                                    f"same content as document {d.doc_id}, which is already in the corpus",
                                    hint="nothing was replaced")
        kept = read_sidecar(old.path) if old.sidecar else {}
        suffix = (Path(source).suffix or Path(display).suffix).lower()
        new = prepare(config, source, display, doc_id + suffix, data, sha, meta, base=kept)
        return _change(config, "replace", [new], [old], by, encoder, recovered)


def remove_document(config: Config, doc_id: str, by: str | None = None, encoder=None,
                    wait: bool = True) -> ChangeResult:
    """Take a document out of the corpus (its file is archived) and serve a version without it.

    Args:
        config: settings.
        doc_id: the document to remove.
        by: who removes it.
        encoder: an Encoder (default: the configured one; nothing is embedded, so the model is not loaded).
        wait: wait for another change in progress.

    Returns:
        The ChangeResult.
    """
    encoder = encoder or _lazy(config, preload=False)
    with journal.change_lock(config, wait=wait):
        recovered = journal.recover(config)
        docs = scan(config)
        old = find(docs, doc_id)
        if len(docs) == 1:
            raise QABotError(f"{doc_id} is the only document; the bot would have nothing to answer from",
                             hint="add the new documents first, then remove this one")
        return _change(config, "remove", [], [old], by, encoder, recovered)


def rollback(config: Config, name: str | None = None, by: str | None = None, wait: bool = True) -> ChangeResult:
    """Serve an earlier index version again and put the corpus back as it was for that version.

    Args:
        config: settings.
        name: the version (default: the one before the current one).
        by: who rolls back.
        wait: wait for another change in progress.

    Returns:
        The ChangeResult.
    """
    vs = journal.versions(config)
    with journal.change_lock(config, wait=wait):
        recovered = journal.recover(config)
        current, names = vs.current(), vs.names()
        if name is None:
            older = [n for n in names if current is None or n < current]
            if not older:
                raise UnknownVersion("there is no earlier index version to roll back to",
                                     hint="versions kept: " + (", ".join(names) or "none"))
            name = older[-1]
        if name == current:
            raise UnknownVersion(f"{name} is already the version being served",
                                 hint="`python -m index versions` lists the others")
        target = vs.manifest(name)["documents"]
        docs, archive = scan(config), Archive(config)
        removes, adds, data = [], [], {}
        have = {(d.path.name, d.sha256) for d in docs} | {(d.sidecar.name, d.meta_sha256) for d in docs if d.sidecar}
        want, untracked = set(), set()
        for doc_id, entry in target.items():
            want.add((entry["path"], entry["hash"]))
            if entry.get("meta_hash"):
                want.add((doc_id + SIDECAR_SUFFIX, entry["meta_hash"]))
            elif "meta_hash" not in entry:
                untracked.add(doc_id + SIDECAR_SUFFIX)  # built before sidecars were tracked: leave it as it is
        for fname, sha in sorted(want - have):
            if not archive.has(sha):
                raise QABotError(f"cannot roll back to {name}: the file {fname} is no longer kept",
                                 hint="add it again, or choose a later version")
            adds.append({"name": fname, "sha256": sha})
            data[fname] = archive.read(sha)
        removes = [{"name": f, "sha256": sha} for f, sha in sorted(have - want) if f not in untracked]
        entry = _entry(config, "rollback", sorted(target), [name], adds, removes, by, target=name)
        journal.begin(config, entry)
        with journal.undone_on_error(config):
            journal.apply(config, entry, data)
            journal.checkpoint("corpus-changed")
            vs.rollback(name)
            journal.checkpoint("committed")
            journal.finish(config, entry, name)
        return ChangeResult("rollback", name, sorted(target), recovered=recovered)


def _change(config: Config, action: str, new: list[Incoming], old: list[CorpusDoc], by, encoder, recovered) -> ChangeResult:
    adds, removes, data = [], [], {}
    for n in new:
        adds.append({"name": n.name, "sha256": n.ingested.document.content_hash})
        data[n.name] = n.data
        if n.sidecar is not None:
            side = Path(n.name).stem + SIDECAR_SUFFIX
            adds.append({"name": side, "sha256": hashlib.sha256(n.sidecar).hexdigest()})
            data[side] = n.sidecar
    for d in old:
        removes.append({"name": d.path.name, "sha256": d.sha256})
        if d.sidecar:
            removes.append({"name": d.sidecar.name, "sha256": d.meta_sha256})
    same = {(a["name"], a["sha256"]) for a in adds} & {(r["name"], r["sha256"]) for r in removes}
    adds = [a for a in adds if (a["name"], a["sha256"]) not in same]
    removes = [r for r in removes if (r["name"], r["sha256"]) not in same]
    doc_ids = [Path(n.name).stem for n in new] or [d.doc_id for d in old]
    entry = _entry(config, action, doc_ids, [n.display for n in new] or [d.path.name for d in old], adds, removes, by)
    previous = load_previous(config, encoder.fingerprint)
    journal.checkpoint("validated")
    journal.begin(config, entry)
    journal.checkpoint("journal-written")
    with journal.undone_on_error(config):
        journal.apply(config, entry, data)
        journal.checkpoint("corpus-changed")
        known = {n.name: n.ingested for n in new}
        ingested = ingest_corpus(config, previous=previous, known=known)
        version, stats = write_version(config, ingested, encoder, progress=False,
                                       note=f"{action} {', '.join(doc_ids)}", previous=previous, change=entry["id"])
        journal.checkpoint("committed")
        journal.finish(config, entry, version, stats=stats)
    return ChangeResult(action, version, doc_ids, {Path(n.name).stem: len(n.ingested.passages) for n in new},
                        stats, recovered)


def _entry(config, action, doc_ids, files, adds, removes, by, **extra) -> dict:
    return {"id": secrets.token_hex(8), "action": action, "by": who(by), "doc_ids": list(doc_ids),
            "files": list(files), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "base_version": journal.versions(config).current(), "adds": adds, "removes": removes, **extra}


def _lazy(config: Config, preload: bool = True):
    from index.embedding.lazy_encoder import LazyEncoder

    return LazyEncoder(config, preload=preload)
