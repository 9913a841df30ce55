"""A government body a question names must be named by the document, in full, without its level or abbreviated."""
import pytest

from index.storage.lexical import BM25, get_tokenizer, tokenize
from index.words.bodies import is_body, names_body
from index.words.query import analyse, missing_constraints

DOC = "市人社局针对重特大疾病患者的困境，探索补充医保体系建设。结合统计局能把指标吃透的优势开展考核评价。"


@pytest.fixture(scope="module")
def tok():
    return get_tokenizer(("市人社局",))


def test_bodies_are_words_for_offices_not_outcomes_halls_or_signing():
    assert is_body("教育局") and is_body("市人社局") and is_body("发改委") and is_body("市政府办公室")
    assert not is_body("结局") and not is_body("大厅") and not is_body("签署") and not is_body("常委")
    assert not is_body("局") and not is_body("当局")


def test_a_body_is_named_whole_without_its_level_or_abbreviated():
    assert names_body("人社局", DOC.lower()) and names_body("市统计局", DOC.lower())  # 市 is only its level
    assert names_body("保障局", DOC.lower(), "青岛市人力资源和社会保障局的补充医保")  # read back: 人社 abbreviates it
    assert not names_body("教育局", DOC.lower(), "市教育局有没有创新案例入选？")
    assert names_body("人力资源和社会保障局", "青岛市人力资源和社会保障局推出补充医保", "人社局")


def test_a_body_the_document_never_names_is_a_missing_constraint(tok):
    bm = BM25.build([tokenize(DOC, tok)])
    asked = analyse("市教育局有没有创新案例入选？", tok, bm.idf_of)
    assert missing_constraints(asked, DOC.lower()) == ["教育局"]
    named = analyse("人力资源和社会保障局做了什么创新", tok, bm.idf_of)
    assert missing_constraints(named, DOC.lower()) == []
    # "除了各区市以外": every district, not one place the document must name.
    assert analyse("除了各区市以外，功能区有几个机构获奖", tok, bm.idf_of).constraints == ()
