"""Cues for the answering text: a method asked (什么新路子) wants one named; "did all of them" wants 均有, 全部."""
from __future__ import annotations

import re

# "什么新办法", "哪种模式", "怎么解决的", "what new approach": how something was done is asked (not 靠什么工作获奖:
# the case's work, which its summary names).
_ASKS = re.compile(r"(?:什么|啥)(?:样的)?新?(?:办法|路子|法子|招数?|招儿|高招|骚操作|操作|模式|方式|手段|途径|做法|措施|机制|方法|"
                   r"举措|思路|花样|套路|点子)|新(?:招|花样|套路|点子|办法|路子)(?:叫|是)(?:什么|啥)|"
                   r"哪(?:种|些|几种|一种)新?(?:办法|路子|模式|方式|手段|途径|做法|措施|方法|举措)|想了?(?:个|些|啥)|"
                   r"(?:怎么|如何|咋)(?:解决|筹|融资|借钱|弄|搞|办到|做到)|"
                   r"\b(?:what|which) (?:new |kind of )?(?:method|approach|way|model|mechanism|means|measure)s?\b",
                   re.I)
# A kind of method (“一揽子授信”模式, 网格化机制), or a verb introducing one (采用, 通过, 搭建); not any quoted name
# (“十三五” is a period).
_GIVES = re.compile(r"采用|采取|推行|实行|引入|引进|借助|借力|依托|通过|搭建|建立|实施|打造|模式|机制")


def asks_method(question: str) -> bool:
    """Args: question: the Simplified question (or English). Returns: whether it asks how something was done."""
    return bool(_ASKS.search(question))


def gives_method(sentence: str) -> bool:
    """Args: sentence: a sentence of a passage. Returns: whether it names a method or the verb introducing one."""
    return bool(_GIVES.search(sentence))


# "十个区市是不是个个都有份", "Did all ten districts get a case?": whether all of them did is asked.
_ASKS_ALL = re.compile(r"(?:个个|全都|全部|所有|每个|每一个|都)[^，。？?]{0,10}(?:吗|么|没|不|呢)?[？?!！啊呀吧]*$|"
                       # "十个区市全都有份，是真的吗": the claim, then whether it is so.
                       r"(?:个个|全都|全部|所有|每个|每一个|都)[^，。？?]{0,10}[，,]\s*(?:是|这是)?(?:真的|对的|这样|真)吗|"
                       r"(?:是不是|有没有|是否)[^，。？?]{0,4}(?:个个|全都|全部|都)|"
                       r"\b(?:did|do|does|were|are|was|have|has) (?:all|every|each)\b|\bevery one of\b", re.I)
_STATES_ALL = re.compile(r"均有|均已|均为|均获|全部|全都|都有|无一例外|个个|悉数")


def asks_all(question: str) -> bool:
    """Args: question: the Simplified question (or English). Returns: whether it asks if all of a group did."""
    if re.search(r"什么|哪|谁|多少|几|怎|如何|啥", question):  # 都是用来干什么的: what, not whether
        return False
    return bool(_ASKS_ALL.search(question)) and bool(re.search(r"吗|么|没|不|呢|是不是|有没有|是否|^\s*(?:did|do|does|"
                                                               r"were|are|was|have|has)\b", question, re.I))


def states_all(text: str) -> bool:
    """Args: text: a passage or sentence. Returns: whether it says all of a group did (十区市均有入选)."""
    return bool(_STATES_ALL.search(text))
