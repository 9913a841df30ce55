"""A question for a method is answered by the sentence naming one; "did all of them" by the one saying all did."""
from index.config import AnswerConfig
from index.types import Passage
from index.words.query import Query

from bot.rules.answer import best_window, quote
from bot.rules.cues import asks_all, asks_method, gives_method, states_all


def test_questions_for_a_method_and_sentences_that_name_one():
    assert asks_method("修地铁缺钱，他们想了个什么新路子去借钱？") and asks_method("李沧怎么解决看病难的")
    assert not asks_method("青岛高新区管委是靠什么工作获奖的？")  # the case's work: its summary answers
    assert asks_method("What new approach did the metro office take?")
    assert not asks_method("地铁4号线引入了多少社会资本？") and not asks_method("什么时候评选的")
    assert gives_method("地铁办创新采用“一揽子授信”模式，与19家金融机构签署协议。")
    assert not gives_method("本市远期规划轨道交通总投资4000亿元，仅“十三五”期间，即需资金约1845亿元。")  # a period


def test_the_window_that_names_the_method_is_quoted_over_the_summary():
    def window(n: int, sentences: tuple[str, ...]) -> Passage:
        return Passage(passage_id=f"d#{n}", doc_id="d", doc_title="t", text="".join(sentences), sentences=sentences,
                       unit="市地铁工程建设指挥部")

    summary = window(0, ("市地铁工程建设指挥部是获奖的唯一重点项目单位，其探索轨道交通投融资改革，实现融资工作新突破。",))
    method = window(1, ("本市远期规划轨道交通总投资4000亿元。", "地铁办创新采用“一揽子授信”模式，获得预授信额度超3000亿元。"))
    question = "修地铁缺钱，他们想了个什么新路子去借钱？"
    query = Query(text=question, search_terms=("缺钱", "新路子", "借钱"),
                  keywords=(("缺钱", 3.0), ("新路子", 3.0), ("借钱", 3.0)), constraints=())
    chosen = best_window(query, [summary, method], question, AnswerConfig().window_margin)
    assert chosen is method
    assert "一揽子授信" in quote(query, chosen, question, AnswerConfig(), "hans")
    plain = Query(text="地铁获奖了吗", search_terms=(), keywords=(("获奖", 3.0),), constraints=())
    assert best_window(plain, [summary, method], "地铁获奖了吗", AnswerConfig().window_margin) is summary


def test_whether_all_of_a_group_did_is_answered_by_a_text_saying_all_did():
    assert asks_all("十个区市是不是个个都有份啊？") and asks_all("十个区市都评上了没")
    assert asks_all("Did all the ten districts and cities get selected this time?")
    assert not asks_all("十个区市都有哪些创新") and not asks_all("All cases: where can I read them?")
    assert not asks_all("特长的鼻端往往都是用来干什么的？")  # 么 in 什么: what, not whether
    assert states_all("本市评选出2016年度创新工作案例，十区市均有入选") and not states_all("十区市创新工作各有亮点")



def test_a_method_asked_in_slang_and_a_preposition_that_is_no_topic():
    assert asks_method("地铁那边跟银行借钱，使的是啥新招儿？") and asks_method("地铁找钱用的啥骚操作啊")
    assert not asks_method("啥时候评的")
    from index.storage.lexical import get_tokenizer, tokenize

    assert "按照" not in tokenize("这个评选是按照啥标准来评的", get_tokenizer(()))  # according to: no topic
