"""Calibrating the answer-or-refuse decision on measured questions (pure: synthetic measurements)."""
import random

from bench.calibrate import accuracy, cross_validate, fit, short_answers
from bot.read.decide import FEATURES


def _records(n=120, seed=0):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        answerable = i % 3 != 0
        right = answerable and rng.random() < 0.8
        # what separates them: the model's logit (with noise), not the passage's rank
        f = {k: rng.gauss(0, 1) for k in FEATURES}
        f["logit"] = (2.0 if right else -2.0) + rng.gauss(0, 0.7)
        out.append({"set": f"s{i % 4}", "id": f"q{i:03d}", "answerable": answerable, "right": right, "features": f})
    return out


def test_the_fitted_decision_answers_what_is_right_and_refuses_the_rest():
    records = _records()
    d = fit(records)
    assert d.weights["logit"] > 0 and abs(d.weights["logit"]) > max(abs(w) for k, w in d.weights.items()
                                                                      if k != "logit")
    probs = [d.probability(r["features"]) for r in records]
    answers, refusals = accuracy(records, probs, d.threshold)
    reachable = sum(r["right"] for r in records) / sum(r["answerable"] for r in records)
    assert answers >= reachable - 0.05 and refusals >= 0.95
    held = cross_validate(records)  # each set scored by a decision fit on the other three
    assert held[0] >= reachable - 0.1 and held[1] >= 0.9


def test_leave_one_set_out_scores_each_set_with_a_decision_that_never_saw_it():
    records = _records()
    for r in records:  # one set's questions read the other way round: only a decision fit on it could follow them
        if r["set"] == "s0":
            r["features"] = {**r["features"], "logit": -r["features"]["logit"]}
    fitted = fit(records)
    held = cross_validate(records)
    probs = [fitted.probability(r["features"]) for r in records]
    assert held[0] + held[1] < sum(accuracy(records, probs, fitted.threshold))


def test_accuracy_counts_an_answered_wrong_answer_as_wrong():
    records = [{"answerable": True, "right": False, "features": {}}, {"answerable": True, "right": True, "features": {}},
               {"answerable": False, "right": False, "features": {}}]
    assert accuracy(records, [0.9, 0.9, 0.9], 0.5) == (0.5, 0.0)
    assert accuracy(records, [0.1, 0.9, 0.1], 0.5) == (0.5, 1.0)


def test_the_short_answer_report_counts_spans_shown_and_right_among_right_answers():
    records = [{"right": True, "span_score": 9.0, "span_right": True},
               {"right": True, "span_score": 5.0, "span_right": False},
               {"right": True, "span_score": 1.0, "span_right": False},
               {"right": False, "span_score": 12.0, "span_right": False}]  # a wrong answer shows nothing first
    low, mid, high = short_answers(records, (0.0, 4.0, 8.0))
    assert (low["shown"], low["span_right"]) == (1.0, 0.333)
    assert (mid["shown"], mid["span_right"], mid["n"]) == (0.667, 0.5, 2)
    assert (high["shown"], high["span_right"]) == (0.333, 1.0)
