"""Pure answer composition: refusal decisions (bot.rules.decide), sentence choice, trimming, citations (bot.rules.answer)."""
import dataclasses

import pytest

from index.config import AnswerConfig
from index.types import Hit, Passage
from index.words.query import Query

from bot.compose import citation
from bot.rules.answer import quote, select_sentences
from bot.rules.decide import decide

CFG = AnswerConfig()
P = Passage(passage_id="d#0", doc_id="d", doc_title="某市创新案例", case="借力民营资本", unit="某某区政府",
            text="某某区政府的《借力民营资本》案例，鼓励社会资本办医。截至目前，61家机构中，民营机构56家，占92%。方便群众就医。",
            sentences=("某某区政府的《借力民营资本》案例，鼓励社会资本办医。", "截至目前，61家机构中，民营机构56家，占92%。", "方便群众就医。"),
            source="某报", date="2017-01-17")


def q(text, keywords, constraints=()):
    return Query(text=text, search_terms=tuple(k for k, _ in keywords), keywords=tuple(keywords),
                 constraints=tuple(constraints))


def told(passage_id, *sentences):
    """A passage made of the given sentences."""
    return Passage(passage_id=passage_id, doc_id=passage_id.split("#")[0], doc_title="t", text="".join(sentences),
                   sentences=sentences)


def hit(dense, cov, passage=P):
    return Hit(passage=passage, score=dense, dense=dense, lexical=0.5, coverage=cov)


def test_refuses_without_hits_or_with_weak_evidence():
    query = q("民营机构占比多少", [("民营", 2.0), ("机构", 1.0)])
    assert not decide(query, [], CFG).answered
    assert decide(query, [hit(CFG.min_dense - 0.05, 1.0)], CFG).reason == "low_similarity"
    assert decide(query, [hit(CFG.min_dense + 0.01, 0.1)], CFG).reason == "low_confidence"
    assert decide(query, [hit(CFG.min_confidence + 0.01, 0.0)], CFG).answered  # a close paraphrase, no shared words
    assert decide(query, [hit(CFG.min_dense + 0.001, 1.0)], CFG).answered  # few words of meaning, all found


def test_refuses_when_a_named_place_or_year_is_not_in_the_evidence():
    query = q("崂山区2019年的案例", [("案例", 1.0)], constraints=("崂山区", "2019"))
    d = decide(query, [hit(0.95, 1.0)], CFG)
    assert not d.answered and "崂山区" in d.reason


def test_foreign_question_judged_on_similarity_alone():
    query = q("What share of clinics in Mouqu are private?", [("what", 3.0), ("share", 3.0)])
    p = Passage(passage_id="m#0", doc_id="m", doc_title="t", text="民营机构占92%。", sentences=("民营机构占92%。",),
                unit="某区政府")  # 某区 reads mouqu
    assert decide(query, [hit(CFG.min_dense_foreign + 0.01, 0.3, p)], CFG).answered
    assert not decide(query, [hit(CFG.min_dense_foreign - 0.01, 0.3, p)], CFG).answered
    # the place is named, nothing else the question asks is ("seafood restaurants near Licang")
    assert decide(query, [hit(CFG.min_dense_foreign + 0.01, 0.1, p)], CFG).reason == "low_coverage"
    elsewhere = q("What is the weather like tomorrow?", [("weather", 3.0)])
    assert decide(elsewhere, [hit(CFG.min_dense_foreign + 0.05, 0.3, p)], CFG).reason == "no_shared_name"
    # The topic found, the kind asked for still has to be there: no phone number in the passage.
    phone = q("What is the phone number of the Mouqu government?", [("政府", 1.0)])
    assert decide(phone, [hit(CFG.min_dense_foreign + 0.05, 1.0, p)], CFG).reason == "no_phone"
    assert decide(query, [hit(CFG.min_dense_foreign + 0.05, 1.0, p)], CFG).answered  # 92% is a share


def test_a_term_an_english_phrase_was_translated_to_is_named_like_a_place():
    p = Passage(passage_id="m#1", doc_id="m", doc_title="t", text="有3个功能区管理机构的案例也获奖。",
                sentences=("有3个功能区管理机构的案例也获奖。",))
    zones = q("How many functional-zone agencies also won awards?", [("功能区", 2.0), ("机构", 1.0), ("获奖", 1.0)])
    assert decide(zones, [hit(CFG.min_dense_foreign + 0.01, 0.4, p)], CFG).answered  # 功能区: three characters
    loans = q("What interest rate did the agencies get on loans?", [("机构", 1.0), ("贷款", 2.0)])
    assert decide(loans, [hit(CFG.min_dense_foreign + 0.01, 0.4, p)], CFG).reason == "no_shared_name"  # 机构: generic


def test_number_question_quotes_the_sentence_with_the_number():
    query = q("民营机构占比是多少", [("民营", 2.0), ("机构", 1.0), ("占", 0.3), ("比", 0.3)])
    start, end = select_sentences(query, P, query.text, CFG)
    assert "92%" in "".join(P.sentences[start:end])
    text = quote(query, P, query.text, CFG, "hans")
    assert "92%" in text and len(text) <= CFG.max_chars


def test_long_sentence_trimmed_to_the_matching_clauses():
    long = "，".join(f"第{i}项工作取得进展" for i in range(30)) + "，地铁融资采用一揽子授信模式，成效明显。"
    p = Passage(passage_id="x#0", doc_id="x", doc_title="t", text=long, sentences=(long,))
    query = q("地铁融资模式", [("地铁", 2.0), ("融资", 2.0), ("模式", 1.0)])
    text = quote(query, p, query.text, CFG, "hans")
    assert "一揽子授信" in text and len(text) <= CFG.max_chars and text.startswith("…")


def test_a_trimmed_quote_starts_at_the_answer_keeps_a_list_whole_and_its_sequel():
    lead = "，".join(f"第{i}项工作取得进展" for i in range(12))
    long = (lead + "，出台支持互联网工业发展的意见，搭建起由海尔、英谷、百灵等组成的示范服务平台，"
            "先后培育起个性化定制、智慧工厂、智能终端等独具特色发展模式，促进传统工业转型升级。")
    p = Passage(passage_id="x#0", doc_id="x", doc_title="t", text=long, sentences=(long,))
    query = q("培育出了哪些有特色的发展模式", [("培育出", 3.0), ("特色", 2.0), ("发展", 0.7), ("模式", 1.2)])
    text = quote(query, p, query.text, CFG, "hans")
    # not the lead-up to the answering clause; the clause's list whole (not cut at 、); what follows while it fits
    assert text.startswith("…先后培育起个性化定制、智慧工厂、智能终端") and text.endswith("促进传统工业转型升级。")
    platform = quote(q("示范服务平台由哪些企业组成", [("示范", 2.0), ("平台", 1.5), ("企业", 1.0)]), p, "", CFG, "hans")
    assert "海尔、英谷、百灵" in platform


def test_a_trimmed_traditional_quote_is_the_received_text_not_a_conversion():
    simp = "第一项工作取得进展，" * 20 + "先后培育起个性化定制、智慧工厂等特色模式。"
    orig = "第一項工作取得進展，" * 20 + "先後培育起個性化定制、智慧工廠等特色模式。"
    p = Passage(passage_id="t#1", doc_id="t", doc_title="t", text=simp, sentences=(simp,), sentences_orig=(orig,))
    text = quote(q("培育出哪些特色模式", [("培育出", 3.0), ("特色", 2.0), ("模式", 1.2)]), p, "", CFG, "hant")
    assert text.startswith("…") and "個性化定制" in text  # OpenCC would write 定製


LEAD = "还在机构配置上创新，结合统计局能把指标吃透、研究室能把政策吃透两个方面的优势开展考核评价工作。"


def test_when_the_heading_holds_the_question_its_sentence_is_quoted():
    p = Passage(passage_id="z#0", doc_id="z", doc_title="t", section="开发区划52.8平方公里作转型发展区",
                text=LEAD + "在转型发展上也力求创新，选划52.8平方公里的转型发展区，作为率先转型升级、创新发展示范平台。",
                sentences=(LEAD, "在转型发展上也力求创新，选划52.8平方公里的转型发展区，作为率先转型升级、创新发展示范平台。"))
    query = q("开发区选了52.8平方公里是干嘛用的", [("开发区", 1.3), ("52.8", 1.3), ("平方公里", 1.3), ("用", 0.7)])
    # every content word is in the heading (which the citation names), yet the sentence stating them answers
    assert quote(query, p, query.text, CFG, "hans").startswith("在转型发展上")


def test_traditional_reply_quotes_the_received_text():
    p = Passage(passage_id="t#0", doc_id="t", doc_title="t", text="李沧区民营机构占92%。", sentences=("李沧区民营机构占92%。",),
                sentences_orig=("李滄區民營機構佔92%。",))
    query = q("民营机构", [("民营", 2.0)])
    assert quote(query, p, query.text, CFG, "hant") == "李滄區民營機構佔92%。"
    assert quote(query, p, query.text, CFG, "hans") == "李沧区民营机构占92%。"


def test_citation_names_case_unit_and_document():
    line = citation(P)
    assert "《借力民营资本》" in line and "某某区政府" in line and "《某市创新案例》" in line and "2017-01-17" in line
    bare = Passage(passage_id="b#0", doc_id="b", doc_title="文档", text="x", sentences=("x",))
    assert citation(bare) == "来源：《文档》"


def test_a_not_a_question_about_a_quantity_asks_for_the_number():
    from bot.rules.fit import sentence_score

    # "多不多" names no number word, yet it asks how many: a sentence with figures scores higher for it
    query = q("民营机构多不多", [("民营", 2.0), ("机构", 1.0)])
    figures = P.sentences[1]
    assert sentence_score(query, figures, "民营机构多不多") > sentence_score(query, figures, "民营机构好不好")


def test_a_question_for_contact_details_needs_them_in_the_passage():
    from bot.rules.qtype import wanted

    site = Passage(passage_id="w#0", doc_id="w", doc_title="t", text="案例汇编可登陆青岛政务网查阅。",
                   sentences=("案例汇编可登陆青岛政务网查阅。",))
    with_url = Passage(passage_id="w#1", doc_id="w", doc_title="t", text="可登陆青岛政务网（www.qingdao.gov.cn）查阅。",
                       sentences=("可登陆青岛政务网（www.qingdao.gov.cn）查阅。",))
    query = q("青岛政务网的网址是什么", [("青岛", 1.0), ("政务网", 3.0), ("网址", 3.0)])
    assert decide(query, [hit(0.95, 0.9, site)], CFG).reason == "no_url"
    assert decide(query, [hit(0.95, 0.9, with_url)], CFG).answered
    assert wanted("市北区的热线电话是多少")[0] == "phone" and wanted("联系方式是什么")[0] == "phone"
    assert wanted("李沧区卫生局的邮箱")[0] == "email"
    assert wanted("12345热线是干什么的") is None  # names a hotline, asks what it does: no number needed
    assert wanted("热线电话是多少")[1].search("请拨打0532-12345678或12345政务服务便民热线")


def test_another_window_of_the_document_is_quoted_only_when_clearly_better():
    from bot.rules.answer import best_window

    first = Passage(passage_id="d#1", doc_id="d", doc_title="t", text="地铁办探索投融资改革。本市远期规划投资4000亿元。",
                    sentences=("地铁办探索投融资改革。", "本市远期规划投资4000亿元。"))
    second = Passage(passage_id="d#2", doc_id="d", doc_title="t", text="地铁办与19家金融机构签署协议，获得预授信额度。",
                     sentences=("地铁办与19家金融机构签署协议，获得预授信额度。",))
    elsewhere = dataclasses.replace(second, passage_id="e#0", doc_id="e")
    query = q("地铁办和几家金融机构签了协议", [("地铁办", 2.0), ("金融机构", 3.0), ("协议", 2.0)])
    assert best_window(query, [first, second], query.text, 0.35) is second
    assert best_window(query, [first, elsewhere], query.text, 0.35) is first  # another document is never quoted
    other_case = dataclasses.replace(second, passage_id="d#3", case="另一个案例")
    assert best_window(query, [first, other_case], query.text, 0.35) is first  # nor another case of the same one
    assert best_window(query, [first, second], query.text, 10.0) is first  # not clearly better: the accepted one


def test_a_rate_or_a_procedure_asked_for_must_be_in_the_passage():
    talent = Passage(passage_id="t#0", doc_id="t", doc_title="t", text="高新区引进院士24名，投入1.8亿元专项资金。",
                     sentences=("高新区引进院士24名，投入1.8亿元专项资金。",))
    monthly = dataclasses.replace(talent, passage_id="t#1", text="引进的院士每人每月补贴2万元。",
                                  sentences=("引进的院士每人每月补贴2万元。",))
    query = q("高新区的院士每个月能拿多少补贴", [("院士", 2.0), ("补贴", 3.0)])
    assert decide(query, [hit(0.95, 0.9, talent)], CFG).reason == "no_rate"  # a total is not a monthly amount
    assert decide(query, [hit(0.95, 0.9, monthly)], CFG).answered

    card = Passage(passage_id="s#0", doc_id="s", doc_title="t", text="社保卡“一卡通”应用功能拓展至177项。",
                   sentences=("社保卡“一卡通”应用功能拓展至177项。",))
    office = dataclasses.replace(card, passage_id="s#1", text="社保卡遗失的，可到就近社保服务网点申请补办。",
                                 sentences=("社保卡遗失的，可到就近社保服务网点申请补办。",))
    query = q("社保卡丢了去哪里补办", [("社保卡", 3.0), ("丢", 1.0), ("补办", 3.0)])
    assert decide(query, [hit(0.95, 0.5, card)], CFG).reason == "no_procedure"
    assert decide(query, [hit(0.95, 0.9, office)], CFG).answered
    renew = Query(text="驾照在哪换证", search_terms=(), keywords=(("驾照", 3.0), ("换证", 3.0)), constraints=(),
                  alternatives=(("换证", ("换领",)),), synonym_weight=0.8)
    licence = dataclasses.replace(card, passage_id="s#2", text="驾驶证有效期满前可到车管所换领。", sentences=())
    assert decide(renew, [hit(0.95, 0.9, licence)], CFG).answered  # the thesaurus' word for the action counts


def test_a_sentence_that_only_repeats_the_case_title_is_not_the_answer():
    p = Passage(passage_id="k#0", doc_id="k", doc_title="t", case="念好“五字经”", unit="开发区管委",
                text="开发区管委《念好“五字经”》在列。为此，开发区在工作方法上创新，提出了“准”“透”“细”“实”“快”的“五字经”工作法。",
                sentences=("开发区管委《念好“五字经”》在列。", "为此，开发区在工作方法上创新，提出了“准”“透”“细”“实”“快”的“五字经”工作法。"))
    query = q("开发区 五字经", [("开发区", 1.0), ("五字经", 2.0)])
    assert select_sentences(query, p, query.text, CFG) == (1, 2)
    # The case's own words still count in the sentences (only the unit, section and title are left out there).
    query = q("开发区的五字经是哪五个字", [("开发区", 1.0), ("五字经", 2.0), ("五个", 3.0), ("字", 1.0)])
    assert select_sentences(query, p, query.text, CFG)[0] == 1


def test_a_window_of_the_top_document_holding_the_asked_kind_moves_first():
    from bot.rules.decide import prefer_typed

    intro = Passage(passage_id="n#0", doc_id="n", doc_title="t", text="本市评选出2016年度创新工作案例。", sentences=())
    site = dataclasses.replace(intro, passage_id="n#4", text="市民可登陆青岛政务网查阅案例汇编。")
    other = dataclasses.replace(site, passage_id="m#0", doc_id="m")
    query = q("可以上哪个网站看全部案例", [("网站", 3.0), ("案例", 1.0)])
    top, low = Hit(intro, 0.60, 0.9, 0.1, 0.2), Hit(site, 0.56, 0.9, 0.1, 0.2)
    assert [h.passage for h in prefer_typed(query, [top, low], 0.9)] == [site, intro]
    assert prefer_typed(query, [top, Hit(site, 0.50, 0.9, 0.1, 0.2)], 0.9)[0].passage is intro  # too far below
    assert prefer_typed(query, [top, Hit(other, 0.59, 0.9, 0.1, 0.2)], 0.9)[0].passage is intro  # another document
    when = q("案例是哪一年评的", [("案例", 1.0)])
    assert prefer_typed(when, [Hit(site, 0.6, 0.9, 0.1, 0.2), top], 0.9)[0].passage is intro  # the window with a year
    plain = q("案例讲了什么", [("案例", 1.0)])
    assert prefer_typed(plain, [Hit(site, 0.6, 0.9, 0.1, 0.2), top], 0.9)[0].passage is site  # no kind asked
    deep = dataclasses.replace(intro, passage_id="n#2", text="原理简单，但所需井深极深，达5公里以上。")
    depth = q("井深必须超过几公里", [("井深", 3.0)])
    assert prefer_typed(depth, [Hit(site, 0.6, 0.9, 0.1, 0.2), Hit(deep, 0.57, 0.9, 0.1, 0.2)], 0.9)[0].passage is deep


@pytest.mark.parametrize("question,keywords,without,reason,with_it", [
    ("这次评审组的组长是谁", [("评审组", 3.0), ("组长", 3.0)], "由人大代表、政协委员、学者等组成的评审组逐一评分。", "no_role",
     "评审组组长由张某担任。"),
    ("获奖的单位有奖金吗？奖金是多少", [("获奖", 2.0), ("单位", 1.0), ("奖金", 3.0)], "地铁办获奖，远期规划总投资4000亿元。",
     "no_payment", "获奖单位各获奖金5万元。"),
    ("那19家金融机构具体都是哪些银行", [("金融机构", 3.0), ("银行", 2.0)], "地铁办与19家金融机构签署《金融合作协议》。",
     "no_organisation", "地铁办与工商银行等19家金融机构签署协议。")])
def test_the_post_or_payment_asked_about_must_be_named(question, keywords, without, reason, with_it):
    # "Who chairs it?" over a passage naming no chair; "how much prize money?" over an investment figure; "which
    # banks?" over a passage naming none.
    passage = Passage(passage_id="x#0", doc_id="x", doc_title="t", text=without, sentences=())
    assert decide(q(question, keywords), [hit(0.95, 0.6, passage)], CFG).reason == reason
    named = dataclasses.replace(passage, passage_id="x#1", text=with_it)
    assert decide(q(question, keywords), [hit(0.95, 0.9, named)], CFG).answered


def test_a_yes_no_question_about_a_thing_the_passage_never_names_is_refused():
    query = dataclasses.replace(q("民营机构看病能刷医保卡吗", [("民营", 2.0), ("机构", 1.0), ("医保卡", 3.0)]),
                                asked=("医保卡",))
    assert decide(query, [hit(0.95, 0.7)], CFG).reason == "no_asked_thing"
    card = dataclasses.replace(P, passage_id="d#9", text=P.text + "群众可持医保卡直接结算。")
    assert decide(query, [hit(0.95, 0.9, card)], CFG).answered


def test_a_comparison_is_not_moved_to_another_window_that_ranks_something_else_first():
    from bot.rules.decide import prefer_typed

    shibei = Passage(passage_id="s#0", doc_id="n", doc_title="t", text="市北区建设城市治理网格化系统。", sentences=())
    zone = dataclasses.replace(shibei, passage_id="s#1", text="青岛开发区在省内列第一。")
    query = q("李沧和市北谁的得分更高", [("李沧", 2.0), ("市北", 2.0), ("得分", 3.0)])
    hits = [Hit(shibei, 0.59, 0.87, 0.1, 0.2), Hit(zone, 0.57, 0.85, 0.1, 0.16)]
    assert prefer_typed(query, hits, 0.9)[0].passage is shibei
    assert decide(query, hits, CFG).reason == "no_comparison"


def test_a_yes_no_question_for_someone_the_passage_never_speaks_of_is_refused():
    scheme = dataclasses.replace(P, passage_id="d#8", text="设计了政府主导的全民补充医保、商保主导的团体和个人补充医保三种模式。")
    query = q("外地户口能参加青岛的全民补充医保吗？", [("全民", 2.0), ("补充", 2.0), ("医保", 2.0), ("外地", 3.0)])
    assert decide(query, [hit(0.95, 0.8, scheme)], CFG).reason == "no_condition"
    residents = dataclasses.replace(scheme, text=scheme.text + "外地户口的常住人员也可参加。")
    assert decide(query, [hit(0.95, 0.9, residents)], CFG).answered


def test_which_two_units_quotes_the_sentence_naming_two():
    p = told("z#0", "青岛开发区管委在国家级开发区考核评价中实现新突破，完成了在省内列第一、在全国保持前列的蝶变。",
             "还在机构配置上创新，结合统计局能把指标吃透、研究室能把政策吃透两个方面的优势开展考核评价工作。")
    question = "开发区考核那摊事儿，是让哪两个单位搭伙一起干的？"
    query = q(question, [("考核", 1.9), ("那摊", 3.5), ("单位", 2.4), ("搭伙", 3.5)])
    assert select_sentences(query, p, question, CFG) == (1, 2)  # each names a unit; the second names two
    one = "开发区考核是哪个单位负责的？"
    assert select_sentences(q(one, [("考核", 1.9), ("单位", 2.4)]), p, one, CFG) == (0, 1)


def test_a_window_counting_with_the_asked_measure_word_moves_first():
    from bot.rules.decide import prefer_typed

    # 多少艘舰艇: the window counting ships, not the one counting sailors; 几家 moves to no window counting with 个.
    sailors = Passage(passage_id="z#0", doc_id="z", doc_title="t", text="目前海军约2030名，空军约2523名。", sentences=())
    ships = dataclasses.replace(sailors, passage_id="z#3", text="目前海军有各类型主要舰艇约10艘。")
    fleet = q("海军目前有多少艘舰艇？", [("海军", 2.0), ("舰艇", 3.0)])
    ranked = prefer_typed(fleet, [Hit(sailors, 0.6, 0.9, 0.1, 0.2), Hit(ships, 0.58, 0.9, 0.1, 0.2)], 0.9)
    assert ranked[0].passage is ships
    only = dataclasses.replace(sailors, text="市地铁工程建设指挥部是获奖的唯一重点项目单位。")
    three = dataclasses.replace(sailors, passage_id="z#1", text="有3个功能区管理机构的案例也一同获奖。")
    units = q("重点项目拿奖的单位有几家？", [("重点项目", 2.0), ("单位", 1.0)])
    assert prefer_typed(units, [Hit(only, 0.6, 0.9, 0.1, 0.2), Hit(three, 0.58, 0.9, 0.1, 0.2)], 0.9)[0].passage is only


def test_a_price_per_unit_of_land_and_a_level_asked_for():
    land = Passage(passage_id="l#0", doc_id="l", doc_title="t", text="开发区划定转型发展区，投入1.8亿元专项资金。",
                   sentences=("开发区划定转型发展区，投入1.8亿元专项资金。",))
    priced = dataclasses.replace(land, passage_id="l#1", text="转型发展区工业用地出让价格为每亩20万元。",
                                 sentences=("转型发展区工业用地出让价格为每亩20万元。",))
    query = q("转型发展区的工业用地每亩多少钱", [("转型", 1.0), ("工业用地", 3.0), ("每亩", 3.0)])
    assert decide(query, [hit(0.95, 0.9, land)], CFG).reason == "no_rate"  # a total is no price per mu
    assert decide(query, [hit(0.95, 0.9, priced)], CFG).answered
    grid = Passage(passage_id="g#0", doc_id="g", doc_title="t", text="市北区建设城市治理网格化系统。建设区级信息数据中心。",
                   sentences=("市北区建设城市治理网格化系统。", "建设区级信息数据中心。"))
    query = q("市北区网格化治理建的数据中心是哪一级的", [("网格化", 2.4), ("治理", 2.4), ("数据中心", 2.4), ("一级", 3.5)])
    assert "区级" in quote(query, grid, query.text, CFG, "hans")  # the sentence holding a level


def test_a_word_typed_by_its_sound_takes_the_passages_spelling_in_the_quote():
    from bot.rules.answer import focus

    long = ("即墨市抢抓“中国制造2025”等机遇，" + "，".join(f"第{i}项工作取得进展" for i in range(12))
            + "，先后培育起个性化定制、智慧工厂等独具特色发展模式。")
    p = Passage(passage_id="j#0", doc_id="j", doc_title="t", text=long, sentences=(long,))
    query = q("即墨陪育出了啥发展摸式", [("陪育", 3.5), ("发展", 0.8), ("摸式", 3.5)])
    assert dict(focus(query, p).keywords) == {"培育": 3.5, "发展": 0.8, "模式": 3.5}
    assert "个性化定制" in quote(query, p, query.text, CFG, "hans")
    plain = q("即墨培育出了啥", [("培育", 3.5)])
    assert focus(plain, p) is plain  # nothing to respell, nothing left out: the query itself
    base = Passage(passage_id="b#0", doc_id="b", doc_title="t", text="为全市“三中心一基地”建设提供了人才支撑。",
                   sentences=("为全市“三中心一基地”建设提供了人才支撑。",))
    level = q("由哪一级政府发起的", [("一级", 3.5), ("发起", 3.5)])
    assert focus(level, base) is level  # 一级 is a common word, meant as typed: no 一基


def test_the_unit_named_by_another_word_is_left_to_the_citation():
    from bot.rules.answer import focus

    p = dataclasses.replace(P, unit="市人社局")
    query = dataclasses.replace(q("which model did the hr bureau design", [("人力资源", 3.5), ("模式", 1.3)]),
                                alternatives=(("人力资源", ("人社",)),))
    assert dict(focus(query, p).keywords) == {"模式": 1.3}


def test_whether_most_are_private_quotes_the_share_and_all_of_them_the_sentence_saying_so():
    question = "那边的社区卫生站，是不是大部分都是民营的？"
    query = q(question, [("社区卫生", 2.4), ("大部分", 3.5), ("民营", 2.4)])
    start, end = select_sentences(query, P, question, CFG)
    assert start <= 1 < end  # 民营机构56家，占92%, the best, with a short neighbour
    from bot.rules.cues import asks_all

    assert asks_all("听说这次评选十个区市全都有份，是真的吗？")
    assert not asks_all("十个区市全都有份，分别是哪些？")


def test_which_departments_in_english_quotes_the_sentence_listing_them():
    p = told("s#0", "市北区政府的创新则著眼于社会治理，努力建设城市治理网格化系统。",
             "实行与城管、应急、执法、公安、热线等多部门联合办公、联合值班、联合处置。")
    sentences = p.sentences
    question = "which departments does the grid system work jointly with?"
    query = q(question, [("部门", 1.5), ("网格", 2.4), ("体系", 1.5), ("联合", 2.4)])
    from bot.rules.fit import sentence_score

    assert sentence_score(query, sentences[1], question) > sentence_score(query, sentences[0], question)
    assert "城管" in quote(query, p, question, CFG, "hans")


def test_an_english_figure_in_billions_names_the_passages_figure():
    from bot.rules.crosslingual import names_match

    metro = Passage(passage_id="m#0", doc_id="m", doc_title="t", text="再次成功为4号线引入社会资本42.32亿元。",
                    sentences=("再次成功为4号线引入社会资本42.32亿元。",))
    assert names_match("Which metro line got over 4.2 billion yuan of private capital?", metro)
    assert not names_match("Which metro line got over 5 billion yuan of private capital?", metro)


def test_merits_quote_the_features_and_whom_it_helps_the_group_of_people():
    from bot.rules.fit import sentence_score

    aim = "市人社局针对一些重特大疾病患者面临的困境，探索补充医保体系建设。"
    models = "设计了政府主导的全民补充医保等三种模式，具有体系完整、报销标准高等特点。"
    merit = "人社局那个补充医保到底有啥好的地方？"
    query = q(merit, [("补充医保", 2.4), ("好", 0.7), ("地方", 3.5)])
    assert sentence_score(query, models, merit) > sentence_score(query, aim, merit)
    group = "人社局那补充医保，主要是帮衬啥样的人啊？"
    query = q(group, [("补充医保", 2.4), ("帮衬", 3.5), ("人", 1.0)])
    assert sentence_score(query, aim, group) > sentence_score(query, models, group)


@pytest.mark.parametrize("question,answer,other", [
    ("市北 网格化 技术手段", "运用移动GIS、三维地理信息、大数据、云计算等，对信息数据分析利用；",
     "市北区政府的创新则著眼于社会治理，努力建设城市治理网格化系统。"),
    ("市里张罗这么个评选到底图个啥？", "为鼓励改革创新，推动政府工作再上台阶，市政府组织开展了评选活动。",
     "本市评选出2016年度全市政府系统创新工作案例，十区市均有入选。"),
    ("补充医保体系具备哪些突出特征？", "设计了三种模式，具有体系完整、覆盖范围广等特点。",
     "市人社局探索基本医疗保险基础上的补充医保体系建设，重点解决重特大疾病患者的压力。")])
def test_tools_aims_and_features_asked_take_the_sentence_giving_them(question, answer, other):
    from bot.rules.fit import sentence_score

    idf = {"网格化": 2.4, "技术手段": 3.5, "评选": 0.1, "补充医保": 2.4, "体系": 1.5, "特征": 3.5}  # as the seed index has them
    query = q(question, [(w, x) for w, x in idf.items() if w in question])
    assert sentence_score(query, answer, question) > sentence_score(query, other, question)
