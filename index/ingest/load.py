"""Read one corpus file into (raw text, metadata): decode and extract only, no cleaning."""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from pathlib import Path

from index.errors import DocumentError
from index.ingest.decode import UndecodableText, decode_text
from index.ingest.extract import ExtractError, docx_text, html_text, pdf_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
META_KEYS = ("title", "source", "date", "url")
SIDECAR_SUFFIX = ".meta.json"

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_FRONT_LINE = re.compile(r"^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")


def read_document_file(path: Path, max_bytes: int) -> tuple[str, dict]:
    """Read one document as received.

    Args:
        path: a .txt, .md, .docx, .pdf, .html or .htm file.
        max_bytes: the size limit (config.index.max_document_bytes).

    Returns:
        (raw_text, metadata): text with "\\n" line endings and front matter removed; metadata holds those
        of "title", "source", "date" (YYYY-MM-DD), "url" that are known (front matter or the file's own
        properties, then the sidecar X.meta.json, which wins).

    Raises:
        DocumentError: naming the file and the reason (unsupported, missing, unreadable, empty, too large,
            undecodable, binary, broken, no text).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(str(path), f"unsupported file type '{suffix or '(none)'}'",
                            hint="accepted: " + ", ".join(SUPPORTED_SUFFIXES))
    data = _read_bytes(path, max_bytes)
    try:
        if suffix in (".txt", ".md"):
            text, meta = _front_matter(path, _normalise(decode_text(data)[0]))
            if suffix == ".md":
                text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # Markdown comments are not shown to readers
        elif suffix == ".docx":
            text, meta = docx_text(data)
        elif suffix == ".pdf":
            text, meta = pdf_text(data)
        else:
            text, meta = html_text(_decode_html(data))
    except (UndecodableText, ExtractError) as exc:
        raise DocumentError(str(path), str(exc)) from exc
    text = _normalise(text)
    if not text.strip():
        raise DocumentError(str(path), "contains only whitespace, no text")
    meta = {k: v for k, v in meta.items() if k in META_KEYS and v}
    meta.update(read_sidecar(path))
    return text, meta


def sidecar_path(path: Path) -> Path:
    """Args: path: a corpus file X.ext. Returns: the path of its optional metadata file X.meta.json."""
    path = Path(path)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict:
    """The metadata in X.meta.json beside a corpus file X.ext, checked.

    Args:
        path: the corpus file (not the sidecar).

    Returns:
        Its non-empty "title", "source", "date", "url" values ({} when there is no sidecar).

    Raises:
        DocumentError: naming the sidecar: not JSON, not an object, an unknown key, a non-text value, a bad date.
    """
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        obj = json.loads(side.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise DocumentError(str(side), f"cannot be read ({exc.strerror})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(str(side), f"metadata file is not valid UTF-8 JSON ({exc})") from exc
    if not isinstance(obj, dict):
        raise DocumentError(str(side), "metadata file must hold one JSON object {\"title\": ..., ...}")
    unknown = sorted(set(obj) - set(META_KEYS))
    if unknown:
        raise DocumentError(str(side), f"unknown metadata key(s) {', '.join(unknown)}",
                            hint="allowed: " + ", ".join(META_KEYS))
    meta = {}
    for key, value in obj.items():
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise DocumentError(str(side), f"metadata '{key}' must be text, not {type(value).__name__}")
        meta[key] = _checked(side, key, value.strip())
    return meta


def content_hash(path: Path) -> str:
    """Args: path: a file. Returns: the sha256 hex digest of its bytes. Raises: DocumentError if unreadable."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise DocumentError(str(path), _os_reason(exc)) from exc
    return digest.hexdigest()


def iter_corpus(corpus_dir: Path) -> list[Path]:
    """The documents of a corpus folder (and its sub-folders), sorted by relative path.

    Skips README.md, sidecar *.meta.json files, unsupported types, hidden files and folders (".x"), and the
    "~$x.docx" lock files Word leaves beside open documents.

    Args:
        corpus_dir: the corpus folder.

    Returns:
        The document paths.

    Raises:
        DocumentError: the folder does not exist.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise DocumentError(str(corpus_dir), "corpus folder not found")
    found = []
    for path in corpus_dir.rglob("*"):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith((".", "~$")) for part in rel.parts) or not path.is_file():
            continue
        if path.name.lower() == "readme.md" or path.name.lower().endswith(SIDECAR_SUFFIX):
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(corpus_dir).as_posix())


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise DocumentError(str(path), "is a folder, not a file")
        if size > max_bytes:
            raise DocumentError(str(path), f"file is {_mb(size)}, over the size limit of {_mb(max_bytes)}",
                                hint="split the document, or raise [index] max_document_bytes in config.toml")
        if size == 0:
            raise DocumentError(str(path), "empty file (0 bytes)")
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), _os_reason(exc)) from exc


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    return f"cannot be read ({exc.strerror or exc})"


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _decode_html(data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    if declared:
        codec = declared.group(1).decode("ascii").lower()
        # Pages labelled gb2312/gbk routinely hold GBK-only characters; GB18030 is their superset.
        codec = "gb18030" if codec in ("gb2312", "gbk", "x-gbk") else codec
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong label is common; detect instead
    return decode_text(data)[0]


def _front_matter(path: Path, text: str) -> tuple[str, dict]:
    """Split a leading `---` ... `---` block of `key: value` lines off the text."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text, {}
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return text, {}  # no closing line: a horizontal rule, not front matter
    meta = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = _FRONT_LINE.match(line)
        if not found:
            raise DocumentError(str(path), f"front matter line {number} is not 'key: value': {line.strip()[:60]}")
        key, value = found.group(1).lower(), found.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key in META_KEYS and value.strip():
            meta[key] = _checked(path, key, value.strip())
    return "\n".join(lines[end + 1:]).lstrip("\n"), meta


def _checked(where: Path, key: str, value: str) -> str:
    if key == "date":
        try:
            _dt.date.fromisoformat(value)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
        except ValueError:
            raise DocumentError(str(where), f"date '{value}' is not a date in the form YYYY-MM-DD") from None
    return value
