"""Builders for real document files in tests: PDFs written by hand (with or without a text layer) and .docx."""
from __future__ import annotations

from pathlib import Path


def make_pdf(path: Path, pages: list[list[str]], title: str = "") -> Path:
    """Write a PDF whose text layer holds the given lines (Chinese included).

    The font is a CID font with Identity-H encoding and a ToUnicode map (each glyph code is its Unicode
    code point), which is how real Chinese PDFs make their text extractable.

    Args:
        path: the file to write.
        pages: for each page, its lines of text (BMP characters).
        title: optional document-info title.

    Returns:
        path.
    """
    chars = sorted({ch for page in pages for line in page for ch in line})
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below, once the page tree's number is known
    pages_obj = add(b"")
    cmap = _to_unicode_cmap(chars)
    to_unicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    descriptor = add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] "
                     b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    cid_font = add(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
                   b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 >>"
                   % descriptor)
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
               b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode))
    kids = []
    for lines in pages:
        ops = [b"BT /F1 12 Tf 14 TL 56 780 Td"]
        for line in lines:
            ops.append(b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_obj, content, font)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = add(b"<< /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b"> >>") if title else None
    return _write(path, objects, catalog, info)


def make_scanned_pdf(path: Path) -> Path:
    """Write a one-page PDF that shows only an image: no text layer, like a scan.

    Args:
        path: the file to write.

    Returns:
        path.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
    ]
    stream = b"q 400 0 0 500 96 200 cm /Im1 Do Q"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    pixels = bytes([0, 255, 255, 0])
    objects.append(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                   b"/BitsPerComponent 8 /Length 4 >>\nstream\n" + pixels + b"\nendstream")
    return _write(path, objects, 1, None)


def _to_unicode_cmap(chars: list[str]) -> bytes:
    entries = []
    for start in range(0, len(chars), 100):  # a bfchar block holds at most 100 entries
        block = chars[start:start + 100]
        entries.append(b"%d beginbfchar" % len(block))
        entries += [b"<%04X> <%04X>" % (ord(ch), ord(ch)) for ch in block]
        entries.append(b"endbfchar")
    return b"\n".join([
        b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
        b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange",
        *entries,
        b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end",
    ])


def _write(path: Path, objects: list[bytes], root: int, info: int | None) -> Path:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    Path(path).write_bytes(bytes(out))
    return Path(path)


def make_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None, title: str = "",
              merge_first_row: bool = False) -> Path:
    """Write a Word document with python-docx: paragraphs, then an optional table.

    Args:
        path: the file to write.
        paragraphs: body paragraphs; one starting with "# " becomes a heading.
        table: rows of cell texts (all rows the same length).
        title: the document property "title".
        merge_first_row: merge the first row's cells into one (a table caption row).

    Returns:
        path.
    """
    import docx

    document = docx.Document()
    for text in paragraphs:
        if text.startswith("# "):
            document.add_heading(text[2:], level=1)
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell_text in enumerate(row):
                grid.cell(r, c).text = cell_text
        if merge_first_row:
            merged = grid.cell(0, 0).merge(grid.cell(0, len(table[0]) - 1))
            merged.text = table[0][0]
        document.add_paragraph("表后说明。")
    if title:
        document.core_properties.title = title
    document.save(str(path))
    return Path(path)
