"""Details asked beyond the topic: a road, a part of a stated sum, a slogan's parts must be given by the text."""
from bot.rules.unsaid import parts_unsaid, road_unnamed, share_unstated, unsaid


def test_which_road_needs_a_road_named():
    area = "选划52.8平方公里的转型发展区，作为率先转型升级、创新发展示范平台，探索发展路径。"
    assert road_unnamed("52.8平方公里的转型发展区具体在哪几条路之间？", area)  # 路径 is a way, not a road
    assert not road_unnamed("转型发展区在哪几条路之间？", "东至长江路、西至江山路。")
    assert not road_unnamed("哪几路公交车在余杭站北侧始发？", "余杭站北侧有472路、763路始发。")
    assert not road_unnamed("转型发展区有多大？", area)  # no road asked
    assert not road_unnamed("九龙巴士32B线曾受到哪些线路交通的竞争？", "本线受到多线公共及专线小巴的竞争。")  # a line
    assert not road_unnamed("修地铁缺钱，他们想了个什么新路子去借钱？", "创新采用“一揽子授信”模式。")  # a way of doing it


CREDIT = ("创新采用“一揽子授信”模式，与19家金融机构签署《金融合作协议》，成功获得预授信额度超3000亿元，涵盖贷款、保险债权、"
          "融资租赁和社会资本合作等多个维度，尤其在政府与社会资本合作方面，再次成功为4号线引入社会资本42.32亿元。")


def test_a_part_listed_without_an_amount_is_not_answered():
    assert share_unstated("3000多亿预授信里，融资租赁占了多少？", CREDIT)
    assert share_unstated("超3000亿元的预授信里，贷款额度具体占多少？", CREDIT)
    assert share_unstated("地铁那3000多亿预授信里，目前实际放款到位了多少？", CREDIT)  # 放款 is not there at all


def test_a_part_with_its_own_amount_is_answered_and_other_questions_pass():
    assert not share_unstated("3000亿预授信里，社会资本合作有多少", CREDIT)  # 社会资本42.32亿元
    assert not share_unstated("预授信额度是多少？", CREDIT)  # no part of a stated sum asked
    assert not share_unstated("2010年人口普查中共有多少人？", "2010年人口普查共有24,672人。")  # a year, not a sum

DOC = ("大力实施“国际化+”“互联网+”行动，加快“三中心一基地”建设。"
       "青岛开发区在工作方法上创新，提出了“准”“透”“细”“实”“快”的“五字经”工作法。")


def test_a_slogan_only_named_has_not_said_its_parts():
    assert parts_unsaid("“三中心一基地”具体是指哪三个中心？", DOC)
    assert parts_unsaid("“三中心一基地”是什么意思？", DOC)


def test_parts_listed_or_defined_and_other_questions_pass():
    assert not parts_unsaid("开发区那个“五字经”到底是哪五个字啊？", DOC)  # listed right before it
    assert not parts_unsaid("“三中心一基地”具体是指哪三个中心？", DOC + "“三中心一基地”即国际航运中心、国际贸易中心。")
    assert not parts_unsaid("“三中心一基地”建设进展如何？", DOC)  # its parts not asked
    assert not parts_unsaid("“两骏”是哪个朝代的文物？", DOC)  # not in the document: other checks refuse


def test_unsaid_names_the_reason():
    assert unsaid("转型发展区具体在哪几条路之间？", "选划52.8平方公里的转型发展区。", "") == "no_road"
    assert unsaid("3000多亿预授信里，融资租赁占了多少？", CREDIT, CREDIT.lower()) == "no_share"
    assert unsaid("“三中心一基地”是什么意思？", "加快建设。", DOC) == "no_parts"
    assert unsaid("预授信额度是多少？", CREDIT, CREDIT.lower()) is None


def test_which_drugs_needs_a_drug_or_disease_named():
    from bot.rules.unsaid import drug_unnamed

    text = "重点解决重特大疾病患者使用价格昂贵、疗效精准、临床必需药品和耗材产生的巨大经济压力，缓解有病不敢医、有药不敢用。"
    assert drug_unnamed("哪些抗癌药被纳入了补充医保的报销范围？", text)
    assert drug_unnamed("补充医保说的重特大疾病具体包括哪些病种？", text)
    assert not drug_unnamed("男性的脱发问题可以由什么药物处理？", "非那雄胺可用于治疗男性脱发。")
    assert not drug_unnamed("卡特被证实罹患了哪一种疾病？", "卡特被证实罹患肝癌。")
    assert not drug_unnamed("榅桲的果实有什么药用价值？", "可以治疗肠虚、水泻。")  # a use, not a drug


def test_a_numbered_things_total_needs_its_own_cost():
    from bot.rules.unsaid import total_unsaid

    assert total_unsaid("4号线总共要投多少钱？", CREDIT)  # only social capital brought in for it
    assert total_unsaid("我听说4号线总投资才200亿左右，是这样吗？", CREDIT)
    assert not total_unsaid("4号线总投资是多少？", "地铁4号线总投资约261亿元。")
    assert not total_unsaid("青岛轨道交通远期规划总投资是多少？", "本市远期规划轨道交通总投资4000亿元。")  # no number
