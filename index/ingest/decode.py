"""Bytes of a text document -> str: BOMs, strict UTF-8, GB18030/GBK, Big5, then charset-normalizer."""
from __future__ import annotations

import codecs

_BOMS = (
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY = ("gb18030", "big5")
_SAMPLE_CHARS = 20_000
# Below this share of plausible characters a strict decode is taken for a wrong guess.
_MIN_PLAUSIBLE = 0.5


class UndecodableText(ValueError):
    """The bytes are not text in any encoding this module knows; str(exc) says why."""


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a text document.

    Why the scoring: Big5 bytes are almost always *valid* GB18030 too (its byte ranges are a subset), so
    "the first codec that does not fail" would read every Big5 file as GB18030 nonsense (kana, private-use
    and rare characters). Both legacy readings are therefore scored by how much of the result is ordinary
    Chinese text, and GB18030 wins ties because government files are far more often GBK.

    Args:
        data: the raw bytes (not empty).

    Returns:
        (text, encoding name) with a leading BOM removed.

    Raises:
        UndecodableText: NUL bytes without a UTF-16/32 BOM (a binary file), or no encoding fits.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise UndecodableText(f"starts with a {codec} byte-order mark but is not valid {codec} ({exc.reason})")
    if b"\x00" in data:
        raise UndecodableText("contains NUL bytes: this is a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is not None and best[0] >= _MIN_PLAUSIBLE:
        return best[1], best[2]
    guessed = _charset_normalizer(data)
    if guessed is not None:
        return guessed
    raise UndecodableText("cannot be decoded as text (tried UTF-8, GB18030/GBK, Big5 and charset detection)")


def plausibility(text: str) -> float:
    """Share of the (sampled) non-space characters that ordinary Chinese or Latin text is made of.

    Args:
        text: decoded text.

    Returns:
        A number from 0 to 1; about 0.95+ for real Chinese documents, far lower for a wrong codec.
    """
    sample = [ch for ch in text[:_SAMPLE_CHARS] if not ch.isspace()]
    if not sample:
        return 1.0
    return sum(1 for ch in sample if _ordinary(ch)) / len(sample)


def _ordinary(ch: str) -> bool:
    code = ord(ch)
    if code < 0x7F:
        return code >= 0x20
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x2027:
        return True  # CJK and full-width punctuation, dashes, quotes, ellipsis
    if 0x4E00 <= code <= 0x9FFF:
        return _common_hanzi(ch)
    return False


def _common_hanzi(ch: str) -> bool:
    # "Common" = in GB2312 (6,763 Simplified hanzi) or in Big5's frequent-character block A440-C67E
    # (5,401 Traditional hanzi). A wrong-codec reading lands mostly outside both.
    try:
        if ch.encode("gb2312")[0] >= 0xB0:
            return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA440 <= int.from_bytes(ch.encode("big5")[:2], "big") <= 0xC67E
    except UnicodeEncodeError:
        return False


def _charset_normalizer(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: the strict codecs above cover the usual cases
        return None
    match = from_bytes(data).best()
    if match is None or match.encoding is None:
        return None
    text = str(match)
    if plausibility(text) < _MIN_PLAUSIBLE:
        return None
    return text, match.encoding
