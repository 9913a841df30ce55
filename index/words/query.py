"""What a query asks for: weighted keywords, hard constraints (years, places, bodies), how much of it a text covers."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from index.storage.lexical import STOPWORDS, tokenize
from index.words.bodies import is_body, names_body
from index.words.romanise import sound_alike
from index.words.yesno import asked_things, is_yes_no

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|年度)")
_GUESSED_YEAR = re.compile(r"的?(?:吗|吧|嘛|么)")
_NUMBERED = re.compile(r"\d+(?:号线|号|期|批|届)")
# "我是台湾过来的，爸妈住市北区…": where the asker comes from is not what the question is about.
_ORIGIN = re.compile(r"我们?(?:是|家是)?从?([\u4e00-\u9fff]{2,6}?)(?:过来|回来|来)的|我们?来自([\u4e00-\u9fff]{2,6}?)(?=[，,。\s的]|$)|"
                     r"我们?是([\u4e00-\u9fff]{2,4}?)人(?=[，,。\s]|$)")
_MOTION = frozenset("进到去回在出入下上走来往")
_DETERMINERS = frozenset("各全本该每外两几多诸十")
_DIVISIONS = frozenset("省市区县镇乡村")
_PLACE_SUFFIX = ("省", "市", "区", "县", "镇", "乡", "村", "街道")
_GENERIC_PLACES = frozenset("""社区 小区 园区 景区 地区 市区 城区 辖区 郊区 片区 街区 新区 山区 校区 全市 本市 城市 都市 超市 股市
上市 门市 城市 各区 全区 本区 该区 全省 本省 各省 外省 全县 本县 各县 全镇 乡村 农村 市县 区县 区市 十区市 省市 各市 城乡 开发区
高新区 功能区 示范区 试验区 自贸区 保税区 经济区 行政区 商业区 风景区 特区 人才特区 转型发展区 湾区 灾区 老区 城镇 乡镇""".split())
_BIGRAM_OK = re.compile(r"[\u3400-\u9fffA-Za-z0-9]{2}")
# "五个", "那套", "每项": a number or a pointer with its measure word names nothing the text must hold.
_MEASURED = re.compile(r"(?:[\d一二三四五六七八九十百千两几数]+|[这那哪每各某])[个家名位项条次座所种批件套样类些]")
# A term the citizen quotes ("五字", 「在市北」) is a name to find as written, whatever jieba makes of it.
_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"]{2,12})[”」』\"]")


@functools.lru_cache(maxsize=1)
def named_places() -> frozenset[str]:
    """Returns: the provinces, regions, countries, cities and counties of places.txt (a question naming one needs a
    document naming it)."""
    text = Path(__file__).with_name("places.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


@dataclass(frozen=True)
class Query:
    """An analysed query.

    Attributes:
        text: the Simplified query.
        search_terms: tokens for BM25 (jieba search mode).
        keywords: (word, weight) of the query's content words (jieba precise mode), weight = IDF.
        constraints: strings the evidence must contain (years, places, numbered lines) for an answer to stand.
        alternatives: (keyword, other words for it) from the thesaurus; a text holding one of them covers the
            keyword at synonym_weight of its weight.
        synonym_weight: the share of a keyword's weight a synonym earns.
        asked: what a yes/no question asks about by name (能刷医保卡吗 -> 医保卡), which the answer must name.
    """

    text: str
    search_terms: tuple[str, ...]
    keywords: tuple[tuple[str, float], ...]
    constraints: tuple[str, ...]
    alternatives: tuple[tuple[str, tuple[str, ...]], ...] = ()
    synonym_weight: float = 0.0
    asked: tuple[str, ...] = ()


def analyse(text: str, tokenizer, idf, thesaurus: dict[str, tuple[str, ...]] | None = None,
            synonym_weight: float = 0.0) -> Query:
    """Analyse a Simplified query.

    Args:
        text: cleaned Simplified query.
        tokenizer: jieba tokenizer with the corpus entities.
        idf: callable term -> IDF (unseen terms weigh most).
        thesaurus: word -> other words for it (see index.words.thesaurus); None for none.
        synonym_weight: the share of a keyword's weight a synonym earns (0 ignores the thesaurus).

    Returns:
        The Query.
    """
    low = text.lower()
    search_terms = tuple(tokenize(low, tokenizer))
    tokens = tokenizer.lcut(low)
    words = [w.strip() for w in tokens]
    keywords: dict[str, float] = {}
    for w in words:
        if _MEASURED.fullmatch(w):
            continue
        if w and w not in STOPWORDS and re.search(r"[\w\u3400-\u9fff]", w) and not (len(w) == 1 and not w.isalnum()):
            # Words the tokenizer split finer for search weigh as their most specific part.
            subs = [t for t in tokenize(w, tokenizer)] or [w]
            # A lone character says little in Chinese (占, 比, 用): it counts for a third of a word.
            keywords[w] = max(idf(t) for t in subs) * (0.3 if len(w) == 1 else 1.0)
    for quoted in _QUOTED.findall(low):
        keywords.setdefault(quoted.strip(), idf(quoted.strip()))
    # "是哪个年度的 2015年吗": a year put forward as a guess is checked by the answer, it does not constrain it.
    constraints = [m.group(1) for m in _YEAR.finditer(low) if not _GUESSED_YEAR.match(low, m.end())]
    constraints += _NUMBERED.findall(low)
    places = named_places()
    # Unless it asks whether someone from there may (我从台湾来，能参加吗): then the origin is a condition.
    origins = set() if is_yes_no(low) else {g for m in _ORIGIN.finditer(low) for g in m.groups() if g}
    for w in words:
        if w in origins:
            continue
        # 拉进社区医疗: jieba glues a verb of motion to a common place word (进社区), which names no place.
        if w[1:] in _GENERIC_PLACES and w[0] in _MOTION:
            continue
        # 各区市, 外省市, 两区县: a determiner before the words for divisions is every one of them, not one place.
        if len(w) >= 2 and w[0] in _DETERMINERS and set(w[1:]) <= _DIVISIONS:
            continue
        if len(w) >= 3 and w.endswith(_PLACE_SUFFIX) and w not in _GENERIC_PLACES:
            constraints.append(w)
        elif w in places or is_body(w):  # 市教育局 must be named where the answer is, as a place must
            constraints.append(w)
    alternatives = tuple((w, thesaurus[w]) for w in keywords if w in thesaurus) if thesaurus and synonym_weight else ()
    return Query(text=text, search_terms=search_terms, keywords=tuple(keywords.items()),
                 constraints=tuple(dict.fromkeys(constraints)), alternatives=alternatives,
                 synonym_weight=synonym_weight if alternatives else 0.0, asked=asked_things(low, tokens))


# "带娃的宝妈问下，…", "哎问一下 …": who is asking and that they ask, said before the question, are not its topic.
_PREAMBLE = re.compile(r"^[^，,。？?！!]{0,16}?(?:问下|问一下|问问|请问一下|请问|想问一下|想问|打听一下|打听下|咨询一下|咨询下|"
                       r"请教一下|请教)[哈啊呀哦下]?[，,：:！!。\s]+|"
                       # "我开诊所的，想问李沧区…": who asks, a comma, then the asking word runs into the question.
                       r"^[^，,。？?！!]{2,16}[，,]\s*(?:想问一下|想问问|想问|请问一下|请问|问一下|问下|打听一下|咨询一下)|"
                       # "居民问：…", "网友留言：…": a question relayed with who asked it.
                       r"^[\u4e00-\u9fff]{1,8}?(?:问|提问|留言|咨询)[：:]\s*")


def without_preamble(text: str) -> str:
    """A question without the words that introduce it ("带娃的宝妈问下，这个评选的消息是哪天出来的" -> "这个评选…").

    Args:
        text: the Simplified query.

    Returns:
        The text after the introduction, or the text as it was when nothing (or too little) would remain.
    """
    rest = _PREAMBLE.sub("", text, count=1)
    return rest if len(rest) >= 4 else text


def respell(text: str, tokenizer, names: str) -> str:
    """A place typed by its sound (李仓区, 即默市) -> the spelling the corpus uses, so that it is searched as written.

    Args:
        text: the Simplified query.
        tokenizer: jieba tokenizer with the corpus entities.
        names: the corpus's entities, one a line.

    Returns:
        The text with such places respelled (unchanged when there are none).
    """
    for w in dict.fromkeys(tokenizer.lcut(text)):
        if len(w) >= 3 and w.endswith(_PLACE_SUFFIX) and w not in names and (fix := sound_alike(w, names)):
            text = text.replace(w, fix)
    return text


@functools.lru_cache(maxsize=65536)
def _bigrams(s: str) -> frozenset[str]:
    # Kept: coverage() asks for the same keywords' bigrams once for every sentence of every candidate passage.
    return frozenset(s[i:i + 2] for i in range(len(s) - 1) if _BIGRAM_OK.fullmatch(s[i:i + 2]))


def coverage(query: Query, evidence: str) -> float:
    """Share of the query's keyword weight found in a text; a word not found whole earns its share of bigrams found.

    Args:
        query: the analysed query.
        evidence: the text (lower-cased Simplified).

    Returns:
        A number in 0..1 (1.0 for a query without keywords).
    """
    total = sum(w for _, w in query.keywords)
    if total <= 0:
        return 1.0
    got = 0.0
    alternatives = dict(query.alternatives)
    for word, weight in query.keywords:
        if word in evidence:
            got += weight
            continue
        part = 0.0
        if len(word) >= 3:
            grams = _bigrams(word)
            if grams:
                part = 0.8 * sum(g in evidence for g in grams) / len(grams)
        if any(a in evidence for a in alternatives.get(word, ())):
            part = max(part, query.synonym_weight)
        got += weight * part
    return got / total


# "2017年，本市将学习借鉴…" in a report of January 2017: a year that had not ended when the text was written, named
# for plans, says nothing of what happened in it (the 2017 results); it answers only a question about the plans.
# In English "will"/"would" ask about plans (what will the city welcome), unless passive (when will … be announced).
_PLANNED = re.compile(r"将|拟|计划|打算|预计|力争|争取|目标|规划")
_ASKS_PLANS = re.compile(r"打算|计划|准备|安排|规划|目标|(?<![需主重想只])要(?![求花])|接下来|下一步|未来|\bplan|\bintend|"
                         r"工作重点|重点工作|重点任务|主要任务|"
                         r"\baim|\bgoals?\b|\bnext\b|\bprepar|\bready to\b|\bupcoming\b|going to do|"
                         r"\b(?:will|would)\b(?![^?]*\bbe\s+\w+(?:ed|en)\b)")


def _year_stated(year: str, passage: str, question: str, written: str) -> bool:
    """Whether a passage names a year, and other than for plans when it was written before the year ended."""
    # What the year's sentence does next (2017年，本市…将认真学习) tells plans from facts, not its far clauses.
    heads = [m.group() for m in re.finditer(re.escape(year) + r"[^。；;！!？?\n]{0,20}", passage)]
    if not heads or not written[:4].isdigit() or written[:4] > year:
        return bool(heads)
    return bool(_ASKS_PLANS.search(question.lower())) or any(not _PLANNED.search(h) for h in heads)


def missing_constraints(query: Query, evidence: str, passage: str | None = None, written: str = "") -> list[str]:
    """Args: query: the analysed query. evidence: the text it must be answered from (the document).
    passage: the quoted passage with its title and headings, where a year or a numbered thing must be (a report on
    2016 that mentions 2017's plans does not answer for 2017; the network's cost is not line 4's); None checks them
    in evidence. written: the document's date (2017-01-17; empty when unknown): a year not over by then must be
    named for more than plans.

    Returns:
        The constraints (years, places, numbered things) that the evidence does not mention.
    """
    missing = []
    for c in query.constraints:
        if passage is not None and c.isdigit():  # a year
            if not _year_stated(c, passage, query.text, written):
                missing.append(c)
            continue
        # "4号线的总投资" over the network's total: a numbered thing must be in the quoted passage, a place in the text.
        if c in (passage if passage is not None and c[0].isdigit() else evidence):
            continue
        if is_body(c) and names_body(c, evidence, query.text):
            continue
        # "李沧区" is satisfied by "李沧" (articles drop the suffix after first mention)
        stem = c[:-1] if len(c) >= 3 and c.endswith(_PLACE_SUFFIX) else ""
        if stem and stem in evidence:
            continue
        # "李仓区" typed on a pinyin keyboard stands for the "李沧区" the evidence names
        if not c[0].isdigit() and any(sound_alike(name, evidence) for name in (c, stem) if name):
            continue
        missing.append(c)
    return missing
