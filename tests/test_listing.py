"""A question for people by name or for things one by one needs a passage that names people or lists things."""
import dataclasses

from index.config import AnswerConfig
from index.types import Hit, Passage
from index.words.query import Query

from bot.rules.decide import decide
from bot.rules.listing import asks_each, asks_people, enumerates, names_people


def test_who_they_are_by_name_needs_a_personal_name():
    assert asks_people("高新区引进的24名院士都是谁？")
    assert not asks_people("评审组是由哪些人组成的？")  # 人大代表、政协委员 answer: kinds of people
    assert not asks_people("市北区开发的APP叫什么名字？")  # a thing has a name too
    assert names_people("青岛市人社局局长张伟介绍了补充医保")
    assert not names_people("青岛高新区管委则集聚高端领军人才，高新区引进24名两院院士")  # jieba reads 高新区 as a name


def test_one_by_one_needs_a_list():
    assert asks_each("十个区市分别是哪十个？") and not asks_each("十区市有什么创新")
    assert enumerates("搭建起由海尔、英谷、百灵等组成的示范服务平台")
    assert not enumerates("此次评选中，十区市创新工作各有亮点。")


def test_the_academicians_names_are_refused_over_a_passage_that_only_counts_them():
    passage = Passage(passage_id="g#0", doc_id="g", doc_title="t", sentences=(),
                      text="高新区引进包括24名两院院士在内的各类高层次人才4000余人。")
    query = Query(text="高新区引进的24名院士都是谁？", search_terms=("高新区", "院士"),
                  keywords=(("高新区", 2.0), ("院士", 3.0)), constraints=())
    hit = Hit(passage=passage, score=0.9, dense=0.93, lexical=0.5, coverage=0.9)
    assert decide(query, [hit], AnswerConfig()).reason == "no_people"
    named = dataclasses.replace(passage, passage_id="g#1", text=passage.text + "其中包括中国科学院院士王小明。")
    assert decide(query, [dataclasses.replace(hit, passage=named)], AnswerConfig()).answered


def test_which_ones_of_a_counted_thing_need_a_list_of_that_thing():
    from bot.rules.listing import listed_things, lists_thing

    assert listed_things("跟地铁办签协议的那19家金融机构分别是哪几家？") == ("金融机构",)
    assert listed_things("李沧剩下那5家公立社区卫生服务机构是哪几家？") == ("公立社区卫生服务机构",)
    assert listed_things("北上车站是哪两条主要干线的交会车站") == () and listed_things("第一个建城的城市是哪一个") == ()
    assert lists_thing("金融机构", "与19家金融机构签署《金融合作协议》，涵盖贷款、保险债权") is False  # a list of other things
    assert lists_thing("金融机构", "与工商银行、建设银行等19家金融机构签署协议")
    assert lists_thing("金融机构", "地铁办与工商银行等19家金融机构签署协议")  # one named, the rest counted
    assert lists_thing("金融机构", "19家金融机构包括工商银行、建设银行和农业银行")
    assert lists_thing("公立社区卫生服务机构", "李沧61家社区卫生服务机构中，民营机构56家") is False  # its ending named
    assert lists_thing("金融机构", "市北区划分为1188个责任网格") is None  # not named: other checks judge


def test_english_questions_for_people_or_counted_things_by_name():
    from bot.rules.listing import listed_things

    assert asks_people("Can you name the 24 academicians the zone recruited?")
    assert asks_people("Who are the 61 Taishan scholars?")
    assert not asks_people("Who are the members of the review panel?")  # its make-up answers that
    assert not asks_people("What are the names of the two offices?")  # offices are no people
    assert listed_things("Which 19 banks and financial institutions signed the agreement?") == ("银行", "金融机构")
    assert listed_things("Which 3 functional zones won?") == ("功能区",)
    assert listed_things("Which two aspects were reformed?") == ()  # may be told in sentences of their own
    assert listed_things("Which district came first?") == ()  # one, not a counted list


def test_counted_districts_need_a_list_but_counted_aspects_may_be_told_one_by_one():
    from bot.rules.listing import listed_things, lists_thing

    assert listed_things("入选的十区市具体是哪十个？") == ("区市",)  # no measure word before an administrative unit
    assert lists_thing("区市", "本市评选出2016年度创新工作案例，十区市均有入选") is False
    assert listed_things("青岛开发区从三个方面改革，具体是哪三个方面") == ()
    assert listed_things("三元桥站是哪两条线路的换乘站？") == ()  # 三元 is part of a name
    assert listed_things("开发区那套用五个字概括的做事方法，是哪五个字？") == ()  # a way of working, told by its parts


def test_names_asked_for_things_the_question_counts():
    from bot.rules.listing import listed_things, lists_thing

    assert listed_things("李沧那56家民营社区卫生服务机构具体叫啥名字") == ("民营社区卫生服务机构",)
    assert listed_things("李沧剩下那几家公立的社区卫生服务机构分别叫什么名字？") == ("社区卫生服务机构",)  # after 的
    assert listed_things("十个区市都有入选，能不能把这十个的名字全列出来？") == ("区市",)
    assert listed_things("市北区开发的APP叫什么名字？") == ()  # one thing's name: no count
    assert lists_thing("社区卫生服务机构", "李沧61家社区卫生服务机构中，民营机构56家，占92%") is False


def test_things_asked_by_name_are_found_by_the_count_where_the_text_calls_them_otherwise():
    from bot.rules.listing import listed_things, lists_thing, stated_count

    question = "李沧那56家民营社区医院都叫啥名"
    assert listed_things(question) == ("民营社区医院",) and stated_count(question) == "56家"
    text = "截至目前，李沧61家社区卫生服务机构中，民营机构56家，占92%"
    assert lists_thing("民营社区医院", text, "56家") is False  # 56家 is there, no list beside it
    assert lists_thing("民营社区医院", "包括甲医院、乙医院等56家", "56家") is True
    assert lists_thing("民营社区医院", text) is None  # without the count the text does not name them
    assert asks_people("高新区那24个院士都有谁") and not asks_people("高新区有多少院士")
    assert stated_count("地铁跟19家金融机构签的协议叫什么名字") == ""  # the agreement's name, not the 19
