"""Cut a cleaned document into cited passages: its units (articles, sections, Q&A, rows), sentences, windows (pure)."""
from __future__ import annotations

import re

from index.passages.structure import blocks
from index.types import Passage

# Bumped whenever the same text and settings would be cut differently: documents of an older index are cut again.
SCHEME = 2
_SENT = re.compile(r"[^。！？!?…；;]*(?:[。！？!?…；;]+[”’」』）)》]*|$)")
_UNIT_SUFFIX = r"(?:人民政府|政府|管委会|管委|指挥部|委员会|局|厅|办公室|中心|法院|检察院|街道办事处|街道|公司|集团)"
_UNIT = re.compile(rf"(?:^|(?<=[。！？；，]))([\u4e00-\u9fff]{{1,12}}?{_UNIT_SUFFIX})(?=的|则|是|在|针对|通过|《|以|于|把|将|对|围绕|，|立足|积极|探索|创新|[\u4e00-\u9fff]{{0,2}}案例)")
_CASE_AFTER_UNIT = re.compile(r"^的?《([^》]{4,60})》")
_CASE_NAMED = re.compile(r"《([^》]{4,60})》(?:的)?(?:案例|在列|获奖|入选)")
_QUOTED = re.compile(r"“([^”]{2,8})”")
_GENERIC_UNITS = {"市政府", "政府", "省政府", "区政府", "县政府", "各部门", "市委", "统计局"}


def split_sentences(text: str) -> list[str]:
    """Split text after sentence-ending marks (。！？; and ；), keeping closing quotes with their sentence.

    Args:
        text: one paragraph.

    Returns:
        Sentences whose concatenation is the input.
    """
    parts = [s for s in _SENT.findall(text) if s]
    return parts or ([text] if text else [])


def find_unit(paragraph: str) -> tuple[str | None, int]:
    """Find the responsible unit named at a sentence start (…政府, …管委, …指挥部, …局).

    Args:
        paragraph: cleaned Simplified paragraph.

    Returns:
        (unit or None, the offset just after it).
    """
    for m in _UNIT.finditer(paragraph):
        unit = m.group(1)
        if unit not in _GENERIC_UNITS and not unit.startswith(("各", "全", "本", "该", "此")):
            return unit, m.end(1)
    return None, -1


def find_case(paragraph: str, unit_end: int) -> str | None:
    """Find the case title: the 《...》 name right after the unit, or one followed by 案例/在列/获奖.

    Args:
        paragraph: cleaned Simplified paragraph.
        unit_end: offset just after the unit name, or -1.

    Returns:
        The title without brackets, or None.
    """
    if unit_end >= 0 and (m := _CASE_AFTER_UNIT.match(paragraph[unit_end:])):
        return m.group(1)
    m = _CASE_NAMED.search(paragraph)
    return m.group(1) if m else None


def place_of(unit: str) -> str | None:
    """Args: unit: e.g. 李沧区政府. Returns: the place it governs (李沧区), or None."""
    m = re.match(r"^(.{2,8}?(?:省|市|区|县|镇|乡|新区|开发区|高新区))(?:人民政府|政府|管委会|管委)$", unit)
    return m.group(1) if m else None


def _windows(sentences: list[str], max_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Group sentence indexes into windows of at most max_chars, neighbours sharing `overlap` sentences."""
    spans, start = [], 0
    n = len(sentences)
    while start < n:
        end, size = start, 0
        while end < n and (end == start or size + len(sentences[end]) <= max_chars):
            size += len(sentences[end])
            end += 1
        spans.append((start, end))
        if end >= n:
            break
        start = max(end - overlap, start + 1)
    return spans


def _merge_short(sentences: list[str], min_chars: int) -> list[str]:
    out: list[str] = []
    for s in sentences:
        if out and (len(s.strip()) < min_chars or len(out[-1].strip()) < min_chars):
            out[-1] += s
        else:
            out.append(s)
    return out


def _aligned(sentences: list[str], orig: str, para: str) -> list[str] | None:
    """The same sentences in the document's own script, where its text lines up character for character."""
    if len(orig) != len(para):
        return None
    out, pos = [], 0
    for s in sentences:
        out.append(orig[pos:pos + len(s)])
        pos += len(s)
    return out


def segment_document(doc_id: str, title: str, text: str, original: str, headings: frozenset[str] | set[str],
                     *, max_chars: int = 260, overlap: int = 1, min_chars: int = 8, unit_max_chars: int = 400,
                     date: str = "", source: str = "", url: str = "") -> list[Passage]:
    """Cut a cleaned document into passages that follow its structure (index/passages/structure.py): a statute's
    article, a question with its answer and a table row stay one passage up to unit_max_chars; paragraphs of prose are cut into
    overlapping windows of sentences. Every passage keeps its heading path and label for search and the citation.

    Args:
        doc_id, title: the document's id and title.
        text: cleaned Simplified text, one paragraph a line.
        original: the same text in the document's own script (same lines), or equal to text.
        headings: paragraphs that are headings.
        max_chars, overlap, min_chars: window size, sentences shared by neighbours, shortest sentence kept alone.
        unit_max_chars: the longest article, Q&A pair or row kept whole; a longer one is cut into windows, each
            carrying its opening sentence as unquoted context (lead).
        date, source, url: document provenance copied onto each passage.

    Returns:
        The passages in reading order.
    """
    passages: list[Passage] = []
    for block in blocks(text, original, headings, title):
        sentences: list[str] = []
        origs: list[str] | None = []
        for para, orig in zip(block.paras, block.origs):
            sents = _merge_short(split_sentences(para), min_chars)
            sentences += sents
            aligned = _aligned(sents, orig, para) if origs is not None else None
            origs = origs + aligned if aligned is not None and origs is not None else None
        orig_sents = tuple(origs) if origs and len(origs) == len(sentences) and origs != sentences else ()
        whole = "".join(block.paras)
        unit = case = None
        if block.kind == "text":
            unit, unit_end = find_unit(whole)
            case = find_case(whole, unit_end)
        if block.kind != "text" and len(whole) <= unit_max_chars:
            spans = [(0, len(sentences))]
        else:
            spans = _windows(sentences, max_chars, overlap)
        for start, end in spans:
            sents = tuple(sentences[start:end])
            lead = sentences[0][:80] if start > 0 and block.kind != "text" else ""
            passages.append(Passage(
                passage_id=f"{doc_id}#{len(passages)}", doc_id=doc_id, doc_title=title, text="".join(sents),
                sentences=sents, section=block.path[-1] if block.path else "", case=case, unit=unit, date=date,
                source=source, url=url, sentences_orig=orig_sents[start:end] if orig_sents else (),
                path=block.path, label=block.label, lead=lead))
    return passages


def extract_entities(passages: list[Passage]) -> list[str]:
    """Collect the corpus's own named entities for the tokenizer: units, their places, quoted programme names.

    Args:
        passages: passages of the corpus.

    Returns:
        Sorted distinct entity strings (2 to 16 characters).
    """
    found: set[str] = set()
    for p in passages:
        if p.unit:
            found.add(p.unit)
            if (place := place_of(p.unit)):
                found.add(place)
            if p.unit[0] in "市区县省" and len(p.unit) > 3:
                found.add(p.unit[1:])  # 市人社局 is asked for as 人社局
        for q in _QUOTED.findall(p.text):
            if not re.search(r"[，。、：；\s]", q):
                found.add(q)
    return sorted(e for e in found if 2 <= len(e) <= 16)
