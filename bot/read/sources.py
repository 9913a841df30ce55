"""Documents of the shared data folder as staff would receive them: a law's Markdown file, a work report's page text."""
from __future__ import annotations

import csv
import re
from pathlib import Path


def staged_file(data: Path, rel: str, folder: Path) -> tuple[Path, dict]:
    """A document of the shared data folder as staff receive it, and the metadata they would type.

    A law is its Markdown file as published; a work report (one CSV row of a scrape) is the text of the page it was
    scraped from, menu lines and all, saved as a .txt, with the row's title, date and province as metadata.

    Args:
        data: the shared data folder.
        rel: the document's path under it.
        folder: where a converted file is written.

    Returns:
        (the file to add, {"title", "date", "source"} to pass with it; empty for a law, whose file names its title).
    """
    src = data / rel
    if src.suffix != ".csv":
        return src, {}
    csv.field_size_limit(1 << 30)
    with src.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / (src.stem + ".txt")
    out.write_text(row["full_text"], encoding="utf-8")
    date = row["publish_date"].strip()
    return out, {"title": row["title"].strip(), "source": f"{row['province']}人民政府",
                 **({"date": date} if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else {})}
