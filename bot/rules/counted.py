"""What a quantity question counts, measures, asks per head or asks to confirm (多少用户, 下载量是多少, 是真的吗)."""
from __future__ import annotations

import re

from index.storage.lexical import STOPWORDS, pos_tagger

# 多少个 / 几家 then what is counted; 哪几个, 那几家 ask which ones. A measure word between is optional (多少注册用户).
_COUNT = re.compile(r"(?<![哪那这])(?:多少|几)[个名位家项条所座种批次件台辆部本篇场届期支只头户套张颗枚]?"
                    r"([^，。？?！!、,；;：:\s]{1,8})")
# Words for an amount or a kind, not a thing: any figure of the right kind answers them (多少时间, 多少比例).
_GENERIC = frozenset("""办法 方法 方案 模式 形式 类别 渠道 时间 比例 百分比 比数 数量 股份 经费 费用 资金 金额 数目 人数 人口 面积 长度 距离 高度 重量 温度
速度 年份 部分 方面 种类 类型 次数 比分 分数 年龄 价格 价钱 程度 规模 产值 比率 时候 日子 代价 地方 国家 成本 东西 事情 内容
问题 情况 项目 方式 途径 措施 钱 人 额度 投资 资本 收入 总额 总量 份额 比重 银两""".split())
_LINKS = frozenset({"的", "是", "为"})
_MEASURE = re.compile(r"公里|公尺|公斤|公顷|公分|千米|厘米|毫米|米|度|[美港欧日英]?元|块|岁|年|个?月|天|小时|分钟|秒|吨|克|斤|"
                      r"亩|平方|立方|倍|英里|英尺|英寸|寸|尺|丈|海里|里|节|码|磅|盎司|加仑|毫?升|瓦|伏|赫|卡|焦|帕|摄氏|华氏|两|"
                      r"分|成|届|次|以上|以下|左右|上下")
_MODIFIERS = frozenset({"v", "a", "b", "an"})
# "外籍的有多少", "4000多人才里博士有多少", "门诊量占全区多大比例": the part or share asked about (not 攻占, 占领).
_PART = re.compile(r"([\u4e00-\u9fff]{2,3}?)的(?:有|占)(?:多少|几)|(?:里|里面|里头|当中|之中|(?<=[\u4e00-\u9fff]{2})中)"
                   r"([\u4e00-\u9fff]{2,4}?)(?:有|占)(?:多少|几)|"
                   r"((?:(?!的)[\u4e00-\u9fff]){2,4}?)(?:约|大约|大概)?(?<![攻侵霸抢])占(?![领据有])[^，。？?]{0,16}(?:多少|多大|几)|"
                   # "4000多名人才里，有多少是刚毕业的青年博士": the part comes after the count (its noun, after any 的).
                   # "61家机构里头，有几家是开在村里的", "4000多名人才里，有多少人落户了": the part is what they did or are.
                   r"(?:里|里面|里头|当中|之中)[，,]?有?(?:多少|几)[个名位人家]?(?:是|已经|已)?([\u4e00-\u9fff]{2,10})|"
                   # "那1.8个亿，有多少是投到新能源的": a share of a sum, after a comma.
                   r"[，,]有(?:多少|几)[个名位人家]?是([\u4e00-\u9fff]{2,10})")


def counted_things(question: str) -> tuple[str, ...]:
    """The thing a "how many" question counts, read by part of speech (多少注册用户 -> 注册用户, 几家是外资银行 -> 外资银行).

    Args:
        question: the Simplified question.

    Returns:
        The noun phrase counted, or empty when none is named or it is a word for an amount (多少时间, 多少民间投资).
    """
    m = _COUNT.search(question)
    if not m:
        return ()
    phrase = m.group(1)
    if phrase.startswith("的") or _MEASURE.match(phrase):  # 水深为多少的水域, 多少公里: a measurement, not a count
        return ()
    # "多少巡查的人", "多少预先授信的额度": what is counted comes after the 的.
    phrase = phrase.split("的", 1)[1] if "的" in phrase[1:] else phrase
    words = [(w.word, w.flag) for w in pos_tagger().lcut(phrase)]
    while words and words[0][0] in _LINKS:
        words = words[1:]
    span: list[str] = []
    for i, (word, flag) in enumerate(words[:3]):
        noun = _nounish(flag, word)
        noun_next = i + 1 < len(words) and _nounish(words[i + 1][1], words[i + 1][0])
        if not (noun or (flag in _MODIFIERS and len(word) >= 2 and noun_next)):  # a modifier: 注册 | 用户
            break
        span.append(word)
        if noun and not noun_next:
            break
    thing = "".join(span)
    # "几个朝代中，哪个…": the count frames a choice among them, it is not asked.
    framed = question[question.find(thing, m.start(1)) + len(thing):].startswith(("中", "里", "内"))
    # 民间投资 is an amount; 参保人 is people of a kind (a lone 人 after a modifier names them).
    amount = span and (span[0] in _GENERIC or (span[-1] in _GENERIC and len(span[-1]) > 1))
    if len(thing) < 2 or amount or framed:
        return ()
    return (thing,)


# "下载量是多少？", "注册用户数有多少": what is measured comes before the question word, which ends the question.
_MEASURED = re.compile(r"([A-Za-z\u4e00-\u9fff]{2,8})(?:是|有|为|达|约|大约|大概|共|一共|总共)(?:多少|几)[个名位人家元万亿千百块吨米]*"
                       r"(?=[？?。！!，,\s]|呢|啊|呀|$)")
# "有多少人下载了": people counted by what they did with an app or a site.
_USERS = re.compile(r"(?:多少|几)(?:个|名|位)?人次?(?:在|来)?(下载|注册|关注|访问|点击|浏览|观看|使用|用过)")
# Words for a measurement (售价, 体长, 水深, 得票率) that a figure in its unit answers, and a record (最高纪录).
_MEASURE_ENDS = "长深高宽重价额率度龄温速距积"
# "实际是几家", "准确数字是多少", "总数是多少": the figure itself, asked again.
_NOT_MEASURED = frozenset("纪录 记录 实际 准确 具体 目前 现在 数字 总数 数额 数值 结果 答案 总和 合计 一共".split())


def measured_things(question: str) -> tuple[str, ...]:
    """The thing a question asks the amount of, named before the question word (下载量是多少 -> 下载量), or what the
    people it counts did (多少人下载 -> 下载).

    Args:
        question: the Simplified question.

    Returns:
        The noun, or empty when there is none or it is a word for an amount or a measurement (金额, 售价, 水深).
    """
    if users := _USERS.search(question):  # 多少人下载: the text counts the downloads, or it has not said
        return (users.group(1),)
    m = _MEASURED.search(question)
    if not m:
        return ()
    # "注册用户或关注人数有多少": when the last noun is a word for an amount, the one before 或 is measured.
    for phrase in reversed(re.split(r"或者?|还是", question[max(0, m.start(1) - 8):m.start(1)] + m.group(1))[-2:]):
        words = pos_tagger().lcut(phrase)
        if words and _measured(words[-1].word, words[-1].flag):
            return (words[-1].word.lower(),)  # GDP as the lower-cased text writes it
    return ()


def _measured(word: str, flag: str) -> bool:
    """Whether a word names a thing measured (下载量, 用户数, GDP), not an amount, a measurement or the figure."""
    if word.isascii():
        return word.isalpha() and len(word) >= 2  # GDP, CPI
    return not (not flag.startswith("n") or len(word) < 2 or word in STOPWORDS or word in _GENERIC
                or word[-1] in _MEASURE_ENDS or word in _NOT_MEASURED)


def _nounish(flag: str, word: str = "") -> bool:
    # A noun, or a verb used as one (管理, 投资), or an amount of something (下载量, jieba's idiom flag).
    return flag.startswith("n") or flag == "vn" or (flag == "l" and len(word) >= 3 and word.endswith("量"))


def asked_parts(question: str) -> tuple[str, ...]:
    """The part of a whole a question counts or takes the share of (外籍的有多少 -> 外籍, 门诊量占多少 -> 门诊量).

    Args:
        question: the Simplified question.

    Returns:
        The parts named, or empty.
    """
    # "到底占了几成": an adverb before 占 is no part of anything.
    cut = pos_tagger().lcut
    # "私人出钱办的占几成": a part named by what was done (出钱办), not by a noun, is the asker's paraphrase.
    phrases = []
    for m in _PART.finditer(question):
        phrase = next(filter(None, m.groups()), "").rstrip("的").rsplit("的", 1)[-1]
        # "4000余名人才中外籍人才有多少": the whole's noun (人才) repeated in the part says nothing; 外籍 is the part.
        whole = question[max(0, m.start() - 2):m.start()] if m.group(2) else ""
        phrases.append(phrase[:-2] if whole and len(phrase) > 3 and phrase.endswith(whole) else phrase)
    # "重点项目类别的有几家": a word for a kind (类别) is no part of what is counted.
    parts = ([w for w in cut(p) if w.word not in STOPWORDS and w.word not in _GENERIC] for p in phrases)
    return tuple("".join(w.word for w in p) for p in parts
                 if len("".join(w.word for w in p)) >= 2 and any(not w.flag.startswith(("v", "d")) for w in p))


def named_loosely(thing: str, text: str) -> bool:
    """Whether a text names a thing or a two-character part of it (高端人才: 人才; 注册用户: 用户).

    Args:
        thing: the phrase, two characters or more.
        text: the text, lower-cased.

    Returns:
        True when the text holds it or one of its two-character parts.
    """
    return any(thing[i:i + 2] in text for i in range(len(thing) - 1))


# "听说每个单位奖励50万元，是真的吗": a figure put forward to be confirmed, and what it is a figure of.
_CONFIRM = re.compile(r"是真的吗|真的吗|是这样吗|对吗|对不对|是不是真的|没错吧|属实吗|是吗[？?!！\s]*$")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:多|余)?\s*(?:[万亿千百]+\s*(?:元|块|人|家|个|名)?|元|块|人|家|个|名|%)")
_FILLERS = re.compile(r"(?:才|就|只有|只|是|为|有|约|大约|大概|将近|近|达|高达|共|一共|总共)+$")


def guessed_amounts(question: str) -> tuple[tuple[str, str], ...]:
    """The amounts a question asks to have confirmed, with the thing each measures (奖励50万元，是真的吗 -> 奖励, 50).

    Args:
        question: the Simplified question.

    Returns:
        (thing, figure) pairs; empty unless the question asks whether what it states is so.
    """
    if not _CONFIRM.search(question):
        return ()
    pairs = []
    for m in _AMOUNT.finditer(question):
        before = _FILLERS.sub("", question[max(0, m.start() - 8):m.start()])
        run = re.search(r"[\u4e00-\u9fff]+$", before)
        words = [w.word for w in pos_tagger().lcut(run.group())] if run else []
        # 总投资 is not 投资: a one-character head before the word is part of the thing.
        head = len(words) >= 2 and len(words[-2]) == 1 and words[-2] in "总人年月日均单"
        thing = "".join(words[-2:]) if head else "".join(words[-1:])
        if len(thing) >= 2:
            pairs.append((thing, m.group(1)))
    return tuple(pairs)


# "Per person / per month": an amount asked as a rate is not answered by a total.
_PER_ASK = re.compile(r"\bper (?:person|resident|head|capita|patient|household|month|year|day|week)\b|\bannual\b|"
                      r"\b(?:monthly|yearly|a month|a year)\b|"
                      r"(?:每(?:个|一)?(?:人|位|名|户|家|月|年|天|日|周)|每(?:一)?(?:亩|平方米|平米|吨|公里|千米|公斤|斤|套)|"
                      r"每个[\u4e00-\u9fff]{1,4}|单个[\u4e00-\u9fff]{1,4}|单笔|单项|人均|户均|月均|年均|日均|"
                      r"一个月)[^，。？?]{0,8}(?:多少|几|多高|多大|多长)|(?:多少|几)[^，。？?]{0,6}(?:每(?:个|一)?(?:人|位|户|月|年|天)|一个月)")
_PER_ANSWER = re.compile(r"每|单个|单笔|单项|上限|人均|户均|月均|年均|日均|一[日天周年]|单日|全天|/\s*(?:人|户|月|年|天|日|次|亩|平方米|平米|吨|公里|千米|"
                         r"公斤|斤|套)|单价|一个月|全年|月薪|年薪|日薪|月工资|年工资")


def asks_rate(question: str) -> re.Pattern | None:
    """A question for an amount per person or per period wants a text that states one.

    Args:
        question: the Simplified question.

    Returns:
        The pattern an answering text matches, or None when the question asks for no rate.
    """
    return _PER_ANSWER if _PER_ASK.search(question.lower()) else None
