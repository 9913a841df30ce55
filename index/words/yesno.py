"""What a yes/no question asks about by name (能刷医保卡吗 -> 医保卡): a text that never names it cannot say yes."""
from __future__ import annotations

import itertools
import re

from index.storage.lexical import STOPWORDS

# Asking in themselves (能不能, 有没有), or only with a final 吗 (能…吗, 可以…吗, 有…吗).
_ASKING = frozenset({"能不能", "可不可以", "能否", "可否", "有没有", "有无"})
_WITH_MA = frozenset({"能", "可以", "有"})
# A modal and its verb in one token (能刷, 能用) have the verb already; these 能 words are nouns.
_NOUNS = frozenset({"能源", "能力", "能量", "能耗", "能效", "能手", "能级"})
_HAS_VERB = frozenset({"有没有", "有无", "有"})
_NEGATED = ("不能", "不可以", "没有")  # 能 | 不能: jieba splits 能不能
_ADVERBS = frozenset("直接 都 也 还 再 马上 随时 一起 现在 目前 已经 真的 就 正常 免费 自己 随便".split())
_MA = re.compile(r"[吗嘛][？?!！。.\s]*$|[吗嘛][，,？?]|(?<=[\u4e00-\u9fff])[不没][？?!！。.\s]*$")  # 能刷医保卡不
_REQUEST = re.compile(r"(?:请|麻烦|帮|给我|跟我|告诉|介绍|说说|讲讲|说一下|讲一下|列|把|概括|简单)")
# "有具体数字吗", "有详细数据没": asking for the answer itself (a figure, details), not whether a thing exists.
_META = frozenset("数字 数据 数目 准数 细节 详情 明细".split())
_BREAK = re.compile(r"[，,。？?！!；;、\s]")
_WH = re.compile(r"哪|什么|谁|多少|几|怎么|如何|啥")
# "有没有上千个": a guessed figure is no thing to name; the figures in the text answer it.
_FIGURE = re.compile(r"[上近约好几数超]?[\d.一二三四五六七八九十百千万亿两]+[多余]?[个名位家人元件项条次万亿]*")


def asked_things(question: str, tokens: list[str]) -> tuple[str, ...]:
    """The thing a yes/no question asks about: the object of the verb after its modal.

    Args:
        question: the Simplified question, lower-cased.
        tokens: its jieba tokens (the corpus tokenizer's, as index.words.query.analyse cuts it).

    Returns:
        The objects named (能直接刷医保卡吗 -> 医保卡, 有没有病种目录 -> 病种), empty for other questions and for
        a verb with no object (能办事吗).
    """
    asks = bool(_MA.search(question))
    out: list[str] = []
    for i, t in enumerate(tokens):
        joined = len(t) == 2 and t[0] == "能" and t not in _NOUNS  # 能刷, 能用
        split = t in _WITH_MA and "".join(tokens[i + 1:i + 2]) in _NEGATED  # 能 | 不能
        if not (t in _ASKING or split or (asks and (t in _WITH_MA or joined))):
            continue
        clause = "".join(itertools.takewhile(lambda w: not _BREAK.fullmatch(w), tokens[i + 1:]))
        # "能否请您介绍一下", "能不能把名字列出来": a polite request to tell, not whether something can be done.
        if _REQUEST.match(clause):
            continue
        # "都能覆盖哪些路子？光是贷款吗": that clause asks which, not whether (有啥软件吗: whether there is any).
        if _WH.search(clause) and not _MA.search(clause):
            continue
        verb = t in _HAS_VERB or joined
        for j, w in enumerate(tokens[i + 1:], i + 1):
            if _BREAK.fullmatch(w) or _FIGURE.fullmatch(w) or w in _META:
                break
            if w in STOPWORDS or w in _ADVERBS or w in _ASKING or w in _NEGATED:
                continue
            if not verb:  # the verb the modal governs (刷, 带, 用)
                verb = True
                continue
            if tokens[j + 1:j + 2] == ["的"]:  # 有没有额外的保险办法: what it has is the noun, not the modifier
                continue
            if len(w) >= 2:
                out.append(w)
            break
    return tuple(dict.fromkeys(out))


# "外地户口能参加吗", "未成年人能参加吗": who the asker is, a condition the text must name to say yes or no for them.
_CONDITIONS = re.compile(r"户口|户籍|外地|外省|外来|未成年|儿童|孩子|小孩|老人|老年人|学生|退休|失业|残疾|农民工|外国人|港澳台|"
                         r"低保|贫困户")
_ASKS_EN = re.compile(r"\W*(?:can|could|may|are|is|do|does|will|would)\b", re.I)
_CONDITIONS_EN = ((r"\b(?:children|kids?|minors?|teenagers?)\b", "儿童"), (r"\bstudents?\b", "学生"),
                  (r"\b(?:retirees?|retired|pensioners?)\b", "退休"), (r"\b(?:elderly|old people|seniors?)\b", "老人"),
                  (r"\bforeign(?:ers?)?\b", "外国人"), (r"\b(?:non-?locals?|migrants?)\b", "外地"),
                  (r"\b(?:disabled|disabilit)", "残疾"), (r"\bunemployed\b", "失业"))
_REQUIRED = re.compile(r"对([\u4e00-\u9fff、和及与跟]{2,10}?)有(?:什么|哪些|啥|何)(?:样的)?(?:要求|条件|限制|规定)")
_YES_NO = re.compile(r"能|可以|可否|是否|吗|有没有")


def is_yes_no(question: str) -> bool:
    """Whether a Simplified question asks yes or no (能…吗, 可以…吗, 是否, 有没有).

    Args:
        question: the Simplified question, lower-cased.

    Returns:
        True when it does.
    """
    return bool(_YES_NO.search(question))


def stated_conditions(question: str) -> tuple[str, ...]:
    """The conditions a yes/no question states of the asker (外地户口能参加吗 -> 外地, 户口), or whose requirements a
    question asks (对学历和年龄有什么要求 -> 学历, 年龄).

    Args:
        question: the Simplified question.

    Returns:
        The conditions named, each of which an answering text must name; empty for other questions.
    """
    # "我是外地来打工的，听说有个APP能办事，叫啥名儿": the question that ends it asks what, not whether.
    last = re.split(r"[，,。；;！!]", question.rstrip("？?!！。 "))[-1]
    whether = is_yes_no(question) and not (_WH.search(last) and not _YES_NO.search(last) and not _MA.search(question))
    named = _CONDITIONS.findall(question) if whether else []
    # "Can children be covered?": the same in English, as the Chinese word a text would name.
    if _ASKS_EN.match(question):
        named += [chinese for english, chinese in _CONDITIONS_EN if re.search(english, question, re.I)]
    # "对学历和年龄有什么要求": the requirements asked about by name.
    for m in _REQUIRED.finditer(question):
        named += [p for p in re.split(r"[、和及与跟]", m.group(1)) if len(p) >= 2]
    return tuple(dict.fromkeys(named))
