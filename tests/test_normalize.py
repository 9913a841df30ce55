"""Question clean-up, script detection, and small talk."""
import pytest

from bot.understand import smalltalk
from bot.understand.normalize import in_script, prepare


def test_bad_inputs_are_named_not_searched():
    assert prepare("", 500).problem == "empty"
    assert prepare("   \n\t ", 500).problem == "empty"
    assert prepare(None, 500).problem == "empty"
    assert prepare("\x00\x01\x02\x7f", 500).problem == "empty"
    assert prepare(b"\xff\xfe\x00\x00", 500).problem == "empty"
    assert prepare("😀😀👍", 500).problem == "no_text"
    assert prepare("Привет, как дела?", 500).problem == "script"
    assert prepare("مرحبا", 500).problem == "script"


def test_long_question_truncated_with_notice():
    p = prepare("问" * 100_000, 500)
    assert len(p.asked) == 500 and "500" in p.notice and not p.problem


def test_traditional_question_normalised_and_flagged():
    p = prepare("李滄區的民營機構佔比是多少？", 500)
    assert p.script == "hant" and p.text == "李沧区的民营机构占比是多少？"
    q = prepare("李沧区　２０１６年 評(píng)選", 500)
    assert q.script == "hans" and q.text == "李沧区 2016年 评选"
    assert in_script("李沧区", "hant") == "李滄區" and in_script("李沧区", "hans") == "李沧区"


@pytest.mark.parametrize("text,live", [
    ("明天青岛天气怎么样？", True), ("今天海尔的股价是多少", True), ("现在去机场的路况堵不堵", True),
    ("What's the weather like in Qingdao tomorrow?", True), ("what is haier's stock price today", True),
    ("李沧区现在有多少家民营社区卫生服务机构？", False), ("气象台站怎样发布天气警报？", False),
    ("目前地铁建设的资金从哪里来？", False), ("市北区的网格化系统是什么", False)])
def test_live_information_questions(text, live):
    assert smalltalk.is_live(text) is live


def test_smalltalk_classification():
    assert smalltalk.classify("你好") == "greeting"
    assert smalltalk.classify("Hello!") == "greeting"
    assert smalltalk.classify("谢谢！") == "thanks"
    assert smalltalk.classify("你能回答什么？") == "help"
    assert smalltalk.classify("你好，李沧区的民营机构占比是多少？") is None
    text = smalltalk.reply("greeting", "我可以回答……", ["问题一？", "问题二？"])
    assert "问题一？" in text and "您好" in text


@pytest.mark.parametrize("text,opinion", [
    ("你觉得这些创新案例里哪个最好？", True), ("李沧和市北的创新哪个效果更好一些？", True),
    ("哪个案例做得最出色", True), ("哪个区引进的人才最多", False), ("李沧区的案例叫什么", False)])
def test_opinion_questions_are_declined_not_searched(text, opinion):
    assert smalltalk.is_opinion(text) is opinion


@pytest.mark.parametrize("text,declined", [
    ("补充医保以后会不会推广到全国？", "预测"), ("明年李沧的民营社区医院会不会更多？", "预测"),
    ("会不会将来地铁票价要涨", "预测"), ("这些获奖案例后续会不会在全省范围推广？", "预测"), ("明年还评不评？", "预测"),
    ("下一年的创新案例评选啥时候开始报名？", "预测"), ("评选结果是什么时候公布的？", None), ("青岛现在房价多少钱一平米", "实时"), ("你觉得哪个案例最好", "评价"),
    ("2017年政府系统要做什么？", None), ("以后怎么申请加入示范平台", None), ("李沧区的民营机构有多少家", None)])
def test_opinions_live_information_and_forecasts_are_declined(text, declined):
    reason = smalltalk.declined(text)
    assert (reason is None) if declined is None else (declined in reason)
