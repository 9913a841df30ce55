"""What a quantity question counts or takes the share of: read by jieba's parts of speech, named by its answer."""
import dataclasses

from index.config import AnswerConfig
from index.types import Hit, Passage
from index.words.query import Query

from bot.rules.counted import asked_parts, counted_things, guessed_amounts, measured_things, named_loosely
from bot.rules.decide import decide
from bot.rules.units import asked_measure, asked_unit


def test_the_thing_counted_is_the_noun_phrase_after_how_many():
    assert counted_things("“在市北”APP目前有多少注册用户？") == ("注册用户",)
    assert counted_things("全民补充医保目前覆盖了多少参保人？") == ("参保人",)
    assert counted_things("签约的19家金融机构中有几家是外资银行？") == ("外资银行",)
    assert counted_things("市北区划分了多少个责任网格") == ("责任网格",)
    assert counted_things("“在市北”APP目前有多少下载量？") == ("下载量",)  # an amount noun jieba tags as an idiom


def test_an_amount_a_measurement_or_a_choice_among_several_counts_no_thing():
    assert counted_things("市北区安排了多少人专门在各个网格里巡查？") == ()  # people: the people kind checks that
    assert counted_things("地铁4号线这回吸引了多少民间投资进来？") == ()  # an amount of money
    assert counted_things("市北那个网格化管理配了多少巡查的人啊") == ()  # 的 then 人
    assert counted_things("大鳞大眼鲷体长可达多少公分？") == ()  # a unit
    assert counted_things("前肛鳗生活在水深为多少的水域？") == ()
    assert counted_things("北朝几个朝代中，哪个朝代最积极建筑长城？") == ()  # which one of them
    assert counted_things("那几家银行是哪几家") == () and counted_things("要花多少时间") == ()
    assert counted_things("人社局那个补充医疗保险 分成几种办法") == ()  # kinds of it: 三种模式 answers


def test_a_part_or_a_share_asked_about_is_named():
    assert asked_parts("高新区引进的4000多名人才里头，外籍的有多少？") == ("外籍",)
    assert asked_parts("李沧区民营社区卫生机构的门诊量占全区多大比例？") == ("门诊量",)
    assert asked_parts("高新区引进的4000多人才里博士有多少个？") == ("博士",)  # a part within a counted whole
    assert asked_parts("蒙古汗国于1264年攻占库页岛派多少人的军队？") == ()  # 攻占 takes, it is no share
    assert asked_parts("卫生站好像都是私人开的，到底占了几成啊？") == ()  # an adverb is no part
    assert asked_parts("李沧的社区医院，私人出钱办的占几成？") == ()  # named by what was done: the asker's words
    assert named_loosely("高端人才", "引进各类高层次人才4000余人") and not named_loosely("注册用户", "配备800余名网格巡治员")


def test_a_count_of_something_else_is_refused_and_of_the_thing_answered():
    text = "市北区将全区划分为1188个责任网格，配备800余名网格巡治员；开发“在市北”APP。"
    users = _decided(text, "“在市北”APP目前有多少注册用户？", (("在市北", 3.0), ("app", 2.0), ("注册", 2.0), ("用户", 2.0)))
    assert users.reason == "no_counted_thing"
    assert _decided(text, "市北区一共划分了多少个责任网格？", (("市北区", 2.0), ("责任网格", 3.0))).answered


def test_a_part_named_by_another_word_for_it_is_named():
    passage = Passage(passage_id="l#0", doc_id="l", doc_title="t", sentences=(),
                      text="截至目前，李沧61家社区卫生服务机构中，民营机构56家，占92%。")
    query = Query(text="李沧的社区卫生站，私人办的有几家啊", search_terms=("李沧", "社区卫生", "私人"),
                  keywords=(("李沧", 2.0), ("社区卫生", 2.0), ("私人", 2.0)), constraints=(),
                  alternatives=(("私人", ("民营", "私营")),), synonym_weight=0.5)
    assert asked_parts(query.text) == ("私人办",)
    hit = Hit(passage=passage, score=0.9, dense=0.93, lexical=0.5, coverage=0.7)
    assert decide(query, [hit], AnswerConfig()).answered  # 私人 is 民营 (the thesaurus)
    foreign = dataclasses.replace(query, text="李沧的社区卫生站，外资办的有几家", alternatives=(), synonym_weight=0.0)
    assert decide(foreign, [hit], AnswerConfig()).reason == "no_part"


def test_a_figure_asked_in_a_unit_of_measure_needs_a_figure_in_a_unit_of_that_kind():
    assert asked_unit("地铁线网总里程多少公里").search("线网总长约872公里")
    assert not asked_unit("地铁线网总里程多少公里").search("总投资4000亿元，共19家金融机构")
    assert asked_unit("转型发展区有多少亩").search("选划52.8平方公里的转型发展区")  # another unit of area
    assert not asked_unit("转型发展区有多少亩").search("在市北区划了1188个网格，每个约200米长")  # a length
    assert asked_unit("那位院士多大年纪了").search("现年六十五岁")
    assert asked_unit("多少名院士") is None and asked_unit("投资多少亿元") is None  # a count, an amount of money
    assert asked_unit("how many kilometers of subway are planned?").search("线网总长约872公里")  # English too
    assert asked_unit("how many square kilometres is the zone?").search("选划52.8平方公里的转型发展区")
    assert asked_unit("how old is the director?") and asked_unit("how many members are there?") is None
    assert asked_unit("what is the total length in kilometres of the plan?")  # British spelling, "in" a unit
    text = "本市远期规划轨道交通总投资4000亿元，仅“十三五”期间，即需资金约1845亿元。"
    words = (("远期", 3.0), ("规划", 2.0), ("地铁", 2.0), ("里程", 3.0))
    assert _decided(text, "远期规划的地铁总里程多少公里", words).reason == "no_unit"
    assert _decided(text, "远期规划的地铁总投资多少钱", words).answered


def test_a_figure_put_forward_to_confirm_needs_the_figure_or_what_it_measures():
    assert guessed_amounts("听说每个获奖单位奖励50万元，是真的吗？") == (("奖励", "50"),)
    assert guessed_amounts("我听说4号线总投资才200亿左右，是这样吗？") == (("总投资", "200"),)  # 总 is part of it
    assert guessed_amounts("每个获奖单位奖励50万元吗") == ()  # asks, does not put a figure forward to confirm
    text = "市地铁工程建设指挥部是获奖的唯一重点项目单位，再次为4号线引入社会资本42.32亿元。"
    words = (("号线", 2.0), ("总", 0.5), ("投资", 2.0))
    assert _decided(text, "我听说4号线总投资才200亿左右，是这样吗？", words).reason == "no_guessed_amount"
    assert _decided(text, "听说4号线引入社会资本50亿元，对吗？", words).answered  # stated otherwise: corrected


def _decided(passage_text: str, question: str, keywords: tuple[tuple[str, float], ...]):
    """How decide() judges a question over one passage that is on its topic (close in meaning, words covered)."""
    passage = Passage(passage_id="m#0", doc_id="m", doc_title="t", sentences=(), text=passage_text)
    query = Query(text=question, search_terms=tuple(k for k, _ in keywords), keywords=keywords, constraints=())
    return decide(query, [Hit(passage=passage, score=0.9, dense=0.93, lexical=0.5, coverage=0.6)], AnswerConfig())


def test_a_part_asked_after_the_count_and_a_thing_measured_before_the_question_word():
    assert asked_parts("高新区引进的4000多名人才里，有多少是刚毕业的青年博士？") == ("青年博士",)
    assert asked_parts("61家机构里有几家是民营的") == ("民营",)
    assert measured_things("“在市北”APP目前的下载量或注册用户数是多少？") == ("用户数",)
    assert measured_things("在市北APP有多少人下载了") == ("下载",)  # people counted by what they did
    assert measured_things("网格巡治员有多少") == ("巡治员",)
    assert measured_things("灰凤冠雉的体长是多少？") == () and measured_things("授信额度是多少") == ()  # a measurement
    assert measured_things("南加大捐赠最高纪录是多少?") == ()
    text = "市北区将全区划分为1188个责任网格，配备800余名网格巡治员；开发“在市北”APP。"
    users = _decided(text, "在市北APP有多少人下载了", (("在市北", 3.0), ("app", 2.0), ("下载", 2.0)))
    assert users.reason == "no_measured_thing"


def test_things_counted_with_a_measure_word_of_their_own_are_counted_with_it():
    lines = asked_measure("地铁十三五期间要开工几条线？")
    assert lines.search("规划建设3条线路") and lines.search("共5个项目") and asked_unit("地铁要开工几条线？") is None
    assert not lines.search("与19家金融机构签署协议，为4号线引入社会资本")  # 家 counts banks, 4号线 names a line
    assert asked_measure("屈臣氏在香港设有多少家分店？").search("设有28间分店")  # 间 counts shops as 家 does
    assert asked_measure("重点项目拿奖的单位有几家？").search("市地铁工程建设指挥部是获奖的唯一重点项目单位")
    assert asked_measure("多少人报名") is None and asked_measure("哪几家银行") is None  # people; which ones


def test_the_thing_measured_before_or_and_a_part_named_within_a_whole_by_its_own_word():
    assert measured_things("注册用户或关注人数有多少？") == ("用户",)  # 人数 is an amount: the other one is measured
    assert measured_things("门诊量或服务人口有多少？") == ("门诊量",)
    assert measured_things("青岛开发区2016年的GDP是多少？") == ("gdp",)  # as the lower-cased text is searched
    assert asked_parts("高新区引进的4000余名人才中外籍人才有多少？") == ("外籍",)  # 人才 is the whole's word
    assert asked_parts("外籍的有多少") == ("外籍",)
    assert asked_parts("获奖单位中属于重点项目类别的有几家？") == ()  # 类别 names a kind, no part


def test_a_part_told_by_what_it_did_and_a_share_of_a_sum_after_a_comma():
    assert asked_parts("李沧那61家社区卫生服务机构里头，有几家是开在村里的？") == ("开村里",)
    assert asked_parts("高新区引进的4000多名人才里，有多少人落户买房了？") == ("落户买房",)
    assert asked_parts("高新区那1.8个亿，有多少是投到人才项目的？") == ("投人才",)  # 项目 is a generic word
    text = "获得预授信额度超3000亿元，其中贷款2000亿元。"
    assert _decided(text, "那3000亿预授信，有多少是贷款？", (("预授信", 2.0), ("贷款", 2.0))).answered
    green = _decided("投入1.8亿元专项资金重点培育高端人才项目245个。", "高新区那1.8个亿，有多少是投到环保的？",
                     (("1.8", 2.0), ("环保", 3.0)))
    assert green.reason == "no_part"
    settled = _decided("引进各类高层次人才4000余人。", "高新区引进的4000多名人才里，有多少人落户买房了？",
                       (("人才", 2.0), ("落户", 3.0), ("买房", 3.0)))
    assert settled.reason == "no_part"
