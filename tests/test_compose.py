"""An accepted reading -> the quote, the short answer and a citation naming the article or heading."""
from bot.compose import QUOTE_MIN, citation, place, quote, short_answer
from bot.read.excerpt import excerpt_around
from bot.read.reader import Reading
from index.passages.windows import windows_of
from index.types import Passage

ART = ("第七条 普通护照的登记项目包括：护照持有人的姓名、性别、出生日期、出生地，护照的签发日期、有效期、签发地点和签发机关。",
       "普通护照的有效期为：护照持有人未满十六周岁的五年，十六周岁以上的十年。", "普通护照的具体签发办法，由公安部规定。")


def _p(sentences, **kw):
    return Passage(passage_id="law#7", doc_id="law", doc_title="中华人民共和国护照法", text="".join(sentences),
                   sentences=tuple(sentences), **kw)


def _reading(p, index, span=None, score=9.0, wide=0):
    """A reading of the excerpt around window `index` (alone, or `wide` characters), its span in that excerpt."""
    return Reading(excerpt_around(windows_of(p), index, wide), 2.0, span, score)


def test_the_window_is_quoted_and_its_span_is_the_short_answer():
    p = _p(ART, label="第七条", path=("第二章 普通护照",))
    sentence = ART[1]
    r = _reading(p, 1, (sentence.index("十年"), sentence.index("十年") + 2))
    q = quote(r, 150)
    assert q == sentence
    assert short_answer(r, 8.0, q) == "十年"
    assert short_answer(_reading(p, 1, r.span, score=3.0), 8.0, q) == ""  # not sure enough: the quote alone
    assert short_answer(_reading(p, 1, (0, len(sentence))), 8.0, q) == ""  # the whole window is no short answer


def test_a_list_item_is_quoted_with_its_lead_in_and_a_short_window_with_the_sentence_before():
    items = ("有下列情形之一的，可以申请换发护照：", "（一）护照有效期即将届满的；", "（四）护照遗失或者被盗的；")
    p = _p(items, label="第十一条")
    assert quote(_reading(p, 2), 150) == "有下列情形之一的，可以申请换发护照：…（四）护照遗失或者被盗的；"  # with its lead-in
    assert quote(_reading(p, 1), 150) == "有下列情形之一的，可以申请换发护照：（一）护照有效期即将届满的；"
    short = _p(("护照由公安机关签发。", "免费。"))
    assert quote(_reading(short, 1), 150) == "护照由公安机关签发。免费。"


def test_a_long_quote_is_cut_around_the_answer_with_ellipses():
    long = "，".join(f"第{i}项工作取得新进展" for i in range(30)) + "。"
    p = _p((long,))
    ex = excerpt_around(windows_of(p), 0, 300)
    r = Reading(ex, 2.0, (ex.text.index("第5项"), ex.text.index("第5项") + 3), 9.0)
    got = quote(r, 40)
    assert got.endswith("…") and "第5项" in got and len(got.strip("…")) <= 40


def test_the_quote_is_the_window_closest_to_the_question_and_the_one_the_span_falls_in():
    p = _p(ART, label="第七条")
    ex = excerpt_around(windows_of(p), 1, 300)
    assert ex.text == "".join(ART) and ex.windows[ex.centre].text == ART[1]
    far = ex.text.index("公安部")
    assert quote(Reading(ex, 2.0, (far, far + 3), 9.0), 55) == ART[1] + ART[2]  # both, and what lies between


def test_a_short_quote_grows_by_the_next_window_then_the_previous_within_the_longest_quote():
    p = _p(ART, label="第七条")
    ex = excerpt_around(windows_of(p), 1, 300)
    at = ex.text.index("十年")
    span = (at, at + 2)
    assert len(ART[1]) < QUOTE_MIN
    assert quote(Reading(ex, 2.0, span, 9.0), 60) == ART[1] + ART[2]  # the next window; the previous would not fit
    assert quote(Reading(ex, 2.0, span, 9.0), 150) == "".join(ART)  # then the previous, to QUOTE_MIN characters
    assert quote(Reading(ex, 2.0, None, 0.0), 36) == ART[1]  # nothing fits beside the window itself
    long = _p(("普通护照的有效期为：护照持有人未满十六周岁的五年，十六周岁以上的十年，期满前六个月内可以向户籍所在地的出入境管理机构申请换发，在国外的向驻外使馆申请。",
               "普通护照的具体签发办法，由公安部规定。"))
    assert quote(_reading(long, 0, wide=300), 150) == long.sentences[0]  # long enough alone: nothing added


def test_traditional_documents_are_quoted_as_written():
    sim, trad = "护照的有效期为十年。", "護照的有效期為十年。"
    p = Passage(passage_id="t#0", doc_id="t", doc_title="護照", text=sim, sentences=(sim,), sentences_orig=(trad,))
    assert quote(_reading(p, 0), 150, "hant") == trad


def test_the_citation_names_the_article_heading_or_question():
    assert citation(_p(ART, label="第七条", path=("第二章 普通护照",))) == "来源：《中华人民共和国护照法》第七条"
    report = Passage(passage_id="r#1", doc_id="r", doc_title="2026年山东省政府工作报告", text="x", sentences=("x",),
                     path=("一、2025年工作回顾", "（一）经济增长迈出坚实步伐"), source="山东省人民政府", date="2026-02-01")
    assert citation(report) == "来源：《2026年山东省政府工作报告》（一）经济增长迈出坚实步伐（山东省人民政府，2026-02-01）"
    faq = Passage(passage_id="f#0", doc_id="f", doc_title="常见问题", text="x", sentences=("x",), label="护照丢了怎么办？")
    assert place(faq) == "“护照丢了怎么办？”"
    case = Passage(passage_id="n#0", doc_id="n", doc_title="创新案例", text="x", sentences=("x",), case="借力民营资本",
                   unit="李沧区政府", path=("各有创新",))
    assert citation(case) == "案例：《借力民营资本》（李沧区政府）；来源：《创新案例》"
