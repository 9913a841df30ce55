"""The answer-or-refuse decision: the best reading, its figures, a calibrated logistic model."""
import math

from bot.read.decide import FEATURES, Decision, weigh
from bot.read.excerpt import excerpt_around, shortlist
from bot.read.reader import Reading
from index.passages.windows import windows_of
from index.types import Hit, Passage
from index.words.query import Query

Q = Query(text="护照有效期几年", search_terms=("护照", "有效期"), keywords=(("护照", 2.0), ("有效期", 3.0)),
          constraints=())


def _hit(pid, sentences, score, sims):
    p = Passage(passage_id=pid, doc_id=pid.split("#")[0], doc_title="法", text="".join(sentences),
                sentences=tuple(sentences))
    return Hit(p, score, dense=0.85, lexical=0.5, coverage=0.6, windows=tuple(sims))


def test_one_excerpt_of_each_best_passage_is_read_around_its_closest_window():
    a = _hit("a#0", ["总则一句。", "护照的有效期为十年。"], 1.0, [0.70, 0.90])
    b = _hit("b#0", ["身份证的有效期为二十年。", "其他。"], 0.9, [0.88, 0.60])
    c = _hit("c#0", ["有效期很长。"], 0.5, [0.99])
    got = shortlist(Q, [a, b, c], passages=2, max_chars=12)
    assert [e.text for e, _ in got] == ["护照的有效期为十年。", "身份证的有效期为二十年。"]
    assert got[0][1] is a and got[1][1] is b  # each excerpt with the hit it came from; c's passage is not read
    wide = shortlist(Q, [a], passages=1, max_chars=150)[0][0]
    assert wide.text == "总则一句。护照的有效期为十年。" and wide.start == 0


def test_an_excerpt_grows_around_its_centre_the_following_window_first():
    p = _hit("d#0", ["一一一。", "二二二。", "三三三。", "四四四。"], 1.0, [0.5] * 4).passage
    wins = windows_of(p)
    ex = excerpt_around(wins, 1, max_chars=8)
    assert ex.text == "二二二。三三三。" and ex.start == 4 and ex.first == 1  # room for one more: the following
    ex = excerpt_around(wins, 1, max_chars=12)
    assert ex.text == "一一一。二二二。三三三。" and ex.start == 0  # then the one before, taking turns


def test_the_best_reading_carries_the_figures_the_decision_weighs():
    a = _hit("a#0", ["总则一句。", "护照的有效期为十年。"], 1.0, [0.70, 0.90])
    wins = windows_of(a.passage)
    first, second = excerpt_around(wins, 0, 5), excerpt_around(wins, 1, 10)
    got = weigh(Q, [(Reading(first, -2.0), a), (Reading(second, 3.0, (7, 9), 9.5), a)])
    assert got.reading.excerpt.text == "护照的有效期为十年。"
    assert set(got.features) == set(FEATURES)
    assert got.features["logit"] == 3.0 and got.features["margin"] == 5.0 and got.features["latin"] == 0.0
    assert got.features["span"] == 9.5
    assert got.features["rules"] == 0.0 and got.features["agree"] == 0.0  # no second opinion given
    assert weigh(Q, []) is None


def test_the_rule_engines_verdict_is_weighed_beside_the_reading():
    a = _hit("a#0", ["总则一句。", "护照的有效期为十年。"], 1.0, [0.70, 0.90])
    read = [(Reading(excerpt_around(windows_of(a.passage), 1, 10), 3.0), a)]
    agreed = weigh(Q, read, rules=(True, "a#0")).features
    assert agreed["rules"] == 1.0 and agreed["agree"] == 1.0
    elsewhere = weigh(Q, read, rules=(True, "b#3")).features
    assert elsewhere["rules"] == 1.0 and elsewhere["agree"] == 0.0


def test_a_decision_answers_above_its_threshold_and_survives_a_round_trip(tmp_path):
    zero = {k: 0.0 for k in FEATURES}
    d = Decision({"logit": 2.0, "dense": 1.0}, -1.0, zero, {k: 1.0 for k in FEATURES}, 0.6, {"sets": ["nd01"]})
    f = {**zero, "logit": 1.0, "dense": 0.5}
    assert math.isclose(d.probability(f), 1 / (1 + math.exp(-(2.0 + 0.5 - 1.0))))
    assert d.answers(f) and not d.answers({**zero, "logit": -1.0})
    d.save(tmp_path / "decision.json")
    assert Decision.load(tmp_path / "decision.json") == d
    plain = Decision.from_logit(0.5)
    assert plain.answers({**zero, "logit": 0.6}) and not plain.answers({**zero, "logit": 0.4})


def test_retrievals_order_weighs_beside_the_logit_when_choosing_the_excerpt():
    a = _hit("a#0", ["护照的有效期为十年。"], 1.0, [0.9])
    b = _hit("b#0", ["身份证的有效期为二十年。"], 0.9, [0.8])
    first = shortlist(Q, [a, b], passages=2)
    close = [(Reading(first[0][0], 2.0), a), (Reading(first[1][0], 2.5), b)]
    assert weigh(Q, close).hit is a  # half a logit does not outweigh a rank
    assert weigh(Q, close).features["top"] == 2.5
    clear = [(Reading(first[0][0], 2.0), a), (Reading(first[1][0], 3.5), b)]
    assert weigh(Q, clear).hit is b
