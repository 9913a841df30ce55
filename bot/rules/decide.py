"""Whether the hits hold an answer: calibrated thresholds, what the question names, the kind it asks for (pure)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.config import AnswerConfig
from index.retrieval.search import evidence_text
from index.types import Hit
from index.words.query import Query, missing_constraints
from index.words.romanise import sound_alike
from index.words.yesno import stated_conditions

from bot.rules.counted import asked_parts, asks_rate, counted_things, guessed_amounts, measured_things, named_loosely
from bot.rules.crosslingual import names_match, places_unnamed
from bot.rules.cues import asks_all, states_all
from bot.rules.listing import asks_each, asks_people, enumerates, listed_things, lists_thing, names_people, stated_count
from bot.rules.named import (asked_actions, asked_events, asked_organisations, asked_papers, asked_roles, guessed_names,
                       paid_items)
from bot.rules.proper import asks_proper_name, names_proper
from bot.rules.qtype import holds, wanted
from bot.rules.ranks import rank_named, ranked_elsewhere, stated_ranks
from bot.rules.units import asked_measure, asked_unit
from bot.rules.unsaid import unsaid


@dataclass(frozen=True)
class Decision:
    """Whether the hits hold an answer, and why not."""

    answered: bool
    reason: str = ""


def decide(query: Query, hits: list[Hit], cfg: AnswerConfig, document: str = "") -> Decision:
    """Decide whether the best hit answers the question (calibrated thresholds, constraints named in the question).

    Args:
        query: the analysed query.
        hits: search hits, best first.
        cfg: the [answer] settings.
        document: the best hit's whole document (lower-cased), where the places and years it names are checked.

    Returns:
        A Decision.
    """
    if not hits:
        return Decision(False, "no_hits")
    top = hits[0]
    if not top.dense and top.lexical:
        # The keyword-only baseline has no similarity to judge by: it answers when most of the question is found.
        return Decision(top.coverage >= 0.5, "" if top.coverage >= 0.5 else "low_coverage")
    found = _translated(query, top, cfg, document) if not re.search(r"[\u3400-\u9fff]", query.text) else _found(
        query, top, cfg, document)
    if not found.answered:
        return found
    want = wanted(query.text)
    if want and not holds(want, top.passage.text, query.text):
        # "What is their salary?" over a passage with no amount of money: the topic matches, the answer is not there.
        return Decision(False, f"no_{want[0]}")
    text = top.passage.text.lower()
    if (rate := asks_rate(query.text)) and not rate.search(text):
        # "How much does each person get?" over a passage with a total: the rate is not there.
        return Decision(False, "no_rate")
    # What the question asks about by name must be named in the passage: "where do I renew my licence?" over a
    # passage that never speaks of renewing, "how much is the prize money?" over an investment, "who chairs the
    # panel?" over a passage naming no chair, "which banks signed?" over a passage naming none, "can I pay with my
    # medical insurance card?" over a passage that never mentions the card.
    for reason, terms in (("no_procedure", asked_actions(query.text)), ("no_payment", paid_items(query.text)),
                          ("no_role", asked_roles(query.text)), ("no_organisation", asked_organisations(query.text)),
                          ("no_papers", asked_papers(query.text)), ("no_guessed_name", guessed_names(query.text)),
                          ("no_event", asked_events(query.text)),
                          ("no_asked_thing", query.asked)):
        if terms and not any(_mentions(t, query, text) for t in terms):
            return Decision(False, reason)
    # "How many registered users?" over a passage counting grid wardens; "how many of them are foreign?" over one
    # that never says foreign: what is counted is named, whole or in part (高端人才: 人才), or it was not counted.
    for reason, terms in (("no_counted_thing", counted_things(query.text)), ("no_part", asked_parts(query.text)),
                          ("no_measured_thing", measured_things(query.text))):
        # 机购 typed for 机构 is named by it.
        if any(not _named_in_part(t, query, text) and not sound_alike(t, text) for t in terms):
            return Decision(False, reason)
    # "I heard each unit got 500,000 yuan, is it true?" over a passage that never speaks of a reward: neither the
    # figure nor what it measures is there to confirm or correct.
    if any(thing not in text and figure not in text for thing, figure in guessed_amounts(query.text)):
        return Decision(False, "no_guessed_amount")
    # "How many kilometres is the network?" over a passage giving its cost: no length, no answer.
    if (unit := asked_unit(query.text.lower())) and not unit.search(text):
        return Decision(False, "no_unit")
    # "地铁要开工几条线？" over a passage counting banks (19家): no line is counted.
    if (measure := asked_measure(query.text)) and not measure.search(text):
        return Decision(False, "no_measure")
    # "Can someone from out of town join?" over a passage that never speaks of residence: it has not said.
    if any(not _mentions(c, query, text) for c in stated_conditions(query.text)):
        return Decision(False, "no_condition")
    # "Who are the 24 academicians?" over a passage that names no one; "which ten are they?" over one listing none.
    if asks_people(query.text) and not names_people(top.passage.text):
        return Decision(False, "no_people")
    if reason := unsaid(query.text, top.passage.text, document or text):  # a road, a sum's part, a drug, ...
        return Decision(False, reason)
    # "Which body did the third-party review?" over a passage naming only kinds (高等院校和研究机构学者).
    if asks_proper_name(query.text.lower()) and not names_proper(top.passage.text):
        return Decision(False, "no_name")
    if asks_each(query.text) and not enumerates(top.passage.text):
        return Decision(False, "no_list")
    # "Which are those 19 financial institutions?" over a passage that counts them and lists other things.
    count = stated_count(query.text)
    if any(lists_thing(t, top.passage.text, count) is False for t in listed_things(query.text)):
        return Decision(False, "no_list")
    # "Was Jimo's case the first?": a passage that ranks nothing has not said.
    ranks = stated_ranks(query.text)
    if ranks and not any(rank_named(r, text) for r in ranks):
        return Decision(False, "no_rank")
    if want and want[0] == "ordinal" and ranked_elsewhere(query.text.lower(), text):
        return Decision(False, "no_rank_in_scope")
    return Decision(True)


def _found(query: Query, top: Hit, cfg: AnswerConfig, document: str) -> Decision:
    """Whether a Chinese question's topic is in the best hit: similarity, keywords, the places and years it names."""
    if top.dense < cfg.min_dense:
        return Decision(False, "low_similarity")
    # Similarity and keyword coverage trade off: a close paraphrase may share few words, a keyword query little meaning.
    if top.dense + cfg.coverage_weight * top.coverage < cfg.min_confidence:
        return Decision(False, "low_confidence")
    return _constraints(query, top, document)


def _constraints(query: Query, top: Hit, document: str) -> Decision:
    """The places a question names must be in the document, its years in the quoted passage or its headings."""
    p = top.passage
    quoted = " ".join(x for x in (p.doc_title, p.section, p.unit or "", p.case or "", p.text)).lower()  # no date
    evidence = document or evidence_text(p)
    missing = missing_constraints(query, evidence, quoted, p.date or "") + places_unnamed(query.text, evidence)
    return Decision(False, "constraint:" + ",".join(missing)) if missing else Decision(True)


def _translated(query: Query, top: Hit, cfg: AnswerConfig, document: str) -> Decision:
    """Whether an English question's topic is in the best hit. The model's cross-lingual scores are weak: the
    passage must also hold what the question's English words stand for (its keywords are their Chinese
    translations), or name what the question names; and the years it names."""
    if top.dense >= cfg.min_dense_translated and top.coverage >= cfg.min_coverage_translated:
        return _constraints(query, top, document)
    if top.dense < cfg.min_dense_foreign:
        return Decision(False, "low_similarity")
    if not names_match(query.text, top.passage) and not _names_term(query, top.passage.text.lower()):
        return Decision(False, "no_shared_name")
    if top.coverage < cfg.min_coverage_foreign:
        # "Any good seafood restaurants near Licang?": the place is there, nothing else the question asks is.
        return Decision(False, "low_coverage")
    return _constraints(query, top, document)


def _names_term(query: Query, text: str) -> bool:
    """Whether the passage holds a term of three or more characters that an English phrase of the question was
    translated to (functional zone: 功能区, review panel: 评审组): as specific as a place the question names."""
    return any(len(k) >= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", k) and k in text for k, _ in query.keywords)


def _mentions(word: str, query: Query, text: str) -> bool:
    return word in text or any(alt in text for alt in dict(query.alternatives).get(word, ()))


def _named_in_part(thing: str, query: Query, text: str) -> bool:
    """A phrase is named by a part of it (高端人才: 人才), or by another word for a keyword inside it (私人办: 民营)."""
    return named_loosely(thing, text) or any(_mentions(k, query, text) for k, _ in query.keywords
                                             if len(k) >= 2 and k in thing)


def prefer_typed(query: Query, hits: list[Hit], ratio: float, depth: int = 5) -> list[Hit]:
    """Hits with the top document's best window that holds the kind of answer asked for (or a figure in the unit
    asked for) first, when the top lacks it.

    Args:
        query: the analysed query.
        hits: search hits, best first.
        ratio: how close (a share of the top score) a lower hit must score to move up ([answer] type_rerank_ratio);
            only windows of the top hit's document move: another document holding an amount is a near miss.
        depth: how many hits are looked at.

    Returns:
        The hits, reordered or as they were.
    """
    want, unit, every = wanted(query.text), asked_unit(query.text.lower()), asks_all(query.text)
    measure = asked_measure(query.text, loose=False)  # 多少艘舰艇: a window counting ships
    # A comparison is about the things compared: another window's 第一 about something else answers nothing.
    if want and want[0] in ("comparison", "first"):
        want = None

    def has(h: Hit) -> bool:  # the kind asked for, and a figure in the unit asked for (多少公里: 5公里以上)
        text = h.passage.text
        return ((not want or holds(want, text, query.text)) and (not unit or bool(unit.search(text.lower())))
                and (not every or states_all(text)) and (not measure or bool(measure.search(text))))

    if not (want or unit or every or measure) or not hits or has(hits[0]):
        return hits
    for i, h in enumerate(hits[1:depth], 1):
        same_doc = h.passage.doc_id == hits[0].passage.doc_id
        if same_doc and h.score >= ratio * hits[0].score and has(h):
            return [h] + hits[:i] + hits[i + 1:]
    return hits
