"""Rebuild tables dumped as one cell per TAB-prefixed line (Word tables).

A row is a run of cells ended by a blank line; a cell is a TAB-prefixed line
plus its continuation lines (lines without a TAB, and blank lines inside a
quoted multi-line cell). Because Word cells can also hold blank lines without
quotes, rows shorter than the table's width are merged with the following
row when together they make exactly one full row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from extractor.datamodel import Cell, Row
from extractor.normalize import is_quote_open, unquote_cell
from extractor.tables.lines import HEADING_LIKE, is_cell_line, is_row_line

# How far to look for the next cell line when deciding that a text line
# after a blank is a continuation of the last cell rather than body text.
_LOOKAHEAD = 12


@dataclass(slots=True)
class _OpenCell:
    line: int
    parts: list[str] = field(default_factory=list)
    end_line: int = 0

    def text(self) -> str:
        return "\n".join(self.parts)

    def close(self, col: int) -> Cell:
        return Cell(unquote_cell(self.text()), self.line, self.end_line, col)  # unquote_cell strips


def _continues_table(lines: list[str], i: int, blanks: int, cell_text: str) -> bool:
    """Whether text line ``i`` (0-based) after ``blanks`` blank lines belongs to the cell above.

    Directly below a cell, a line continues it unless it looks like a heading
    while the cell is not itself a numbered list ("1.…" followed by "2.…").
    """
    text = lines[i].strip()
    if blanks >= 2:
        return False
    heading = bool(HEADING_LIKE.match(text)) and not bool(HEADING_LIKE.match(cell_text.lstrip('"')))
    if blanks == 0 or heading:
        return not heading
    run = 0
    for j in range(i + 1, min(len(lines), i + _LOOKAHEAD)):
        if is_cell_line(lines[j]):
            return True
        if is_row_line(lines[j]):
            return False
        run = run + 1 if not lines[j].strip() else 0
        if run >= 2:
            return False
    return False


def scan_blocks(lines: list[str], start: int) -> tuple[list[list[Cell]], int]:
    """Read cell blocks from 0-based line ``start``; return blocks and the end index.

    A block is the cells between two blank lines (outside quotes). The end
    index is the first line that does not belong to the table.
    """
    blocks: list[list[_OpenCell]] = [[]]
    cell: _OpenCell | None = None
    blanks = 0
    i = start
    while i < len(lines):
        line = lines[i]
        if is_cell_line(line):
            if blanks and blocks[-1]:
                blocks.append([])
            cell = _OpenCell(i + 1, [line[1:]], i + 1)
            blocks[-1].append(cell)
            blanks = 0
        elif not line.strip():
            if cell is not None and is_quote_open(cell.text()):
                cell.parts.append("")
            else:
                blanks += 1
        elif is_row_line(line):
            break
        elif cell is not None and (is_quote_open(cell.text()) or _continues_table(lines, i, blanks, cell.text())):
            cell.parts.extend([""] * blanks + [line.strip()])
            cell.end_line = i + 1
            blanks = 0
        else:
            break
        i += 1
    end = i
    # Trailing blank lines are not part of the table.
    while end > start and not lines[end - 1].strip() and "\t" not in lines[end - 1]:
        end -= 1
    closed = [[c.close(col) for col, c in enumerate(block)] for block in blocks if block]
    return closed, end


def table_width(blocks: list[list[Cell]]) -> int:
    """Most common row length among blocks of two or more cells."""
    counts = Counter(len(b) for b in blocks if len(b) >= 2)
    if not counts:
        return max((len(b) for b in blocks), default=0)
    top = max(counts.values())
    # On ties prefer the wider row: header and title rows are the short ones.
    return max(n for n, c in counts.items() if c == top)


def merge_blocks(blocks: list[list[Cell]], width: int) -> list[list[Cell]]:
    """Join consecutive short blocks that together make exactly one full row."""
    merged: list[list[Cell]] = []
    i = 0
    while i < len(blocks):
        j, size = i + 1, len(blocks[i])
        while size < width and j < len(blocks):
            size += len(blocks[j])
            j += 1
        if size != width:
            j = i + 1
        merged.append([cell for block in blocks[i:j] for cell in block])
        i = j
    return merged


def build_rows(blocks: list[list[Cell]]) -> list[Row]:
    """Turn blocks into rows of the table's width, renumbering columns.

    The blocks' cells (fresh from :func:`scan_blocks`) become the rows' cells,
    renumbered in place.
    """
    width = table_width(blocks)
    rows: list[Row] = []
    for cells in merge_blocks(blocks, width):
        for k, cell in enumerate(cells):
            cell.col = k
        rows.append(Row(cells=cells, line=cells[0].line))
    return rows
