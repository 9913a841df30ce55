"""A part of a sum the question states must have its own amount in the text."""
from bot.shares import share_unstated

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
