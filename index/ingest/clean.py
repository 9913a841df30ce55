"""Turn scraped text into clean Simplified Chinese: pinyin glosses, script, width, glued headings, byline (pure)."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from index.errors import require

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
# A parenthesised pinyin syllable (tone marks, ü, or a trailing tone digit) right after a Han character.
_PINYIN_GROUP = re.compile(
    f"([{CJK}])\\(([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{{1,7}}[1-5]?)\\)")
_TONE_DIGIT = {"ā": "a1", "á": "a2", "ǎ": "a3", "à": "a4", "ē": "e1", "é": "e2", "ě": "e3", "è": "e4",
               "ī": "i1", "í": "i2", "ǐ": "i3", "ì": "i4", "ō": "o1", "ó": "o2", "ǒ": "o3", "ò": "o4",
               "ū": "u1", "ú": "u2", "ǔ": "u3", "ù": "u4", "ǖ": "v1", "ǘ": "v2", "ǚ": "v3", "ǜ": "v4",
               "ü": "v0", "ń": "n2", "ň": "n3", "ǹ": "n4", "ḿ": "m2"}
# Full-width punctuation is kept as it is; only letters, digits and compatibility forms are folded.
_KEEP_WIDE = set("，。！？；：（）【】《》、“”‘’「」『』〈〉…—～·　")
_ASCII_TO_WIDE = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_BYLINE = re.compile(r"^[?？\s]*(?P<who>(?:[\u4e00-\u9fff]{0,6}(?:记者|通讯员|通讯员|特约记者))(?:[\s:：]*[\u4e00-\u9fff·]{2,4})"
                     r"(?:[\s、，,]+(?:记者|通讯员)?[\s:：]*[\u4e00-\u9fff·]{2,4})*)\s*$")
_EDITOR = re.compile(r"[\[【(（]\s*(?:责任)?编辑\s*[:：]?\s*(?P<name>[^\]】)）]{1,20}?)\s*[\]】)）]\s*$")
_SENTENCE_END = "。！？!?…"
# A web page's furniture, scraped with its text: 下载 / 打印 / 【字号：加大 还原 减小】 / 分享到 / 返回顶部 ...
_CHROME = re.compile(r"^(?:[【\[]?\s*(?:下载|打印|全屏|收藏|关闭|分享(?:到)?|字号[:：]?|加大|减小|还原|默认|大|中|小|"
                     r"返回顶部|返回|打印本页|关闭窗口|扫一扫|微信|微博|上一篇|下一篇)\s*[】\]]?\s*)+$|^[【】\[\]]$")


@dataclass(frozen=True)
class Cleaned:
    """A cleaned document.

    Attributes:
        text: Simplified text; paragraphs separated by "\n"; headings are their own paragraphs.
        original: the same text in the document's own script (equal to text for Simplified documents).
        headings: the paragraph strings that are headings.
        meta: byline, reporter, editor found in the text.
        traditional: whether the received text was in Traditional characters.
    """

    text: str
    original: str
    headings: frozenset[str] = frozenset()
    meta: dict = field(default_factory=dict)
    traditional: bool = False


@functools.lru_cache(maxsize=4)
def _converter(config: str):
    opencc = require("opencc", "opencc")
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Args: text: any Chinese text. Returns: it in Simplified characters (OpenCC t2s)."""
    # Taiwan and Hong Kong write 甚麼 for 什么; t2s keeps the 甚, and 甚么 is no word in Simplified text.
    return _converter("t2s").convert(text).replace("甚么", "什么") if text else text


def to_traditional(text: str) -> str:
    """Args: text: Simplified text. Returns: it in Traditional characters (OpenCC s2t)."""
    return _converter("s2t").convert(text) if text else text


def is_traditional(text: str) -> bool:
    """Whether a text is written in Traditional characters.

    Args:
        text: the text.

    Returns:
        True when more of its characters change under Traditional->Simplified than the reverse.
    """
    han = "".join(_CJK_RE.findall(text))
    if not han:
        return False
    t2s, s2t = to_simplified(han), to_traditional(han)
    n_trad = sum(a != b for a, b in zip(han, t2s)) if len(t2s) == len(han) else int(t2s != han)
    n_simp = sum(a != b for a, b in zip(han, s2t)) if len(s2t) == len(han) else int(s2t != han)
    return n_trad > n_simp


def _toneless(syllable: str) -> str:
    out, tone = [], ""
    for ch in syllable.lower():
        if ch in _TONE_DIGIT:
            base, t = _TONE_DIGIT[ch]
            out.append(base)
            tone = t if t != "0" else tone
        elif ch.isdigit():
            tone = ch
        else:
            out.append(ch)
    return "".join(out).replace("u:", "v"), tone


@functools.lru_cache(maxsize=8192)
def _readings(char: str) -> frozenset[str]:
    pypinyin = require("pypinyin")
    readings = pypinyin.pinyin(char, style=pypinyin.Style.TONE, heteronym=True)[0]
    simp = to_simplified(char)
    if simp != char:
        readings += pypinyin.pinyin(simp, style=pypinyin.Style.TONE, heteronym=True)[0]
    return frozenset(readings)


def is_reading(char: str, syllable: str) -> bool:
    """Whether a pinyin syllable is a reading of a Han character (heteronyms included).

    Args:
        char: one Han character (Simplified or Traditional).
        syllable: pinyin with tone marks ("píng") or a tone digit ("ping2"); a missing tone matches any tone.

    Returns:
        True when pypinyin lists that reading for the character.
    """
    base, tone = _toneless(syllable)
    for reading in _readings(char):
        r_base, r_tone = _toneless(reading)
        if r_base == base and (not tone or not r_tone or r_tone == tone):
            return True
    return False


def strip_pinyin(text: str) -> str:
    """Remove pinyin glosses such as 評(píng)選 -> 評選, keeping parentheses that are not a reading of the character before.

    Args:
        text: the text.

    Returns:
        The text without glosses.
    """
    return _PINYIN_GROUP.sub(lambda m: m.group(1) if is_reading(m.group(1), m.group(2)) else m.group(0), text)


def fold_width(text: str) -> str:
    """NFKC-fold full-width letters, digits and compatibility forms; keep Chinese punctuation.

    Args:
        text: the text.

    Returns:
        The folded text.
    """
    chars = []
    for ch in text:
        if ch in _KEEP_WIDE:
            chars.append(ch)
        else:
            chars.append(unicodedata.normalize("NFKC", ch))
    return "".join(chars)


def widen_punctuation(text: str) -> str:
    """ASCII punctuation between Chinese characters becomes full-width, as a Chinese reader expects.

    Args:
        text: the text.

    Returns:
        The text with "评选,十区市" written "评选，十区市"; numbers such as 1,000 are untouched.
    """
    # "评选,十区市" -> "评选，十区市": only between Han characters/closing marks, never inside numbers like 1,000.
    return re.sub(f"(?<=[{CJK}”》）」0-9%])([,;:?!])(?=[{CJK}“《（「])|(?<=[{CJK}”》）」])([,;:?!])(?=[0-9])",
                  lambda m: _ASCII_TO_WIDE[m.group(1) or m.group(2)], text)


def _split_glued_heading(line: str) -> tuple[str, str] | None:
    """Find a short heading glued in front of a paragraph by a single space (a scraping artefact)."""
    depth = 0
    limit = min(len(line), 40)
    for i, ch in enumerate(line[:limit]):
        if ch in "《“(（「":
            depth += 1
        elif ch in "》”)）」":
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END:
            return None
        elif ch in " \u3000" and depth == 0 and i >= 6:
            head, rest = line[:i].strip(), line[i + 1:].strip()
            han_ratio = len(_CJK_RE.findall(head)) / max(1, len(head))
            if (head and rest and han_ratio > 0.6 and _CJK_RE.match(rest[0])
                    and _CJK_RE.search(line[i - 1]) and len(rest) > len(head)):
                return head, rest
            return None
    return None


def _is_heading(line: str) -> bool:
    """A short standalone line without sentence-ending punctuation, or a Markdown heading."""
    if line.startswith("#"):
        return True
    return 2 <= len(line) <= 30 and line[-1] not in _SENTENCE_END + "，,；;：:" and bool(_CJK_RE.search(line))


def clean_text(text: str) -> str:
    """Normalise one piece of text (a question or a line): NFKC width, pinyin glosses, Simplified, spaces.

    Args:
        text: raw text.

    Returns:
        Clean Simplified text on one line.
    """
    text = widen_punctuation(strip_pinyin(fold_width(text)))
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\ufeff]", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return to_simplified(text)


def clean_document(raw: str) -> Cleaned:
    """Clean a whole scraped document.

    Args:
        raw: decoded text as received.

    Returns:
        The Cleaned document: Simplified text, the same in the original script, headings and metadata.
    """
    meta: dict = {}
    traditional = is_traditional(raw)
    orig_paras: list[str] = []
    headings_orig: list[str] = []
    lines = [ln for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    for raw_line in lines:
        line = widen_punctuation(strip_pinyin(fold_width(raw_line)))
        line = re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\ufeff]", "", line)
        if "\t" in line.strip():  # a table row (Word, a web page): its cells stay apart
            cells = [re.sub(r"\s+", " ", c).strip() for c in line.strip().split("\t")]
            if any(cells):
                orig_paras.append("\t".join(cells))
            continue
        line = re.sub(r"[ \t]+", " ", line).strip()
        if not line or _CHROME.match(line):
            continue
        simp = to_simplified(line)
        if (m := _EDITOR.search(simp)) is not None:
            meta["editor"] = m.group("name").strip()
            line = line[:m.start()].strip() if len(to_simplified(line[:m.start()])) == m.start() else ""
            if not line:
                continue
            simp = to_simplified(line)
        if not orig_paras and (m := _BYLINE.match(simp)) is not None:
            meta["byline"] = re.sub(r"\s+", " ", m.group("who")).strip()
            reporter = re.search(r"记者[\s:：]*([\u4e00-\u9fff·]{2,4})", meta["byline"])
            if reporter:
                meta["reporter"] = reporter.group(1)
            continue
        if line.startswith("#"):
            line = line.lstrip("#").strip()
            headings_orig.append(line)
            orig_paras.append(line)
            continue
        split = _split_glued_heading(line)
        if split:
            headings_orig.append(split[0])
            orig_paras.extend(split)
        else:
            if _is_heading(line):
                headings_orig.append(line)
            orig_paras.append(line)
    original = "\n".join(orig_paras)
    simplified = to_simplified(original)
    headings = frozenset(to_simplified(h) for h in headings_orig)
    return Cleaned(text=simplified, original=original if traditional else simplified,
                   headings=headings, meta=meta, traditional=traditional)
