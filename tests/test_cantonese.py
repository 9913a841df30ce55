"""Written Cantonese read as Mandarin before search (bot.understand.cantonese), through the question clean-up."""
from bot.understand.cantonese import to_mandarin
from bot.understand.normalize import prepare


def test_cantonese_words_become_mandarin_and_the_reply_stays_traditional():
    p = prepare("入選嘅十區市分別係邊十個？", 1000)
    assert p.text == "入选的十区市分别是哪十个？" and p.script == "hant"
    assert prepare("港澳居民喺青島工作，可唔可以參加嗰個補充醫保？", 1000).text == "港澳居民在青岛工作，可不可以参加那个补充医保？"
    assert prepare("呢次評選總共有幾多個案例獲獎？", 1000).text == "这次评选总共有多少个案例获奖？"
    assert to_mandarin("市北区啲网格巡治员月薪大概几多？") == "市北区些网格巡治员月薪大概多少？"
    assert to_mandarin("补充医保系边一年开始实施嘅？") == "补充医保是哪一年开始实施的？"  # 边一年, 边年: which year


def test_mandarin_is_left_as_it_is_and_common_words_keep_系():
    for text in ("市北区的网格化系统有哪些部门联合办公", "这个问题跟体系有关系吗", "评选结果呢？系统里查得到吗"):
        assert to_mandarin(text) == text
    assert to_mandarin("关系到体系嘅问题") == "关系到体系的问题"  # Cantonese, but 关系 and 体系 are not 是
