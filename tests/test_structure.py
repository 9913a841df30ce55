"""Document structure: a statute's articles with their items, outline headings, Q&A pairs and table rows."""
from pathlib import Path

from index.ingest.clean import clean_document
from index.passages.segment import segment_document
from index.passages.structure import blocks, is_statute, outline_level

LAW = """# 中华人民共和国样例证件法

2006年4月29日 第十届全国人民代表大会常务委员会第二十一次会议通过

## 第一章 总 则

第一条 为了规范证件的申请和签发，制定本法。

## 第二章 申请

第二条 公民申请证件，应当提交本人的户口簿。

公安机关应当自收到申请材料之日起十五日内签发证件。

第三条 有下列情形之一的，可以申请换发证件：

（一）证件有效期即将届满的；

（二）证件损毁不能使用的。

### 第一节 收费

第四条 申请证件应当缴纳证件工本费。
"""


def _passages(text: str, title: str, **kw):
    cleaned = clean_document(text)
    return segment_document("d", title, cleaned.text, cleaned.original, cleaned.headings, **kw)


def test_a_statute_is_cut_into_articles_that_keep_their_paragraphs_items_and_chapters():
    got = _passages(LAW, "中华人民共和国样例证件法")
    by_label = {p.label: p for p in got}
    assert list(by_label) == ["", "第一条", "第二条", "第三条", "第四条"]
    # the enactment history is a passage of its own, under no heading; the title line is no heading of the path
    assert by_label[""].text.startswith("2006年4月29日") and by_label[""].path == ()
    assert by_label["第一条"].path == ("第一章 总则",)  # "总 则" spread with a space is tidied
    # an article's second paragraph stays with it
    assert by_label["第二条"].text.endswith("十五日内签发证件。") and by_label["第二条"].path == ("第二章 申请",)
    # items stay inside their article, after its lead-in
    assert by_label["第三条"].text == ("第三条 有下列情形之一的，可以申请换发证件：（一）证件有效期即将届满的；"
                                      "（二）证件损毁不能使用的。")
    assert by_label["第四条"].path == ("第二章 申请", "第一节 收费")


def test_a_long_article_is_cut_into_windows_that_carry_its_lead_in():
    items = "".join(f"（{n}）第{n}种情形下证件的申请人应当向户籍所在地的县级以上公安机关出入境管理机构提交书面说明和证明材料；\n" for n in "一二三四五六七八九十")
    law = f"第一条 总则。\n第二条 有下列情形之一的，不予签发证件：\n{items}第三条 附则。"
    got = [p for p in _passages(law, "法", unit_max_chars=400, max_chars=200) if p.label == "第二条"]
    assert len(got) > 1
    assert got[0].lead == "" and got[0].text.startswith("第二条 有下列情形之一的")
    assert all(p.lead == "第二条 有下列情形之一的，不予签发证件：" for p in got[1:])
    assert all(len(p.text) <= 200 for p in got)


def test_a_report_keeps_its_outline_headings_and_run_in_headings():
    report = ("2026年政府工作报告\n一、2025年工作回顾\n过去一年，经济运行稳中向好。\n"
              "（一）经济增长迈出坚实步伐。地区生产总值增长5.5%，达到10.3万亿元。\n"
              "（二）民生福祉持续改善。城镇新增就业124.9万人。\n二、2026年重点工作\n1.稳就业\n新增就业100万人以上。")
    got = _passages(report, "2026年政府工作报告")
    paths = {p.text[:7]: p.path for p in got}
    assert paths["过去一年，经济"] == ("一、2025年工作回顾",)
    assert paths["（一）经济增长"] == ("一、2025年工作回顾", "（一）经济增长迈出坚实步伐")
    assert paths["（二）民生福祉"] == ("一、2025年工作回顾", "（二）民生福祉持续改善")  # a sibling replaces its twin
    assert paths["新增就业100"] == ("二、2026年重点工作", "1.稳就业")  # a new chapter drops the old sub-headings


def test_question_and_answer_pairs_stay_one_passage():
    faq = ("常见问题解答\n问：护照丢了怎么办？\n答：本人向户籍所在地的出入境管理机构申请补发。\n需携带居民身份证。\n"
           "问：办理要多久？\n答：十五个工作日。\n身份证丢了在哪里补办？\n到户籍所在地派出所申请补领。")
    got = _passages(faq, "常见问题解答")
    assert [p.label for p in got] == ["护照丢了怎么办？", "办理要多久？", "身份证丢了在哪里补办？"]
    assert got[0].text == "问：护照丢了怎么办？答：本人向户籍所在地的出入境管理机构申请补发。需携带居民身份证。"
    assert got[2].text.endswith("到户籍所在地派出所申请补领。")  # a heading that asks, then its answer


def test_table_rows_keep_their_header_cells():
    word = "收费标准\n证件\t收费\t时限\n普通护照\t120元\t7个工作日\n居民身份证\t20元\t20日"
    got = _passages(word, "收费标准")
    assert [p.text for p in got] == ["证件：普通护照；收费：120元；时限：7个工作日。",
                                     "证件：居民身份证；收费：20元；时限：20日。"]
    assert all(p.path == ("收费标准",) for p in got) or all(p.path == () for p in got)
    markdown = "| 证件 | 收费 |\n|---|---|\n| 普通护照 | 120元 |"
    assert [p.text for p in _passages(markdown, "表")] == ["证件：普通护照；收费：120元。"]


def test_a_docx_table_reaches_the_passages_with_its_header(tmp_path: Path):
    import docx

    from index.config import load_config
    from index.versioning.build import ingest_file

    doc = docx.Document()
    doc.add_paragraph("各类证件收费标准")
    table = doc.add_table(rows=2, cols=2)
    for (r, c), v in {(0, 0): "证件", (0, 1): "收费", (1, 0): "普通护照", (1, 1): "120元"}.items():
        table.cell(r, c).text = v
    path = tmp_path / "fees.docx"
    doc.save(path)
    got = ingest_file(path, load_config(env={})).passages
    assert any(p.text == "证件：普通护照；收费：120元。" for p in got)


def test_the_seed_article_is_cut_as_prose_under_its_headings():
    seed = Path(__file__).resolve().parent.parent / "corpus" / "000_6ec06563744fe9af.txt"
    cleaned = clean_document(seed.read_text(encoding="utf-8"))
    units = blocks(cleaned.text, cleaned.original, cleaned.headings, "t")
    assert not is_statute(cleaned.text.split("\n"))
    assert {b.kind for b in units} == {"text"}
    assert any(b.path for b in units)


def test_outline_levels():
    assert [outline_level(x) for x in ("一、总体要求", "（二）主要任务", "3.稳就业", "（4）其他", "2025年")] == [0, 1, 2, 3, None]
