"""Citizens' words for what official text says otherwise (看病 -> 就医, 钱 -> 资金), from thesaurus.txt."""
from __future__ import annotations

import functools
from pathlib import Path

DEFAULT = Path(__file__).with_name("thesaurus.txt")


def parse(text: str) -> dict[str, tuple[str, ...]]:
    """Read thesaurus groups.

    Args:
        text: one group a line, words separated by whitespace; "#" starts a comment line.

    Returns:
        word -> the other words of every group it belongs to, in file order.
    """
    out: dict[str, dict[str, None]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        group = list(dict.fromkeys(w.lower() for w in line.split()))
        for word in group:
            alts = out.setdefault(word, {})
            alts.update((w, None) for w in group if w != word)
    return {w: tuple(alts) for w, alts in out.items() if alts}


@functools.lru_cache(maxsize=4)
def load(path: str = str(DEFAULT)) -> dict[str, tuple[str, ...]]:
    """Args: path: a thesaurus file (default: the one shipped beside this module). Returns: as parse()."""
    return parse(Path(path).read_text(encoding="utf-8"))
