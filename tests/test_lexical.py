"""jieba tokens with corpus entities, BM25 ranking and persistence, query analysis and coverage."""
import dataclasses

import numpy as np
import pytest

from index.errors import IndexCorrupt
from index.storage.lexical import BM25, get_tokenizer, tokenize
from index.words.query import analyse, coverage, missing_constraints

DOCS = ["李沧区借力民营资本打造社区卫生服务新范本，民营机构占92%。",
        "市地铁工程建设指挥部创新采用“一揽子授信”模式，与19家金融机构签署协议。",
        "青岛高新区引进24名两院院士和43名千人计划专家。"]


@pytest.fixture(scope="module")
def tok():
    return get_tokenizer(("李沧区", "一揽子授信", "市地铁工程建设指挥部"))


def test_entities_stay_whole_and_stopwords_go(tok):
    terms = tokenize("一揽子授信是什么模式？", tok)
    assert "一揽子授信" in terms
    assert "什么" not in terms and "？" not in terms


def test_bm25_ranks_the_matching_passage_first(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    for q, want in (("李沧区民营机构占比", 0), ("地铁 融资 授信", 1), ("高新区 院士", 2)):
        scores = bm.scores(tokenize(q, tok))
        assert int(np.argmax(scores)) == want
    assert bm.scores(tokenize("明天天气", tok)).max() == 0
    assert bm.idf_of("从未出现的词") == bm.max_idf > bm.idf_of("院士")


def test_bm25_save_load_round_trip_and_corrupt(tok, tmp_path):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    bm.save(tmp_path)
    again = BM25.load(tmp_path)
    q = tokenize("千人计划专家", tok)
    assert np.allclose(bm.scores(q), again.scores(q))
    (tmp_path / "bm25_vocab.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        BM25.load(tmp_path)


def test_query_constraints_and_coverage(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    q = analyse("崂山区2019年有什么创新案例", tok, bm.idf_of)
    assert "崂山区" in q.constraints and "2019" in q.constraints
    assert sorted(missing_constraints(q, DOCS[0])) == ["2019", "崂山区"]
    q2 = analyse("李沧区民营机构占比多少", tok, bm.idf_of)
    assert missing_constraints(q2, "李沧61家社区卫生服务机构") == []  # 李沧 stands for 李沧区
    assert coverage(q2, DOCS[0].lower()) > 0.8
    assert coverage(q2, DOCS[2].lower()) < 0.3
    q3 = analyse("地铁5号线的社会资本", tok, bm.idf_of)
    assert missing_constraints(q3, "为4号线引入社会资本42.32亿元") == ["5号线"]


def test_a_place_typed_as_a_sound_alike_is_the_place_the_evidence_names(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    q = analyse("李仓区社区卫生服务机构有几家", tok, bm.idf_of)  # 仓 for 沧: same pinyin, a keyboard slip
    assert "李仓区" in q.constraints
    assert missing_constraints(q, "李沧区政府的案例") == []
    assert missing_constraints(q, "截至目前，李沧61家社区卫生服务机构中") == []
    assert missing_constraints(q, "崂山区政府的案例") == ["李仓区"]  # another place is still another place


def test_a_named_country_or_province_must_be_in_the_evidence(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    q = analyse("去日本旅游的签证怎么办理", tok, bm.idf_of)
    assert q.constraints == ("日本",)
    assert missing_constraints(q, "旅行社可以向口岸签证机关申请办理团体旅游签证。") == ["日本"]
    assert missing_constraints(q, "赴日本旅游须向日本驻华使馆申请签证。") == []
    assert analyse("山东的开发区考核排第几", tok, bm.idf_of).constraints == ("山东",)
    assert analyse("中国的开发区有多少", tok, bm.idf_of).constraints == ()  # the country documents mean, unnamed


def test_a_named_city_must_be_in_the_evidence_and_question_words_are_not_keywords(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    q = analyse("济南2016年有哪些创新案例获奖", tok, bm.idf_of)
    assert "济南" in q.constraints
    assert missing_constraints(q, "本市评选出2016年度全市政府系统创新工作案例") == ["济南"]
    words = [w for w, _ in analyse("评选结果啥时候公布的", tok, bm.idf_of).keywords]
    assert "啥时候" not in words and "结果" in words
    words = [w for w, _ in analyse("这篇报道是几月几号的消息", tok, bm.idf_of).keywords]
    assert not {"这篇", "几月", "几号"} & set(words) and "消息" in words


def test_quoted_terms_count_whole_and_counted_or_pointed_measure_words_do_not(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    q = analyse("开发区用的那套“五字”工作法具体是哪五个字", tok, bm.idf_of)
    words = dict(q.keywords)
    assert "五字" in words and words["五字"] >= max(w for k, w in words.items() if k != "五字") * 0.5
    assert "那套" not in words and "五个" not in words


def test_a_year_must_be_in_the_quoted_passage_a_place_in_the_document(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    q = analyse("高新区2017年引进了多少人才", tok, bm.idf_of)
    document = "青岛高新区引进24名两院院士。2017年，本市将学习借鉴创新工作案例。"
    assert missing_constraints(q, document) == []  # the document mentions 2017 (its plans)
    assert missing_constraints(q, document, passage="青岛高新区引进24名两院院士。") == ["2017"]
    assert missing_constraints(q, document, passage="2017年高新区引进24名院士。") == []


def test_a_year_not_over_when_the_text_was_written_and_named_for_plans_answers_only_about_plans(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    plans = "2017年，本市全市政府系统将认真学习借鉴全新工作案例，深化创新驱动。"
    results = analyse("2017年度的政府创新案例评出来了吗", tok, bm.idf_of)
    assert missing_constraints(results, plans, plans, written="2017-01-17") == ["2017"]
    assert missing_constraints(results, plans, plans, written="") == []  # undated: no telling plans from a record
    assert missing_constraints(results, plans, plans, written="2018-03-01") == []  # written after the year: a record
    asks_plans = analyse("2017年全市政府系统要迎接什么会议", tok, bm.idf_of)
    assert missing_constraints(asks_plans, plans, plans, written="2017-01-17") == []
    done = "2017年1月，本市评选出创新工作案例，十区市均有入选。"  # what happened early in the year is a record
    assert missing_constraints(results, done, done, written="2017-01-17") == []
    far = "2017年，全市政府系统按照市委总体工作安排，围绕中心工作，坚持稳中求进，计划推进改革。"
    assert missing_constraints(results, far, far, written="2017-01-17") == []  # 计划 in a far clause
    english = dataclasses.replace(results, text="What will the city's government do with these cases in 2017?")
    assert missing_constraints(english, plans, plans, written="2017-01-17") == []
    announced = dataclasses.replace(results, text="When will the results of the 2017 selection be announced?")
    assert missing_constraints(announced, plans, plans, written="2017-01-17") == ["2017"]
    welcome = dataclasses.replace(results, text="What event will the city's 2017 government work be welcoming?")
    assert missing_constraints(welcome, plans, plans, written="2017-01-17") == []  # "will", not passive: plans
    said = dataclasses.replace(results, text="What event did the city say its 2017 work would be welcoming?")
    assert missing_constraints(said, plans, plans, written="2017-01-17") == []  # reported: "would"


def test_a_numbered_thing_must_be_in_the_quoted_passage_a_place_in_the_document(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    line4 = analyse("李沧区4号线的总投资是多少", tok, bm.idf_of)
    document = "李沧区的案例。本市远期规划轨道交通总投资4000亿元。为4号线引入社会资本42.32亿元。"
    network = "本市远期规划轨道交通总投资4000亿元。"
    assert missing_constraints(line4, document, network) == ["4号线"]
    assert missing_constraints(line4, document, "为4号线引入社会资本42.32亿元。") == []  # 李沧区: in the document


def test_where_the_asker_comes_from_is_no_place_the_question_asks_about(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    assert "台湾" not in analyse("我是台湾过来的 爸妈住市北区 区政府做的手机app叫什么", tok, bm.idf_of).constraints
    assert "台湾" not in analyse("我来自台湾，市北区的app叫什么", tok, bm.idf_of).constraints
    assert "台湾" in analyse("我是台湾过来的，能参加补充医保吗", tok, bm.idf_of).constraints  # may someone from there
    assert "台湾" in analyse("台湾有没有类似的评选", tok, bm.idf_of).constraints
    assert analyse("评选出来的案例是哪个年度的 2015年吗", tok, bm.idf_of).constraints == ()  # a guess to check
    assert analyse("2015年的案例有哪些", tok, bm.idf_of).constraints == ("2015",)
    assert analyse("李沧区用什么办法把私人资本拉进社区医疗", tok, bm.idf_of).constraints == ("李沧区",)  # 进社区: no place
    assert "胶州" not in analyse("我是胶州人，地铁4号线引入了多少社会资本", tok, bm.idf_of).constraints


def test_a_county_or_district_named_without_its_suffix_is_a_place(tok):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    assert "胶州" in analyse("俺们胶州这回评上的是个啥案例", tok, bm.idf_of).constraints  # 胶州市 without 市
    assert "崂山" in analyse("崂山有没有入选", tok, bm.idf_of).constraints
    document = "即墨市、李沧区、市北区均有入选。"
    assert missing_constraints(analyse("胶州有什么创新案例", tok, bm.idf_of), document) == ["胶州"]
    assert missing_constraints(analyse("李沧有什么创新案例", tok, bm.idf_of), document) == []
    assert analyse("东海有多少海洋产业", tok, bm.idf_of).constraints == ()  # 东海区 too, but a common word: left out


@pytest.mark.parametrize("question,asked", [
    ("李沧的民营社区卫生服务站看病能刷医保卡吗？", ("医保卡",)),
    ("有没有病种目录", ("病种",)),
    ("李沧区的诊所能不能用社保卡结算", ("社保卡",)),
    ("李沧那些民营社区医院看病能刷医保卡不", ("医保卡",)),  # a final 不 asks as 吗 does
    ("人社局那边有没有额外的保险办法？", ("保险",)),  # the noun, not its modifier
    ("能否请您概括介绍一下，市北区的案例做了哪方面的工作？", ()),  # a polite request to tell, not yes or no
    ("能不能把这十个的名字全列出来？", ()),
    ("获奖的单位有奖金吗", ("奖金",)),
    ("这个手机软件能办事吗", ()),  # a verb with no object: nothing named to look for
    ("市北区有啥手机软件吗", ("手机软件",)),  # is there one: the thesaurus's app counts (bot.decide)
    ("苹果手机能用吗", ()),
    ("能源有哪些", ()),  # 能 in a noun, and no yes/no question
    ("市北区划分了多少个网格", ()),
    ("高新区到底引了多少高端人才啊，有没有上千个", ()),  # a guessed figure: the text's figures answer it
    ("一揽子授信都能覆盖哪些路子？光是贷款吗？", ())])  # 能 in a clause asking which: not yes or no
def test_a_yes_no_question_names_what_it_asks_about(tok, question, asked):
    bm = BM25.build([tokenize(d, tok) for d in DOCS])
    assert analyse(question, tok, bm.idf_of).asked == asked


@pytest.mark.parametrize("question,rest", [
    ("带娃的宝妈问下，这个评选的消息是哪天出来的呀？", "这个评选的消息是哪天出来的呀？"),
    ("哎问一下 市北那个网格化管理有个手机app吗", "市北那个网格化管理有个手机app吗"),
    ("请问，李沧区有多少家民营机构", "李沧区有多少家民营机构"),
    ("我想问一下李沧区有多少家", "我想问一下李沧区有多少家"),  # no break after it: its words are stopwords anyway
    ("问一下，好吗", "问一下，好吗"),  # nothing would remain
    ("我开诊所的，想问李沧区用什么办法引进民营资本", "李沧区用什么办法引进民营资本"),
    ("居民问：这次全市一共评出了多少个案例？", "这次全市一共评出了多少个案例？"),  # relayed with who asked
    ("网友留言:地铁几号线", "地铁几号线")])
def test_who_asks_and_that_they_ask_is_not_the_question(question, rest):
    from index.words.query import without_preamble

    assert without_preamble(question) == rest


def test_a_yes_no_question_states_who_asks_and_the_text_must_name_it():
    from index.words.yesno import stated_conditions

    assert stated_conditions("外地户口能参加青岛的全民补充医保吗？") == ("外地", "户口")
    assert stated_conditions("孩子得了白血病，未成年人能参加个人补充医保吗？") == ("孩子", "未成年")
    assert stated_conditions("高新区引进了多少名学生") == ()  # not a yes/no question
    assert stated_conditions("Can children be covered by the supplementary medical insurance?") == ("儿童",)
    assert stated_conditions("Which students won a prize?") == ()  # English: a yes/no question too
    assert stated_conditions("申请人才特区的政策，对学历和年龄有什么要求？") == ("学历", "年龄")  # requirements by name


def test_who_the_asker_is_is_no_condition_when_the_question_asks_what():
    from index.words.yesno import stated_conditions

    assert stated_conditions("俺是外地来青岛打工的，听说市北区有个手机APP能办事，叫啥名儿？") == ()
    assert stated_conditions("外地人能参加哪些补充医保？") == ("外地",)  # which ones outsiders may join: a condition
    assert stated_conditions("外地户口可以参加吗，怎么办理") == ("外地", "户口")


def test_asking_for_the_figure_itself_is_no_thing_and_which_day_is_no_topic():
    from index.words.yesno import asked_things

    q = "地铁光是十三五期间就要花多少钱？有具体数字吗？"
    assert asked_things(q, get_tokenizer(()).lcut(q)) == ()  # the figure asked, not whether one exists
    q = "有没有数据中心？"
    assert asked_things(q, get_tokenizer(()).lcut(q)) == ("数据中心",)
    assert "哪一天" not in tokenize("记者是哪一天采访的", get_tokenizer(()))
