"""The reading model's training loop: whole-question batches and the loss over a question's excerpts."""
import random

import pytest

from bot.read.examples import Example, fact_span
from bot.read.train import batches, listwise_loss, runs_of

torch = pytest.importorskip("torch")


def _question(group: str, answering: int | None, n: int = 4) -> list[Example]:
    return [Example(f"{group}问", "", f"{group}摘录{k}" * (k + 1), int(k == answering), group=group)
            for k in range(n)]


def test_whole_question_batches_never_split_a_questions_excerpts():
    pairs = [p for g in range(30) for p in _question(f"q{g}", g % 4 if g % 3 else None, 3 + g % 4)]
    got = batches(pairs, 16, random.Random(1), whole=True)
    assert sorted((p.group, p.text) for b in got for p in b) == sorted((p.group, p.text) for p in pairs)
    seen: dict[str, int] = {}
    for i, b in enumerate(got):
        for p in b:
            assert seen.setdefault(p.group, i) == i  # every excerpt of a question is in the same batch
        assert len(b) >= 16 or i == len(got) - 1 or len(b) + 6 >= 16


def test_a_repeated_set_is_a_run_of_its_own():
    one = _question("q1", 0)
    assert [len(r) for r in runs_of(one + one)] == [4, 4]


def test_the_listwise_loss_rewards_the_answering_excerpt_and_none_for_an_unanswerable_question():
    answerable = _question("a", 2, 3)
    right = listwise_loss(torch.tensor([-2.0, -1.0, 3.0]), answerable)
    wrong = listwise_loss(torch.tensor([3.0, -1.0, -2.0]), answerable)
    assert right < 0.1 < wrong
    unanswerable = _question("u", None, 3)
    quiet = listwise_loss(torch.tensor([-4.0, -3.0, -5.0]), unanswerable)
    loud = listwise_loss(torch.tensor([2.0, -3.0, -5.0]), unanswerable)
    assert quiet < 0.1 < loud
    both = listwise_loss(torch.tensor([-2.0, -1.0, 3.0, 2.0, -3.0, -5.0]), answerable + unanswerable)
    assert both == pytest.approx((right + loud) / 2)


def test_the_listwise_loss_has_gradients_for_every_excerpt():
    logit = torch.tensor([0.5, 0.2, -0.1], requires_grad=True)
    listwise_loss(logit, _question("a", 1, 3)).backward()
    assert logit.grad[1] < 0 < logit.grad[0] and logit.grad[2] > 0


def test_a_span_covers_every_expected_fact_when_they_sit_together():
    text = "劳动者解除劳动合同，应当以书面形式提前三十日通知用人单位。"
    start, end = fact_span(text, ["提前三十日", "书面形式"])
    assert text[start:end] == "书面形式提前三十日"


def test_a_span_falls_back_to_the_first_fact_when_the_facts_are_far_apart():
    text = "试用期最长不得超过六个月。" + "中间的话" * 10 + "劳动合同期限三个月以上的，可以约定试用期。"
    start, end = fact_span(text, ["六个月", "三个月以上"])
    assert text[start:end] == "六个月"


def test_a_span_of_one_fact_among_alternatives_is_the_fact_the_text_holds():
    text = "由县级以上人民政府负责。"
    start, end = fact_span(text, ["国务院", "县级以上人民政府"])
    assert text[start:end] == "县级以上人民政府"
