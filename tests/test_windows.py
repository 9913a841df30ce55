"""What is embedded and read: a passage's sentences as windows under their heading line."""
from index.passages.windows import HEAD_CHARS, candidate_windows, heading_line, windows_of
from index.types import Passage


def _p(sentences, pid="law#3", **kw):
    return Passage(passage_id=pid, doc_id=pid.split("#")[0], doc_title=kw.pop("title", "中华人民共和国护照法"),
                   text="".join(sentences), sentences=tuple(sentences), **kw)


def test_one_window_a_sentence_and_long_sentences_cut_at_clauses():
    long = "，".join(f"第{i}项情形下申请人应当提交书面说明和证明材料" for i in range(8)) + "。"
    p = _p(["第七条 普通护照的有效期为十年。", long], label="第七条", path=("第二章 普通护照",))
    got = windows_of(p, rank=2)
    assert got[0].text == "第七条 普通护照的有效期为十年。" and got[0].first == 0 and got[0].rank == 2
    rest = got[1:]
    assert len(rest) > 1 and all(len(w.text) <= 100 for w in rest) and all(w.first == 1 for w in rest)
    assert "".join(w.text for w in got) == p.text  # nothing is lost or repeated
    assert got[0].head == "中华人民共和国护照法 第二章 普通护照 第七条"
    # a later window stands under the article's opening words too
    assert all(w.head.endswith("第七条：第七条 普通护照的有效期为十年。") for w in rest)


def test_the_heading_line_keeps_its_end_and_the_lead_in():
    p = _p(["（三）护照损毁不能使用的；"], label="第十一条", lead="有下列情形之一的，可以申请换发护照：")
    assert heading_line(p) == "中华人民共和国护照法 第十一条：有下列情形之一的，可以申请换发护照："
    deep = _p(["（三）护照损毁不能使用的；"], label="第十一条", path=("第三章 护照的换发、补发和变更加注及其他有关规定",),
              lead="有下列情形之一的，护照持有人可以按照规定申请换发或者补发护照：")
    line = heading_line(deep)
    assert len(line) == HEAD_CHARS and line.startswith("…") and line.endswith("申请换发或者补发护照")  # its first LEAD_CHARS characters
    plain = _p(["甲句。", "乙句。"])  # prose has no opening words to repeat
    assert heading_line(plain, after_start=True) == heading_line(plain) == "中华人民共和国护照法"


def test_overlapping_passages_are_read_once():
    a = _p(["甲句。", "乙句。"], pid="d#0")
    b = _p(["乙句。", "丙句。"], pid="d#1")
    other = _p(["乙句。"], pid="e#0")
    got = candidate_windows([a, b, other])
    assert [(w.passage.passage_id, w.text) for w in got] == [("d#0", "甲句。"), ("d#0", "乙句。"), ("d#1", "丙句。"),
                                                            ("e#0", "乙句。")]
