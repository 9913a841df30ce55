"""Questions about the report itself are answered from its metadata, and only those."""
import pytest

from bot.about import asked_fields, reply

SEED = {"title": "青岛市评选出2016年度全市政府系统创新工作案例", "source": "半岛都市报", "date": "2017-01-17",
        "reporter": "李晓哲", "editor": "刘晓明"}


@pytest.mark.parametrize("question,fields", [
    ("这篇报道是哪家报纸发的，记者叫什么？", ["source", "reporter"]),
    ("這篇報導是哪位記者寫的", ["reporter"]),  # Taiwan writes 報導; the question arrives in Simplified
    ("这篇新闻的编辑是谁", ["editor"]),
    ("Which newspaper ran this story, and on what date?", ["source", "date"]),
    ("Which reporter wrote this news article?", ["reporter"]),
    ("这篇关于创新案例的报道是哪家报纸登的，哪天发的？", ["source", "date"]),
    # The date alone is the text's to answer (1月17日记者采访获悉), with the date in the citation.
    ("这个评选的消息是哪天出来的？", []),
    ("记者是几月几号采访到这个消息的？", []),  # when the reporter learnt it, not who the reporter is
    ("《红楼梦》的作者是谁？", []),  # a book the text names, not this report
    ("这篇报道的记者电话是多少？", []),  # more than the metadata can hold
    ("李沧区的案例是哪个单位报的？", []),
])
def test_asked_fields(question, fields):
    from index.ingest.clean import to_simplified

    assert asked_fields(to_simplified(question)) == fields


def test_reply_gives_the_recorded_facts_and_says_what_is_not_recorded():
    text, answered = reply(SEED, ["source", "reporter"])
    assert answered and all(x in text for x in ("半岛都市报", "李晓哲", "刘晓明", "2017-01-17", SEED["title"]))
    text, answered = reply({"title": "某文件", "source": "市政府网站"}, ["source", "reporter"])
    assert answered and "市政府网站" in text and "没有记载这篇报道的记者" in text
    text, answered = reply({"title": "某文件"}, ["reporter"])
    assert not answered and "没有记载这篇报道的记者" in text
