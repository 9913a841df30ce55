"""Named things: the action, post, papers, payment, bank or rank a question names must be named by its answer too."""
from bot.rules.named import (asked_actions, asked_events, asked_organisations, asked_papers, asked_roles, guessed_names,
                       paid_items)
from bot.rules.ranks import stated_ranks


def test_a_how_or_where_question_names_the_action_it_asks_about():
    assert asked_actions("社保卡丢了去哪里补办") == ("补办",)
    assert asked_actions("网格巡治员怎么报名") == ("报名",)
    assert asked_actions("李沧区的民营医院看病能报销多少") == ("报销",)  # an amount of the action
    assert asked_actions("报销的医院有哪些") == ()  # names the action, asks neither how nor how much
    assert asked_actions("市北区有什么创新做法") == ()
    assert asked_actions("网格巡治员是怎么招聘的") == ("招聘",)  # hiring is a procedure the text must name
    assert asked_actions("现在招人吗？简历投到哪里") == ("招人", "简历")
    assert asked_actions("那个示范服务平台现在招应届生吗？") == ("招聘",)  # whether they hire: the text must say
    assert asked_actions("补充医保能报销吗") == ("报销",)


def test_who_holds_a_post_asks_for_that_post():
    assert asked_roles("这次评审组的组长是谁") == ("组长",)
    assert asked_roles("高新区的负责人叫什么名字") == ("负责人",)
    assert asked_roles("评审组由哪些人组成") == ()  # no post named
    assert asked_roles("组长负责什么工作") == ()  # names the post, asks what it does
    assert asked_roles("评审组的组长是哪一位？") == ("组长",)


def test_which_banks_or_hospital_asks_for_one_by_name_and_a_download_is_an_action():

    assert asked_organisations("那19家金融机构具体都是哪些银行") == ("银行",)
    assert asked_organisations("去哪家医院看病能报销") == ("医院",)
    assert asked_organisations("社会资本是哪家公司投的") == ()  # 九巴 names a company without the word
    assert asked_actions("“在市北”APP在哪儿下载") == ("下载",)
    assert asked_actions("李沧区哪里可以办居住证") == ("办理",)  # getting a card or permit issued is 办理 it
    assert asked_actions("地铁办在哪") == ()


def test_a_rank_is_found_however_the_text_writes_its_number():
    from bot.rules.ranks import rank_named

    assert rank_named("第十名", "位列第10") and rank_named("第十名", "排名第十")
    assert not rank_named("第十名", "排名第1位")  # 十 is 10, not the 1 of a ten-character zip


def test_which_leader_is_any_post_and_papers_or_a_window_must_be_named():
    leader = asked_roles("那个“五字经”工作法是哪位领导提出来的？")
    assert "领导" in leader and "局长" in leader and "总统" in leader  # any post or head of state names one
    assert asked_roles("北方政策是由谁领导推动的") == ()  # who led it: a name answers
    assert asked_papers("我想给我妈办补充医保，要带什么去哪个窗口办？")[:2] == ("材料", "证件")
    assert asked_papers("新屋顶由什么材料制成") == ()  # what it is made of, not papers to bring
    assert asked_organisations("我想给我妈办补充医保，要带什么去哪个窗口办？") == ("窗口",)


def test_a_guessed_place_a_subdistrict_and_a_price_rise_must_be_named():
    assert stated_ranks("听说开发区在全国考核里排第三，是真的吗？") == ("第三名",)
    assert stated_ranks("以哪一种语言为母语的人口排名第一？") == ()  # which ranks first: asked, not guessed
    assert asked_organisations("转型发展区具体在哪几个街道？") == ("街道",)
    assert paid_items("地铁以后票价会不会涨？") == ("票价",)
    assert paid_items("高新区人才特区是不是给每个人才100万安家费？") == ("安家费",)  # a yes/no guess at a payment
    assert paid_items("安家费怎么申请") == ()  # how to apply: the procedure check reads that


def test_a_yes_no_guess_names_an_organisation_by_its_distinctive_part():
    assert guessed_names("补充医保是不是由平安保险公司承办的？") == ("平安",)
    assert guessed_names("是不是海尔公司牵头的平台") == ("海尔",)
    assert guessed_names("商保主导的补充医保是哪家保险公司承保的？") == ()  # asks which, guesses none
    assert guessed_names("这家公司是不是国企") == () and guessed_names("有没有银行参与") == ()
    assert asked_actions("我想在李沧开一家民营社区卫生服务站，要办哪些审批手续？") == ("审批",)
    assert paid_items("听说这次每个获奖单位奖励50万元，是真的吗？") == ("奖励",)


def test_the_day_of_an_event_and_a_benefit_by_kind_name_what_the_text_must_name():
    assert asked_events("这次创新案例的颁奖仪式是在哪天举行的？") == ("颁奖", "仪式")
    assert asked_events("颁奖仪式在哪里举行") == ("颁奖", "仪式")  # where, as when: a city named is no venue
    assert asked_events("评选结果什么时候公布的") == ()
    assert paid_items("高新区引进的人才，子女上学能享受什么优惠政策？") == ("优惠政策",)
    assert paid_items("开发区考核拿了省内第一，省里给了企业什么税收优惠没有？") == ("税收优惠",)
    assert paid_items("政府有哪些政策支持互联网工业") == ()


def test_english_which_banks_name_banks():
    assert asked_organisations("Which banks are among the 19 financial institutions that signed?") == ("银行",)
    assert asked_organisations("Which hospital can I go to?") == ("医院",)
    assert asked_organisations("Which financial institutions signed?") == ()


def test_the_commander_and_factory_hiring_are_named_things():
    assert asked_roles("市地铁工程建设指挥部的总指挥是谁？") == ("总指挥",)
    assert asked_actions("即墨那些智慧工厂现在招普工吗？") == ("招聘",)


def test_a_place_asked_nationally_is_not_answered_by_a_place_in_the_province():
    from bot.rules.qtype import wanted
    from bot.rules.ranks import ranked_elsewhere

    text = "青岛开发区从三个方面实施改革创新，完成了在省内列第一、在全国保持前列的“蝶变”。"
    assert ranked_elsewhere("青岛开发区在全国考核中具体排名第几？", text)
    assert ranked_elsewhere("exactly what rank did the zone get nationally?", text)
    q = "what exact national rank did the qingdao development zone get in the evaluation?"
    assert wanted(q)[0] == "ordinal" and ranked_elsewhere(q, text)
    assert not ranked_elsewhere("青岛开发区在省内排第几？", text)  # the scope it gives
    assert not ranked_elsewhere("华硕个人电脑销量全球第几?", "华硕是2015年销量第四的个人电脑供应商。")  # no scope given
    assert not ranked_elsewhere("青岛开发区排第几？", text)  # no scope asked


def test_which_body_by_name_needs_a_name_not_a_kind():
    from bot.rules.proper import asks_proper_name, names_proper

    assert asks_proper_name("承担第三方独立评审的具体是哪家机构？")
    assert asks_proper_name("负责评审的第三方机构具体是哪一家？")
    assert asks_proper_name("评审组里的学者来自哪几所大学？")
    assert asks_proper_name("which company developed the app?")
    assert not asks_proper_name("那些机构有几个案例也得奖了")  # a pointer, not a question
    assert not asks_proper_name("重点项目里得奖的是哪个单位？")  # a unit answers by its kind (指挥部)
    kinds = "此次评选采取第三方独立评审，由人大代表、政协委员、高等院校和研究机构学者等组成的评审组。"
    assert not names_proper(kinds)
    assert names_proper("搭建起由海尔、英谷、百灵等组成的示范服务平台")
    assert names_proper("评审由青岛大学承担。")


def test_which_place_in_a_ranking_is_no_count_of_people():
    from bot.rules.qtype import wanted

    assert wanted("青岛开发区在山东排第几名？")[0] == "ordinal"
    assert wanted("杜拜国际机场的旅客量位处世界第几位?")[0] == "ordinal"
    assert wanted("评审组有几名专家？")[0] == "people"


def test_a_ticket_or_a_housing_allowance_asked_must_be_named():
    assert paid_items("青岛地铁单程票最贵要多少钱？") == ("单程票",)
    assert paid_items("高新区引进人才给不给房补，给多少？") == ("房补",)  # asked A-not-A
    assert paid_items("地铁4号线总投资多少") == ()


def test_the_place_of_an_event_and_a_name_asked_colloquially_need_the_event_and_the_post():
    assert asked_events("这次创新案例的颁奖仪式是在哪里举行的？") == ("颁奖", "仪式")
    assert asked_events("协会是在哪一场会议中成立的?") == ()  # which meeting, not where
    assert asked_roles("青岛开发区管委主任叫啥名啊？") == ("主任",)


def test_a_ride_priced_is_a_fare_to_be_named():
    assert paid_items("青岛地铁坐一站要多少钱？") == ("坐一站",)
    assert paid_items("坐地铁去市北要多久") == ()  # a time, not a price

