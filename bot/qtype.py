"""What kind of answer a question wants (an amount of money, a share, an area, people, a date, a number) (pure)."""
from __future__ import annotations

import re

NUM = r"(?:\d+(?:[.,]\d+)?|[一二三四五六七八九十百千万两几数〇零]+)"
# (what the question says, what an answering text must contain); the first that matches the question wins.
_TYPES: list[tuple[str, re.Pattern, re.Pattern]] = [
    # Contact details: citizens ask for them often, and a passage on the right topic seldom holds them.
    ("url", re.compile(r"网址|网站地址|网页地址|链接|域名|website|web address|url"),
     re.compile(r"https?://|www\.|[a-z0-9-]+\.(?:gov\.cn|com\.cn|org\.cn|com|cn|org|net)\b", re.I)),
    ("phone", re.compile(r"(?:电话|号码|手机号|热线)[^，。？?]{0,4}(?:多少|是什么|是啥|几)|联系方式|联系电话|打什么电话|"
                         r"phone number|telephone|hotline number"),
     re.compile(r"(?<!\d)(?:\d{3,4}-?)?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)12\d{3}(?!\d)|(?<!\d)400-?\d{3}-?\d{4}")),
    ("email", re.compile(r"邮箱|电子邮件地址|e-?mail address", re.I), re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")),
    ("ratio", re.compile(r"比例|占比|百分之|百分比|比率|percent|share of"),
     re.compile(r"\d+(?:\.\d+)?\s*%|百分之|[一二三四五六七八九十]成|\d+(?:\.\d+)?\s*percent")),
    ("money", re.compile(r"工资|薪水|薪酬|收入|产值|多少钱|花多少|要花|资金|投资|经费|费用|金额|营收|利润|预算|补贴|多少元|how much money"),
     re.compile(NUM + r"\s*余?[多]?[万亿千百]*(?:美元|元|块)")),
    ("area", re.compile(r"面积|多大的?(?:地方|区域|范围)?[？?]?$|有多大|占地"),
     re.compile(NUM + r"\s*(?:平方公里|平方千米|平方米|亩|公顷|平方英里)")),
    ("people", re.compile(r"多少(?:名|位|人)|几(?:名|位|个人)|人数|多少[^，。？?]{0,6}(?:人才|专家|院士|员工|人员|学者|员)"),
     re.compile(NUM + r"\s*余?[多]?(?:名|位|人)")),
    ("date", re.compile(r"什么时候|何时|哪一年|哪年|哪天|几月|几号|日期|什么时间|when"),
     re.compile(r"\d{2,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|[一二三四五六七八九十〇零]{2,4}年|[一二三四五六七八九十]+月|世纪|年代")),
    ("ordinal", re.compile(r"第几|排第|排名第|名列第"), re.compile(r"第\s*[一二三四五六七八九十百\d]+")),
    ("number", re.compile(r"多少|几[个家项条次座所种批]|how many|how much"), re.compile(NUM)),
]


def wanted(question: str) -> tuple[str, re.Pattern] | None:
    """The kind of answer a question asks for.

    Args:
        question: the Simplified question (or English, lower-cased or not).

    Returns:
        (kind, pattern an answering text matches), or None when the question asks for no particular kind.
    """
    q = question.lower()
    for kind, ask, answer in _TYPES:
        if ask.search(q):
            return kind, answer
    return None
