"""Questions for a list of people or of items (都是谁, 分别是哪十个): a text naming none, or listing nothing, has not said."""
from __future__ import annotations

import re

from index.storage.lexical import pos_tagger
from index.words.glossary import translate

# "Who are the 24 academicians?": people by name. Not "which people sit on the panel" (人大代表 answers) nor "what is
# it called" (an app has a name).
_PEOPLE_EN = (r"(?:academician|expert|scholar|member|official|leader|doctor|people|person|judge|reviewer|director|"
              r"specialist|professor|staff|employee|deput|representative|researcher|talent|worker|nurse)")
# In English, people counted in the question: "who are the 24 academicians", "name the 43 experts"; not "who are the
# members of the panel" (its make-up answers that).
_WHO_ALL = re.compile(r"(?:都|分别|各)是谁|是哪几位|姓甚名谁|都有谁|都有哪几位|"
                      r"\b(?:who (?:are|were)|names? of|name) (?:all )?(?:the|those|these) "
                      r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|dozens?) (?:[a-z-]+ )?" + _PEOPLE_EN, re.I)
# "Which ten are they, one by one?": an enumeration (11 CMRC/DRCD gold paragraphs all hold one).
_PLACE_ENDS = frozenset("区市县省州局委办村镇乡路街港湾岛山河")  # jieba tags some places as names (高新区)
_EACH = re.compile(r"分别是(?:哪|什么)|分别为|都有哪些|都是哪些|有哪几[个项家种条所位]|分别叫")
_ENUMERATION = re.compile(r"[^、，。；]{1,15}、[^、，。；]{1,15}|[^、，。；]{1,15}(?:和|及|与|以及)[^、，。；]{1,15}|"
                          r"[一二三四五六七八九十]是|第[一二三]|其一")


def asks_people(question: str) -> bool:
    """Args: question: the Simplified question. Returns: whether it asks who the people are, by name."""
    return bool(_WHO_ALL.search(question))


def names_people(text: str) -> bool:
    """Args: text: a passage. Returns: whether it names a person (a personal name by jieba's parts of speech)."""
    return any(w.flag in ("nr", "nrfg", "nrt") and 2 <= len(w.word) <= 4 and w.word[-1] not in _PLACE_ENDS
               for w in pos_tagger().lcut(text))


def asks_each(question: str) -> bool:
    """Args: question: the Simplified question. Returns: whether it asks for several things one by one."""
    return bool(_EACH.search(question))


def enumerates(text: str) -> bool:
    """Args: text: a passage. Returns: whether it lists things (A、B, A和B, 一是…)."""
    return bool(_ENUMERATION.search(text))


# "那19家金融机构分别是哪几家": the things asked for one by one, counted in the question (19家 + 金融机构).
_WHICH_ONES = re.compile(r"分别是哪|分别叫|都有哪|都是哪些|都是哪几|具体是哪些|具体是哪[两二三四五六七八九十几\d]|是哪几|有哪几|"
                         r"是哪[两二三四五六七八九十\d]+[个家位所项条]|叫(?:什么|啥)名字|具体叫(?:什么|啥)|都叫(?:什么|啥)|名字(?:全|都)?列")
# A count the question states (那19家, 十个, 那几家), not one it asks (哪两条) nor a rank (第一个).
# Counted administrative units need no measure word (十区市, 两区县).
_COUNTED = re.compile(r"(?<![哪第\d])(?:\d+|[两二三四五六七八九十]+|(?<=[那这])几)\s*(?:[个家位名所项条]([\u4e00-\u9fff]{2,12}?)|"
                      r"(区市|区县|县市|街道))"
                      r"(?=分别|具体|都|是|有|里|中|的|，|,|？|\?|$)")
_OF_NOUN = re.compile(r"的([\u4e00-\u9fff]{2,12}?)(?=分别|具体|都|是|有|里|中|，|,|？|\?|$)")
_NUMBER = r"(?:\d+|[一二三四五六七八九十两几]+)?\s*[个家位名所项条]?"
# Aspects, ways, measures: the text may give them in sentences of their own (在考核机制上…), not as a list.
_ABSTRACT_ZH = ("方面", "方式", "措施", "办法", "途径", "步骤", "环节", "原则", "标准", "特点", "问题", "阶段", "做法",
                "模式", "领域", "渠道", "方向", "目标", "任务", "方法")
# "Which 19 banks and financial institutions signed …": English counts the things it asks for one by one; the noun
# phrase runs to the first word that is no noun (a verb, a preposition).
_WHICH_EN = re.compile(r"\bwhich (?:\d+|two|three|four|five|six|seven|eight|nine|ten) ((?:[a-z-]+ ){0,4}?[a-z-]+)"
                       r"(?= (?:are|were|is|was|did|do|does|have|has|had|that|who|in|of|on|for|with|to|from|got|get|"
                       r"won|win|made|led|took|gave|became|came|include|includes|[a-z]+ed)\b|\W*$|[?,])", re.I)
# The same in English.
_ABSTRACT_EN = re.compile(r"(?:aspect|area|way|respect|field|part|thing|step|measure|method|point|kind|type|categor|"
                          r"form|model|mode|direction|principle|criteri|factor|goal|task|problem|issue|feature|"
                          r"characteristic|approach|reason|stage|level|action|campaign)[a-z]*$", re.I)


def listed_things(question: str) -> tuple[str, ...]:
    """The things a question asks for one by one, as counted in it (那19家金融机构分别是哪几家 -> 金融机构; which 19
    banks … -> 银行, 金融机构).

    Args:
        question: the Simplified question, or an English one.

    Returns:
        The counted nouns (in Chinese), or empty when the question asks no list or counts nothing.
    """
    m = _WHICH_EN.search(question)
    if m and not re.search(r"[\u4e00-\u9fff]", question):
        if _ABSTRACT_EN.search(m.group(1)):
            return ()
        groups, _ = translate(m.group(1), fallback=True)
        return tuple(dict.fromkeys(w for g in groups for w in g[:2] if len(w) >= 2))
    if not _WHICH_ONES.search(question):
        return ()
    things = []
    for m in _COUNTED.finditer(question):
        thing = m.group(1) or m.group(2)
        # 那几家公立的社区卫生服务机构: the noun after 的 is what is counted, 公立 says which of them
        if tail := _OF_NOUN.match(question, m.end()):
            thing = tail.group(1)
        # 五个字概括的做事方法: a way of doing things is asked by its parts (准、透…), not listed as names.
        if not thing.startswith(("的", *_ABSTRACT_ZH)) and not thing.endswith(_ABSTRACT_ZH):
            things.append(thing)
    return tuple(things)


def stated_count(question: str) -> str:
    """Args: question: the Simplified question. Returns: the count in figures of the things it asks for one by one
    (那56家…叫啥名字 -> 56家), or an empty string."""
    # Not when what is asked comes after a 的 (19家金融机构签的协议叫什么名字: the agreement, not the 19).
    m = next((c for c in _COUNTED.finditer(question) if c.group(1) and not _OF_NOUN.match(question, c.end())), None) \
        if _WHICH_ONES.search(question) else None
    count = re.match(r"\d+\s*[个家位名所项条]", m.group()) if m else None
    return count.group() if count else ""


def lists_thing(thing: str, text: str, count: str = "") -> bool | None:
    """Whether a text lists the things it names (工商银行、建设银行等19家金融机构; 工商银行等; 金融机构：A、B).

    Args:
        thing: the counted noun (金融机构); its longest ending found in the text stands for it (社区卫生服务机构 for
            公立社区卫生服务机构).
        text: the passage.
        count: the count the question gives (56家): where the text names the thing otherwise (民营机构56家), the
            count stands for it.

    Returns:
        True when a list stands right before or right after it, False when it is named without one, None when the
        text does not name it (other checks judge that).
    """
    named = next((thing[i:] for i in range(len(thing) - 1) if thing[i:] in text), None)
    if named is None and count and count in text:
        named = count
    if named is None:
        return None
    word = re.escape(named)
    before = re.search(r"(?:、[^、，。；]{1,12}等?|等)" + _NUMBER + word, text)  # A、B(等)19家X; A等19家X
    after = re.search(word + r".{0,3}?(?:：|:|包括|分别是|分别为|即|（|\()[^。；，]{0,30}、", text)
    return bool(before or after)
