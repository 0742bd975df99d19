"""Inline performance lists: "绩效指标：a；b；c" lines under an activity heading.

Each such block becomes a small table: row 0 holds the heading (the
activity), and each "key：items" line is a row whose cells are the items.
"""

from __future__ import annotations

import re

from functools import lru_cache

from extractor.datamodel import Cell, Row
from extractor.vocabulary import load_vocabulary

# Column header given to the block's heading line (what 职责活动 names in a grid).
HEADING_COLUMN = "职责活动"
_ITEM_SPLIT = re.compile(r"[；;]|(?<=。)(?=\S)")
# A heading line directly above the key lines: short, no sentence punctuation.
_MAX_HEADING = 40


@lru_cache(maxsize=1)
def _key_line() -> re.Pattern[str]:
    """"key：items" with any inline key of the vocabulary, longest first."""
    words = "|".join(re.escape(w) for w in load_vocabulary().inline_words())
    return re.compile(r"^\s*(" + words + r")\s*[：:]\s*(.*)$")


def key_of(line: str) -> tuple[str, str] | None:
    """Return (key, rest) when ``line`` is a "key：items" line of an inline block."""
    if line.startswith("\t"):
        return None
    m = _key_line().match(line)
    return (m.group(1), m.group(2)) if m else None


def key_role(key: str) -> str:
    """Column role of an inline key's items; the heading line (no key) is the activity."""
    return (load_vocabulary().inline_key(key) or "other") if key else "activity"


def split_items(text: str) -> list[str]:
    """Split "a；b；c。" into items, dropping empty ones and final punctuation."""
    items = [p.strip().rstrip("。.;；").strip() for p in _ITEM_SPLIT.split(text)]
    return [p for p in items if p]


def find_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """0-based [start, end) line spans of inline blocks (heading included)."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if key_of(lines[i]) is None:
            i += 1
            continue
        start = i
        while i < len(lines) and key_of(lines[i]) is not None:
            i += 1
        roles = {key_role(key_of(lines[k])[0]) for k in range(start, i)}  # type: ignore[index]
        if roles & load_vocabulary().inline_triggers:
            head = start - 1
            if head >= 0 and _is_heading(lines[head]):
                start = head
            spans.append((start, i))
    return spans


def _is_heading(line: str) -> bool:
    text = line.strip()
    return bool(text) and len(text) <= _MAX_HEADING and not text.endswith(("。", "；", ";")) and "\t" not in line


def build_rows(lines: list[str], start: int, end: int) -> tuple[list[Row], dict[int, str]]:
    """Rows of one block and, per row index, the key that heads it."""
    rows: list[Row] = []
    keys: dict[int, str] = {}
    for i in range(start, end):
        found = key_of(lines[i])
        if found is None:
            rows.append(Row(cells=[Cell(text=lines[i].strip(), line=i + 1, end_line=i + 1, col=0)], line=i + 1))
            continue
        key, rest = found
        keys[len(rows)] = key
        cells = [Cell(text=t, line=i + 1, end_line=i + 1, col=k) for k, t in enumerate(split_items(rest))]
        rows.append(Row(cells=cells, line=i + 1))
    return rows, keys
