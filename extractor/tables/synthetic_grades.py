"""A target column printed as a set of graded targets, for training only.

Graded tables (优 良 中 差) print one target per grade, each a little lower
than the one before: the same words with smaller numbers (≥95% | ≥90% |
≥85% | <85%), or the same phrase softened (及时完成 | 较及时完成 | 基本及时完成 |
未及时完成, words from ``[graded_wording]`` in the vocabulary). Writing such
columns from any annotated target column lets the column-role model learn
what a set of grade columns looks like from templates that have none.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence

from extractor.vocabulary import GRADES, load_vocabulary

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_AT_LEAST = (("≥", "<"), ("＞", "≤"), (">", "≤"), ("以上", "以下"), ("不低于", "低于"))
STEP = 0.05  # each grade lowers a number by this share (at least 1)


def graded_columns(cells: Sequence[str], rng: random.Random) -> list[list[str]]:
    """Four columns (优 良 中 差) of targets graded down from ``cells``."""
    wording = load_vocabulary().graded_wording
    prefixes = {g: rng.choice(wording[g]) if wording.get(g) else "" for g in GRADES[1:]}
    return [[_lower(cell, level, prefixes) for cell in cells] for level in range(len(GRADES))]


def _lower(text: str, level: int, prefixes: dict[str, str]) -> str:
    """``text`` lowered by ``level`` grades (0 leaves it as it is)."""
    text = text.strip()
    if level == 0 or not text:
        return text
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        return prefixes[GRADES[level]] + text
    last = numbers[-1]
    value = float(last.group())
    lowered = value - _round_step(value) * min(level, len(GRADES) - 2)
    shown = f"{max(lowered, 0):g}"
    out = text[: last.start()] + shown + text[last.end():]
    if level == len(GRADES) - 1:
        out = _below(out)
    return out


def _round_step(value: float) -> float:
    """A round step near ``STEP`` of ``value`` (1, 2, 5, 10, 20, 50…), at least 1."""
    raw = max(value * STEP, 1.0)
    steps = [m * 10**k for k in range(int(math.log10(raw)) + 2) for m in (1, 2, 5)]
    return float(min(steps, key=lambda s: abs(math.log(s / raw))))


def _below(text: str) -> str:
    """The lowest grade: below the third grade's value (≥80% -> <80%, 80%以上 -> 80%以下)."""
    for high, low in _AT_LEAST:
        if high in text:
            return text.replace(high, low, 1)
    return f"{text}以下"
