"""A part of a sum the question itself states (3000亿预授信里，融资租赁占多少): the text must give that part's amount (pure)."""
from __future__ import annotations

import re

from index.lexical import STOPWORDS, pos_tagger

# "3000多亿预授信里，融资租赁占了多少", "1845亿元里，市财政出资和社会融资各占多少": a sum of money stated, then a part
# of it asked. The sum's figure is no answer; a text that names the part beside no other amount has not said.
_SHARE = re.compile(r"(\d[\d.,]*)\s*(?:多|余)?个?(?:万|亿)元?[^，,。？?！!]{0,6}?(?:里面|里头|当中|之中|里|中)[，,]?\s*"
                    r"([^，,。？?！!]{2,16}?)(?:各)?(?:占了?|是|有)?(?:多少|几成|多大比例|比例|占比)")
_AMOUNT = re.compile(r"\d[\d.,]*\s*(?:多|余)?(?:[万亿千百]*元|[万亿]|%|成)")
_NEAR = 12  # characters between the part's word and its amount, as "引入社会资本42.32亿元" writes it
_VAGUE = frozenset({"目前", "实际", "具体", "到底", "一共", "总共", "大概", "已经", "真正"})


def share_unstated(question: str, text: str) -> bool:
    """Whether a question asks a part of a sum it states, and the text gives no amount beside that part.

    Args:
        question: the Simplified question.
        text: the answering passage.

    Returns:
        True when the part's words stand nowhere within a few characters of an amount other than the stated sum
        (融资租赁 is listed among the credit's kinds with no figure of its own).
    """
    m = _SHARE.search(question)
    if not m:
        return False
    stated = m.group(1).replace(",", "")
    words = [w.word for w in pos_tagger().lcut(m.group(2)) if len(w.word) >= 2 and w.word not in STOPWORDS
             and w.word not in _VAGUE and not w.flag.startswith(("d", "p", "u", "c"))]
    if not words:
        return False
    amounts = [a for a in _AMOUNT.finditer(text) if not a.group().replace(",", "").startswith(stated)]
    for word in words:
        for w in re.finditer(re.escape(word), text):
            if any(a.start() - w.end() <= _NEAR and w.start() - a.end() <= _NEAR for a in amounts):
                return False
    return True
