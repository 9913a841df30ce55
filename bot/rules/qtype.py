"""What kind of answer a question wants (an amount, a date, a rate, a procedure...) and what text gives it (pure)."""
from __future__ import annotations

import re

from bot.rules.tally import counts_asked

NUM = r"(?:\d+(?:[.,]\d+)?|[一二三四五六七八九十百千万两几数〇零]+)"
_CN = "一二三四五六七八九十百千万亿两〇零"
# A count: a whole number that is not part of a date or a time (2016年, 1月17日, 8点), which "how many" is never
# answered by; 几/数 only before a numeral (数十, 几百), not in 数据.
COUNT = (r"(?:(?<![\d.,])\d+(?:[.,]\d+)?(?![\d.,])|(?<![%s几数])(?:[几数](?=[十百千万亿]))?[%s]+(?![%s]))"
         r"(?!\s*(?:年|月|日|号|时|点|:))") % (_CN, _CN, _CN)
# Function words, which no place name between 市 and 区 holds (区域社区, 市北区将全区 are no addresses).
_FUNCTION = "[的将全和与在了是为对把被从向及或等中内外各每这那其之个]"
MONEY = r"[$¥￥€£]\s*\d|" + NUM + r"\s*余?[多]?[万亿千百]*(?:[美港澳日欧英韩台加新]?元|人民币|块|港币|美金)"
# A day of the month (17日, 4号), not a numbered line or building (4号线, 3号楼).
_DAY = r"(?:日|号(?![线楼院码机房]))"
# (what the question says, what an answering text must contain); the first that matches the question wins.
_TYPES: list[tuple[str, re.Pattern, re.Pattern]] = [
    # Contact details: citizens ask for them often, and a passage on the right topic seldom holds them.
    ("url", re.compile(r"网址|网站地址|网页地址|链接|域名|(?<!which )(?<!what )website|web address|url"),
     re.compile(r"https?://|www\.|[a-z0-9-]+\.(?:gov\.cn|com\.cn|org\.cn|com|cn|org|net)\b", re.I)),
    ("phone", re.compile(r"(?:电话|号码|手机号|热线)[^，。？?]{0,6}(?:多少|是什么|是啥|几|告诉|给我|发我|提供|能说)|"
                         r"(?:告诉|给|发)我?[^，。？?]{0,4}(?:电话|号码)|联系方式|联系电话|打什么电话|"
                         r"phone number|telephone|hotline number"),
     re.compile(r"(?<!\d)(?:\d{3,4}-?)?\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)12\d{3}(?!\d)|(?<!\d)400-?\d{3}-?\d{4}")),
    # "Which website": a named site ("…政务网") answers as well as an address.
    # An app asked for by name (有个什么手机应用, 那个app叫啥) is named where the site is.
    ("site", re.compile(r"哪个网站|什么网站|哪个网|上哪个?网|(?:which|what) website|"
                        r"(?:什么|哪个|啥|个)(?:手机)?(?:app|小程序|公众号|客户端|手机应用|应用程序|手机软件)|个(?:什么|啥)(?:应用|软件)|"
                        r"(?:app|小程序|公众号|客户端|手机应用|手机软件)[^，。？?]{0,4}(?:叫什么|叫啥|名字|名称|是哪个|是什么)"),
     re.compile(r"https?://|www\.|(?:政务|政府|服务|信息|门户|新闻|官方)网|官网|网站|app|小程序|公众号", re.I)),
    # "那个政策文件叫啥": a document is named in title marks; "国家制造业大规划叫个啥名": a programme in them or quotes.
    ("title", re.compile(r"(?:文件|法规|条例|意见|通知|协议)[^，。？?]{0,4}(?:名称|叫什么|叫个?啥|名字|题目|标题|全称)|文件名|"
                         r"(?:什么|哪个|哪份|啥)(?:政策)?文件"), re.compile(r"《[^》]+》")),
    ("title", re.compile(r"(?:规划|纲要|战略|计划)[^，。？?]{0,4}(?:名称|叫什么|叫个?啥|名字|题目|标题|全称)"),
     re.compile(r"《[^》]+》|“[^”]{2,30}”|「[^」]{2,30}」|\"[^\"]{2,30}\"")),
    # "Which road is it on": a road or street name, which the office's name is not.
    ("road", re.compile(r"哪条(?:路|街|马路|大街|道)|什么(?:路|街)上|哪个路口|which (?:road|street)"),
     re.compile(r"[\u4e00-\u9fff](?:路|大街|大道|街|巷|胡同)(?![径线程面边口况道])|\d+\s*号")),
    # An address: a street and number, a building, or a room; the passage naming the office is not enough.
    ("address", re.compile(r"地址|办公地点|在哪[儿里]?办公|门牌|street address|office address|address of"),
     re.compile(r"地址|[路街道巷]\s*\d+\s*号|\d+\s*号(?:楼|院)|大厦|大楼|广场|\d+\s*室|\d+\s*丁目|"
                r"(?:省|市|县|区)(?![域内外里别分级县市区])(?:(?!" + _FUNCTION + r")[\u4e00-\u9fff]){2,6}(?:市|县|区|镇|乡|村|邨|街道)|"
                r"[\u4e00-\u9fff](?:路|街|道)与", re.I)),
    ("email", re.compile(r"邮箱|电子邮件地址|e-?mail address", re.I), re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")),
    # "Which company put the money in?": a text naming no company or brand has not said (九巴, SEGA, 铁路局 answer
    # it; every CMRC and DRCD gold paragraph for such a question holds one); a bureau (人社局) is no company.
    ("company", re.compile(r"(?:哪|什么|哪几|哪一)(?:家|个|些)?[^，。？?]{0,2}?(?:公司|企业|厂商|厂家)|which (?:company|firm)|"
                           r"what (?:company|firm)|which (?:private )?investor"),
     re.compile(r"[A-Za-z]{2,}|公司|集团|银行|企业|铁道|铁路|巴士|实业|娱乐|控股|股份|有限|科技|电子|航空|汽车|传媒|工作室|出版社|"
                r"厂商|(?<![工])厂")),
    # Opening hours: a clock time, or a named span of the day.
    ("time", re.compile(r"几点|营业时间|开放时间|办公时间|上班时间|门诊时间|接待时间|开门|关门|"
                        r"(?:周末|节假日|晚上)[^，。？?]{0,4}(?:开|营业|上班|办公|看病)|opening hours|business hours|what time"),
     re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*[点时](?!间)|[上下]午|早上|晚上|全天|24小时|工作日|周[一二三四五六日末]|"
                r"星期[一二三四五六日天]")),
    ("ratio", re.compile(r"比例|占比|百分之|百分比|比率|(?:权重|比重)[^，。？?]{0,4}(?:多少|多大|几)|"
                         r"(?:多少|多大|几)[^，。？?]{0,4}(?:权重|比重)|"
                         r"(?:收益|回报|利|增长|覆盖|参保|报销|就业|失业|合格|通过)率[^，。？?]{0,3}"
                         r"(?:多少|几|多高|是什么)|percent|share of|proportion|rate of return|interest rate|what rate|"
                         r"(?:about|around|roughly|nearly|almost|over|under|only) \d+(?:\.\d+)?\s*%"),
     re.compile(r"\d+(?:\.\d+)?\s*%|百分之|[一二三四五六七八九十]成|[一二三四五六七八九十百千\d]+分之|\d+(?:\.\d+)?\s*percent")),
    # "What must I meet to get in": a requirement (条件, 须, 年满); a passage on the programme alone has not said.
    ("requirement", re.compile(r"(?:满足|符合|具备|需要|要|得)(?:什么|哪些|啥|何种)(?:样的)?(?:条件|资格|要求|门槛)|"
                               r"(?:条件|门槛)(?:是什么|有哪些|是啥|有啥)|有(?:什么|啥|哪些)(?:门槛|条件限制|限制条件)"),
     re.compile(r"条件|要求|资格|门槛|符合|须|凡|只要|限于|不得|应当|达到|满足|具备|不超过|至少|年满")),
    # "Where exactly is the 52.8 km² zone": a position (位于, 以东, a road or a town), finer than the district or city
    # the case is of.
    ("position", re.compile(r"(?:具体|究竟|到底)(?:在|位于|喺)?(?:哪里|哪儿|哪块|哪片|哪一块|哪一片|哪个位置|什么位置|边个位置|位置|"
                            r"方位)(?=[？?。！!，,\s呢啊呀吧]|$)|四至|(?:边界|范围)[^，。？?]{0,3}(?:在哪|怎么划|划到哪)|"
                            r"(?:在|位于|喺|设在)(?:哪个|边个|哪一个)(?:位置|街道|片区|地段|方位|园区)|"
                            r"分别(?:在|位于)(?:什么地方|什么位置|哪里|哪儿|哪)"),
     re.compile(r"位于|地处|坐落|临|毗邻|境内|以[东西南北]|[东西南北]至|[东西南北]起|沿线|周边|附近|一带|之间|交界|"
                r"[东西南北]部|[\u4e00-\u9fff]{2}(?:路|街道|街|镇|乡|村|湾|园)(?![长径线面况道林艺])")),
    # "Who did it first": 率先, 首次 say so as well as 最早.
    ("first", re.compile(r"(?:谁|哪|什么)[^，。？?]{0,10}最(?:早|先)|最(?:早|先)的?(?:是|为)(?:谁|哪)"),
     re.compile(r"最早|最先|率先|首次|首个|首先|首创|第一|首位|开创|先河")),
    # "Which of the two did better": a text about one of them, with no comparison, does not say.
    # "Which scored highest": a superlative too (28 of 29 CMRC/DRCD gold paragraphs for one say 最, 第一, 仅次于...).
    ("comparison", re.compile(r"(?:谁|哪个|哪一个|哪家|哪个区)[^，。？?]{0,8}更[好高多大强快少低]|更[好高多大强快]的?是(?:谁|哪)|"
                              r"比[^，。？?]{1,12}(?:便宜|贵|高|低|多|少|快|慢|大|小|长|短)(?:了)?(?:多少|几)|"
                              r"(?:谁|哪|什么)[^，。？?]{0,10}最(?:[高多大好强快少低长优贵近远]|便宜|实惠|划算|靠谱)|"
                              r"最[高多大好强快少低长优]的?(?:是|为)(?:谁|哪)|"
                              r"\b(?:cheaper|more expensive|better|worse|higher|lower|bigger|larger|smaller|faster|"
                              r"slower) than\b|\bcompared? (?:with|to)\b"),
     re.compile(r"比[^，。]{1,12}(?:高|多|大|强|快|少|低|好|早|长|便宜|贵)|高于|低于|多于|少于|超过|不如|相差|差距|最|居首|领先|"
                r"第一|首位|冠军|之冠|榜首|唯一|仅次于|首屈一指|名列前茅|[由从][大高多强][到至][小低少弱]|"
                r"[由从][小低少弱][到至][大高多强]|依次")),
    # "How much did it rise / shorten": a change, which a text stating a level alone does not give.
    ("change", re.compile(r"(?:增加|增长|提高|提升|减少|下降|降低|缩短|上升|扩大|缩小|节省|节约)(?:了)?(?:多少|几)"),
     re.compile(r"(?:增|减|提高|提升|下降|降低|缩短|缩减|上升|多了|少了|扩大|缩小|节省|节约)[^，。]{0,8}?"
                r"(?:\d|[一二三四五六七八九十两]+[成倍个]|一半)|"
                r"翻[一二三两几]?番|\d+(?:\.\d+)?\s*倍|同比|环比|比[^，。]{1,12}(?:多|少|高|低|大|小|快|慢)[^，。]{0,4}\d|"
                r"由[^，。]{0,12}\d[^，。]{0,12}[到至降升增减]")),
    # "From where to where, does it stop at…": a route names its stops or ends.
    ("route", re.compile(r"从哪[儿里]?(?:到|至)哪|起点|终点|途经|经不经过|路过哪|停靠|哪些站|哪几站|站点"),
     re.compile(r"[\u4e00-\u9fff]站|起点|终点|途经|经过|停靠|起于|止于|[\u4e00-\u9fff]{2}[至到][\u4e00-\u9fff]{2}")),
    # Reimbursement is asked as an amount and answered as an amount or a share.
    ("reimbursement", re.compile(r"报销[^，。？?]{0,4}(?:多少|几)|能报(?:多少|几)"),
     re.compile(r"\d+(?:\.\d+)?\s*%|百分之|[一二三四五六七八九十]成|" + MONEY)),
    ("money", re.compile(r"[^\s，。？?花]费(?:用)?[^，。？?]{0,3}(?:多少|几)|收费|多少费|"
                         r"(?:多少|几)[^，。？?]{0,4}[^\s，。？?经花消浪]费(?![时劲力心])|奖金|奖励(?:了)?多少|工资|薪水|薪酬|收入|产值|"
                         r"多少钱|花多少(?!时间|天|年|个?月|小时|分钟)|要花(?![^，。？?]{0,3}(?:时间|天|年|月|小时|分钟))|资金|投资|总投入|"
                         r"经费|费用|金额|营收|利润|预算|补贴|多少元|how much money|"
                         r"\bcosts?\b|\bfees?\b|\bprice|salar|\bwages?\b|subsid|\bbonus|prize money|"
                         r"how much (?:[a-z]+ )?(?:capital|funding|investment)|"
                         r"how much\b[^?]{0,60}\b(?:spends?|spent|spending|pays?|paid|invest(?:s|ed)?)\b"),
     re.compile(MONEY)),
    ("area", re.compile(r"面积|多大的?(?:地方|区域|范围)?[？?]?$|有多大|占地|多大一?[块片]|多少(?:亩|土地)|"
                        r"square (?:kilomet|met|mile)|hectare|how large|how big"),
     re.compile(NUM + r"\s*(?:平方公里|平方千米|平方米|亩|公顷|平方英里)")),
    ("people", re.compile(r"(?<!第)多少(?:名|位|人)|(?<!第)几(?:名|位|个人)|人数|多少[^，。？?]{0,6}(?:人才|专家|院士|员工|人员|学者|员)"),
     re.compile(NUM + r"\s*余?[多]?(?:名|位|人)")),
    # A deadline: the day a text mentions is not one unless it says something ends or is due then.
    ("deadline", re.compile(r"截止|截至|deadline|最晚|最迟"), re.compile(r"截止|截至|之前|以前|前[报交完提]|最晚|最迟|期限")),
    ("duration", re.compile(r"多久|多长时间|多少天|几天|几个月|(?<![这那近前头后几])几年(?!级|前|后)|多少年(?!代|度|级|前|后)|(?:期限|周期|年限)[^，。？?]{0,3}(?:多少|几)|how long|how many (?:years|months|days)|in years|in months"),
     re.compile(NUM + r"\s*(?:个)?(?:天|日|工作日|小时|分钟|周|星期|个月|月|年)|当天|当日|即时|立等|即办")),
    # "中国制造几几年": which year a name carries (2025), not when something happened.
    ("year", re.compile(r"几几年"), re.compile(r"(?<![\d.])(?:19|20)\d{2}(?![\d.%])")),
    # "十九大是哪天开": a day, which a year (2017年) does not give.
    ("date", re.compile(r"哪一?天|几号|几月几[号日]|哪一?日(?!本)"),
     re.compile(r"\d{1,2}\s*" + _DAY + r"|[一二三四五六七八九十廿卅]+" + _DAY + r"|初[一二三四五六七八九十]|当天|当日|前夕|同日|次日|翌日|同一天|"
                r"当晚|(?:周|星期|礼拜)[一二三四五六日天]|除夕|元旦|春节|中秋|国庆|节日?当天|"
                r"[正一二三四五六七八九十冬腊]月(?:初|廿|卅)?[一二三四五六七八九十]{1,3}(?![月年])")),
    # "when" asks a date as a question word, not as a conjunction (what did they apply when scoring).
    ("date", re.compile(r"什么时候|啥时候?|几时|多会儿|何时|哪一年|哪年|哪一?天|哪一日|几月|几号|哪个月|日期|什么时间|^\W*when\b|"
                        r"\bwhen (?:did|does|do|will|was|is|were|are|can|could|should|would|has|have)\b|"
                        r"what (?:date|year|day|month)|which (?:date|year|day|month)"),
     re.compile(r"\d{2,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|[一二三四五六七八九十〇零]{2,4}年|[一二三四五六七八九十]+月|世纪|年代|"
                r"[唐宋元明清汉秦隋晋金辽](?:朝|代)|[南北]宋|[东西]汉|[东西]晋|[\u4e00-\u9fff]{1,3}(?:时代|纪)(?!律|念|要|检|录|委)|"
                r"[早中晚初末]期|年间|[春夏秋冬]季|当天|前夕")),
    ("ordinal", re.compile(r"第几|排第|排名第|名列第|排名(?:如何|怎么样|怎样|多少)|名次|排在哪|(?:what|which)(?: [a-z]+){0,2} rank"
                           r"|which place"), re.compile(r"第\s*[一二三四五六七八九十百\d]+")),
    # 哪几条, 那几个: which ones, not how many.
    ("number", re.compile(r"多少|(?<![哪那这])几[个家项条次座所种批]|how many|how much"), re.compile(COUNT)),
]


# "Who announced the fee?", "Why is there no extra fee?": a money word in a question that asks no quantity.
_AMOUNTS = frozenset({"reimbursement", "money", "area", "people", "number"})
_NOT_AMOUNT = re.compile(r"谁|为何|为什么|如何|怎么|怎样|哪个|哪些|哪家|哪一|何处|何种|于何|什么样|靠什么|通过什么|"
                         r"什么(?:方式|办法|途径|渠道|手段)|\bwho\b|\bwhy\b|\bhow (?!many|much)|\bwhich\b")
_MONEY_SIZE = re.compile(r"(?:额度|金额|资金|投资|贷款|资本|款项|预算|规模|融资|授信|盘子|经费)[^，。？?]{0,6}多大")
# "几个“+”行动包括哪些": which the several are, not how many.
_WHICH_OF_SEVERAL = re.compile(r"几[个项种条家类][^，。？?]{0,12}?(?:包括|有|是|分别是|指)(?:哪些|哪几|什么|啥)")
# A count by measure word (多少个, 几项) unless money is asked as such (多少钱, 多少万元).
_COUNTED = re.compile(r"(?:多少|几)[个项家所座条批件种名位]")
_PRICE = re.compile(r"多少钱|多少元|多少[万亿千百]|多少美元|多少块|几[万亿千百]|how much")
_QUANTITY = re.compile(r"多少|几|多大|多高|多长|多远|多久|how many|how much")


def wanted(question: str) -> tuple[str, re.Pattern] | None:
    """The kind of answer a question asks for.

    Args:
        question: the Simplified question (or English, lower-cased or not).

    Returns:
        (kind, pattern an answering text matches), or None when the question asks for no particular kind.
    """
    q = question.lower()
    other_question = _NOT_AMOUNT.search(q) and not _QUANTITY.search(q)
    for kind, ask, answer in _TYPES:
        if kind == "area" and _MONEY_SIZE.search(q):
            continue  # 授信额度一共有多大: an amount of money, not of land
        if kind == "money" and _COUNTED.search(q) and not _PRICE.search(q):
            continue  # 拿1.8亿元专项资金培育了多少个项目: things counted, not money
        if kind == "number" and _WHICH_OF_SEVERAL.search(q) and not re.search(r"多少", q):
            continue
        if ask.search(q) and not (other_question and kind in _AMOUNTS):
            return kind, answer
    return None


# "How many of the ten": a count within a group the question names, which "all of them" answers.
# "十区市 有几个入选": the group counted, then how many of it.
_OF_GROUP = re.compile(r"(?:里面|里头|之中|当中|中间|里|中|(?:\d+|[%s]+)个?(?!共)[\u4e00-\u9fff]{1,3}[\s，,]*)"
                       r"有?(?:多少|几)个" % _CN)
_ALL = re.compile(r"均有|均已|全部|全都|都有|无一例外|个个")

# Kinds a question may state one of itself ("除了十区市，还有几个…", "2016年的结果什么时候公布"): that one is no answer.
_STATED = frozenset({"ratio", "money", "area", "people", "duration", "date", "ordinal", "number", "position",
                     "requirement"})


def holds(want: tuple[str, re.Pattern], text: str, question: str) -> bool:
    """Whether a text holds the kind of answer asked for, besides what the question itself states.

    Args:
        want: as wanted() returns.
        text: the text (a passage, a sentence).
        question: the question it should answer.

    Returns:
        True when the text has a match the question does not already give.
    """
    q = question.lower()
    if want[0] == "company":  # "“在市北”APP是哪家公司开发的": the app the question names is no company's name
        return any(not (m.group().isascii() and m.group().lower() in q) for m in want[1].finditer(text))
    if want[0] not in _STATED:
        return bool(want[1].search(text))
    if want[0] == "number" and (_OF_GROUP.search(q) or _ALL.search(q)) and _ALL.search(text):
        return True  # "十个区市里面有几个入选": all of them (十区市均有入选)
    return any(m.group().strip().lower() not in q and (want[0] != "number" or counts_asked(text, m.end(), q))
               for m in want[1].finditer(text))
