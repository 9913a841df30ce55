"""Details asked beyond the topic, which a passage on it may not give: a road, a sum's part or total, a drug."""
from __future__ import annotations

import re

from index.storage.lexical import STOPWORDS, pos_tagger

# "在哪几条路之间", "哪条街": roads by name (472路, 高尔街), which a text naming none (路径 is a way, not a road) has
# not given: 10 CMRC and DRCD dev questions ask one, and each gold paragraph names one.
_WHICH_ROAD = re.compile(r"(?:哪|什么)(?:几|一)?(?:家|个|些|所|条|段)?[^，。？?]{0,2}?(?<![线道思网电门出销套活后退来去])"
                         r"(?:路|街|马路|公路|大街|大道)(?![子数线径程费由过上口灯边易])")  # 新路子, 哪些线路: no road
_ROAD = re.compile(r"[\u4e00-\u9fff\dA-Za-z](?:路|街|大道|公路)(?![径线程费由过上口灯边易])")


def road_unnamed(question: str, text: str) -> bool:
    """Args: question: the Simplified question. text: the answering passage.

    Returns:
        True when the question asks which road or street and the text names none.
    """
    return bool(_WHICH_ROAD.search(question)) and not _ROAD.search(text)


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


# The slogan quoted with a number in it, then its parts or meaning asked: 哪三个, 分别是, 具体指, 什么意思.
_ASKS_PARTS = re.compile(r"[“\"「『]([^”\"」』]*[一二三四五六七八九十两][^”\"」』]*)[”\"」』][^。？?]{0,6}?"
                         r"(?:哪[二三四五六七八九十两几]个|(?:是|有|包括|指)哪些|分别(?:是|指)|具体(?:是)?指|什么意思|啥意思|"
                         r"包括(?:哪|什么))")


def _spelled_out(term: str, text: str) -> bool:
    t = re.escape(term)
    after = re.search(t + r"[”\"」』]?\s*(?:是|指|即|就是|包括|包含|由|（|\(|：|:|，即|，指|分别|意为|意思)", text)
    before = re.search(r"(?:所谓|称为|称作|简称|合称|统称|并称|号称|即|为)[“\"「『]?" + t, text)
    # “准”“透”“细”“实”“快”的“五字经”: the parts listed right before it.
    listed = re.search(r"[、”」](?:等|的|之)?[“\"「『]?" + t, text)
    return bool(after or before or listed)


def parts_unsaid(question: str, document: str) -> bool:
    """Whether a question asks what a numbered slogan consists of and the document never spells it out.

    Args:
        question: the Simplified question.
        document: the answering document's text (lower-cased).

    Returns:
        True when the slogan stands in the document only as a name (加快“三中心一基地”建设); False when it is
        defined or listed there (“准”“透”“细”“实”“快”的“五字经”), absent, or not asked about.
    """
    m = _ASKS_PARTS.search(question)
    if not m:
        return False
    term = m.group(1).lower()
    return term in document and not _spelled_out(term, document)


# "哪些抗癌药被纳入了报销范围", "包括哪些病种": drugs or diseases by name (非那雄胺, 古柯碱, 牛皮癣, 肝癌: each of the 6
# CMRC and DRCD dev questions of this kind has one in its paragraph), which "临床必需药品" and "重特大疾病" are not.
_WHICH_DRUG = re.compile(r"(?:哪些|哪几种|哪种|哪一种|什么|啥)(?:具体的)?(?:特效|抗癌|靶向|进口|特)?(?:药|药物|药品|病种|疾病)"
                         r"(?!用|价值)")
_DRUG = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:药|胺|碱|癣|癌|瘤|单抗|替尼|胶囊|注射液|症|病)")
_GENERIC_DRUG = frozenset({"药品", "药物", "疾病", "病种", "用药", "大病", "特药", "医药", "耗材"})
_NOT_A_NAME = ("重特大", "看病", "有病", "生病", "治病", "有药", "用药", "吃药", "买药", "开药", "疾病", "毛病")


def drug_unnamed(question: str, text: str) -> bool:
    """Args: question: the Simplified question. text: the answering passage.

    Returns:
        True when the question asks which drugs or diseases and the text names none.
    """
    if not _WHICH_DRUG.search(question):
        return False
    return not any(len(w.word) >= 2 and w.word not in _GENERIC_DRUG and _DRUG.fullmatch(w.word)
                   and not w.word.startswith(_NOT_A_NAME) for w in pos_tagger().lcut(text))


# "4号线总共要投多少钱": the total of a numbered thing, which "为4号线引入社会资本42.32亿元" (a part) does not give.
_TOTAL = re.compile(r"总投资|总造价|总投入|投资总额|(?:总共|一共)(?:要)?投")
_NUMBERED = re.compile(r"\d+号(?:线|楼|地块|工程)")


def total_unsaid(question: str, text: str) -> bool:
    """Args: question: the Simplified question. text: the answering passage.

    Returns:
        True when the question asks a numbered thing's total cost and the text gives none right after its name.
    """
    things = _NUMBERED.findall(question)
    if not things or not _TOTAL.search(question):
        return False
    return not any(re.search(re.escape(t) + r"[^。；]{0,8}?(?:总投资|总造价|投资|造价|总投入)", text) for t in things)


def unsaid(question: str, passage: str, document: str) -> str | None:
    """Args: question: the Simplified question. passage: the answering passage. document: its whole document,
    lower-cased.

    Returns:
        The refusal reason ("no_road", "no_share", "no_parts", "no_drug", "no_total") when the text lacks the detail
        asked, else None.
    """
    if road_unnamed(question, passage):  # "在哪几条路之间" over a passage giving only the area
        return "no_road"
    if share_unstated(question, passage):  # "3000亿预授信里融资租赁占多少" over one listing it without a figure
        return "no_share"
    if parts_unsaid(question, document):  # "“三中心一基地”是哪三个中心" over a document that only names it
        return "no_parts"
    if drug_unnamed(question, passage):  # "哪些抗癌药被纳入了报销范围" over "临床必需药品"
        return "no_drug"
    if total_unsaid(question, passage):  # "4号线总共要投多少钱" over "为4号线引入社会资本42.32亿元"
        return "no_total"
    return None
