"""Numbering tokens at the start of a heading ("第一部分", "一、", "（一）", "1.", "(1)", "①").

:func:`parse_numbering` finds the token and its value; the scheme key, not
the separator, names a list ("一、" and "二." belong to one list, as do "1."
"1、" and "1．").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "TRAILING_COLON",
    "Numbering",
    "chinese_numeral_value",
    "clean_title",
    "heading_start",
    "parse_numbering",
]


_CN_DIGITS = "〇零一二三四五六七八九十百两"
_CN_NUM = f"[{_CN_DIGITS}]+"

# A decimal point is not a list separator ("2.5万元"), except before a year:
# "5.2021年度干部考核经费绩效目标表" is item 5.
_NOT_DECIMAL = r"(?!(?!\d{4}年)\d)"

# (scheme key, pattern, strong), tried in order at the start of the line.
# Group "num" is the number; the whole match is the numbering token. Strong
# schemes ("第一部分") are headings even when the title is wordy ("第六部分
# 政府采购预算情况：无"). The scheme key, not the separator, defines a level:
# "一、" and "二." belong to one list, as do "1." "1、" and "1．".
_SCHEMES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    # 第一部分 / 第2部分
    ("part", re.compile(rf"第(?P<num>{_CN_NUM}|\d{{1,2}})部分"), True),
    # 第一章
    ("chapter", re.compile(rf"第(?P<num>{_CN_NUM}|\d{{1,2}})章"), True),
    # 一、 二. 三．
    ("cn", re.compile(rf"(?P<num>{_CN_NUM})\s*[、.．]"), False),
    # （一） (一)
    ("paren_cn", re.compile(rf"[（(]\s*(?P<num>{_CN_NUM})\s*[）)]"), False),
    # 1. 1、 1． "1 ." ２．
    ("arabic", re.compile(rf"(?P<num>\d{{1,2}})\s*[.．、]{_NOT_DECIMAL}"), False),
    # (1) （1）
    ("paren_arabic", re.compile(r"[（(]\s*(?P<num>\d{1,2})\s*[）)]"), False),
    # ① … ⑳
    ("circled", re.compile(r"(?P<num>[①-⑳])"), False),
)

# A label ending with a colon ("总体绩效目标：").
TRAILING_COLON = re.compile(r"\s*[:：]\s*$")

# Markdown list marker left by PDF conversion ("- 1. 部门预算收支总表").
_BULLET = re.compile(r"^\s*(?:[-*•·]\s+)?")

# Page numbers after leader dots or a wide gap in a contents entry.
_PAGE_NOISE = re.compile(r"(?:\s*[.·…]{2,}\s*|\s{2,})\d{1,3}\s*$")

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Numbering:
    """The numbering token at the start of a line and the text after it."""

    scheme: str
    value: int
    token: str
    title: str
    strong: bool


def chinese_numeral_value(text: str) -> int:
    """Value of a Chinese numeral up to the hundreds ("三十四" -> 34, "十" -> 10)."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2})
    total, current = 0, 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _numeral_value(text: str) -> int:
    """Value of an Arabic (ASCII or full-width), Chinese or circled numeral."""
    if "①" <= text <= "⑳":
        return ord(text) - ord("①") + 1
    if text.isdecimal():
        return int(text)
    return chinese_numeral_value(text)


def heading_start(line: str) -> int:
    """Index in ``line`` where a heading's number (or text) starts.

    Indentation and a markdown "- " bullet are skipped.
    """
    match = _BULLET.match(line)
    return match.end() if match else 0


def parse_numbering(line: str) -> Numbering | None:
    """Parse the numbering token at the start of ``line``.

    Leading spaces and a markdown "- " bullet are skipped. Returns ``None``
    when the line does not start with a known numbering scheme.
    """
    start = heading_start(line)
    for scheme, pattern, strong in _SCHEMES:
        match = pattern.match(line, start)
        if match:
            return Numbering(
                scheme=scheme,
                value=_numeral_value(match.group("num")),
                token=_WHITESPACE.sub("", match.group(0)),
                title=clean_title(line[match.end() :]),
                strong=strong,
            )
    return None


def clean_title(text: str) -> str:
    """Heading text without page-number noise, surrounding space or a trailing colon."""
    text = _PAGE_NOISE.sub("", text).strip()
    return TRAILING_COLON.sub("", text).strip()
