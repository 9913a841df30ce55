"""What a question names that its answering passage must name too: an action, a post, papers, a payment, an event."""
from __future__ import annotations

import re

from index.storage.lexical import pos_tagger
from index.words.yesno import is_yes_no

from bot.rules.qtype import wanted

# "How / where do I apply for it": the answer is a procedure, which a text that never names the action does not give.
_HOW = re.compile(r"怎么|怎样|如何|咋|哪里|哪儿|在哪|去哪|到哪|上哪|流程|手续|条件|材料|需要什么|要带什么|步骤")
ACTIONS = ("补办", "换证", "换领", "换发", "报名", "申请", "办理", "预约", "缴纳", "缴费", "报销", "领取", "注册", "登记",
           "开通", "挂号", "投诉", "举报", "申报", "提取", "迁移", "落户", "挂失", "续签", "年检", "注销", "开户", "参保",
           "续费", "退费", "改签", "备案", "签证", "下载", "安装", "审批", "招聘", "招人", "招录", "应聘", "简历")


_ISSUE = re.compile(r"办(?:个|张|一张|一个|一下)?[\u4e00-\u9fff]{0,4}(?:证|卡|照)")
# 招应届生吗, 招护士不: taking people on is 招聘 them
_HIRE = re.compile(r"招(?:应届|毕业生|大学生|护士|医生|员工|工人|普工|技工|临时工|新人|实习生|司机|保安|保洁|厨师|服务员)")


def asked_actions(question: str) -> tuple[str, ...]:
    """The public-service actions a "how / where do I…" question asks about.

    Args:
        question: the Simplified question.

    Returns:
        The actions named (补办, 报名, 申请, ...), empty when the question asks neither a procedure nor an amount of one.
    """
    q = question.lower()
    # 办居住证, 办张社保卡: getting a document issued is 办理 it
    acts = tuple(dict.fromkeys([a for a in ACTIONS if a in q] + (["办理"] if _ISSUE.search(q) else []) +
                               (["招聘"] if _HIRE.search(q) else [])))
    # "现在招应届生吗": whether they do it is asked, which a text that never names it has not said either.
    if not acts or _HOW.search(q) or is_yes_no(q):
        return acts
    # "能报销多少": an amount of the action is asked, which a text that never names it does not give either.
    return tuple(a for a in acts if re.search(a + r"[^，。？?]{0,3}(?:多少|几|比例)", q))


# "Who leads it?": a text that never names the role has not said who holds it.
_WHO = re.compile(r"谁|哪一?位|叫什么|叫啥|啥名|什么名字|什么人|姓什么|who")
ROLES = ("组长", "副组长", "主任", "局长", "市长", "区长", "县长", "书记", "负责人", "院长", "校长", "董事长", "总经理", "部长",
         "厅长", "主席", "处长", "科长", "站长", "所长", "经理", "发言人", "联系人", "法人代表", "法定代表人", "总指挥",
         "指挥长")


# "Which leader proposed it?": any post or head of state answers, but a text naming none has not said (由谁领导 asks
# who led, not this).
_WHICH_LEADER = re.compile(r"(?:哪位|哪个|什么|哪一位)领导|领导是谁")
_HEADS = ("领导", "总统", "总理", "首相", "国王", "女王", "皇帝", "元首", "省长", "州长", "领袖", "首脑", "委员长", "总书记")


def asked_roles(question: str) -> tuple[str, ...]:
    """The posts a "who holds it" question asks about.

    Args:
        question: the Simplified question.

    Returns:
        The roles named (组长, 局长, 负责人, ...; every post for "which leader"), empty when the question asks who
        holds none.
    """
    q = question.lower()
    if _WHICH_LEADER.search(q):
        return _HEADS + ROLES
    return tuple(r for r in ROLES if r in q) if _WHO.search(q) else ()


# "What do I bring?": papers, which a text that names none has not listed.
_BRING = re.compile(r"带什么|带啥|(?:准备|带|提交|提供|需要|要)(?:哪些|什么|啥)(?:材料|证件|资料)|(?:哪些|什么)证件")
PAPERS = ("材料", "证件", "身份证", "户口", "证明", "照片", "资料", "原件", "复印件", "护照", "证书", "社保卡", "医保卡")


def asked_papers(question: str) -> tuple[str, ...]:
    """The papers a "what do I bring" question asks to be listed.

    Args:
        question: the Simplified question.

    Returns:
        Words for papers (材料, 证件, 身份证...), any of which a listing text names; empty for other questions.
    """
    return PAPERS if _BRING.search(question) else ()


# "How is the fare worked out / is it dear": a rule or a level of a payment, asked without a quantity word.
_PRICED = re.compile(r"怎么(?:算|收|定|计算|收费)|如何(?:计算|收费)|标准|贵不贵|贵吗|便宜吗|免费吗|要钱吗|收钱吗|涨|降价")
# "Is it really…?", "do they pay…?": a yes/no question guessing a payment or a place.
GUESS = re.compile(r"吗|是不是|是否|真的|对不对|有没有")
# "How much is the prize money?": an amount of something else (an investment) does not answer it.
# A fee by its name (安家费, 挂号费) too; not spending itself (经费, 花费, 消费, 费用).
_PAID = re.compile(r"奖金|奖励|工资|薪水|薪酬|补贴|津贴|[房餐车饭话]补|报销|罚款|票价|[单月车机船]程?票|[坐乘搭]一?[站趟程]|租金|房租|押金|门票|税收优惠|"
                   r"优惠政策|减税|免税|减免|"
                   r"(?:(?![多少几的了交付缴收花经消浪免要])[\u4e00-\u9fff]){1,2}费(?![用时劲力心])")


# "给不给房补": whether it is paid, asked A-not-A.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])不\1")
# "能享受什么优惠政策", "给了企业什么税收优惠": a benefit asked for by kind.
_BENEFIT = re.compile(r"(?:什么|哪些|啥|何种|多少)(?:样的)?[\u4e00-\u9fff]{0,2}(?:优惠|补贴|奖励|奖金|津贴|减免)")


def paid_items(question: str) -> tuple[str, ...]:
    """The payments a money question asks about.

    Args:
        question: the Simplified question.

    Returns:
        The payments named (奖金, 工资, 补贴, ...) when the question asks for an amount of money or whether one is
        paid (是不是给每人100万安家费), else empty.
    """
    want = wanted(question)
    asked = (want and want[0] in ("money", "reimbursement")) or _PRICED.search(question) or GUESS.search(question)
    asked = asked or _BENEFIT.search(question) or _A_NOT_A.search(question)
    return tuple(dict.fromkeys(_PAID.findall(question))) if asked else ()


# "Which banks / which hospital": their names carry the word (招商银行, 市立医院), so a text without it names none.
# Not companies, schools or agencies: 九巴, 东日本旅客铁道 and 理藩院 answer those (31 of 72 CMRC gold paragraphs).
# Nor a service window or a subdistrict, which a text names as one (政务服务窗口, 辛安街道).
_WHICH_ORG = re.compile(r"(?:哪|什么|哪几|哪一)(?:家|个|些|所)?[^，。？?]{0,2}?(银行|医院|窗口|街道)")
_WHICH_ORG_EN = re.compile(r"\bwhich (?:[a-z]+ )?(bank|hospital)s?\b")  # which banks are among the 19 …
_ORG_EN = {"bank": "银行", "hospital": "医院"}


def asked_organisations(question: str) -> tuple[str, ...]:
    """The kinds of organisation or place a "which banks / hospital / window / subdistrict" question asks to be named.

    Args:
        question: the Simplified question.

    Returns:
        The kinds asked for (银行, 医院, 窗口, 街道), empty when the question asks for none.
    """
    q = question.lower()
    return tuple(dict.fromkeys(_WHICH_ORG.findall(q) + [_ORG_EN[w] for w in _WHICH_ORG_EN.findall(q)]))


# "颁奖仪式是哪天举行的", "在哪里举行的": the day or place of an event, which a text that never names the event (the
# news date, the city) does not give. Not "在哪一场会议上" (which meeting).
_EVENT = re.compile(r"颁奖|典礼|仪式|开幕|闭幕|揭牌|发布会|大会|会议|庆典|座谈会|表彰")
_WHERE = re.compile(r"哪里|在哪(?![一个场次届])|哪儿|什么地方|地点|何处|何地")


def asked_events(question: str) -> tuple[str, ...]:
    """Args: question: the Simplified question. Returns: the events whose date, time or place it asks (颁奖, 仪式),
    or empty."""
    want = wanted(question)
    asked = (want and want[0] in ("date", "time")) or _WHERE.search(question)
    return tuple(dict.fromkeys(_EVENT.findall(question))) if asked else ()


# "是不是由平安保险公司承办的？": a yes/no question guessing who by name; a text never naming them has not said.
_ORG_SUFFIX = ("公司", "集团", "银行", "保险", "医院", "大学")


def guessed_names(question: str) -> tuple[str, ...]:
    """The organisations a yes/no question names as its guess, without their generic ending (平安保险公司 -> 平安).

    Args:
        question: the Simplified question.

    Returns:
        The distinctive parts of the names, each of which the answering text must name; empty for other questions.
    """
    if not GUESS.search(question):
        return ()
    words = pos_tagger().lcut(question)
    out = []
    for i, w in enumerate(words):
        core = w.word
        if not (i + 1 < len(words) and words[i + 1].word in _ORG_SUFFIX) and not core.endswith(_ORG_SUFFIX):
            continue
        while core.endswith(_ORG_SUFFIX) and len(core) > 2:
            core = core[:-2]
        if len(core) >= 2 and core not in _ORG_SUFFIX and w.flag[:1] in ("n", "j"):
            out.append(core)
    return tuple(dict.fromkeys(out))
