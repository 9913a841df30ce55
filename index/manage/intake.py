"""Incoming documents, validated completely before anything in the corpus or the index is touched."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.config import Config
from index.errors import DocumentError, QABotError
from index.ingest.load import META_KEYS, SUPPORTED_SUFFIXES, read_sidecar
from index.versioning.build import Ingested, ingest_file


@dataclass
class Incoming:
    """A validated file: how to name it in messages, its stored name and bytes, its ingestion, its sidecar."""

    display: str
    name: str
    data: bytes
    ingested: Ingested
    sidecar: bytes | None


def check_meta(meta: dict | None) -> dict:
    """Validate metadata given on the command line or to the admin API.

    Args:
        meta: title, source, date (YYYY-MM-DD), url; None or "" values are dropped.

    Returns:
        The cleaned metadata. Raises QABotError naming the bad key.
    """
    out = {}
    for key, value in (meta or {}).items():
        if value is None or value == "":
            continue
        if key not in META_KEYS:
            raise QABotError(f"unknown metadata '{key}'", hint="allowed: " + ", ".join(META_KEYS))
        if not isinstance(value, str) or not value.strip():
            raise QABotError(f"metadata '{key}' must be non-empty text")
        value = value.strip()
        if key == "date":
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError
                _dt.date.fromisoformat(value)
            except ValueError:
                raise QABotError(f"--date '{value}' is not a date in the form YYYY-MM-DD") from None
        out[key] = value
    return out


def prepare(config, src: Path, display: str, name: str, data: bytes, sha: str, meta: dict,
             base: dict | None = None) -> Incoming:
    """Validate one incoming file completely (read, decode, clean, segment) before anything is written.

    Its metadata: `base` (a replaced document's), then a sidecar beside the incoming file, then `meta`.
    """
    doc_id = Path(name).stem
    try:
        given = {**(base or {}), **read_sidecar(src), **meta}
        ing = ingest_file(Path(src), config, doc_id=doc_id, meta=given)
    except DocumentError as exc:
        where = display if Path(exc.path).name in (Path(src).name, str(src)) or exc.path == str(src) else exc.path
        raise DocumentError(where, exc.reason, exc.hint) from None
    if ing.document.content_hash != sha:
        raise DocumentError(display, "the file changed while it was being added; try again")
    sidecar = (json.dumps(given, ensure_ascii=False, indent=1) + "\n").encode("utf-8") if given else None
    doc = dataclasses.replace(ing.document, path=name)
    mh = hashlib.sha256(sidecar).hexdigest() if sidecar else ""
    return Incoming(display, name, data, Ingested(doc, ing.passages, mh), sidecar)


def read_incoming(src: Path, display: str, config: Config) -> bytes:
    """The file's bytes, with the same refusals as ingestion gives for size, emptiness and readability."""
    from index.ingest.load import _read_bytes

    suffix = Path(display).suffix.lower() or Path(src).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(display, f"unsupported file type '{suffix or '(none)'}'",
                            hint="accepted: " + ", ".join(SUPPORTED_SUFFIXES))
    try:
        return _read_bytes(Path(src), config.index.max_document_bytes)
    except DocumentError as exc:
        raise DocumentError(display, exc.reason, exc.hint) from None
