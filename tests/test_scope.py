"""What the corpus holds, in words: titles and kinds of its documents, example questions from each."""
from bot.scope import describe, example_questions, kind_of
from index.types import Passage


def _p(doc, title, text, **kw):
    return Passage(passage_id=f"{doc}#0", doc_id=doc, doc_title=title, text=text, sentences=(text,), **kw)


LAW = [_p("law", "中华人民共和国护照法", "第二条 护照是证件。", label="第二条", path=("第一章 总则",)),
       _p("law", "中华人民共和国护照法", "第五条 公民申请普通护照。", label="第五条", path=("第二章 普通护照",))]
REPORT = [_p("rep", "2026年山东省政府工作报告", "地区生产总值增长5.5%。",
             path=("一、2025年工作回顾", "（一）经济增长迈出坚实步伐"))]
FAQ = [_p("faq", "出入境常见问题", "问：护照丢了怎么办？答：申请补发。", label="护照丢了怎么办？")]
NEWS = [_p("news", "青岛市评选出创新工作案例", "李沧区政府的案例。", unit="李沧区政府")]


def test_kinds_follow_the_structure():
    assert [kind_of(x) for x in (LAW, REPORT, FAQ, NEWS)] == ["statute", "outline", "qa", "prose"]


def test_the_scope_line_names_titles_and_kinds():
    line = describe({}, LAW + REPORT + FAQ + NEWS)
    assert "4 份文件" in line and "法律法规 1 份" in line and "《中华人民共和国护照法》" in line
    assert "创新工作案例的问题" not in line
    assert describe({}, NEWS) == "我可以回答资料库中《青岛市评选出创新工作案例》的问题。"
    assert describe({}, []) == "资料库中还没有文件。"


def test_example_questions_come_from_every_document():
    got = example_questions(LAW + REPORT + FAQ + NEWS)
    assert got[:4] == ["护照法对普通护照有哪些规定？", "2026年山东省政府工作报告里“经济增长迈出坚实步伐”有哪些内容？",
                       "护照丢了怎么办？", "李沧区有什么创新做法？"]
    assert not any("总则" in q for q in got)
