"""What a table column looks like: its header words and its contents.

A column is described by the characters of its header (so 项目名称, 二级项目 and
工作活动 share evidence with the activity role), the role the vocabulary file
gives the header, and statistics of its body cells (length, sentence
punctuation, numbers, %, comparison words, units, category and grade words,
blank share, repeated values, position). The same description serves tables
with and without a header row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractor.enumeration import enumeration_kind
from extractor.text_patterns import COMPARISON, PERCENT
from extractor.vocabulary import clean, load_vocabulary

_DIGIT = re.compile(r"\d")
_SENTENCE = re.compile(r"[。；;，,、：:]")
_NUMERIC = re.compile(r"^[\s≥≤＞＜><=＝±+\-−]*[\d.,，]+\s*[%％]?$")
_NATURE = re.compile(r"^(≥|≤|=|＝|>|<|＞|＜|≧|≦|正向|反向|定性|定量|大于等于|小于等于|等于)$")
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_GRADE_END = re.compile(r"[优良中差]$")


@dataclass
class ColumnSample:
    """One column of one table: header text (stacked header rows joined) and body cells."""

    header: str
    cells: list[str]
    position: int
    n_columns: int
    siblings: tuple[str, ...] = ()
    left: Sequence[str] = ()  # the cells of the column to the left, row by row
    right: Sequence[str] = ()


def in_table(columns: Sequence[ColumnSample]) -> list[ColumnSample]:
    """``columns`` (left to right) with their positions, width, sibling headers
    and neighbours' cells set from the table they form."""
    n = len(columns)
    names = [c.header for c in columns]
    return [
        ColumnSample(
            c.header, c.cells, position=k, n_columns=n, siblings=tuple(h for j, h in enumerate(names) if j != k and h),
            left=columns[k - 1].cells if k else (), right=columns[k + 1].cells if k + 1 < n else (),
        )
        for k, c in enumerate(columns)
    ]


def column_features(column: ColumnSample, reuse: bool = False) -> dict[str, float]:
    """Sparse named features of a column (for a ``DictVectorizer``).

    With ``reuse`` (training), the statistics of the cells and their relation to
    each neighbour's cells are computed once per distinct content and kept
    (:func:`content_features`, :func:`neighbour_features`): training sees the
    same columns under many headers, positions and folds. Extraction computes
    them afresh, so a long run keeps no cells of earlier documents.
    """
    content, neighbour = content_features, neighbour_features
    if not reuse:
        content, neighbour = content_features.__wrapped__, neighbour_features.__wrapped__
    features: dict[str, float] = {}
    _header_features(column.header, features)
    _sibling_features(column.siblings, features)
    cells = tuple(column.cells)
    features.update(content(cells))
    features.update(neighbour(cells, tuple(column.left), "left"))
    features.update(neighbour(cells, tuple(column.right), "right"))
    _position_features(column.position, column.n_columns, features)
    return features


def band_features(columns: Sequence[ColumnSample]) -> list[dict[str, float]]:
    """:func:`column_features` of each column as extraction computes them (no
    reuse), with each cell list read once for the call: a column's cells are
    also its neighbours' ``left``/``right``, so their stripped texts, stems and
    digit flags serve up to three columns. The header and sibling features of
    each distinct header and sibling set are computed once for the call too
    (the tables of a document repeat their headers)."""
    read: dict[int, tuple[Sequence[str], _ReadCells]] = {}  # id -> (cells kept alive, what was read)
    by_text: dict[str, tuple[str, bool]] = {}  # stripped cell text -> (stem, holds a digit), once per distinct text
    by_header: dict[str, dict[str, float]] = {}
    by_siblings: dict[tuple[str, ...], dict[str, float]] = {}

    def cells_read(cells: Sequence[str]) -> _ReadCells:
        hit = read.get(id(cells))
        if hit is None:
            hit = read[id(cells)] = (cells, _ReadCells.of(cells, by_text))
        return hit[1]

    out = []
    for column in columns:
        features = dict(_once(by_header, column.header, _header_features))
        features.update(_once(by_siblings, tuple(column.siblings), _sibling_features))
        mine = cells_read(column.cells)
        _stripped_content_features([t for t in mine.stripped if t], len(mine.stripped), features)
        _pair_features(mine, cells_read(column.left), "left", features)
        _pair_features(mine, cells_read(column.right), "right", features)
        _position_features(column.position, column.n_columns, features)
        out.append(features)
    return out


def _once(memo: dict[Any, dict[str, float]], key: Any, compute: Callable[[Any, dict[str, float]], None]) -> dict[str, float]:
    """The features ``compute`` writes for ``key``, computed on first use (shared: do not modify)."""
    found = memo.get(key)
    if found is None:
        found = memo[key] = {}
        compute(key, found)
    return found


@dataclass(frozen=True)
class _ReadCells:
    """A column's cells stripped, their stems (:func:`_stem`) and whether each holds a digit."""

    stripped: list[str]
    stems: list[str]
    valued: list[bool]

    @classmethod
    def of(cls, cells: Sequence[str], by_text: dict[str, tuple[str, bool]]) -> _ReadCells:
        """``cells`` read, each distinct text once (``by_text``: what earlier columns' texts gave)."""
        stripped = [c.strip() for c in cells]
        for text in set(stripped).difference(by_text):
            by_text[text] = (_VALUE_CHARS.sub("#", text), bool(_DIGIT.search(text)))
        return cls(stripped, [by_text[t][0] for t in stripped], [by_text[t][1] for t in stripped])


def _pair_features(mine: _ReadCells, other: _ReadCells, side: str, out: dict[str, float]) -> None:
    """:func:`_neighbour_features` from cells read once."""
    a, b = mine.stripped, other.stripped
    rows = [i for i in range(min(len(a), len(b))) if a[i] and b[i]]
    if not rows:
        out[f"{side}:none"] = 1.0
        return
    n = len(rows)
    sa, sb = mine.stems, other.stems
    out[f"{side}:same_stem"] = sum(1 for i in rows if a[i] != b[i] and sa[i] == sb[i]) / n
    out[f"{side}:equal"] = sum(1 for i in rows if a[i] == b[i]) / n
    distinct_mine, distinct_theirs = len({a[i] for i in rows}), len({b[i] for i in rows})
    out[f"{side}:coarser"] = max(0.0, (distinct_theirs - distinct_mine) / n)
    out[f"{side}:finer"] = max(0.0, (distinct_mine - distinct_theirs) / n)
    va, vb = mine.valued, other.valued
    out[f"{side}:both_valued"] = sum(1 for i in rows if va[i] and vb[i]) / n


@lru_cache(maxsize=1 << 15)
def content_features(cells: tuple[str, ...]) -> dict[str, float]:
    """The body-cell statistics of a column with these cells (shared: do not modify)."""
    out: dict[str, float] = {}
    _content_features([c for c in cells if c.strip()], len(cells), out)
    return out


@lru_cache(maxsize=1 << 15)
def neighbour_features(cells: tuple[str, ...], other: tuple[str, ...], side: str) -> dict[str, float]:
    """How a column with these cells relates to its neighbour on ``side`` (shared: do not modify)."""
    out: dict[str, float] = {}
    _neighbour_features(cells, other, side, out)
    return out


def _header_features(header: str, out: dict[str, float]) -> None:
    vocab = load_vocabulary()
    word = clean(header)
    if not word:
        out["header:none"] = 1.0
        return
    role, score = vocab.header_role(word)
    if role:
        out[f"vocab:{role}"] = score
    if vocab.grade_of(word):
        out["vocab:grade_word"] = 1.0
    period = vocab.period_of(word)
    if period:
        out[f"period:{period}"] = 1.0
    for n in (1, 2):
        for i in range(len(word) - n + 1):
            out[f"h{n}:{word[i:i + n]}"] = 1.0 / math.sqrt(len(word))
    out["header:len"] = min(len(word), 12) / 12.0


def _sibling_features(siblings: Sequence[str], out: dict[str, float]) -> None:
    """Roles the other columns' headers name exactly: 绩效指标 beside a 三级指标
    column describes the indicator instead of naming it."""
    vocab = load_vocabulary()
    for header in siblings:
        role, score = vocab.header_role(header)
        if role and score == 1.0:
            out[f"sibling:{role}"] = 1.0


# Per-cell tests whose share over a column's body cells is a feature, in this order.
CELL_TESTS = (
    "sentence", "digit", "percent", "comparison", "numeric", "small_int", "nature", "unit_only",
    "category1", "category2", "enumerated", "grade_words", "rate_end", "decimal",
)


@lru_cache(maxsize=1 << 16)
def _cell_tests(text: str) -> tuple[bool, ...]:
    """The ``CELL_TESTS`` of one stripped cell text, computed once per distinct text."""
    vocab = load_vocabulary()
    level = vocab.category_level(text)
    return (
        bool(_SENTENCE.search(text)),
        bool(_DIGIT.search(text)),
        bool(PERCENT.search(text)),
        bool(COMPARISON.search(text)),
        bool(_NUMERIC.match(text)),
        text.isdecimal() and int(text) <= 100,
        bool(_NATURE.match(text)),
        text in vocab.units,
        level == 1,
        level == 2,
        enumeration_kind(text) is not None,
        vocab.has_phrase(text, "grade_phrases") or bool(_GRADE_END.search(text)),
        vocab.ends_with(text, "endings"),
        text.isdecimal(),
    )


def _content_features(cells: list[str], n_rows: int, out: dict[str, float]) -> None:
    _stripped_content_features([c.strip() for c in cells], n_rows, out)


def _stripped_content_features(stripped: list[str], n_rows: int, out: dict[str, float]) -> None:
    """The body-cell statistics of a column's non-blank cells, stripped, out of ``n_rows`` rows."""
    out["blank_share"] = 1.0 - len(stripped) / max(1, n_rows)
    if not stripped:
        out["content:none"] = 1.0
        return
    n = len(stripped)
    shares = dict(zip(CELL_TESTS, (count / n for count in map(sum, zip(*map(_cell_tests, stripped)))), strict=True))
    lengths = [len(t) for t in stripped]
    out["len_mean"] = math.log1p(sum(lengths) / n) / 5.0
    out["len_max"] = math.log1p(max(lengths)) / 5.0
    for name in CELL_TESTS[:-1]:
        out[name] = shares[name]
    out["cjk"] = len(_NOT_CJK.sub("", "".join(stripped))) / max(1, sum(lengths))  # CJK characters of all cells
    out["distinct"] = len(set(stripped)) / n
    out["seq"] = shares["decimal"] * float(_is_sequence(stripped))


_VALUE_CHARS = re.compile(r"[\d.,，%％≥≤＞＜><=＝±+\-−~～]+")


def _stem(text: str) -> str:
    """The words of a cell without its numbers and signs: 效果达到95%及以上 -> 效果达到及以上."""
    return _VALUE_CHARS.sub("#", text.strip())


def _neighbour_features(cells: Sequence[str], other: Sequence[str], side: str, out: dict[str, float]) -> None:
    """How a column relates to its neighbour, row by row: graded targets print
    the same words with other numbers (≥95% | ≥90%, 效果达到95% | 效果达到90%);
    an activity column repeats values that the next column varies."""
    pairs = [(a.strip(), b.strip()) for a, b in zip(cells, other) if a.strip() and b.strip()]
    if not pairs:
        out[f"{side}:none"] = 1.0
        return
    n = len(pairs)
    out[f"{side}:same_stem"] = sum(a != b and _stem(a) == _stem(b) for a, b in pairs) / n
    out[f"{side}:equal"] = sum(a == b for a, b in pairs) / n
    mine, theirs = len({a for a, _ in pairs}), len({b for _, b in pairs})
    out[f"{side}:coarser"] = max(0.0, (theirs - mine) / n)
    out[f"{side}:finer"] = max(0.0, (mine - theirs) / n)
    out[f"{side}:both_valued"] = sum(bool(_DIGIT.search(a)) and bool(_DIGIT.search(b)) for a, b in pairs) / n


def _is_sequence(texts: Sequence[str]) -> bool:
    numbers = [int(t) for t in texts if t.isdecimal()]
    return len(numbers) >= 2 and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


def _position_features(position: int, n_columns: int, out: dict[str, float]) -> None:
    out["position"] = position / max(1, n_columns - 1)
    out["first"] = float(position == 0)
    out["last"] = float(position == n_columns - 1)
    out["n_columns"] = min(n_columns, 16) / 16.0
