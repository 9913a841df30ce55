"""Real government text as distractor documents: provincial work reports (CSV) and national laws (Markdown)."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|第[一二三四五六七八九十百]+[章节])")


def report_documents(folder: Path) -> dict[str, bytes]:
    """Government work reports as corpus files: the report's paragraphs (web-page chrome dropped), sidecar metadata.

    Args:
        folder: the folder of 2026_<province>_政府工作报告.csv files (one row each).

    Returns:
        file name -> bytes (a .txt and its .meta.json per report).
    """
    csv.field_size_limit(1 << 30)
    out: dict[str, bytes] = {}
    for n, path in enumerate(sorted(folder.glob("*.csv"))):
        if path.name.startswith("run_manifest"):
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                # Scraped pages start with menu lines (下载/打印/字号...): keep paragraphs and numbered headings only.
                lines = [ln.strip() for ln in row["full_text"].split("\n")]
                keep = [ln for ln in lines if len(ln) >= 50 or (_HEADING.match(ln) and len(ln) >= 6)]
                stem = f"gov_{n:03d}"
                out[f"{stem}.txt"] = "\n".join(keep).encode("utf-8")
                meta = {"title": row["title"].strip(), "source": f"{row['province']}人民政府",
                        "date": row["publish_date"].strip() if re.fullmatch(r"\d{4}-\d{2}-\d{2}",
                                                                            row["publish_date"].strip()) else ""}
                out[f"{stem}.meta.json"] = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    return out


def law_documents(folder: Path) -> dict[str, bytes]:
    """Laws and rules as corpus files: the body after the enactment history, chapter headings kept.

    Args:
        folder: the prc_laws folder (sub-folders of <name>(<date>).md files).

    Returns:
        file name -> bytes (a .md and its .meta.json per law version).
    """
    out: dict[str, bytes] = {}
    for n, path in enumerate(sorted(folder.rglob("*.md"))):
        if path.name.lower() == "readme.md" or path.name.startswith("_"):
            continue
        text = path.read_text(encoding="utf-8")
        title_m = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        body = text.split("<!-- INFO END -->", 1)[-1]
        stem = f"law_{n:03d}"
        out[f"{stem}.md"] = body.strip().encode("utf-8")
        date_m = re.search(r"\((\d{4}-\d{2}-\d{2})\)", path.name)
        meta = {"title": title_m.group(1).strip() if title_m else path.stem, "source": "国家法律法规数据库",
                "date": date_m.group(1) if date_m else ""}
        out[f"{stem}.meta.json"] = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    return out
