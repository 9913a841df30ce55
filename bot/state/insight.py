"""What citizens asked over a period, from question-log rows: counts, days, unanswered groups, 👎 answers, citations."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from typing import Callable, Sequence

import numpy as np

from index.ingest.clean import clean_text

# The cosine at or above which two unanswered questions count as one. The e5 model's cosines crowd high: rewordings
# of one question score 0.97-0.99, neighbouring topics (a lost passport, a lost ID card) 0.93, unrelated ones 0.80.
GROUP_SIMILARITY = 0.95
MAX_EXAMPLES = 3
_SPACE = re.compile(r"\s+")


def normalise(question: str) -> str:
    """Args: question: as asked. Returns: its Simplified form without punctuation, symbols or spaces, lower-cased."""
    text = clean_text(question)
    kept = [c for c in text if unicodedata.category(c)[0] not in "PSZ"]
    return _SPACE.sub("", "".join(kept)).lower()


def group_questions(questions: Sequence[str], embed: Callable[[list[str]], np.ndarray],
                    threshold: float = GROUP_SIMILARITY) -> list[dict]:
    """Group questions that mean the same: identical once normalised, then greedily by embedding cosine.

    Args:
        questions: the questions, as asked (repeats count).
        embed: texts -> L2-normalised row vectors (the service's query encoder).
        threshold: the cosine to a group's first question at which a question joins the group.

    Returns:
        Groups, most asked first: {"question": the group's most asked wording, "count", "examples": up to 3 other
        wordings}.
    """
    forms: dict[str, Counter] = {}
    for q in questions:
        key = normalise(q)
        if key:
            forms.setdefault(key, Counter())[q.strip()] += 1
    keys = sorted(forms, key=lambda k: (-sum(forms[k].values()), k))
    if not keys:
        return []
    vectors = np.asarray(embed(keys), dtype=np.float32)
    # Greedy: the most asked form founds a group; each later form joins the first group whose founder it is close to.
    founders: list[int] = []
    members: dict[int, list[int]] = {}
    for i in range(len(keys)):
        if founders:
            sims = vectors[founders] @ vectors[i]
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                members[founders[best]].append(i)
                continue
        founders.append(i)
        members[i] = [i]
    groups = []
    for f in founders:
        wordings = Counter()
        for i in members[f]:
            wordings.update(forms[keys[i]])
        ranked = [w for w, _ in wordings.most_common()]
        groups.append({"question": ranked[0], "count": sum(wordings.values()), "examples": ranked[1:1 + MAX_EXAMPLES]})
    groups.sort(key=lambda g: (-g["count"], g["question"]))
    return groups


def day_of(timestamp: float) -> str:
    """Args: timestamp: Unix seconds. Returns: its UTC date, YYYY-MM-DD."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def summarize(rows: Sequence[dict], embed: Callable[[list[str]], np.ndarray], days: Sequence[str] = (),
              top: int = 20) -> dict:
    """The period's insight, from question-log rows (SQLiteFeedbackStore.questions_between).

    Args:
        rows: log rows with time, question, answered, kind, cited, quote, down.
        embed: the query encoder, for grouping unanswered questions.
        days: the period's days (YYYY-MM-DD), so days without questions still appear.
        top: how many unanswered groups and cited documents to return at most.

    Returns:
        {"questions", "answered", "refused", "down", "unanswered": groups, "days": [{"day", "questions", "answered",
        "refused", "down"}], "down_answers": [{"time", "question", "quote", "cited"}], "cited": [{"title", "count"}]}.
    """
    per_day = {d: {"day": d, "questions": 0, "answered": 0, "refused": 0, "down": 0} for d in days}
    refused_questions, down_answers, cited = [], [], Counter()
    for row in rows:
        day = per_day.setdefault(day_of(row["time"]), {"day": day_of(row["time"]), "questions": 0, "answered": 0,
                                                       "refused": 0, "down": 0})
        day["questions"] += 1
        day["answered"] += bool(row["answered"])
        if row["kind"] == "refusal":
            day["refused"] += 1
            refused_questions.append(row["question"])
        if row.get("down"):
            day["down"] += 1
            down_answers.append({"time": row["time"], "question": row["question"], "quote": row.get("quote", ""),
                                 "cited": row.get("cited", ""), "answered": bool(row["answered"])})
        if row.get("cited"):
            cited[row["cited"]] += 1
    daily = [per_day[d] for d in sorted(per_day)]
    return {"questions": len(rows), "answered": sum(d["answered"] for d in daily),
            "refused": sum(d["refused"] for d in daily), "down": len(down_answers),
            "unanswered": group_questions(refused_questions, embed)[:top], "days": daily,
            "down_answers": sorted(down_answers, key=lambda r: -r["time"]),
            "cited": [{"title": t, "count": n} for t, n in cited.most_common(top)]}
