"""Rebuild tables whose rows are single lines of TAB-separated cells (PDF text).

Each line is one row. Cells broken over lines by the PDF converter stay as
separate rows: the classifier labels each cell on its own, and assembly joins
what belongs together.
"""

from __future__ import annotations

from extractor.datamodel import Cell, Row
from extractor.tables.lines import is_row_line

# A single line without TABs between two row lines is kept inside the table.
_MAX_GAP = 1


def scan_rows(lines: list[str], start: int) -> tuple[list[Row], int]:
    """Read row lines from 0-based ``start``; return rows and the end index."""
    rows: list[Row] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if is_row_line(line):
            rows.append(_row(line, i + 1))
            i += 1
            continue
        nxt = i + _MAX_GAP
        if line.strip() and nxt < len(lines) and is_row_line(lines[nxt]):
            rows.append(_row(line, i + 1))
            i += 1
            continue
        break
    return rows, i


def _row(line: str, number: int) -> Row:
    # Trailing empty cells are kept: they tell a full row with blank last
    # columns from a continuation row that lacks its leading merged cells.
    texts = line.split("\t")
    cells = [Cell(text=t.strip(), line=number, end_line=number, col=k) for k, t in enumerate(texts)]
    return Row(cells=cells, line=number)
