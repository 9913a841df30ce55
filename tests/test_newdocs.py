"""The new-document evaluation's plumbing: documents staged as staff receive them, sets listed, reports tabled."""
import csv
import json

from bench.newdocs import QuestionSet, cites, load_manifest, report, score, seed_sets
from bot.read.sources import staged_file


def test_a_work_report_row_becomes_its_page_text_with_metadata(tmp_path):
    data = tmp_path / "data"
    (data / "reports").mkdir(parents=True)
    with (data / "reports" / "r.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["province", "year", "title", "source_url", "publish_date", "full_text"])
        w.writerow(["山东省", "2026", "2026年山东省政府工作报告", "", "2026-02-01", "下载\n打印\n一、工作回顾\n正文。"])
    path, meta = staged_file(data, "reports/r.csv", tmp_path / "staged")
    assert path.read_text(encoding="utf-8") == "下载\n打印\n一、工作回顾\n正文。"  # as scraped: cleaning is the bot's
    assert meta == {"title": "2026年山东省政府工作报告", "source": "山东省人民政府", "date": "2026-02-01"}
    (data / "laws").mkdir()
    (data / "laws" / "x法.md").write_text("# x法\n第一条 …", encoding="utf-8")
    assert staged_file(data, "laws/x法.md", tmp_path / "staged") == (data / "laws" / "x法.md", {})


def test_the_manifests_list_the_sets_and_the_seed_sets_split_trained_from_held_out():
    documents, sets = load_manifest()
    assert len(documents) == 19 and {s.status for s in sets} == {"dev", "blind", "held", "sealed"}
    seed = {s.name: s.status for s in seed_sets()}
    assert seed["questions"] == seed["blind1"] == seed["blind59"] == "seed-trained"
    assert seed["holdout"] == seed["blind60"] == seed["blind75"] == "seed"


def test_scores_and_citations_are_counted_per_set_and_engine(tmp_path):
    rows = [{"id": "a", "question": "q", "answerable": True, "expect": ["十年"], "expect_any": False, "where": "第七条"},
            {"id": "b", "question": "q", "answerable": False, "expect": [], "expect_any": False, "where": ""}]
    answers = {"a": {"answered": True, "answer": "十年。\n来源：《护照法》第七条"}, "b": {"answered": True, "answer": "x"}}
    got = score(rows, answers)
    assert got["answers"] == (1, 1) and got["refusals"] == (0, 1) and got["cites"] == (1, 1)
    assert cites(rows[0], {"answered": True, "answer": "来源：《护照法》第六条"}) is False
    assert cites(rows[1], answers["b"]) is None
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    table = report([QuestionSet("s", path, "dev")], {"now": {"sets": {"s": got}}, "old": {"sets": {"s": got}}})
    assert "answers old" in table and "100.0 % (1/1)" in table and "0.0 % (0/1)" in table
