"""Whether to answer: the model's reading beside the retrieval signals, weighed by a calibrated logistic model (pure)."""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.fsio import atomic_write_text
from index.types import Hit
from index.words.query import Query, coverage, missing_constraints

from bot.read.reader import Reading

FEATURES = ("logit", "top", "margin", "span", "dense", "lexical", "coverage", "excerpt_coverage", "rank", "latin", "unnamed",
            "rules", "agree")
# The rule engine's verdict on the same question is a second opinion: whether it would answer ("rules") and whether
# it would quote the passage the model chose ("agree"). With both, the decision cross-validated by set on nd01-08 went
# from 39.4 % answers right / 80.0 % refusals right (dev) and 44.4 / 76.2 % (held) to 45.0 / 75.0 and 56.2 / 78.8 %.
# Retrieval's order beside the model's logit picks the excerpt: on the dev sets the excerpt holding the answer was
# chosen for 110 of 160 questions by the logit alone, 114 by retrieval's first, 117 by the logit less one per rank.
RANK_PENALTY = 1.0
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Evidence:
    """The best reading of a question and what was measured about it."""

    reading: Reading
    hit: Hit
    features: dict[str, float]

    @property
    def excerpt_id(self) -> str:
        """The passage and sentence the evidence stands in, for the logs."""
        return f"{self.reading.excerpt.passage.passage_id}:{self.reading.excerpt.first}"


def weigh(query: Query, read: list[tuple[Reading, Hit]],
          document_of: Callable[[str], str] = lambda doc_id: "",
          rules: tuple[bool, str] = (False, "")) -> Evidence | None:
    """The excerpt the model finds likeliest to answer (its logit, less RANK_PENALTY per rank of its passage), and the
    figures the decision weighs.

    Args:
        query: the analysed query.
        read: each reading with the hit its excerpt came from.
        document_of: a document id -> its whole text (lower-cased), where the places and years the question names
            are looked for (asked for the best reading's document only).
        rules: the rule engine's verdict on the question: whether it answers, and the passage id it would quote.

    Returns:
        The Evidence, or None when nothing was read.
    """
    if not read:
        return None
    ranked = sorted(read, key=lambda x: -choice_score(x[0]))
    best, hit = ranked[0]
    second = ranked[1][0].logit if len(ranked) > 1 else best.logit - 5.0
    f = {"logit": best.logit, "top": max(r.logit for r, _ in read), "margin": best.logit - second, "span": max(-20.0, best.span_score),
         "dense": hit.dense, "lexical": hit.lexical, "coverage": hit.coverage,
         "excerpt_coverage": coverage(query, best.excerpt.text.lower()), "rank": float(best.excerpt.rank),
         "latin": 0.0 if _HAN.search(query.text) else 1.0,
         "unnamed": float(len(_unnamed(query, best.excerpt.passage, document_of(best.excerpt.passage.doc_id)))),
         "rules": float(rules[0]), "agree": float(rules[1] == best.excerpt.passage.passage_id)}
    return Evidence(best, hit, f)


def choice_score(reading: Reading) -> float:
    """Args: reading: one excerpt's reading. Returns: how it ranks among the question's readings (higher first)."""
    return reading.logit - RANK_PENALTY * reading.excerpt.rank


def _unnamed(query: Query, p, document: str) -> list[str]:
    """The places, years and numbered things the question names that its answer's document does not (2019年 of a
    report on 2025, a county it never mentions)."""
    quoted = " ".join(x for x in (p.doc_title, *p.path, p.label, p.text) if x).lower()
    return missing_constraints(query, document or quoted, quoted, p.date or "")


@dataclass(frozen=True)
class Decision:
    """A logistic model over standardised features, and the probability above which the bot answers.

    Attributes:
        weights: feature -> weight (on standardised values).
        bias: the intercept.
        mean, scale: each feature's standardisation.
        threshold: answer when the probability reaches it.
        note: how it was calibrated (sets, counts, figures).
    """

    weights: dict[str, float]
    bias: float
    mean: dict[str, float]
    scale: dict[str, float]
    threshold: float = 0.5
    note: dict = field(default_factory=dict)

    def probability(self, features: dict[str, float]) -> float:
        """Args: features: from weigh(). Returns: the probability that answering is right."""
        z = self.bias + sum(w * (features[k] - self.mean[k]) / (self.scale[k] or 1.0)
                            for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, features: dict[str, float]) -> bool:
        """Args: features: from weigh(). Returns: whether to answer."""
        return self.probability(features) >= self.threshold

    def save(self, path: Path) -> None:
        """Args: path: a JSON file to write."""
        atomic_write_text(path, json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> "Decision":
        """Args: path: a JSON file written by save(). Returns: the Decision."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_logit(cls, threshold: float = 0.0) -> "Decision":
        """Args: threshold: a logit. Returns: a Decision that answers when the model's logit reaches it (before
        calibration)."""
        zero = {k: 0.0 for k in FEATURES}
        return cls({"logit": 1.0}, -threshold, zero, {k: 1.0 for k in FEATURES}, 0.5, {"uncalibrated": True})
