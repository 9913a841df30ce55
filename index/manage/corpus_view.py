"""Read-only views of the corpus for staff: the document list, one document's passages, a full check."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from index import fsio
from index.config import Config
from index.errors import DocumentError, IndexCorrupt, QABotError
from index.manage.corpus import find, scan
from index.versioning.build import ingest_file


def served_documents(config: Config) -> tuple[str | None, dict]:
    """Args: config: settings. Returns: (current version name or None, its manifest's documents)."""
    from index.manage.journal import versions

    try:
        path = versions(config).current_path()
        if path is None:
            return None, {}
        return path.name, fsio.read_json(path / "manifest.json").get("documents", {})
    except IndexCorrupt:
        return None, {}


def list_documents(config: Config) -> list[dict]:
    """Args: config: settings.

    Returns:
        One dict a corpus document: doc_id, file, title, date, source, passages (None when not served),
        indexed (whether the served version holds this very file), sha256.
    """
    _, served = served_documents(config)
    rows = []
    for d in scan(config):
        entry = served.get(d.doc_id, {})
        indexed = entry.get("hash") == d.sha256
        rows.append({"doc_id": d.doc_id, "file": d.path.name, "title": entry.get("title", "") if indexed else "",
                     "date": entry.get("date", ""), "source": entry.get("source", ""),
                     "passages": entry.get("passages") if indexed else None, "indexed": indexed,
                     "sha256": d.sha256})
        if not indexed:
            try:
                ing = ingest_file(d.path, config)
                rows[-1].update(title=ing.document.title, date=ing.document.date, source=ing.document.source)
            except DocumentError as exc:
                rows[-1]["title"] = f"(unreadable: {exc.reason})"
    return rows


def show_document(config: Config, doc_id: str) -> str:
    """Args: config: settings; doc_id: a document id.

    Returns:
        Its metadata, cleaned text and passages (heading path and label, case, unit, sentences), as text for a person.
    """
    doc = find(scan(config), doc_id)
    ing = ingest_file(doc.path, config)
    d = ing.document
    lines = [f"文档 / document: {d.doc_id}  ({d.path})", f"标题 / title: {d.title}",
             f"日期 / date: {d.date or '-'}   来源 / source: {d.source or '-'}   url: {d.url or '-'}"]
    extra = {k: v for k, v in d.meta.items() if k != "traditional" and v}
    if extra:
        lines.append("其他 / other: " + "; ".join(f"{k}: {v}" for k, v in extra.items()))
    lines += ["", "== 清洗后的文本 / cleaned text ==", d.text, "",
              f"== 段落 / passages ({len(ing.passages)}) =="]
    for p in ing.passages:
        where = " › ".join([*p.path, p.label] if p.label else p.path) or "-"
        lines.append(f"-- {p.passage_id}  位置 where: {where} | 案例 case: {p.case or '-'} | "
                     f"单位 unit: {p.unit or '-'}")
        if p.lead:
            lines.append(f"   (承上 lead-in: {p.lead})")
        lines += [f"   [{i + 1}] {s}" for i, s in enumerate(p.sentences)]
    return "\n".join(lines)


@dataclass
class CheckReport:
    """The outcome of check_corpus: problems make the check fail; warnings do not."""

    documents: int = 0
    passages: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_corpus(config: Config) -> CheckReport:
    """Validate every corpus file exactly as ingestion would, changing nothing.

    Args:
        config: settings.

    Returns:
        The CheckReport: unreadable or empty files, duplicates (same content, same id) are problems; files
        the served index does not hold yet, and served documents no longer in the folder, are warnings.
    """
    report = CheckReport()
    try:
        docs = scan(config)
    except QABotError as exc:
        report.problems.append(str(exc))
        return report
    report.documents = len(docs)
    for d in docs:
        try:
            report.passages += len(ingest_file(d.path, config).passages)
        except QABotError as exc:
            report.problems.append(str(exc))
    for sha, n in Counter(d.sha256 for d in docs).items():
        if n > 1:
            same = [d.path.name for d in docs if d.sha256 == sha]
            report.problems.append(f"{', '.join(same)}: the same content twice; remove all but one")
    for doc_id, n in Counter(d.doc_id for d in docs).items():
        if n > 1:
            report.problems.append(f"{doc_id}: {n} files share this document id (same name in different folders)")
    version, served = served_documents(config)
    if version is None:
        report.warnings.append("there is no index yet: run `python -m index build`")
        return report
    names = {d.doc_id: d for d in docs}
    for d in docs:
        if served.get(d.doc_id, {}).get("hash") != d.sha256:
            report.warnings.append(f"{d.path.name}: not in the served index {version} as it is now; "
                                   "run `python -m index rebuild`")
    for doc_id in served:
        if doc_id not in names:
            report.warnings.append(f"{doc_id}: served by index {version} but no longer in the corpus folder; "
                                   "run `python -m index rebuild`")
    return report
