"""Cleaning the scraped seed article and other text: pinyin glosses, script, width, headings, byline."""
from pathlib import Path

import pytest

from index.ingest.clean import (clean_document, clean_text, fold_width, is_reading, is_traditional, strip_pinyin,
                         to_simplified, to_traditional, widen_punctuation)

SEED = Path(__file__).resolve().parent.parent / "corpus" / "000_6ec06563744fe9af.txt"


@pytest.fixture(scope="module")
def seed():
    return clean_document(SEED.read_text(encoding="utf-8"))


def test_pinyin_glosses_removed_only_when_they_are_readings():
    assert strip_pinyin("評(píng)選") == "評選"
    assert strip_pinyin("長(cháng)江和長(zhǎng)大") == "長江和長大"  # heteronyms
    assert strip_pinyin("區(qū)市") == "區市"
    assert strip_pinyin("人(ren2)民") == "人民"  # tone digits
    # real parentheses stay: not pinyin, or not a reading of the character before
    assert strip_pinyin("函數(x)") == "函數(x)"
    assert strip_pinyin("評(bǎo)選") == "評(bǎo)選"
    assert strip_pinyin("（见附件）") == "（见附件）"


def test_is_reading_knows_traditional_characters():
    assert is_reading("評", "píng")
    assert is_reading("滄", "cāng")
    assert not is_reading("評", "shū")


def test_script_conversion_and_detection():
    assert to_simplified("李滄區民營機構") == "李沧区民营机构"
    assert to_simplified("用甚麼辦法") == "用什么办法" and to_simplified("甚至") == "甚至"  # Taiwan's 甚麼 is 什么
    assert to_traditional("李沧区") == "李滄區"
    assert is_traditional("李滄區的民營機構佔比多少")
    assert not is_traditional("李沧区的民营机构占比多少")
    assert not is_traditional("what is this")


def test_width_folding_keeps_chinese_punctuation():
    assert fold_width("２０１６年ＡＢＣ，。") == "2016年ABC，。"
    assert widen_punctuation("评选,十区市") == "评选，十区市"
    assert widen_punctuation("共1,000人") == "共1,000人"


def test_clean_text_for_questions():
    assert clean_text("  李滄區　評(píng)選  ２０１６ ") == "李沧区 评选 2016"
    assert clean_text("a\x00b\u200bc") == "abc"


def test_seed_is_clean_simplified(seed):
    assert seed.traditional
    assert "(" not in seed.text and "píng" not in seed.text
    assert "评选" in seed.text and "評" not in seed.text
    assert "李沧61家社区卫生服务机构中，民营机构56家，占92%" in seed.text
    assert not seed.text.startswith("?")
    assert "编辑" not in seed.text and "刘晓明" not in seed.text


def test_seed_original_script_kept_for_provenance(seed):
    assert "李滄61家社區衛生服務機構中" in seed.original
    assert len(seed.original) == len(seed.text)


def test_seed_metadata_byline_and_editor(seed):
    assert seed.meta["reporter"] == "李晓哲"
    assert "半岛记者" in seed.meta["byline"]
    assert seed.meta["editor"] == "刘晓明"


def test_seed_glued_headings_split(seed):
    assert "十区市各有创新，互联网+、民营资本等助力" in seed.headings
    assert "开发区划52.8平方公里作转型发展区" in seed.headings
    assert "本市轨道交通远期规划投资4000亿元" in seed.headings
    lines = seed.text.split("\n")
    assert "政府工作创新，打破常规工作藩篱，为社会经济增长助力，为百姓生活提供便利。此次评选中，十区市创新工作各有亮点。" in lines
    # a space inside a 《》 title is not a glued heading
    assert any(ln.startswith("即墨市政府的《发展“互联网+制造” 催生经济增长新动能》") for ln in lines)


def test_markdown_heading_and_plain_simplified_document():
    doc = clean_document("# 新案例\n某某区政府推出“一网通办”，办事时间缩短一半。\n")
    assert not doc.traditional
    assert doc.headings == frozenset({"新案例"})
    assert doc.text.split("\n")[1] == "某某区政府推出“一网通办”，办事时间缩短一半。"
