"""Understand a rebuilt table: form rows, header rows, column alignment and roles.

A table is read top to bottom as a sequence of row kinds:

- ``form`` rows hold key-value pairs (项目名称 | 车辆保险费, 主管部门 | …) whose
  keys the vocabulary lists; they give the grid below its project;
- ``header`` rows name the columns of the grid that follows (stacked header
  rows refine each other: 评价标准 over 优 | 良 | 中 | 差);
- ``data`` rows are the grid. Each run of data rows under one header (or the
  whole table when it has none) is a *band* whose column roles are chosen once
  by the column-role model (:mod:`extractor.tables.column_roles`).

Rows shorter than their band (a merged 一级/二级 or activity cell printed once,
a leading row label spanning the grid) are aligned to the right columns before
roles are chosen. Everything learned is stored on the rows, so later stages
read roles instead of re-deriving them from header words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from extractor.datamodel import Cell, Row, Table
from extractor.tables.column_features import ColumnSample, in_table
from extractor.tables.column_model import ColumnRoleModel
from extractor.tables.column_roles import Assignment, assign_roles, role_probabilities
from extractor.vocabulary import clean, load_vocabulary

_MAX_HEADER_WORD = 14
# A header cell that only contains a vocabulary word (二级指标(年度)) is short.
_MAX_CONTAINING_WORD = 7
_VALUE_LIKE = re.compile(r"\d|[≥≤%％]")
_SENTENCE = re.compile(r"[。；;，,]")
# Roles whose cells count as table content for the performance flag.
PERFORMANCE_ROLES = frozenset({"indicator", "grade", "target"})


@dataclass
class Band:
    """A grid under one header (or a whole header-less table)."""

    header_rows: list[int]
    data_rows: list[int]
    width: int
    headers: dict[int, str]
    assignment: Assignment
    form: dict[str, str] = field(default_factory=dict)
    has_header: bool = True


def header_hits(texts: Sequence[str]) -> tuple[int, int]:
    """(cells naming a column role, non-empty cells) of one row."""
    filled = [t for t in texts if t.strip()]
    return sum(map(_names_a_column, filled)), len(filled)


@lru_cache(maxsize=1 << 16)
def _names_a_column(text: str) -> bool:
    """Whether a cell is a short header word naming a column role, once per distinct text."""
    vocab = load_vocabulary()
    word = clean(text)
    if not word or len(word) > _MAX_HEADER_WORD or _VALUE_LIKE.search(word) or _SENTENCE.search(text.strip()):
        return False
    if vocab.category_level(word) is not None and not vocab.header_role(word)[1] == 1.0:
        return False
    score = vocab.header_role(word)[1]
    return bool(score == 1.0 or (score > 0 and len(word) <= _MAX_CONTAINING_WORD) or vocab.grade_of(word))


def is_header_row(texts: Sequence[str]) -> bool:
    """At least two short cells naming column roles, at least half of the row, and at most one value."""
    return _header_like(texts, *header_hits(texts))


def _header_like(texts: Sequence[str], hits: int, filled: int) -> bool:
    """:func:`is_header_row` of a row whose :func:`header_hits` are known."""
    if hits < 2 or hits * 2 < filled:
        return False
    return sum(1 for t in texts if _VALUE_LIKE.search(t)) <= 1


def form_pairs(texts: Sequence[str]) -> dict[str, str]:
    """Key-value pairs of a form row: {role: value} for every vocabulary form key.

    A key's value is the text of the following cells up to the next key.
    """
    keys = list(map(load_vocabulary().form_key, texts))
    pairs: dict[str, str] = {}
    k = 0
    while k < len(texts):
        role = keys[k]
        if role is None:
            k += 1
            continue
        j = k + 1
        parts: list[str] = []
        while j < len(texts) and keys[j] is None:
            if texts[j].strip():
                parts.append(texts[j].strip())
            j += 1
        if parts and role not in pairs:
            pairs[role] = " ".join(parts)
        k = j
    return pairs


def structure_table(table: Table, model: ColumnRoleModel | None) -> list[Band]:
    """Mark row kinds, align short rows and choose column roles; return the bands."""
    return structure_many([table], model)[0]


def structure_many(tables: Sequence[Table], model: ColumnRoleModel | None) -> list[list[Band]]:
    """:func:`structure_table` of each table, the column roles of all their
    bands chosen with one model call (and one more for the bands that
    aligning short rows changed) instead of one or two per band."""
    plans = [_plan_bands(table) for table in tables]
    grids = [_Grid.of(table, *plan) for table, band_plans in zip(tables, plans, strict=True) for plan in band_plans]
    firsts = _assign_all([(g.headers, g.full_columns) for g in grids], model)
    for grid, first in zip(grids, firsts, strict=True):
        grid.align(first)
    changed = [g for g in grids if g.columns != g.full_columns]
    # Most bands have no short row: aligned, their columns are the full rows' columns.
    again = dict(zip(map(id, changed), _assign_all([(g.headers, g.columns) for g in changed], model), strict=True))
    bands = iter([grid.finish(again.get(id(grid), first)) for grid, first in zip(grids, firsts, strict=True)])
    return [[next(bands) for _ in band_plans] for band_plans in plans]


def _plan_bands(table: Table) -> list[tuple[list[int], list[int], dict[str, str]]]:
    """(header rows, data rows, form in force) of each band of ``table``, in
    order; sets the table's form."""
    kinds = _row_kinds(table)
    plans: list[tuple[list[int], list[int], dict[str, str]]] = []
    form: dict[str, str] = {}
    k = 0
    n = len(table.rows)
    any_header = "header" in kinds
    while k < n:
        kind = kinds[k]
        if kind == "form":
            pairs = form_pairs(table.rows[k].texts())
            if "activity" in pairs or "unit_name" in pairs:
                form = {}  # a new project starts
            form.update(pairs)
            k += 1
            continue
        if kind == "header":
            start = k
            while k < n and kinds[k] == "header":
                k += 1
            header_rows = list(range(start, k))
        elif any_header:
            k += 1  # rows outside any header's grid (preamble, notes): neither grid nor form
            continue
        else:
            header_rows = []
        data_start = k
        while k < n and kinds[k] == "data":
            k += 1
        plans.append((header_rows, list(range(data_start, k)), dict(form)))
    table.form = dict(form)
    return plans


def _row_kinds(table: Table) -> list[str]:
    vocab = load_vocabulary()
    kinds = []
    for row in table.rows:
        texts = row.texts()
        first = next((t for t in texts if t.strip()), "")
        hits = header_hits(texts)
        header_like = _header_like(texts, *hits)
        if hits[0] >= 3 and header_like and not any(_VALUE_LIKE.search(t) for t in texts):
            kinds.append("header")
        elif vocab.form_key(first):
            kinds.append("form")
        elif header_like:
            kinds.append("header")
        elif form_pairs(texts) and not _is_grid_row(texts):
            kinds.append("form")
        else:
            kinds.append("data")
    return kinds


def _is_grid_row(texts: Sequence[str]) -> bool:
    """A row that starts with a category word belongs to the grid even if a cell looks like a key."""
    first = next((t for t in texts if t.strip()), "")
    return load_vocabulary().category_level(first) is not None


@dataclass
class _Grid:
    """One band on its way: its rows, headers and width, and its columns before
    and after aligning its short rows."""

    table: Table
    header_rows: list[int]
    data_rows: list[int]
    form: dict[str, str]
    headers: dict[int, str]
    width: int
    full_columns: list[ColumnSample]
    columns: list[ColumnSample] = field(default_factory=list)

    @classmethod
    def of(cls, table: Table, header_rows: list[int], data_rows: list[int], form: dict[str, str]) -> _Grid:
        headers = _stacked_headers([table.rows[r] for r in header_rows])
        width = max([len(table.rows[r].cells) for r in [*header_rows, *data_rows]] + [max(headers, default=-1) + 1, 0])
        full = [table.rows[r] for r in data_rows if len(table.rows[r].cells) >= width] or [table.rows[r] for r in data_rows]
        return cls(table, header_rows, data_rows, form, headers, width, _columns(headers, full, width))

    def align(self, first: Assignment) -> None:
        """Align the short rows to the roles of the full rows' columns, and read the columns again."""
        for r in self.data_rows:
            _align(self.table.rows[r], self.width, first.roles)
        self.columns = _columns(self.headers, [self.table.rows[r] for r in self.data_rows], self.width)

    def finish(self, assignment: Assignment) -> Band:
        """Store the band's headers, roles and form on its rows."""
        rows = self.table.rows
        for r in self.header_rows:
            rows[r].is_header = True
        for r in [*self.header_rows, *self.data_rows]:
            row = rows[r]
            row.columns = dict(self.headers)
            row.roles = dict(assignment.roles)
            for cell in row.cells[self.width:]:  # a category set aside by _set_aside_category
                level = load_vocabulary().category_level(cell.text)
                if level:
                    row.roles[cell.col] = f"category{level}"
            row.role_confidence = dict(assignment.confidence)
            row.roles_overruled = assignment.overruled
            row.grade_keys = dict(assignment.grade_keys)
            row.form = dict(self.form)
        return Band(self.header_rows, self.data_rows, self.width, self.headers, assignment, self.form, bool(self.header_rows))


def _stacked_headers(rows: list[Row]) -> dict[int, str]:
    """Column -> header text; a lower header row refines the one above (评价标准 / 优)."""
    headers: dict[int, str] = {}
    for row in rows:
        for cell in row.cells:
            if cell.text.strip():
                word = clean(cell.text)
                headers[cell.col] = word if cell.col not in headers else f"{headers[cell.col]}{word}"
    return headers


def _columns(headers: dict[int, str], rows: list[Row], width: int) -> list[ColumnSample]:
    cells: list[list[str]] = [[] for _ in range(width)]
    for row in rows:
        for cell in row.cells:
            if cell.col < width:
                cells[cell.col].append(cell.text)
    return in_table([ColumnSample(headers.get(c, ""), cells[c], c, width) for c in range(width)])


def _assign(headers: dict[int, str], columns: list[ColumnSample], model: ColumnRoleModel | None) -> Assignment:
    return _assign_all([(headers, columns)], model)[0]


def _assign_all(bands: Sequence[tuple[dict[int, str], list[ColumnSample]]], model: ColumnRoleModel | None) -> list[Assignment]:
    """The roles of each band's columns, the probabilities of all bands' columns
    computed together (row by row, as for each band alone)."""
    proba = role_probabilities([c for _, columns in bands for c in columns], model)
    vocab = load_vocabulary()
    out = []
    start = 0
    for headers, columns in bands:
        periods = {c: vocab.period_of(h) for c, h in headers.items()}
        excluded = [c for c, p in periods.items() if p == "long_term"] if "annual" in periods.values() else []
        out.append(assign_roles(columns, proba[start:start + len(columns)], excluded))
        start += len(columns)
    return out


def _shift_to_category(row: Row, width: int, roles: dict[int, str]) -> None:
    """Move a full row whose leading category word sits in another column (a cell
    inserted or lost by the converter) so that the word is under its category column."""
    filled = [c for c in row.cells if c.text.strip()]
    if not filled:
        return
    level = _category_level(filled)
    target = {1: "category1", 2: "category2"}.get(level or 0)
    column = next((c for c, r in sorted(roles.items()) if r == target), None) if target else None
    if target and column is None and not {"category1", "category2"} & set(roles.values()):
        _set_aside_category(row, filled, width)
        return
    if column is None or column == filled[0].col:
        return
    delta = column - filled[0].col
    if filled[-1].col + delta >= width or filled[0].col + delta < 0:
        return
    for cell in filled:
        cell.col += delta
    line = row.line
    by_col = {c.col: c for c in filled}
    row.cells = [by_col.get(k) or Cell(text="", line=line, end_line=line, col=k) for k in range(max(width, len(row.cells)))]


def _set_aside_category(row: Row, filled: list[Cell], width: int) -> None:
    """A category word printed in a table without category columns pushed the
    row one column right: move it beside the grid and the rest back left."""
    if len(filled) < 3 or filled[1].col != filled[0].col + 1 or not clean(filled[0].text).endswith("指标"):
        return
    # Pushed, the name sits where a value belongs and values follow it.
    if _VALUE_LIKE.search(filled[1].text) or not all(_VALUE_LIKE.search(c.text) for c in filled[2:]):
        return
    category = filled[0]
    for cell in filled[1:]:
        cell.col -= 1
    category.col = width
    line = row.line
    by_col = {c.col: c for c in filled}
    row.cells = [by_col.get(k) or Cell(text="", line=line, end_line=line, col=k) for k in range(width + 1)]


def _category_level(cells: list[Cell]) -> int | None:
    """Level of a leading category cell; a word of both levels (成本指标) is a
    二级 unless a 二级 word follows it."""
    vocab = load_vocabulary()
    level = vocab.category_level(cells[0].text)
    if level == 1 and vocab.implied_level1(cells[0].text):
        following = cells[1].text if len(cells) > 1 else ""
        return 1 if vocab.category_level(following) == 2 else 2
    return level


def _align(row: Row, width: int, roles: dict[int, str]) -> None:
    """Put the cells of a short row under the columns they belong to.

    A row that starts with an empty cell kept its merged cells' places. A row
    that starts with a category word starts at that category's column; any
    other short row lacks its leading (merged) cells and is right-aligned.
    Missing positions become empty merged cells.
    """
    cells = list(row.cells)
    if not cells:
        return
    if len(cells) >= width or not cells[0].text.strip():
        _shift_to_category(row, width, roles)
        return
    level = _category_level(cells)
    target = {1: "category1", 2: "category2"}.get(level or 0)
    start = next((c for c, r in sorted(roles.items()) if r == target), None) if target else None
    if start is None or start + len(cells) > width:
        start = width - len(cells)
    line = row.line
    aligned = [Cell(text="", line=line, end_line=line, col=c, merged=True) for c in range(start)]
    for k, cell in enumerate(cells):
        cell.col = start + k
        aligned.append(cell)
    row.cells = aligned


def band_columns(table: Table, band: Band) -> list[ColumnSample]:
    """The columns of a band as the column-role model sees them."""
    return _columns(band.headers, [table.rows[r] for r in band.data_rows], band.width)
