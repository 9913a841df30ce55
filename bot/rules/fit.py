"""How well one sentence answers a question: keyword coverage plus cues of the kind of answer asked (pure)."""
from __future__ import annotations

import re

from index.words.query import Query, coverage

from bot.rules.cues import asks_all, asks_method, gives_method, states_all

_ASKS_NUMBER = re.compile(r"多少|几[个家名位项条次年成倍]?|占比|比例|百分|多大|多长|多高|多远|多久|大部分|大多数|多半|"
                          r"(?:多|大|高|长|远|贵|快)不(?:多|大|高|长|远|贵|快)|数量|规模|金额|总额|额度|人数|个数|面积|数目|"
                          r"how many|how much|percent")
_ASKS_WHEN = re.compile(r"什么时候|何时|哪一?年|哪天|几月|几号|时间|日期|when")
_ASKS_WHO = re.compile(r"谁|哪[两二三四几俩些个]?个?(?:单位|部门|机构|机关)|哪家|什么单位|什么部门|who|which")
_ASKS_SEVERAL = re.compile(r"哪[两二三四几俩些]个?(?:单位|部门|机构|机关)|which (?:two|three|four|several) \w+|"
                           r"which (?:departments|units|bodies|agencies|offices|organi[sz]ations)")
_ASKS_WHERE = re.compile(r"哪里|哪儿|在哪|什么地方|哪个区|哪个市|哪些地方|where")
# "数据中心是哪一级的": a level (区级, 国家级) is often the answer, but a body (财政部) may be: a cue, not a requirement.
_ASKS_LEVEL = re.compile(r"哪一?级(?=的|[？?。，,\s]|$)|哪一?个?级别|什么级别|啥级别|什么层级|哪个层级")
_HAS_LEVEL = re.compile(r"[\u4e00-\u9fff\d]级|级别|层级")
_HAS_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万亿两]+(?:个|家|名|项|批|种|年|亿|万|倍|成)")
_HAS_DATE = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|[一二三四五六七八九十]+月|世纪|年代|期间")
_LISTED = re.compile(r"[\u4e00-\u9fff]{2,6}、[\u4e00-\u9fff]{2,6}、[\u4e00-\u9fff]{2,6}[^，。；]{0,8}(?:部门|单位|机构)")
# "有啥好的地方", "优点是啥": merits, which a text gives as 特点 or 优势; "帮的是啥样的人": a group of people.
_ASKS_MERIT = re.compile(r"好处|优点|长处|亮点|好的地方|好在哪|有(?:啥|什么)好|(?:哪些|什么|啥)(?:突出|主要)?(?:特点|特色|特征|优势)|"
                         r"(?:特点|特色|特征|优势)(?:是|有)(?:什么|啥|哪些)|(?:特点|特色|特征)(?=\s|$|[？?，,。])|"
                         r"good points|features|advantages")
_HAS_MERIT = re.compile(r"特点|优势|优点|特色|亮点|好处|特征")
# "技术手段": the tools a case used (运用移动GIS、大数据); "图个啥": what it was for (为鼓励改革创新).
_ASKS_TECH = re.compile(r"技术|手段|科技|technolog")
_HAS_TECH = re.compile(r"大数据|云计算|gis|物联网|人工智能|区块链|数字化|信息化|三维")
_ASKS_PURPOSE = re.compile(r"图(?:个)?(?:啥|什么)|目的|为了(?:啥|什么)|用意|初衷|\bpurpose|\baim\b")
_HAS_PURPOSE = re.compile(r"为了|旨在|目的|^为[\u4e00-\u9fff]{2,12}，|以便")
_ASKS_GROUP = re.compile(r"(?:啥|什么|哪)(?:样的?|类|种|部分)的?(?:人|人群|群体|病人|群众|对象)")
_HAS_GROUP = re.compile(r"患者|病人|人群|群体|群众|居民|市民|老人|儿童|学生|家庭|职工|人员|对象|困难户")
_HAS_ORG = re.compile(r"政府|管委|指挥部|局|委员会|部门|公司|集团|机构|大学|学院|协会|中心|研究室|办公室")


_ASKED_PARTS = ((_ASKS_MERIT, _HAS_MERIT), (_ASKS_TECH, _HAS_TECH), (_ASKS_PURPOSE, _HAS_PURPOSE))


def sentence_score(query: Query, sentence: str, question: str) -> float:
    """How well a sentence answers: its share of the query's keywords, plus the cues of what the question asks.

    Args:
        query: the analysed (focused) query.
        sentence: a sentence, or a run of clauses, of the passage.
        question: the question, lower-cased.

    Returns:
        The coverage, raised when the sentence holds the kind of thing asked (a figure, a date, a body, a level...).
    """
    s = sentence.lower()
    score = coverage(query, s)
    if _ASKS_NUMBER.search(question) and _HAS_NUMBER.search(s):
        score += 0.25
    if _ASKS_WHEN.search(question) and _HAS_DATE.search(s):
        score += 0.25
    if _ASKS_WHO.search(question) and _HAS_ORG.search(s):
        # "哪两个单位": a sentence naming two or more answers before one naming one
        several = _ASKS_SEVERAL.search(question) and (len(_HAS_ORG.findall(s)) >= 2 or _LISTED.search(s))
        score += 0.2 if several else 0.1  # 与城管、应急、执法、公安等多部门 names several
    if _ASKS_LEVEL.search(question) and _HAS_LEVEL.search(s):
        score += 0.25
    if _ASKS_GROUP.search(question) and _HAS_GROUP.search(s):
        score += 0.2
    # Above window_margin, as for a method: the features, tools or aim are the answer whatever words they share.
    if any(ask.search(question) and has.search(s) for ask, has in _ASKED_PARTS):
        score += 0.45
    if _ASKS_WHERE.search(question) and re.search(r"[\u4e00-\u9fff](?:省|市|区|县|镇)", s):
        score += 0.1
    if (asks_method(question) and gives_method(s)) or (asks_all(question) and states_all(s)):
        score += 0.4  # above window_margin: the case's summary sentence names no method, nor says "all of them"
    return score
