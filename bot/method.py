"""Questions for a method (想了个什么新路子, 靠什么): a sentence naming one answers them, not the case's summary."""
from __future__ import annotations

import re

# "什么新办法", "哪种模式", "怎么解决的", "what new approach": how something was done is asked (not 靠什么工作获奖:
# the case's work, which its summary names).
_ASKS = re.compile(r"什么(?:样的)?新?(?:办法|路子|法子|招数?|高招|模式|方式|手段|途径|做法|措施|机制|方法|举措|思路)|"
                   r"哪(?:种|些|几种|一种)新?(?:办法|路子|模式|方式|手段|途径|做法|措施|方法|举措)|想了?(?:个|些|啥)|"
                   r"(?:怎么|如何|咋)(?:解决|筹|融资|借钱|弄|搞|办到|做到)|"
                   r"\b(?:what|which) (?:new |kind of )?(?:method|approach|way|model|mechanism|means|measure)s?\b", re.I)
# A kind of method (“一揽子授信”模式, 网格化机制), or a verb introducing one (采用, 通过, 搭建); not any quoted name
# (“十三五” is a period).
_GIVES = re.compile(r"采用|采取|推行|实行|引入|引进|借助|借力|依托|通过|搭建|建立|实施|打造|模式|机制")


def asks_method(question: str) -> bool:
    """Args: question: the Simplified question (or English). Returns: whether it asks how something was done."""
    return bool(_ASKS.search(question))


def gives_method(sentence: str) -> bool:
    """Args: sentence: a sentence of a passage. Returns: whether it names a method or the verb introducing one."""
    return bool(_GIVES.search(sentence))
