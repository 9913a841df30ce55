"""Citizens' words and official words: the thesaurus and the English glossary, through real jieba and BM25."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from index.config import SearchConfig
from index.words.glossary import base_forms, load as load_glossary, parse as parse_glossary, translate, words
from index.words.query import coverage
from index.words.thesaurus import load as load_thesaurus, parse as parse_thesaurus
from tests.test_search import _searcher


QV = np.ones(4, dtype=np.float32) / 2.0  # every passage equally similar: only the words decide


def test_thesaurus_groups_are_symmetric_and_merge():
    t = parse_thesaurus("# comment\n看病 就医 医疗\n\n病人 患者\n医疗 诊疗\n")
    assert t["看病"] == ("就医", "医疗")
    assert set(t["医疗"]) == {"看病", "就医", "诊疗"}  # in two groups: both groups' words
    assert t["患者"] == ("病人",) and "comment" not in t


def test_the_shipped_files_parse_and_hold_only_simplified_chinese():
    from index.ingest.clean import to_simplified

    thesaurus, glossary = load_thesaurus(), load_glossary()
    assert len(thesaurus) > 150 and len(glossary) > 150
    for word in list(thesaurus) + [w for ws in glossary.values() for w in ws]:
        assert to_simplified(word) == word, word


def test_a_synonym_covers_a_question_word_at_a_discount(base_config):
    s = _searcher([["截至目前，重特大疾病患者就医负担明显减轻。"], ["天气晴好，适合出行。"]], SearchConfig())
    query = s.analyse("病人看病难")
    assert dict(query.alternatives)["病人"] == ("患者", "病患")
    off = dataclasses.replace(query, alternatives=())
    ev = s.passages[0].text
    assert coverage(off, ev) < coverage(query, ev) < 1.0
    plain = _searcher([["病人看病难。"]], dataclasses.replace(SearchConfig(), synonym_weight=0.0)).analyse("病人看病难")
    assert plain.alternatives == ()  # synonym_weight 0 switches the thesaurus off


def test_keyword_search_finds_the_official_word_but_a_common_word_gains_nothing():
    s = _searcher([["评审组对申报材料逐一审阅、讨论、评分。"], ["本市举办2016年度案例展览。"], ["市民可登陆政务网查阅。"]],
                  SearchConfig())
    hits = s.search("谁来打分", mode="lexical").hits  # 打分 never occurs: its synonyms 评分, 评审 do
    assert hits and hits[0].passage.passage_id == "d#0"
    # 评选 has rare synonyms (评审, 评比), but a synonym may not say more than the citizen's word: where 评选 is in
    # every passage, the passage holding 评审 gains nothing over the others
    common = [["本市评选出案例，评审组逐一评分。"], ["本市评选出2016年度案例。"], ["评选结果在政务网公布。"]]
    on = _searcher(common, SearchConfig()).search("评选年度", mode="lexical").hits
    off = _searcher(common, dataclasses.replace(SearchConfig(), synonym_weight=0.0)).search("评选年度", mode="lexical").hits
    assert [(h.passage.passage_id, round(h.score, 6)) for h in on] == [(h.passage.passage_id, round(h.score, 6)) for h in off]


def test_english_words_lemmas_plurals_and_possessives():
    assert words("Qingdao's academies agreements business") == ["qingdao", "academy", "agreement", "business"]
    assert words("businesses branches taxes") == ["business", "branch", "tax"]
    groups, rest = translate("Who reviewed the financial institutions planned for Metro Line 4?")
    assert ("评审",) in groups and ("金融机构",) in groups and ("4号线",) in groups
    assert ("地铁", "轨道交通") in groups and ("规划", "计划") in groups  # planned -> plan, longest phrase first
    assert rest == []
    assert translate("How do I register a trademark?") == ([("注册", "登记")], ["trademark"])
    groups, rest = translate("Roughly how many talents has the zone brought in?")  # fillers neither translate nor miss
    assert ("引进", "引入") in groups and ("区", "园区") in groups and rest == []  # brought: an irregular past, listed


def test_glossary_lines_without_an_equals_sign_are_named():
    assert parse_glossary("metro = 地铁\n# note\nrail transit = 轨道交通 城轨")[("rail", "transit")] == ("轨道交通", "城轨")
    with pytest.raises(ValueError, match="line 2"):
        parse_glossary("metro = 地铁\nsubway 地铁\n")


def test_an_english_question_is_searched_and_quoted_through_its_chinese_words():
    passages = [["本市远期规划轨道交通总投资4000亿元。", "地铁办与19家金融机构签署合作协议。"], ["市北区划分1188个责任网格。"]]
    s = _searcher(passages, SearchConfig())
    question = "With how many financial institutions did the metro office sign agreements?"
    query = s.analyse(question)
    assert query.text == question and "金融机构" in dict(query.keywords)
    hits = s.search(question, query_vector=QV).hits
    assert hits[0].passage.passage_id == "d#0"
    assert coverage(query, "地铁办与19家金融机构签署合作协议。") > coverage(query, "本市远期规划轨道交通总投资4000亿元。")


def test_english_words_without_a_translation_count_as_not_found():
    s = _searcher([["鼓励企业在线注册，企业开办一次办好。"]], SearchConfig())
    covered = s.analyse("Can a company register online?")
    uncovered = s.analyse("Can a company register its trademark and logo online?")  # neither is translated
    ev = s.passages[0].text
    assert coverage(covered, ev) >= 0.65 > coverage(uncovered, ev)


def test_words_the_glossary_lacks_are_looked_up_in_cc_cedict():
    from index.words.cedict import MAX_WORDS, chinese_for

    assert "设计" in chinese_for("designed") and "提出" in chinese_for("propose")  # base forms of inflected words
    assert "重启" in chinese_for("restart") and len(chinese_for("build")) <= MAX_WORDS
    assert chinese_for("qwertyuiop") == ()
    groups, rest = translate("What did Jimo propose?", fallback=True)
    assert any("提出" in g for g in groups) and "propose" not in rest
    assert translate("What did Jimo propose?")[1] == ["jimo", "propose"]  # without the fallback: untranslated


def test_words_that_ask_or_count_are_not_content_and_a_split_translation_keeps_its_alternatives():
    # "the name of", "on what date", "three criteria": the kind asked for, which bot.qtype checks, not a topic word
    for question in ("What's the name of the app?", "On what date was it?", "Which three criteria were used?"):
        assert not {"name", "date", "three"} & set(translate(question)[1])
    assert ("app", "客户端", "应用") in translate("the mobile app of the district")[0]  # one phrase, not 手机 + app
    s = _searcher([["市北区配备800余名网格巡治员。"]], SearchConfig())
    query = s.analyse("How many grid inspectors are there?")  # 巡查员 would fall apart into 巡查 + 员
    assert "巡治员" in dict(query.keywords)  # the corpus's own word for it comes first
    assert coverage(query, s.passages[0].text) == 1.0
    s = _searcher([["市北区配备800余名网格员。"]], SearchConfig())  # it uses none of the translations
    assert "巡治员" in dict(s.analyse("How many grid inspectors are there?").alternatives)["巡查"]


def test_an_english_question_names_its_year_and_common_civic_words_translate():
    s = _searcher([["2017年，本市将学习借鉴创新工作案例。"], ["本市评选出2016年度创新工作案例。"]], SearchConfig())
    assert s.analyse("Which cases won the 2019 awards?").constraints == ("2019",)
    groups, rest = translate("Where can residents read the compilation? What is the HR and social security bureau "
                             "trying to do?")
    assert ("市民" in next(g for g in groups if "居民" in g)) and ("查阅", "阅读") in groups
    assert any("人社局" in g for g in groups) and not {"try", "trying"} & set(rest)


def test_high_end_and_special_funds_translate_as_a_phrase():
    groups, rest = translate("How many high-end talent projects did the zone support with its special fund?")
    assert ("高端",) in groups and ("专项资金",) in groups and not {"end", "special", "fund"} & set(rest)


def test_british_spellings_and_inflected_stop_words():
    assert words("organisation centre programmes") == ["organization", "center", "program"]
    assert "organize" in base_forms("organised") and base_forms("asked") == ["ask", "aske"]  # not "as"
    assert "机构" in next(g for g in translate("Which organisation won?", fallback=True)[0] if "组织" in g)
    groups, rest = translate("The city is getting ready, besides, according to the article", fallback=True)
    assert not any({"得到", "旁边", "给予", "文章"} & set(g) for g in groups) and rest == []


def test_of_a_words_translations_the_ones_the_corpus_uses_come_first():
    s = _searcher([["即墨市率先提出创建制造业与互联网融合发展示范市。"], ["高新区为百姓生活提供便利。"]], SearchConfig())
    query = s.analyse("What kind of demonstration city did Jimo build?")
    assert "示范" in dict(query.keywords) and "游行" not in dict(query.keywords)  # CC-CEDICT lists 游行 first
    assert "提供" in dict(s.analyse("What does the zone provide?").keywords)  # before 规定


def test_everyday_english_phrases_translate_as_official_text_says_them():
    groups, rest = translate("What did Shibei set up at district level so information could be shared?")
    assert ("建设", "建立", "设立", "搭建") in groups and ("区级",) in groups and ("共享",) in groups
    groups, _ = translate("Which national opportunities did Jimo seize, and what does the credit cover?")
    assert ("抢抓", "抓住", "把握") in groups and ("涵盖", "覆盖", "包括") in groups
    assert "out" not in translate("What did the city carry out?")[1]


def test_how_reporters_found_out_about_a_selections_result_and_frame_words_of_english_questions():
    groups, rest = translate("uh what day did the reporter find out about the selection results?")
    assert ("获悉", "了解", "得知") in groups and ("评选", "评选出") in groups and rest == []
    assert translate("What is the title of Jimo's winning case?")[1] == ["jimo"]  # title asks, like name
    groups, _ = translate("Which departments does the grid system do joint duty with?")
    assert ("联合值班", "值班") in groups


def test_citizens_words_for_a_method_a_portal_borrowing_and_an_opportunity():
    groups = load_thesaurus()
    assert "工作法" in groups["法子"] and "门户" in groups["入口"] and "融资" in groups["借钱"]
    assert "机遇" in groups["东风"] and "联合" in groups["联手"] and "app" in groups["手机端"]
    assert "高等院校" in groups["大学老师"]


def test_english_figures_in_billions_are_written_as_chinese_writes_them():
    from index.words.glossary import figures

    assert figures("Which line got over 4.2 billion yuan?") == ["42亿"]
    assert figures("180 million yuan for 245 projects, 92%") == ["1.8亿", "245", "92%"]
    assert figures("5 million users") == ["500万"]
    assert ("提出", "设计", "推出") in translate("Which bureau came up with the scheme?")[0]


def test_a_policy_document_an_organisation_and_an_award_received_translate():
    groups, _ = translate("What policy document did Jimo issue?")
    assert any("意见" in g for g in groups)
    groups, _ = translate("Which organization was the only key-project unit to receive an award?")
    assert any("单位" in g for g in groups) and any("获奖" in g for g in groups)


def test_grid_cells_the_whole_area_and_looking_up_translate_as_official_text_says():
    groups, _ = translate("How many grid cells did Shibei divide its whole area into?")
    assert any("网格" in g for g in groups) and any("全区" in g for g in groups)
    assert not any("细胞" in g for g in groups)  # a grid's cell is no biology
    groups, _ = translate("Where can residents look up the cases?")
    assert any("查阅" in g for g in groups)
