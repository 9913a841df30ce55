"""Work reports (CSV) and laws (Markdown) become corpus documents: chrome dropped, history skipped, metadata kept."""
from __future__ import annotations

import csv
import json

from bench.distractors import law_documents, report_documents
from index.config import load_config
from index.versioning.build import ingest_file

PARA = "过去一年，我们坚持稳中求进工作总基调，全省地区生产总值增长百分之五点五，城乡居民收入稳步增长，民生保障持续加强。"


def test_report_keeps_paragraphs_and_numbered_headings_only(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    with (folder / "2026_某省_政府工作报告.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["province", "year", "title", "source_url", "publish_date", "full_text"])
        w.writerow(["某省", "2026", "2026年某省政府工作报告", "http://x", "2026-01-20",
                    "下载\n打印\n【字号：\n一、2025年工作回顾\n" + PARA + "\n来源：某网"])
    (folder / "run_manifest_2026.csv").write_text("province\n", encoding="utf-8")
    files = report_documents(folder)
    assert sorted(files) == ["gov_000.meta.json", "gov_000.txt"]
    assert files["gov_000.txt"].decode() == "一、2025年工作回顾\n" + PARA
    assert json.loads(files["gov_000.meta.json"]) == {"title": "2026年某省政府工作报告", "source": "某省人民政府",
                                                      "date": "2026-01-20"}


def test_law_body_starts_after_its_history_and_ingests_with_chapter_headings(tmp_path):
    folder = tmp_path / "laws" / "行政法"
    folder.mkdir(parents=True)
    (folder / "居民身份证法(2011-10-29).md").write_text(
        "# 中华人民共和国居民身份证法\n\n2003年6月28日通过\n\n<!-- INFO END -->\n\n## 第一章 总 则\n\n"
        "第一条 为了证明居住在中华人民共和国境内的公民的身份，保障公民的合法权益，制定本法。\n", encoding="utf-8")
    files = law_documents(tmp_path / "laws")
    body = files["law_000.md"].decode()
    assert body.startswith("## 第一章") and "2003年6月28日" not in body
    assert json.loads(files["law_000.meta.json"])["date"] == "2011-10-29"
    out = tmp_path / "corpus"
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)
    ing = ingest_file(out / "law_000.md", load_config(env={}))
    assert ing.document.title == "中华人民共和国居民身份证法"
    assert [p.section for p in ing.passages] == ["第一章 总则"]


def test_growth_judges_a_question_by_its_grown_entry_only_on_the_grown_corpus():
    from bench.growth import grown_rows
    from bot.evaluate import judge

    row = {"id": "q1", "kind": "unanswerable", "question": "护照过期了怎么换新？", "answerable": False, "expect": [],
           "expect_any": False, "note": "", "grown": {"answerable": True, "expect": ["换发"], "expect_any": False,
                                                      "note": "护照法"}}
    other = {**row, "id": "q2"}
    del other["grown"]
    answered = {"answered": True, "answer": "护照持有人可以申请换发护照。"}
    refused = {"answered": False, "answer": "抱歉"}
    assert judge(row, refused) and not judge(row, answered)  # on the seed corpus: a refusal is right
    grown, plain = grown_rows([row, other])
    assert judge(grown, answered) and not judge(grown, refused)  # once the laws are indexed: the answer is right
    assert plain == other and row["answerable"] is False  # other questions and the input stay as they were
