"""Hybrid search fusion through real FAISS, BM25 and jieba (vectors given, so no model is needed)."""
from __future__ import annotations

import dataclasses

import numpy as np

from index.config import SearchConfig
from index.retrieval.search import HybridSearcher
from index.storage.lexical import BM25, get_tokenizer, tokenize
from index.storage.store import FaissStore
from index.types import Passage


def _searcher(sentence_lists, config):
    passages = [Passage(passage_id=f"d#{i}", doc_id="d", doc_title="鹿类", text="".join(s), sentences=tuple(s))
                for i, s in enumerate(sentence_lists)]
    vectors = np.ones((len(passages), 4), dtype=np.float32) / 2.0  # equal similarity: only the keywords decide
    store = FaissStore(4)
    store.add(np.arange(len(passages), dtype=np.int64), vectors)
    tok = get_tokenizer(())
    bm25 = BM25.build([tokenize(p.text, tok) for p in passages])
    return HybridSearcher(passages, store, vectors, bm25, [], encoder=None, config=config)


SCATTERED = ["沼鹿栖息在印度。", "又名泽鹿。"]  # the same words as below, spread over two sentences
TOGETHER = ["沼鹿又名泽鹿。", "栖息在印度。"]


def test_a_sentence_holding_the_whole_question_lifts_its_passage():
    base = SearchConfig()
    qv = np.ones(4, dtype=np.float32) / 2.0
    off = _searcher([SCATTERED, TOGETHER], dataclasses.replace(base, sentence_weight=0.0))
    on = _searcher([SCATTERED, TOGETHER], dataclasses.replace(base, sentence_weight=0.1))
    hits_off = off.search("沼鹿又名什么", query_vector=qv).hits
    hits_on = on.search("沼鹿又名什么", query_vector=qv).hits
    assert hits_off[0].score == hits_off[1].score  # a tie without proximity (broken by passage id)
    assert hits_on[0].passage.passage_id == "d#1" and hits_on[0].score > hits_on[1].score


def test_proximity_ignores_lone_characters_and_the_baselines():
    texts = [["看病难的问题得到缓解。"], ["全文在政务网公布。"]]
    qv = np.ones(4, dtype=np.float32) / 2.0
    scores = {}
    for w in (0.0, 0.1):
        s = _searcher(texts, dataclasses.replace(SearchConfig(), sentence_weight=w))
        hybrid = {h.passage.passage_id: h.score for h in s.search("看全文", query_vector=qv).hits}
        lexical = [(h.passage.passage_id, h.score) for h in s.search("看全文", mode="lexical").hits]
        scores[w] = (hybrid, lexical)
    # 看 is found only inside 看病: that passage gains nothing; the one holding 全文 does
    assert scores[0.1][0]["d#0"] == scores[0.0][0]["d#0"]
    assert scores[0.1][0]["d#1"] > scores[0.0][0]["d#1"]
    assert scores[0.1][1] == scores[0.0][1]  # the BM25 baseline stays a pure baseline


def test_a_romanised_place_in_an_english_question_finds_its_passages():
    passages = [["律师执业不受地域限制。"], ["市北区将全区划分为1188个责任网格。"], ["喀什杯足球赛在喀什举行。"]]
    s = _searcher(passages, SearchConfig())
    s = HybridSearcher(s.passages, s.store, s.vectors, s.bm25, ["市北区", "喀什杯"], encoder=None, config=s.config)
    qv = np.ones(4, dtype=np.float32) / 2.0
    # "Shibei" spells 市北 (in 市北区) and 什杯 (in 喀什杯): both are searched, the grid passage wins on keywords
    assert s.entities_named("How many grids is Shibei divided into?") == ["什杯", "市北"]
    hits = s.search("How many grids is Shibei divided into?", query_vector=qv).hits
    assert hits[0].passage.passage_id == "d#1" and hits[0].lexical > 0
    assert s.entities_named("市北区有多少网格") == ["市北区"]  # Chinese questions name entities as written


def test_a_place_typed_by_its_sound_is_searched_as_the_corpus_spells_it():
    from index.words.query import respell

    passages = [["即墨市发展互联网+制造。"], ["李沧区民营社区卫生服务机构56家。"], ["市北区划分1188个网格。"]]
    s = _searcher(passages, SearchConfig())
    s = HybridSearcher(s.passages, s.store, s.vectors, s.bm25, ["即墨市", "李沧区", "市北区"], encoder=None,
                       config=s.config)
    result = s.search("即默市的创新案例讲的是啥", mode="lexical")  # 即默 sounds like 即墨 and keeps 即
    assert result.query.text.startswith("即墨市") and result.hits[0].passage.passage_id == "d#0"
    assert respell("李仓区有几家民营机构", s.tokenizer, "即墨市\n李沧区") == "李沧区有几家民营机构"
    assert respell("崂山区有几家民营机构", s.tokenizer, "即墨市\n李沧区") == "崂山区有几家民营机构"  # another place


def test_a_metro_line_named_in_english_must_be_the_answers_line():
    s = _searcher([["再次成功为4号线引入社会资本42.32亿元。"], ["本市远期规划轨道交通总投资4000亿元。"]], SearchConfig())
    assert s.analyse("How much was invested in Metro Line 1 and Line 2?").constraints == ("1号线", "2号线")
    assert s.analyse("How much social capital did Line 4 bring in in 2016?").constraints == ("2016", "4号线")
