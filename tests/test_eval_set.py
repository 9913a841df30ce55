"""The evaluation question set: well formed, enough of each kind, expected facts quoted verbatim from the seed article."""
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from index.ingest.clean import clean_document, is_traditional, to_traditional

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
HOLDOUT = ROOT / "tests" / "eval" / "holdout.jsonl"  # written later, after the thesaurus and glossary: a second check
# Written by people who had read the article and nothing else of the project (tests/eval/README.md)
BLIND = [ROOT / "tests" / "eval" / f"blind{n}.jsonl" for n in range(1, 76)]
SEED = ROOT / "corpus" / "000_6ec06563744fe9af.txt"
MIN_KINDS = {"fact": 15, "paraphrase": 12, "colloquial": 10, "traditional": 10, "keyword": 8, "noisy": 8,
             "english": 6, "case": 6, "unanswerable": 20}
FIELDS = {"id": str, "kind": str, "question": str, "answerable": bool, "expect": list, "expect_any": bool,
          "note": str}


def _read(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"line {n} is blank"
        out.append(json.loads(line))
    return out


@pytest.fixture(scope="module", params=[QUESTIONS, HOLDOUT, *BLIND], ids=["questions", "holdout", *(p.stem for p in BLIND)])
def rows(request):
    return _read(request.param)


@pytest.fixture(scope="module")
def quotable():
    """The seed article's quotable paragraphs (headings are not passages), Simplified, s2t and as received."""
    doc = clean_document(SEED.read_text(encoding="utf-8"))
    pairs = [(s, o) for s, o in zip(doc.text.split("\n"), doc.original.split("\n")) if s not in doc.headings]
    # A question about the report itself is answered from its metadata: the byline's reporter and editor, and the
    # sidecar's title, source and date.
    side = json.loads(SEED.with_suffix(".meta.json").read_text(encoding="utf-8"))
    about = "，".join([side["title"], side["source"], side["date"], doc.meta["reporter"], doc.meta["editor"]])
    simplified = [s for s, _ in pairs] + [about]
    return {"hans": simplified, "s2t": [to_traditional(s) for s in simplified], "orig": [o for _, o in pairs]}


def _found(fact: str, paragraphs: list[str]) -> bool:
    return any(fact.lower() in p.lower() for p in paragraphs)


def test_rows_have_the_fields_and_types(rows):
    for row in rows:
        assert set(row) - {"grown"} == set(FIELDS), row.get("id")
        if "grown" in row:  # how the question stands once the growth test's distractors are indexed
            assert set(row["grown"]) == {"answerable", "expect", "expect_any", "note"}, row["id"]
            assert row["grown"]["answerable"] == bool(row["grown"]["expect"]), row["id"]
        for key, typ in FIELDS.items():
            assert isinstance(row[key], typ), (row["id"], key)
        assert row["question"].strip(), row["id"]
        assert all(isinstance(f, str) for f in row["expect"]), row["id"]


def test_ids_are_unique_and_well_formed(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), [i for i, c in Counter(ids).items() if c > 1]
    assert all(re.fullmatch(r"q\d{3}|[a-z]{1,2}\d{2}", i) for i in ids)
    assert all(i.startswith(ids[0][0]) for i in ids)


def test_enough_questions_of_every_kind():
    rows = _read(QUESTIONS)
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == set(MIN_KINDS), set(kinds) ^ set(MIN_KINDS)
    short = {k: (kinds[k], n) for k, n in MIN_KINDS.items() if kinds[k] < n}
    assert not short, short
    assert len(rows) >= 90


def test_unanswerable_questions_expect_nothing(rows):
    for row in rows:
        if row["kind"] == "unanswerable" or not row["answerable"]:
            assert row["kind"] == "unanswerable" and not row["answerable"], row["id"]
            assert row["expect"] == [] and row["expect_any"] is False, row["id"]


def test_answerable_questions_expect_short_facts(rows):
    for row in (r for r in rows if r["answerable"]):
        assert row["expect"], row["id"]
        assert len(set(row["expect"])) == len(row["expect"]), row["id"]
        # One character is too weak a check alone; several that must all appear (the five of a 五字经) are not.
        several_chars = not row["expect_any"] and len(row["expect"]) >= 3 and all(len(f) == 1 for f in row["expect"])
        assert several_chars or all(2 <= len(f) <= 16 for f in row["expect"]), (row["id"], row["expect"])
        if row["expect_any"]:
            assert len(row["expect"]) > 1, row["id"]


def test_question_scripts_match_their_kind(rows):
    for row in rows:
        if row["kind"] == "traditional":
            assert is_traditional(row["question"]), row["id"]
        if row["kind"] == "english":
            assert not re.search(r"[\u3400-\u9fff]", row["question"]), row["id"]


def test_expected_facts_are_quoted_verbatim_in_the_reply_script(rows, quotable):
    """A Simplified reply quotes the cleaned text; a Traditional reply quotes its s2t form or the text as received,
    and a fact written in Simplified is found in it in either script (bot.evaluate.judge)."""
    missing = []
    for row in (r for r in rows if r["answerable"]):
        hant = is_traditional(row["question"])
        for fact in row["expect"]:
            # The reply quotes the received Traditional text where it lines up with the cleaned text (the seed's
            # does), else the s2t form: a fact in either can be quoted (個性化定制 is received, s2t writes 定製).
            in_hant = _found(fact, quotable["s2t"]) or _found(fact, quotable["orig"]) or (
                not is_traditional(fact) and _found(fact, quotable["hans"]))
            ok = in_hant if hant else _found(fact, quotable["hans"])
            if not ok:
                missing.append((row["id"], "hant" if hant else "hans", fact))
    assert not missing, missing


def test_a_fact_written_in_simplified_is_found_in_an_answer_given_in_traditional():
    from bot.evaluate import judge

    row = {"id": "r29", "kind": "traditional", "question": "市北區把全區劃成多少個責任網格？", "answerable": True,
           "expect": ["1188个"], "expect_any": False}
    assert judge(row, {"answered": True, "answer": "市北區將全區劃分為1188個責任網格"})
    assert judge(row, {"answered": True, "answer": "市北区将全区划分为1188个责任网格"})
    assert not judge(row, {"answered": True, "answer": "配備800余名網格巡治員"})
    assert not judge(row, {"answered": False, "answer": "抱歉"})


NEW = sorted((ROOT / "tests" / "eval").glob("*/*.jsonl"))  # docs/, held/, sealed/, train/
NEW_FIELDS = {**FIELDS, "where": str, "doc": str}


@pytest.mark.parametrize("path", NEW, ids=[f"{p.parent.name}/{p.stem}" for p in NEW])
def test_sets_about_other_documents_are_well_formed(path):
    rows = _read(path)
    assert len(rows) == 60 and sum(r["answerable"] for r in rows) == 40
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    for row in rows:
        assert set(row) == set(NEW_FIELDS), row["id"]
        assert all(isinstance(row[k], t) for k, t in NEW_FIELDS.items()), row["id"]
        assert row["answerable"] == bool(row["expect"]), row["id"]
        assert all(isinstance(f, str) and f for f in row["expect"]), row["id"]


def test_every_set_about_other_documents_is_in_its_manifest_and_names_documents_that_exist():
    import tomllib

    named = set()
    for manifest in (ROOT / "tests" / "eval" / "docs" / "sets.toml", ROOT / "tests" / "eval" / "train" / "sets.toml"):
        spec = tomllib.loads(manifest.read_text(encoding="utf-8"))
        for s in spec["set"]:
            named.add((ROOT / "tests" / "eval" / s["file"]).resolve())
        documents = [d["file"] for d in spec.get("document", [])] + [d for s in spec["set"]
                                                                     for d in s.get("documents", [])]
        data = ROOT.parent / "shared" / "data"
        if data.is_dir():
            assert all((data / d).is_file() for d in documents)
    assert {p.resolve() for p in NEW} == named
    # the reader never trains on a document an evaluation set is about
    evaluated = {d["file"] for d in tomllib.loads((ROOT / "tests" / "eval" / "docs" / "sets.toml").read_text())["document"]}
    trained = {d for s in tomllib.loads((ROOT / "tests" / "eval" / "train" / "sets.toml").read_text())["set"]
               for d in s["documents"]}
    assert not evaluated & trained
