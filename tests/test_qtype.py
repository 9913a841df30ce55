"""Question types: which questions want an amount, a rate, a site or a procedure, and which texts can give one."""
from bot.rules.counted import asks_rate
from bot.rules.qtype import holds, wanted


def test_a_fee_or_reimbursement_asks_for_an_amount_a_who_or_why_does_not():
    assert wanted("挂号费是多少")[0] == "money"
    assert wanted("九龙巴士7号线全程收费多少")[1].search("全程收费：$4.9")
    assert wanted("政府拨了多少经费")[1].search("通过4亿5000万加元挹注")
    kind, pattern = wanted("看病能报销多少")
    assert kind == "reimbursement" and pattern.search("报销比例达到70%") and pattern.search("最高报销30万元")
    assert not pattern.search("民营机构56家")
    assert wanted("是谁宣布提供申请费用") is None  # asks who: the money word names the topic
    assert wanted("为什么寄东西不需要额外费用") is None
    assert wanted("为什么这个项目的费用是多少万元")[0] == "money"  # a quantity word still asks for the amount


def test_size_and_site_questions():
    assert wanted("开发区划了多大一块地搞转型发展")[0] == "area"
    kind, pattern = wanted("想看全部案例，可以上哪个网站查")
    assert kind == "site" and pattern.search("市民可登陆青岛政务网查阅")
    assert not pattern.search("全区划分为1188个责任网格") and not pattern.search("实施“互联网+”行动")
    for app in ("有个什么应用可以用", "做了什么手机应用", "那个手机app啊 叫啥名", "那个app叫什么名字"):
        kind, pattern = wanted(app)
        assert kind == "site" and pattern.search("开发“在市北”app和微信公众号"), app
    assert wanted("大数据有什么应用") is None  # the use of a technique, not an app


def test_a_rate_is_asked_per_person_or_period_and_a_total_does_not_give_it():
    rate = asks_rate("高新区的院士每个月能拿多少补贴")
    assert rate and rate.search("每人每月补贴2000元") and rate.search("人均3万元")
    assert not rate.search("投入1.8亿元专项资金")
    assert asks_rate("每天有几班车") and asks_rate("每天有几班车").search("一日往返8班")
    assert asks_rate("高新区引进了多少院士") is None
    assert asks_rate("How much does the district pay per resident?") and asks_rate("What annual return rate is expected?")
    assert asks_rate("How much was invested in Line 4?") is None
    each = asks_rate("市北区的责任网格每个网格覆盖多少户居民")  # per anything: 每个网格
    assert each and not each.search("全区划分为1188个责任网格，配备800余名网格巡治员") and each.search("每个网格约300户")


def test_when_asks_a_date_as_a_question_word_not_as_a_conjunction():
    assert wanted("When did reporters learn about the award list?")[0] == "date"
    assert wanted("So when was it announced?")[0] == "date"
    assert wanted("What standards did the panel apply when scoring the cases?") is None


def test_when_how_long_and_what_rank_in_citizens_words():
    kind, pattern = wanted("地铁4号线啥时候能通车啊")
    assert kind == "date" and pattern.search("2016年4号线引入社会资本") and pattern.search("侏罗纪晚期开始分裂")
    assert not pattern.search("由人大代表、政协委员组成的评审组")  # 代表 is not a dynasty
    assert wanted("补充医保是从哪一天开始正式实施的")[0] == "date"
    kind, pattern = wanted("在青岛办护照大概要多久才能拿到")
    assert kind == "duration" and pattern.search("7个工作日内办结") and not pattern.search("出入境管理部门受理申请")
    kind, pattern = wanted("青岛开发区在山东省内排名如何")
    assert kind == "ordinal" and pattern.search("在省内列第一")


def test_an_address_is_a_street_or_a_chain_of_places_not_an_office_name():
    kind, pattern = wanted("青岛开发区管委的办公地址在哪儿")
    assert kind == "address"
    assert not pattern.search("青岛开发区管委《念好“五字经”》在列")
    assert pattern.search("位于香山路8号") and pattern.search("中国四川省成都市北部新都区")
    # a word that merely starts and ends with 区 is no chain of places
    assert not pattern.search("成为区域社区卫生服务体系的组成部分") and not pattern.search("市北区将全区划分为1188个责任网格")
    assert pattern.search("地址在山东省青岛市市北区辽宁路街道")
    assert wanted("这个车站位于哪里") is None  # where it lies, not its address: a region answers


def test_a_deadline_needs_a_text_that_says_when_something_is_due():
    kind, pattern = wanted("申报截止日期是哪天")
    assert kind == "deadline" and pattern.search("请于3月1日前报送申报材料") and pattern.search("截止时间为5月31日")
    assert not pattern.search("1月17日记者采访获悉，本市评选出2016年度创新工作案例")


def test_a_comparison_needs_a_comparing_text_and_a_payment_must_be_named():
    from bot.rules.named import paid_items

    kind, pattern = wanted("李沧和市北两个区的案例谁的得分更高")
    assert kind == "comparison" and pattern.search("李沧的得分比市北高3分") and pattern.search("在省内列第一")
    assert not pattern.search("市北区将全区划分为1188个责任网格")
    assert paid_items("获奖的单位有奖金吗？奖金是多少") == ("奖金",)
    assert paid_items("网格员的工资是多少") == ("工资",)
    assert paid_items("奖金怎么发放") == ()  # asks how, not how much


def test_how_many_is_not_answered_by_a_date_or_by_what_the_question_states():
    from bot.rules.qtype import holds

    want = wanted("这次一共评出来多少个创新案例")
    assert want[0] == "number"
    assert not holds(want, "1月17日记者采访获悉，本市评选出2016年度全市政府系统创新工作案例", "多少个创新案例")
    assert holds(want, "有3个功能区管理机构的案例获奖", "多少个创新案例")
    assert not holds(want, "数据中心于8点开放", "多少个") and holds(want, "数十家企业", "多少个")
    # 十区市 counts districts: it answers a question about them, not one about cases
    assert not holds(want, "十区市均有入选，另有政府部门等获奖", "这次一共评出来多少个创新案例")
    assert holds(want, "十区市均有入选", "多少个区市入选") and holds(want, "大犬齿2颗", "有多少颗大犬齿")
    assert wanted("评委是按照哪几条标准打分的") is None  # which ones, not how many
    question = "除了十区市，还有几个功能区的案例获奖"
    assert not holds(wanted(question), "十区市均有入选", question)  # the question's own 十 answers nothing
    assert holds(wanted(question), "有3个功能区管理机构", question)
    when = "2016年的评选结果是什么时候公布的"
    assert not holds(wanted(when), "本市评选出2016年度创新案例", when) and holds(wanted(when), "1月17日获悉", when)


def test_rates_terms_and_time_spent_in_citizens_words():
    assert wanted("4号线PPP项目收益率多少")[0] == "ratio"
    assert not wanted("4号线PPP项目收益率多少")[1].search("收益率及合作期限均取得较大突破")
    assert wanted("粮食作物占全省多少比例")[1].search("约占四分之三")
    assert wanted("合作期限是多少年")[0] == "duration"
    assert wanted("这几年开发区引进了多少人才")[0] != "duration"  # 这几年 sets the time, asks nothing of it
    assert wanted("他在学校仅花费多少时间即毕业")[0] != "money"
    assert wanted("只需要花多少时间")[0] != "money" and wanted("要花多少钱")[0] == "money"


def test_english_questions_ask_for_kinds_too():
    assert wanted("Private clinics make up about 70% of Licang's centres. True?")[0] == "ratio"  # a share to check
    assert wanted("Which website can residents visit to read the cases?")[0] == "site"  # a named site answers
    assert wanted("李沧区是靠什么方式把私人资金拉进社区医疗的") is None  # how it was done, not how much money
    assert wanted("授信额度一共有多大") is None and wanted("转型发展区一共有多大")[0] == "area"  # money is no land
    assert wanted("What is the website address of the district?")[0] == "url"
    assert wanted("What rate of return was agreed for the Metro Line 4 PPP deal?")[0] == "ratio"
    assert wanted("What is the phone number of the grid management office?")[0] == "phone"
    assert wanted("How much social capital did the Line 4 project bring in?")[0] == "money"
    assert wanted("On what date did the reporter learn about the results?")[0] == "date"
    assert wanted("Who set up the panel?") is None


def test_which_company_what_time_and_which_road_ask_for_one():
    kind, pattern = wanted("4号线引入的社会资本是哪家公司出的")
    assert kind == "company" and wanted("Which private investors put the money in?")[0] == "company"
    assert not pattern.search("再次成功为4号线引入社会资本42.32亿元，收益率及合作期限均取得较大突破")
    assert pattern.search("东日本旅客铁道经营") and pattern.search("由SEGA推出") and pattern.search("武汉铁路局管辖")
    kind, pattern = wanted("What are the opening hours of the clinics?")
    assert kind == "time" and wanted("社区医院几点开门")[0] == "time"
    assert pattern.search("每天8:00至17:00开诊") and pattern.search("上午接诊") and not pattern.search("民营机构56家")
    kind, pattern = wanted("区级信息数据中心在哪条路上")
    assert kind == "road" and pattern.search("位于宁夏路288号") and not pattern.search("为企业量身打造智能发展路径")
    assert not pattern.search("市北区将全区划分为1188个责任网格") and not pattern.search("各街道办事处")


def test_a_measurement_answers_no_count_of_things_and_a_fare_rule_names_the_fare():
    from bot.rules.named import paid_items
    from bot.rules.qtype import holds

    question = "这次一共评出了多少个创新案例"
    assert not holds(wanted(question), "选划52.8平方公里的转型发展区", question)  # an area, not a number of cases
    assert holds(wanted("评出了多少个案例"), "有3个功能区管理机构的案例获奖", "评出了多少个案例")  # no total asked
    assert holds(wanted("投入了多少资金"), "投入1.8亿元专项资金", "投入了多少资金")  # no measure word asked
    gdp = "即墨市2016年GDP是多少"
    assert not holds(wanted(gdp), "抢抓“中国制造2025”等机遇", gdp)  # a year-like figure names, it does not count
    assert holds(wanted(gdp), "全年实现GDP 1090亿元", gdp) and holds(wanted(gdp), "GDP为12016，", gdp)
    assert paid_items("青岛地铁票价怎么算") == ("票价",) and paid_items("门票贵不贵") == ("门票",)
    assert paid_items("奖金怎么发放") == ()


def test_a_rank_named_in_the_question_must_be_ranked_in_the_text_and_a_company_is_not_a_word_part():
    from bot.rules.ranks import rank_named, stated_ranks

    assert stated_ranks("即墨的案例是不是这次评选的第一名") == ("第一名",)
    assert not rank_named("第一名", "即墨市政府的《发展“互联网+制造”》案例介绍")
    assert rank_named("第一名", "完成了在省内列第一") and rank_named("第五名", "排名第5") and rank_named("冠军", "居榜首")
    assert stated_ranks("开发区在省内排第几") == ()
    company = wanted("商保主导的补充医保是哪家保险公司承保的")[1]
    assert not company.search("商保主导的团体和个人补充医保") and not company.search("优化产业布局")
    assert company.search("由武汉铁路局管辖") and company.search("江南造船厂")
    assert not company.search("市人社局针对重特大疾病患者设计了三种模式")  # a bureau is no company


def test_a_total_of_things_is_a_count_of_those_things():
    from bot.rules.qtype import holds

    question = "这次一共评出了多少个创新案例"
    assert not holds(wanted(question), "有3个功能区管理机构的创新工作案例此次也一同获奖", question)  # 3 zones' cases
    assert holds(wanted(question), "共评出30个创新案例", question)
    grids = "市北区一共划分了多少个责任网格"
    assert holds(wanted(grids), "全区划分为1188个责任网格", grids)
    assert holds(wanted("民营机构一共有多少家"), "民营机构56家", "民营机构一共有多少家")
    kinds = "补充医疗保险一共分成几种类型"
    assert holds(wanted(kinds), "设计了三种模式", kinds)  # 类型 is a word for kinds, not a thing to repeat
    winners = "功能区跟重点项目那些单位，一共几个获奖的"  # winners are counted, whatever they are
    assert holds(wanted(winners), "有3个功能区管理机构、重点项目协调推进机构的创新工作案例此次也一同获奖", winners)
    subset = "功能区管理机构这次共有几个案例获奖"  # the count of the things the question names
    assert holds(wanted(subset), "有3个功能区管理机构的创新工作案例此次也一同获奖", subset)


def test_a_superlative_needs_a_ranking_text_and_who_was_first_a_text_that_says_so():
    kind, pattern = wanted("十个区市里面哪个区的创新案例得分最高？")
    assert kind == "comparison"
    assert not pattern.search("即墨市在全国县域率先提出创建示范市")  # first to act is no top score
    assert pattern.search("在省内列第一") and pattern.search("规模仅次于工业") and pattern.search("按范围由大到小分为三级")
    kind, pattern = wanted("哪个区最早提出互联网+制造")
    assert kind == "first" and pattern.search("在全国县域率先提出") and not pattern.search("即墨市提出创建示范市")


def test_contact_details_asked_for_as_a_favour_and_a_fee_by_its_name():
    from bot.rules.named import paid_items

    assert wanted("民营社区卫生服务中心的电话和地址能告诉我吗")[0] == "phone"
    assert wanted("把热线号码发我一下")[0] == "phone"
    assert wanted("高新区给引进的院士发多少安家费？")[0] == "money"
    assert paid_items("高新区给引进的院士发多少安家费？") == ("安家费",)
    assert paid_items("补充医保一年要交多少保费") == ("保费",)
    assert paid_items("投入了多少经费") == () and wanted("要花费多少时间")[0] != "money"  # spending, not a fee


def test_a_change_a_price_gap_a_route_and_weekend_hours_ask_for_them():
    kind, pattern = wanted("网格化系统上线后，群众诉求的平均处置时间缩短了多少？")
    assert kind == "change" and pattern.search("平均处置时间由3天缩短至1天") and pattern.search("同比增长12%")
    assert not pattern.search("催生经济增长新动能") and not pattern.search("市北区将全区划分为1188个责任网格")
    kind, pattern = wanted("李沧的民营社区医院看病比公立医院便宜多少？")
    assert kind == "comparison" and not pattern.search("民营机构56家，占92%") and pattern.search("比公立医院低30%")
    kind, pattern = wanted("4号线从哪到哪，经不经过李村？")
    assert kind == "route" and pattern.search("起于青岛站，止于大河东站") and not pattern.search("为4号线引入社会资本")
    assert wanted("李沧哪个社区卫生服务站周末也开门？")[0] == "time"
    assert wanted("市北区网格化系统的建设总投入是多少？")[0] == "money"
    assert wanted("三项标准在评分中各占多大权重？")[0] == "ratio"
    assert wanted("港汇指数的加权比重如何制定？") is None  # how it is set, not how large


def test_how_many_of_a_group_the_question_names_is_answered_by_all_of_them():
    want = wanted("十个区市里面有几个有案例入选的")
    assert holds(want, "本市评选出创新工作案例，十区市均有入选。", "十个区市里面有几个有案例入选的")
    assert not holds(want, "本市评选出创新工作案例，十区市有入选。", "十个区市里面有几个有案例入选的")
    assert not holds(wanted("一共有几个区入选"), "十区市均有入选。", "一共有几个区入选")  # no group named: a count
    # The group typed with a space before "how many"; "都有…还是只有几个" asks whether all of them did.
    assert holds(wanted("十区市 有几个入选了？"), "十区市均有入选。", "十区市 有几个入选了？")
    assert holds(wanted("十个区市都有上榜么 还是只有几个"), "十区市均有入选。", "十个区市都有上榜么 还是只有几个")
    assert not holds(wanted("十个区市都有上榜么 还是只有几个"), "十区市有入选。", "十个区市都有上榜么 还是只有几个")


def test_a_requirement_and_an_exact_position_ask_for_them():
    kind, pattern = wanted("高新区那个千人计划创业示范基地，入驻要满足什么条件？")
    assert kind == "requirement" and pattern.search("申请人须年满18周岁") and pattern.search("符合条件的企业均可申请")
    assert not pattern.search("仅“十三五”期间，即需资金约1845亿元")  # needing money is no requirement
    assert not pattern.search("获批建设“千人计划”创业示范基地等国家级人才基地4个")
    assert wanted("2011年华南理工大学法学院获批了什么资格？") is None  # granted, not required
    kind, pattern = wanted("开发区那52.8平方公里转型发展区具体在哪 四至范围是")
    assert kind == "position" and pattern.search("位于黄岛区东部") and pattern.search("东至前湾港路，西至江山路")
    text = "在转型发展上青岛开发区也力求创新，选划52.8平方公里的转型发展区，作为示范平台。"
    assert not holds((kind, pattern), text, "52.8平方公里的转型发展区具体在哪块")
    assert wanted("开发区嗰转型发展区，具体喺边个位置？")[0] == "position"  # Cantonese
    assert wanted("市民具体在哪里可以查阅汇编？") is None  # where to do something, not where a thing is


def test_which_year_a_name_carries_and_comparisons_in_shoppers_words():
    kind, pattern = wanted("那个即墨是赶上了啥机遇来着中国制造几几年那个")
    assert kind == "year" and pattern.search("抢抓“中国制造2025”等机遇")
    assert wanted("即墨的意见是哪一年出台的")[0] == "date"
    assert not wanted("即墨的意见是哪一年出台的")[1].search("抢抓“中国制造2025”等机遇")  # a name is no date
    assert wanted("李沧61家社区卫生机构里 哪家民营的看病最便宜")[0] == "comparison"
    assert wanted("Are private community clinics in Licang cheaper than the public ones?")[0] == "comparison"
    assert wanted("How does the High-tech Zone's talent funding compare with Shenzhen's?")[0] == "comparison"
    assert wanted("Were more than 4000 talents brought in?") is None


def test_an_app_named_in_the_question_is_no_company_and_a_park_is_a_position():
    kind, pattern = wanted("“在市北”app是哪家公司开发的？")
    assert kind == "company" and not holds((kind, pattern), "开发“在市北”APP和微信公众号", "“在市北”app是哪家公司开发的？")
    assert holds((kind, pattern), "由SEGA开发", "这款游戏是哪家公司开发的？")
    kind, pattern = wanted("千人计划创业示范基地设在哪个园区？")
    assert kind == "position" and pattern.search("基地设在青岛软件园") and not pattern.search("获批建设创业示范基地")


def test_a_total_whose_thing_comes_before_the_count_needs_a_count_of_it():
    question = "请问2016年度全市政府系统创新工作案例最终一共评选出了多少个？"
    want = wanted(question)
    assert not holds(want, "有3个功能区管理机构、重点项目协调推进机构的创新工作案例此次也一同获奖。", question)
    assert holds(want, "本市共评选出创新工作案例15个。", question)
    region = "国家层级认可的人才基地，高新区一共拿下几个？"  # 高新区 has them: no thing before 一共
    assert holds(wanted(region), "获批建设“千人计划”创业示范基地等国家级人才基地4个", region)
    career = "罗利马整个足球生涯中一共为列斯联上阵多少场？"  # 生涯中 frames the count
    assert holds(wanted(career), "整个足球生涯一共为列斯联上阵703场，攻入238球", career)
    plain = "到底一共有多少个？"  # no thing named: any count answers
    assert holds(wanted(plain), "有3个功能区管理机构获奖。", plain)


def test_where_each_one_is_asks_for_a_position_and_a_share_far_from_its_question_word_is_a_part():
    from bot.rules.counted import asked_parts

    kind, pattern = wanted("李沧那56家民营社区卫生服务机构分别在什么地方？")
    assert kind == "position" and pattern.search("两个站厅分别位于路口南北两侧")
    assert asked_parts("李沧区民营社区卫生服务机构的门诊量占全区社区门诊总量的比例是多少？") == ("门诊量",)


def test_a_documents_or_programmes_name_is_in_title_marks_or_quotes_and_english_spending_is_money():
    kind, pattern = wanted("即墨出台的政策文件叫什么？")
    assert kind == "title" and pattern.search("出台《支持互联网工业发展的意见》") and not pattern.search("出台了政策")
    assert not pattern.search("打造“智能发展”路径")  # a document is named in title marks, not in quotes
    assert wanted("即墨搞互联网加制造，出了个啥文件？")[0] == "title"
    assert wanted("即墨那边抓住的国家制造业大规划叫个啥名？")[1].search("抢抓“中国制造2025”等机遇")
    assert wanted("即墨 政策文件 名称")[0] == "title" and wanted("这个政策好不好") is None
    kind, pattern = wanted("How much does the district spend each year on buying services?")
    assert kind == "money" and pattern.search("投入1.8亿元") and not pattern.search("民营机构56家")


def test_which_day_wants_a_day_not_a_year():
    kind, pattern = wanted("党的十九大是哪天开？")
    assert kind == "date" and not pattern.search("2017年，本市全市政府系统将认真学习借鉴")
    assert pattern.search("1月17日记者采访获悉") and pattern.search("十月廿一，入松亭关") and pattern.search("七月初十")
    assert wanted("这是哪一年的案例")[1].search("2016年度")  # a year asked: a year answers


def test_a_trailing_particle_is_no_thing_counted():
    q = "高新区扶持的高端人才项目一共多少个来着？"
    text = "投入1.8亿元专项资金重点培育高端人才项目245个，获批建设4个国家级人才基地。"
    assert holds(wanted(q), text, q)


def test_a_count_of_things_is_no_amount_of_money_a_price_is():
    assert wanted("高新区拿1.8亿元专项资金重点培育了多少个高端人才项目")[0] != "money"
    assert wanted("拿1.8亿元资金建了多少个项目")[0] == "number"
    assert wanted("地铁4号线总投资多少")[0] == "money"
    assert wanted("补充医保每人每年交多少钱")[0] == "money"
    assert wanted("这笔资金有多少万元")[0] == "money"


def test_one_item_at_most_is_a_rate_a_total_does_not_give():
    rate = asks_rate("1.8亿专项资金里，单个人才项目最高能拿到多少扶持？")
    assert rate and not rate.search("高新区设立1.8亿元专项资金，重点培育高端人才项目245个")
    assert rate.search("单个项目最高资助500万元")


def test_a_line_number_is_no_day():
    want = wanted("《金融合作协议》是哪一天签订的？")
    assert not holds(want, "与19家金融机构签署协议，4号线引入社会资本。", "《金融合作协议》是哪一天签订的？")
    assert holds(want, "协议于3月4号签署。", "《金融合作协议》是哪一天签订的？")


def test_which_of_several_is_no_count_and_a_credit_pool_is_money_not_land():
    assert wanted("2016年青岛政府系统大力实施的几个“+”行动包括哪些？") is None  # which they are
    assert wanted("市人社局设计了几种补充医保模式？")[0] == "number"
    assert wanted("金融机构事先答应给的授信盘子总共有多大？") is None  # not an area
    assert wanted("转型发展区有多大？")[0] == "area"
