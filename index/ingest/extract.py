"""Text and metadata out of .docx, .pdf and .html files (no cleaning: that is index/ingest/clean.py)."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser


class ExtractError(ValueError):
    """The file is not a readable document of its kind; str(exc) is the reason for the user."""


def docx_text(data: bytes) -> tuple[str, dict]:
    """Paragraphs and table rows of a Word document, in document order.

    Args:
        data: the .docx bytes.

    Returns:
        (text, metadata): one line per paragraph, one line per table row (cells joined by a tab);
        metadata holds "title" when the document properties carry a real one.
    """
    from index.errors import require

    docx = require("docx", "python-docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zip, XML and key errors alike for broken files
        raise ExtractError(f"not a valid .docx file ({type(exc).__name__}: {exc})") from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            lines.extend(_table_rows(Table(child, document)))
    meta = {}
    title = (document.core_properties.title or "").strip()
    # Word fills the title with its own file names ("Microsoft Word - 1.doc"); those are not titles.
    if title and not title.lower().startswith("microsoft word"):
        meta["title"] = title
    return "\n".join(lines), meta


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # A merged cell comes back once per grid column it spans.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text.replace("\n", " ").strip())
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def pdf_text(data: bytes) -> tuple[str, dict]:
    """The text layer of a PDF, page by page.

    Args:
        data: the .pdf bytes.

    Returns:
        (text, metadata): pages separated by a blank line; "title" from the document info when present.

    Raises:
        ExtractError: not a PDF, encrypted, or no text layer (a scan).
    """
    from index.errors import require

    pypdf = require("pypdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractError("the PDF is password-protected; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title = (info.title or "").strip() if info else ""
    except ExtractError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ExtractError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise ExtractError("the PDF has no pages")
    if not any(page.strip() for page in pages):
        raise ExtractError("no text layer (scanned PDF?): run OCR first or provide the text as .txt")
    return "\n\n".join(page.strip("\n") for page in pages), ({"title": title} if title else {})


def html_text(html: str) -> tuple[str, dict]:
    """The main text of a web page (trafilatura when it works, else a plain parser) and its metadata.

    Args:
        html: the decoded page.

    Returns:
        (text, metadata) with "title" from <title>, "url" from the canonical link, and "date" / "source"
        from the meta tags Chinese government sites use (PubDate, ContentSource) when present.
    """
    page = _PageParser()
    try:
        page.feed(html)
        page.close()
    except Exception as exc:  # html.parser is lenient; this guards against pathological input only
        raise ExtractError(f"not a readable HTML page ({exc})") from exc
    visible = page.text()
    # trafilatura returns the menu of a page that has nothing else; a page with no text outside its
    # navigation and furniture has no main text at all.
    text = (_trafilatura_text(html) or visible) if visible else ""
    return text, page.metadata()


def _trafilatura_text(html: str) -> str:
    try:
        import trafilatura
    except ImportError:  # the plain parser below still gives usable text
        return ""
    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_precision=True)
    except Exception:  # trafilatura failing on odd markup is not the document's fault: fall back
        return ""
    return text or ""


_SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "select", "svg",
         "iframe", "button"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "main", "h1", "h2", "h3", "h4",
          "h5", "h6", "blockquote", "pre", "hr", "dd", "dt", "dl", "figcaption", "td", "th"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class _PageParser(HTMLParser):
    """Visible text outside navigation and page furniture, plus <title> and a few meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skip_depth = 0
        self._stack: list[str] = []
        self._in_title = False
        self._in_head = False
        self._title: list[str] = []
        self._meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (attrs.get("name") or attrs.get("property") or "").lower()
            if key and attrs.get("content"):
                self._meta.setdefault(key, attrs["content"].strip())
        elif tag == "link" and "canonical" in attrs.get("rel", "").lower() and attrs.get("href"):
            self._meta.setdefault("canonical", attrs["href"].strip())
        if tag in ("head", "body"):
            self._in_head = tag == "head"  # browsers end <head> at <body> even without </head>
        if tag in _VOID:
            if tag in _BLOCK:
                self._parts.append("\n")
            return
        self._stack.append(tag)
        if tag in _SKIP or self._skip_depth:
            self._skip_depth += 1
        if tag == "title":
            self._in_title = True
        if tag in _BLOCK:
            self._parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        if tag in _VOID or tag not in self._stack:
            return
        while self._stack:  # close tags left open inside this one (sloppy markup)
            open_tag = self._stack.pop()
            if self._skip_depth:
                self._skip_depth -= 1
            if open_tag == "title":
                self._in_title = False
            if open_tag == tag:
                break
        if tag in _BLOCK:
            self._parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self._title.append(data)
        elif not self._skip_depth and not self._in_head:
            self._parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self._parts).split("\n"))
        return "\n".join(line for line in lines if line)

    def metadata(self) -> dict:
        meta = {}
        title = " ".join("".join(self._title).split())
        if title:
            meta["title"] = title
        url = self._meta.get("canonical") or self._meta.get("og:url", "")
        if url:
            meta["url"] = url
        for key in ("pubdate", "publishdate", "article:published_time", "date"):
            found = _DATE.search(self._meta.get(key, ""))
            if found:
                y, m, d = found.groups()
                meta["date"] = f"{y}-{int(m):02d}-{int(d):02d}"
                break
        source = self._meta.get("contentsource") or self._meta.get("og:site_name", "")
        if source:
            meta["source"] = source
        return meta
