"""English public-administration words and the Chinese words official text uses for them, from glossary_en.txt."""
from __future__ import annotations

import functools
import re
from pathlib import Path

DEFAULT = Path(__file__).with_name("glossary_en.txt")
_WORD = re.compile(r"[a-z0-9+]+")
_ISATION = re.compile(r"(?<=\w{3})isation")  # always British; -ise may not be (promise): see base_forms
_BRITISH = {"centre": "center", "centres": "centers", "programme": "program", "programmes": "programs",
            "labour": "labor", "neighbour": "neighbor", "neighbours": "neighbors", "neighbourhood": "neighborhood",
            "favour": "favor", "behaviour": "behavior", "honour": "honor", "colour": "color", "licence": "license",
            "defence": "defense", "enrol": "enroll", "enrolment": "enrollment", "metre": "meter", "metres": "meters",
            "kilometre": "kilometer", "kilometres": "kilometers", "cheque": "check", "tyre": "tire"}
_LINE_NO = re.compile(r"\bline\s+(\d{1,2})\b")
# Words that ask rather than name (what, the name of, the date of, three of): neither translated nor counted as
# missing; the kind they ask for is bot.qtype's to check.
STOPWORDS = frozenset("""a an the of in on at to for from by with about into as and or but not no is are was were be been
being do doe did done have ha had i me my we our you your he she it its they them their this that these those there here
what which who whom whose when where why how many much long large big old often far high get got give given can could will
would shall should may might must please tell know want like any some all each every other than then so such very also
just only more most less least there s t don didn isn aren wasn weren has does roughly approximately around nearly almost
exactly actually really ever yet still take took taken whether if kind sort besides apart except try tried trying
attempt attempting itself themselves himself herself beside besides among according article say said saying
mention mentioned out up
name named called title titled date day year time number amount figure uh um er erm hmm
one two three four five six seven eight nine ten eleven twelve twenty hundred thousand dozen""".split())


def words(text: str) -> list[str]:
    """Args: text: English text. Returns: its lower-cased words, possessive 's and a plural s dropped (academies ->
    academy), British spellings in their American form (organisation -> organization, centre -> center)."""
    out = []
    for w in _WORD.findall(re.sub(r"['’]s\b", "", text.lower())):
        w = _BRITISH.get(w) or _ISATION.sub("ization", w)
        if len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 4 and w.endswith(("sses", "ches", "shes", "xes")):
            w = w[:-2]  # businesses -> business, branches -> branch
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return out


def parse(text: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Read glossary entries.

    Args:
        text: lines "english phrase = 中文 中文"; "#" starts a comment line.

    Returns:
        phrase as a tuple of words() -> its Chinese words.

    Raises:
        ValueError: a line without "=" or without words on either side (with its line number).
    """
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        english, sep, chinese = line.partition("=")
        key, values = tuple(words(english)), chinese.split()
        if not sep or not key or not values:
            raise ValueError(f"line {n}: expected 'english phrase = 中文 ...', got {line!r}")
        out[key] = tuple(dict.fromkeys(out.get(key, ()) + tuple(values)))
    return out


@functools.lru_cache(maxsize=4)
def load(path: str = str(DEFAULT)) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Args: path: a glossary file (default: the one shipped beside this module). Returns: as parse()."""
    return parse(Path(path).read_text(encoding="utf-8"))


def translate(text: str, glossary: dict[tuple[str, ...], tuple[str, ...]] | None = None, fallback: bool = False
              ) -> tuple[list[tuple[str, ...]], list[str]]:
    """The Chinese words for the phrases an English text uses, longest phrase first at each position.

    Args:
        text: an English question.
        glossary: as load() returns (default: the shipped one).
        fallback: also look words the glossary lacks up in CC-CEDICT (index/words/cedict.py).

    Returns:
        (groups, rest): one group of Chinese words a phrase, in the order the phrases occur (the first word of a
        group is its main translation, the others alternatives; "line 4" gives ("4号线",)), and the content words
        no phrase covered (stop words and numbers left out).
    """
    glossary = load() if glossary is None else glossary
    longest = max((len(k) for k in glossary), default=0)
    known = frozenset(w for phrase in glossary for w in phrase)  # ~200 phrases: cheaper than caching by identity
    ws = [_lemma(w, known) for w in words(text)]
    out: dict[tuple[str, ...], None] = {(f"{m.group(1)}号线",): None for m in _LINE_NO.finditer(text.lower())}
    rest: list[str] = []
    i = 0
    while i < len(ws):
        for size in range(min(longest, len(ws) - i), 0, -1):
            hit = glossary.get(tuple(ws[i:i + size]))
            if hit:
                out[hit] = None
                i += size
                break
        else:
            # getting, saying: an inflected stop word is one too
            if not {ws[i], *base_forms(ws[i])} & STOPWORDS and not ws[i].isdigit():
                rest.append(ws[i])
            i += 1
    if fallback:
        # Words the curated glossary lacks: CC-CEDICT's common Chinese words for them, so that a question's ordinary
        # English (designed, propose, restart) is searched and counted like its glossary words.
        from index.words.cedict import chinese_for

        found = {w: chinese_for(w) for w in rest}
        out.update((g, None) for g in found.values() if g)
        rest = [w for w in rest if not found[w]]
    return list(out), rest


def base_forms(word: str) -> list[str]:
    """Args: word: a lower-cased English word. Returns: the forms it may be inflected from, likeliest first
    (reviewed -> review, reviewe, ...; planned -> ..., plan; making -> mak, make, ...), and the American spelling
    of a British -ise (organised -> ..., organize); empty when it is neither."""
    forms = []
    if word.endswith("ed") and len(word) > 4:
        forms = [word[:-2], word[:-1]] + [word[:-3]] * (word[-3] == word[-4])  # planned -> plan; asked -/-> as
    elif word.endswith("ing") and len(word) > 5:
        forms = [word[:-3], word[:-3] + "e"] + [word[:-4]] * (word[-4] == word[-5])
    if len(word) > 5 and (m := re.search(r"is(e|ed|es|ing)$", word)):
        forms.append(word[:m.start()] + "ize")
    return forms


def _lemma(word: str, known: frozenset[str]) -> str:
    """The glossary's form of an inflected word (reviewed -> review, planned -> plan, funding -> fund), else the word."""
    if word in known:
        return word
    return next((c for c in base_forms(word) if c in known), word)


_SCALED = re.compile(r"(\d+(?:\.\d+)?)\s*(billion|million|bn)\b", re.I)


def figures(text: str) -> list[str]:
    """The figures of an English text as Chinese writes them: 4.2 billion -> 42亿, 180 million -> 1.8亿, 5 million ->
    500万; other numbers as written (24, 1.8, 92%).

    Args:
        text: the English text.

    Returns:
        The figures, in order.
    """
    out, rest = [], text
    for m in _SCALED.finditer(text):
        value = float(m.group(1)) * (10 if m.group(2).lower() in ("billion", "bn") else 0.01)  # in 亿
        out.append(f"{value:g}亿" if value >= 1 else f"{value * 10000:g}万")
        rest = rest.replace(m.group(0), " ")
    return out + re.findall(r"\d+(?:\.\d+)?%?", rest)
