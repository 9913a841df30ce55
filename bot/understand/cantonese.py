"""Written Cantonese (嘅, 喺, 幾多, 邊個) read as Mandarin, so a Hong Kong question is searched and judged as one."""
from __future__ import annotations

import re

# Characters only Cantonese writes: their presence says the question is Cantonese (Simplified by now: OpenCC
# turns 嗰 into 𠮶).
_MARKERS = re.compile(r"[嘅喺嗰𠮶咗冇啲咩嚟唔佢哋睇搵畀乜]|几多|边(?:个|间|度|位|啲)|系咪|而家")
_WORDS = (("几多", "多少"), ("点样", "怎样"), ("而家", "现在"), ("边度", "哪里"), ("边个", "哪个"), ("边间", "哪家"),
          ("边位", "哪位"), ("乜嘢", "什么"), ("咩嘢", "什么"), ("咁样", "这样"), ("可唔可以", "可不可以"),
          ("得唔得", "行不行"), ("系咪", "是不是"), ("系唔系", "是不是"), ("佢哋", "他们"), ("冇", "没有"))
_CHARS = str.maketrans({"嘅": "的", "喺": "在", "嗰": "那", "𠮶": "那", "咗": "了", "啲": "些", "咩": "什么", "嚟": "来", "唔": "不",
                        "佢": "他", "哋": "们", "睇": "看", "搵": "找", "畀": "给", "乜": "什么"})
_WHICH = re.compile(r"边(?=[一二三四五六七八九十几两\d]+[个间家位条项年天日]|年|日|天|处|种|类)")  # 边十个, 边一年
_THIS = re.compile(r"呢(?=次|个|度|些|项|份|间|条|位)")  # 呢次 -> 这次 (Mandarin's 呢 ends a question)
# 係 (Simplified 系) is 是 in Cantonese, but 系 in 系统, 体系, 关系 stays.
_IS = re.compile(r"(?<![体关联派院水直谱世])系(?![统列数])")


def to_mandarin(text: str) -> str:
    """Read a Simplified question written in Cantonese as Mandarin (a Mandarin question is returned as it is).

    Args:
        text: the Simplified question.

    Returns:
        The question with Cantonese words replaced by their Mandarin ones (入选嘅十区市分别系边十个 -> 入选的十区市
        分别是哪十个).
    """
    if not _MARKERS.search(text):
        return text
    for cantonese, mandarin in _WORDS:
        text = text.replace(cantonese, mandarin)
    text = _THIS.sub("这", _WHICH.sub("哪", text)).translate(_CHARS)
    return _IS.sub("是", text)
