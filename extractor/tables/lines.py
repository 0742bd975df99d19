"""Line predicates shared by the table readers."""

from __future__ import annotations

import re

# A short line starting like a heading: 第一部分, 一、, （一）, 1. 1、, (1), ①.
HEADING_LIKE = re.compile(
    r"^\s*(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[、.．]|[①-⑳])"
)

# Endings of a table's title line ("1.车辆保险费绩效目标表").
CAPTION_SUFFIXES = ("目标表", "指标表", "绩效表")


def is_cell_line(line: str) -> bool:
    """One cell of a TAB-per-line table: a single leading TAB and no other TAB."""
    return line.startswith("\t") and "\t" not in line[1:]


def is_row_line(line: str) -> bool:
    """A whole row of TAB-separated cells (PDF layout): a TAB after the first character."""
    return "\t" in line[1:] and bool(line.replace("\t", "").strip() or line.count("\t") > 1)
