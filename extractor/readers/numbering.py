"""Word automatic numbering: the "一、" or "1." Word draws before a numbered paragraph.

Only what is cheap to resolve: the paragraph's (or its style's) ``w:numPr``,
the level's ``w:numFmt``, ``w:lvlText`` and ``w:start``, counted in document
order. A format we do not know is counted in decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHINESE_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (up to 99; larger in digits)."""
    if n < 10:
        return _CHINESE_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (_CHINESE_DIGITS[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """``n`` in Word's ``numFmt`` ``fmt``."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting"):
        return chinese_number(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class Numbering:
    """Levels of every ``numId`` and the running counters."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    style_num: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_docx(cls, package: Any) -> Numbering:
        try:
            root = package.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return cls()
        style_num = _style_numbering(package)
        abstract = {a.get(W + "abstractNumId"): _levels(a) for a in root.iter(W + "abstractNum")}
        levels = {}
        for num in root.iter(W + "num"):
            ref = num.find(W + "abstractNumId")
            if ref is not None:
                levels[num.get(W + "numId")] = dict(abstract.get(ref.get(W + "val"), {}))
        return cls(levels=levels, style_num=style_num)

    def prefix(self, p: Any) -> str:
        """The number Word shows before paragraph ``p`` ("一、"), or ""."""
        num_id, level = _num_pr(p, self.style_num)
        if num_id is None or num_id not in self.levels or level not in self.levels[num_id]:
            return ""
        counts = self.counters.setdefault(num_id, {})
        lvl = self.levels[num_id]
        counts[level] = counts.get(level, lvl[level].start - 1) + 1
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]
        text = lvl[level].text
        for k in range(level + 1):
            value = counts.get(k, lvl[k].start if k in lvl else 1)
            text = text.replace(f"%{k + 1}", format_number(value, lvl[k].fmt if k in lvl else "decimal"))
        return text


def _levels(abstract: Any) -> dict[int, _Level]:
    levels = {}
    for lvl in abstract.iter(W + "lvl"):
        fmt, text, start = lvl.find(W + "numFmt"), lvl.find(W + "lvlText"), lvl.find(W + "start")
        levels[int(lvl.get(W + "ilvl", "0"))] = _Level(
            fmt=fmt.get(W + "val", "decimal") if fmt is not None else "decimal",
            text=text.get(W + "val", "") if text is not None else "",
            start=int(start.get(W + "val", "1")) if start is not None else 1,
        )
    return levels


def _num_pr(p: Any, style_num: dict[str, Any]) -> tuple[str | None, int]:
    """numId and level of a paragraph, from its own properties or its style's."""
    ppr = p.find(W + "pPr")
    num_pr = ppr.find(W + "numPr") if ppr is not None else None
    if num_pr is None and ppr is not None:
        style = ppr.find(W + "pStyle")
        if style is not None:
            num_pr = style_num.get(style.get(W + "val"))
    if num_pr is None:
        return None, 0
    num_id, ilvl = num_pr.find(W + "numId"), num_pr.find(W + "ilvl")
    number = num_id.get(W + "val") if num_id is not None else None
    if number == "0":
        return None, 0
    return number, int(ilvl.get(W + "val", "0")) if ilvl is not None else 0


def _style_numbering(package: Any) -> dict[str, Any]:
    """Style id -> its ``w:numPr`` (heading styles are often numbered this way)."""
    try:
        styles = package.styles.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    found = {}
    for style in styles.iter(W + "style"):
        ppr = style.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        if num_pr is not None:
            found[style.get(W + "styleId")] = num_pr
    return found
