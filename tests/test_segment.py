"""Segmentation of the cleaned seed: sections, cases, units, sentences, windows."""
from pathlib import Path

import pytest

from index.ingest.clean import clean_document
from index.passages.segment import extract_entities, find_unit, place_of, segment_document, split_sentences

SEED = Path(__file__).resolve().parent.parent / "corpus" / "000_6ec06563744fe9af.txt"


@pytest.fixture(scope="module")
def passages():
    c = clean_document(SEED.read_text(encoding="utf-8"))
    return segment_document("seed", "标题", c.text, c.original, c.headings, max_chars=260, overlap=1)


def test_sentences_round_trip():
    text = "第一句。第二句！“引语。”第三句？尾巴"
    parts = split_sentences(text)
    assert "".join(parts) == text
    assert parts == ["第一句。", "第二句！", "“引语。”", "第三句？", "尾巴"]


def test_units_found_by_rule_not_list():
    assert find_unit("即墨市政府的《某案例》案例介绍")[0] == "即墨市政府"
    assert find_unit("青岛高新区管委则集聚高端领军人才")[0] == "青岛高新区管委"
    assert find_unit("各部门立足本部门的工作，通过创新。市人社局针对困境，探索")[0] == "市人社局"
    assert find_unit("某某县人民政府针对群众办事难")[0] == "某某县人民政府"
    assert find_unit("市政府组织开展了评选活动")[0] is None  # too generic to name a case
    assert place_of("李沧区政府") == "李沧区" and place_of("市人社局") is None


def test_cases_units_and_sections(passages):
    by_unit = {p.unit: p for p in passages if p.unit}
    assert set(by_unit) >= {"即墨市政府", "李沧区政府", "市北区政府", "青岛开发区管委", "青岛高新区管委",
                            "市地铁工程建设指挥部", "市人社局"}
    assert by_unit["李沧区政府"].case == "李沧区借力民营资本打造社区卫生服务新范本"
    assert by_unit["即墨市政府"].case == "发展“互联网+制造” 催生经济增长新动能"
    assert by_unit["青岛开发区管委"].case.startswith("念好“五字经”")
    assert by_unit["市北区政府"].case is None  # the text names no title for it
    assert by_unit["李沧区政府"].section == "十区市各有创新，互联网+、民营资本等助力"
    assert by_unit["市地铁工程建设指挥部"].section == "本市轨道交通远期规划投资4000亿元"
    # the policy named inside a case is not the case
    assert all(p.case != "支持互联网工业发展的意见" for p in passages)


def test_windows_respect_size_keep_sentences_and_overlap(passages):
    for p in passages:
        assert "".join(p.sentences) == p.text
        assert len(p.text) <= 260 or len(p.sentences) == 1
        assert p.sentences_orig and len("".join(p.sentences_orig)) == len(p.text)
    long_para = [p for p in passages if p.unit == "青岛开发区管委"]
    assert len(long_para) >= 2
    assert long_para[0].sentences[-1] == long_para[1].sentences[0]  # one sentence of overlap


def test_entities_for_the_tokenizer(passages):
    ents = extract_entities(passages)
    for e in ("李沧区", "市北区", "即墨市", "一揽子授信", "千人计划", "市地铁工程建设指挥部"):
        assert e in ents


def test_a_list_stays_with_its_lead_in_until_a_sentence_ends_it():
    text = ("第一章 总则\n第十一条 有下列情形之一的，可以申请换发护照：\n（一）护照有效期即将届满的；\n"
            "（二）护照签证页即将使用完毕的。\n第十二条 护照由公安机关签发。")
    orig = text.replace("换发护照", "換發護照").replace("签证页", "簽證頁")
    got = segment_document("law", "护照法", text, orig, {"第一章 总则"}, max_chars=260)
    assert [p.text for p in got] == [
        "第十一条 有下列情形之一的，可以申请换发护照：（一）护照有效期即将届满的；（二）护照签证页即将使用完毕的。",
        "第十二条 护照由公安机关签发。"]
    assert got[0].section == "第一章 总则"
    assert "".join(got[0].sentences_orig).startswith("第十一条 有下列情形之一的，可以申请換發護照：（一）")
    # a heading closes an open list
    split = segment_document("d", "t", "引言：\n小标题\n正文一句。", "引言：\n小标题\n正文一句。", {"小标题"})
    assert [p.text for p in split] == ["引言：", "正文一句。"]
