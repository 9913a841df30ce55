"""Whether a number in a text counts what a how-many question asks (3个功能区 answers no 多少个案例) (pure)."""
from __future__ import annotations

import re

# What a count is read with: measure words for things (3个, 8.57万人, 2颗) and units of measure (30秒, 52.8平方公里,
# 0.37美元); the first character is enough. 余/多/万/亿 in between are skipped (4000余人, 3000亿元).
_CLASSIFIERS = frozenset("个家项名位件条所座批种次台辆架艘部本篇首场届期支只头匹棵株间层号人户类套对双份张把片根轮笔箱股幅瓶杯碗"
                         "口声步门节段集章卷册任代世辈级颗粒枚尾滴串束朵盏幢栋顶扇面道排组群队班团遍趟回番阵顿局盘圈句字页封宗桩"
                         "起例剂副羽")
_UNITS = frozenset("元块角分岁米里吨克斤亩倍成公平小毫厘英海立秒周天年月日时点度美港欧澳韩码磅盎升微纳兆赫伏瓦焦卡帕摄华市")
_THING_WORDS = "个家项名位件条所座批种次台辆部本篇场届期支只头户套张颗枚"  # 多少个, 几家: a number of things is asked
_ASKS_THINGS = re.compile(r"(?:多少|几)[%s]" % _THING_WORDS)


# "一共评出了多少个案例": a total of things is a count of those things, not of something else nearby (3个功能区).
_WINNERS = frozenset("获奖 入选 评上 获评 上榜 当选 中标 参加 参与 报名".split())
_TOTAL = re.compile(r"(?:一共|总共|共有|总计|合计|共)[^，。？?]{0,6}?(?:多少|几)[%s]([\u4e00-\u9fff]{2})" % _THING_WORDS)
# "创新工作案例最终一共评选出了多少个？": the thing totalled comes before 一共 when nothing follows the count.
_TOTAL_BEFORE = re.compile(r"([\u4e00-\u9fff]{2})(?:最终|最后|到底)?(?:一共|总共|共有|总计|合计)[^，。？?]{0,6}?(?:多少|几)[%s]?"
                           r"(?=[？?。！!，,\s]|$)" % _THING_WORDS)
_NOT_COUNTED = "区市县省局委府办中里内上下间时"
_NO_THING = frozenset("这次 本次 此次 到底 究竟 今年 去年 目前 现在 请问 我们 你们 他们 大概 最终 最后 那么 总的 来着 是吧 对吧".split())

# "一共分成几种类型": a word for kinds or parts is the measure word's, not a thing the text must repeat (三种模式).
_KINDS_OF = frozenset("类型 种类 类别 方式 形式 模式 部分 方面 阶段 层次 步骤 环节 途径 渠道 办法 措施 东西 地方 内容 项目".split())


def _of_thing(text: str, end: int, thing: str) -> bool:
    """Whether the count ending at end is of thing: named just after its measure word (1188个责任网格) or just
    before the number (民营机构56家)."""
    after = text[end:end + 8].lstrip(" 余多来万亿千百")[1:5]
    return thing in after or thing in text[max(0, end - 12):end]


def counts_asked(text: str, end: int, question: str) -> bool:
    """Whether a number ending at end counts what is asked: with a measure word it may ("3个"), but a measurement
    (52.8平方公里) answers no "多少个"; read straight before a noun ("十区市") it counts that noun, which answers
    only a question about it (not 多少个案例).

    Args:
        text: the text holding the number.
        end: where the number ends in it.
        question: the question, lower-cased.

    Returns:
        True when the number may be the count asked for.
    """
    rest = text[end:end + 6].lstrip(" 余多来万亿千百")
    after = rest[:2]
    if not after or not "\u4e00" <= after[0] <= "\u9fff":
        # A bare year-like figure (中国制造2025, 2016) is a year or a name, not a count.
        return not re.fullmatch(r"(?:19|20)\d{2}", text[max(0, end - 4):end]) or text[max(0, end - 5):end - 4].isdigit()
    if after[0] in _CLASSIFIERS:
        total = _TOTAL.search(question) or _TOTAL_BEFORE.search(question)
        # 高新区一共拿下几个, 生涯中一共上阵多少场: who has them, or when, is not what is counted.
        total = total if total and total.group(1) not in _NO_THING and total.group(1)[-1] not in _NOT_COUNTED else None
        # 一共几个获奖: winners are counted, whatever they are; 功能区…共有几个案例: the count of 3个功能区… is asked.
        return (not total or total.group(1) in _KINDS_OF or total.group(1) in _WINNERS or
                _of_thing(text, end, total.group(1)) or rest[1:4] in question)
    if after[0] in _UNITS:
        return not _ASKS_THINGS.search(question)
    return after in question
