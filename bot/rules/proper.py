"""Questions for an organisation by its name (哪家机构, 哪所大学): a text naming only kinds (研究机构) has not said."""
from __future__ import annotations

import re

from index.storage.lexical import pos_tagger

# "承担评审的是哪家机构", "学者来自哪几所大学": a company, school or agency by name. Not "which unit" (市地铁工程建设指挥部
# answers as a kind) nor "which website".
_WHICH = re.compile(r"哪(?:一|几)?(?:家|所|个|些)(?:第三方)?(?:机构|公司|企业|大学|高校|院校|学校|医院|银行|集团|出版社|"
                    r"研究所|研究院|厂商|厂家|药企|药厂|媒体|报社)|"
                    # "第三方机构具体是哪一家": the kind, then which one.
                    r"(?:机构|公司|企业|大学|高校|院校|医院|银行|集团)(?:具体|到底|究竟)?(?:是|为)哪(?:一)?(?:家|所|个)|"
                    r"\bwhich (?:[a-z]+ )?(?:compan(?:y|ies)|firms?|institutions?|organi[sz]ations?|universit(?:y|ies)|"
                    r"agenc(?:y|ies)|banks?|hospitals?)\b")
# jieba's parts of speech for names: people, places, organisations (高新区 comes out a person's name; it is a name).
_NAME_FLAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "eng"})
# Names made of a specific word and the kind (青岛大学, 海尔集团, 市立医院).
_NAME_ENDS = ("公司", "大学", "学院", "集团", "银行", "医院", "研究院", "研究所", "协会", "委员会", "出版社", "中心", "报", "社",
              "厂", "局", "院", "部", "署", "台")


def asks_proper_name(question: str) -> bool:
    """Args: question: the Simplified question (lower-cased for English).

    Returns:
        Whether it asks which organisation by name (哪家机构, 哪几所大学, which company).
    """
    return bool(_WHICH.search(question))


def names_proper(text: str) -> bool:
    """Whether a text names anything by a proper name (the 91 CMRC and DRCD dev paragraphs that answer
    such a question all do); 人大代表、高等院校和研究机构学者 names kinds only.

    Args:
        text: a passage.

    Returns:
        True when it holds a name: a person, place or organisation by jieba's parts of speech, a Latin word, or a
        word ending in a kind of organisation (青岛大学).
    """
    for w in pos_tagger().lcut(text):
        if len(w.word) >= 2 and (w.flag in _NAME_FLAGS or re.search(r"[A-Za-z]{2}", w.word)):
            return True
        if len(w.word) >= 3 and w.word.endswith(_NAME_ENDS):
            return True
    return False
