"""Tables whose rows reached the text as plain lines: cells separated by spaces
(layout ``spaced``) or run together with no separator (layout ``joined``).

A header line naming at least three column roles starts a table; the lines
below belong to it while each splits into the header's columns with at least
one patterned cell (a category word, a value, a unit, a weight…), up to a
blank run, a heading, a TAB line or another header. Form rows just above
the header (项目名称 …) belong to the table too. Every data row has one cell
per header column (empty where the row printed nothing, e.g. the merged
leading cells of a continuation row) and the split's confidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from extractor.datamodel import Cell, Row
from extractor.tables import joined, spaced
from extractor.tables.align import Atom, Split, align
from extractor.tables.cell_values import FREE_ROLES, CellValues, cell_values
from extractor.tables.form_rows import form_rows, form_start, split_form_line
from extractor.tables.lines import CAPTION_SUFFIXES, HEADING_LIKE
from extractor.tables.text_header import column_roles
from extractor.vocabulary import Vocabulary, clean, load_vocabulary

MAX_BLANKS = 1  # blank lines allowed between two rows of one table
MIN_CELLS = 2  # a data row prints at least two cells
# Form keys that open a new grid's block (two projects in one table).
_BLOCK_KEYS = frozenset({"activity", "unit_name"})


@dataclass(frozen=True)
class _Layout:
    name: str
    header_cells: Callable[[str, Vocabulary], list[str] | None]
    atoms: Callable[[str], list[Atom]]
    max_chars: int


_LAYOUTS = (
    _Layout("spaced", spaced.header_cells, spaced.atoms, 10_000),
    _Layout("joined", joined.header_cells, joined.atoms, joined.MAX_ROW_CHARS),
)


@dataclass
class TextTable:
    """One table: layout, 0-based [start, end) lines, the header's index, rows."""

    layout: str
    start: int
    header: int
    end: int
    rows: list[Row]


def find_text_tables(lines: list[str], vocab: Vocabulary | None = None) -> list[TextTable]:
    """Every space-separated or run-together table of ``lines``, in order."""
    vocab = vocab or load_vocabulary()
    values = cell_values(vocab)
    tables: list[TextTable] = []
    floor = 0
    i = 0
    while i < len(lines):
        found = _header(lines[i], vocab)
        if found is None:
            i += 1
            continue
        layout, words = found
        table = _read_table(lines, i, floor, layout, words, vocab, values)
        if table is None:
            i += 1
            continue
        tables.append(table)
        floor = i = table.end
    return tables


def _header(line: str, vocab: Vocabulary) -> tuple[_Layout, list[str]] | None:
    for layout in _LAYOUTS:
        words = layout.header_cells(line, vocab)
        if words is not None:
            return layout, words
    return None


def _read_table(
    lines: list[str], header: int, floor: int, layout: _Layout, words: list[str], vocab: Vocabulary, values: CellValues
) -> TextTable | None:
    roles = column_roles(words, vocab)
    columns = {k: clean(w) or w for k, w in enumerate(words)}
    number = header + 1
    head = Row(cells=[Cell(w, number, number, k) for k, w in enumerate(words)], line=number, is_header=True)
    body = _data_rows(lines, header + 1, layout, roles, vocab, values)
    if not body:
        return None
    for row in (head, *body):
        row.columns = dict(columns)
    start = form_start(lines, header, floor, vocab)
    rows = [*form_rows(lines, start, header, vocab), head, *body]
    return TextTable(layout.name, start, header, body[-1].line, rows)


def _data_rows(
    lines: list[str], i: int, layout: _Layout, roles: list[str], vocab: Vocabulary, values: CellValues
) -> list[Row]:
    rows: list[Row] = []
    level1: str | None = None
    blanks = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            blanks += 1
            if blanks > MAX_BLANKS:
                break
            i += 1
            continue
        if not _may_be_row(line, layout, vocab):
            break
        split = align(line, layout.atoms(line), roles, values, level1)
        if split is None or not _fits(split, roles, line):
            break
        rows.append(_row(split, i + 1))
        level1 = _level1_after(split, roles, values, level1)
        blanks = 0
        i += 1
    return rows


def _may_be_row(line: str, layout: _Layout, vocab: Vocabulary) -> bool:
    text = line.strip()
    return not (
        "\t" in line
        or len(text) > layout.max_chars
        or text.endswith(CAPTION_SUFFIXES)
        or HEADING_LIKE.match(text)
        or _starts_block(line, vocab)
        or _header(line, vocab) is not None
    )


def _starts_block(line: str, vocab: Vocabulary) -> bool:
    """A form line naming a new project or unit (项目名称 …) starts the next table."""
    texts = split_form_line(line, vocab)
    return texts is not None and vocab.form_key(texts[0]) in _BLOCK_KEYS


def _fits(split: Split, roles: list[str], line: str) -> bool:
    """Two cells or more, and either a positive score with a cell whose value
    fits a patterned column, or cells that the line's own wide gaps separate
    (a table of free text: activity | indicator | 及时完成)."""
    patterned = any(
        text and roles[k] not in FREE_ROLES and (split.cell_scores[k] or 0) > 0 for k, text in enumerate(split.cells)
    )
    if split.filled < MIN_CELLS:
        return False
    return (split.score > 0 and patterned) or _gaps_separate(split, line, len(roles))


def _gaps_separate(split: Split, line: str, n_columns: int) -> bool:
    """The printed cells are exactly the line's pieces between runs of 2+ spaces
    (or full-width spaces), and they fill at least half the columns: the
    spacing itself shows the columns, whatever the cells say."""
    pieces = [p for p in spaced.WIDE_GAP.split(line.strip()) if p]
    return len(pieces) >= max(MIN_CELLS, math.ceil(n_columns / 2)) and pieces == [c for c in split.cells if c]


def _row(split: Split, number: int) -> Row:
    cells = [Cell(text, number, number, k) for k, text in enumerate(split.cells)]
    return Row(cells=cells, line=number, split_confidence=split.confidence)


def _level1_after(split: Split, roles: list[str], values: CellValues, level1: str | None) -> str | None:
    """The 一级 category in force after a row: its own, or implied by its 二级."""
    for role, text in zip(roles, split.cells, strict=True):
        if role == "category1" and values.category_level(text) == 1:
            return text
        if role == "category2" and text:
            return level1 or values.vocab.implied_level1(text)
    return level1
