"""The unit a figure is asked in (多少公里, 多大年纪) or the measure word things are counted with (几条), as a pattern."""
from __future__ import annotations

import re

# "总里程多少公里", "多少吨", "多大年纪": the unit asked for, and the units of its kind that answer it.
_UNITS = (("平方公里|平方千米|平方米|平米|公顷|亩", "平方公里|平方千米|平方米|平米|公顷|亩"),
          ("公里|千米|公尺|公分|厘米|毫米|米|km|英里|海里", "公里|千米|公尺|公分|厘米|毫米|米|km|英里|海里|里"),
          ("吨|公斤|千克|斤", "吨|公斤|千克|斤|克"),
          ("立方米|毫升|升", "立方米|毫升|升|方"))
_AGE = re.compile(r"多少岁|几岁|多大年纪|多大岁数|年龄[^，。？?]{0,3}(?:多大|多少|几)|\bhow old\b|\bwhat age\b")
# The same units asked in English ("how many kilometres"), in _UNITS' order.
_UNITS_EN = (r"square (?:kilomet|met|mile|feet|foot)|hectare|acre", r"kilomet|km\b|met(?:er|re)|mile",
             r"tons?\b|tonnes?\b|kilogram|kg\b|jin\b", r"lit(?:er|re)|cubic")
_FIGURE = r"[\d.０-９一二三四五六七八九十百千万亿两〇零几数]+\s*(?:多|余)?\s*(?:"
# "几条线", "多少所学校": things counted with their own measure word are counted with it (3条线路; 28间分店 for 几家):
# 19家金融机构 answers no 几条.
_MEASURE_WORDS = ("家|间|所", "名|位|人", "条", "座|栋|幢", "项", "批", "部", "台", "辆", "架", "艘", "本", "篇", "首",
                  "场", "届", "次", "件", "种|类", "支", "张", "层", "户", "门", "节", "段", "集", "章")


def asked_unit(question: str) -> re.Pattern | None:
    """The figure a question asks for in a unit of measure (多少公里, 几吨, 多大年纪), as a pattern its answer holds.

    Args:
        question: the Simplified question, lower-cased.

    Returns:
        A pattern matching a figure in a unit of the same kind (52.8平方公里 for 多少亩), or None.
    """
    if _AGE.search(question):
        return re.compile(_FIGURE + r"周?岁)")
    for (asked, answers), english in zip(_UNITS, _UNITS_EN):
        if re.search(r"(?:多少|几)个?(?:" + asked + ")|\\b(?:how many|in) (?:" + english + ")", question):
            return re.compile(_FIGURE + answers + ")")
    return None


def asked_measure(question: str, loose: bool = True) -> re.Pattern | None:
    """The measure word a question counts things with (几条线, 多少家), as a pattern its answer holds.

    Args:
        question: the Simplified question.
        loose: also 个 and "only one" (唯一) answer; False for the measure words of its kind alone.

    Returns:
        A pattern matching a count with that measure word or one of its kind (28间 for 几家); None when the question
        counts with 个, people or nothing.
    """
    counted = re.search(r"(?<![哪那这第])(?:多少|几)([\u4e00-\u9fff])", question)
    # 多少人 is a count of people (150万 answers it), which the people kind checks.
    kind = next((k for k in _MEASURE_WORDS if counted and counted.group(1) != "人" and counted.group(1) in k.split("|")),
                None)
    if not kind:
        return None
    # "单位有几家啊": "the only one" answers a count of what came before; "几条线" counts a noun it names after.
    only = "|唯一|独一" if not re.match(r"(?![啊呀呢吧嘛哦])[\u4e00-\u9fff]", question[counted.end():]) else ""
    return re.compile(_FIGURE + kind + "|个)" + only) if loose else re.compile(_FIGURE + kind + ")")
