"""Read an Excel .xlsx workbook: each sheet's blocks of rows, merged ranges as spans.

A sheet is cut into blocks at empty rows. Leading rows of a block with a
single filled cell (a title merged across the table, "1.车辆保险费绩效目标表")
are paragraphs; the rest of the block is one table whose merged ranges become
spans. Values are the cached results of formulas (what Excel shows).
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from extractor.datamodel import Document
from extractor.errors import CorruptDocumentError
from extractor.readers.grid import DocumentBuilder, Grid, Span


def read_xlsx(path: str | Path, data: bytes) -> Document:
    """The document in the XLSX bytes ``data`` read from ``path``."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorruptDocumentError(f"corrupt XLSX file: {exc}; re-save it from Excel", path) from None
    except Exception as exc:  # damaged XML parts
        raise CorruptDocumentError(f"corrupt XLSX file ({type(exc).__name__}: {exc}); re-save it from Excel", path) from None
    builder = DocumentBuilder()
    for sheet in workbook.worksheets:
        for block in _blocks(_sheet_rows(sheet)):
            _add_block(builder, block, _merges(sheet))
    return builder.build(path, data, "xlsx", "utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(sheet: Any) -> list[tuple[int, list[str]]]:
    """(1-based row number, cell texts from column A) for every row of the sheet."""
    return [(cells[0].row, [_text(c.value) for c in cells]) for cells in sheet.iter_rows() if cells]


def _merges(sheet: Any) -> dict[tuple[int, int], tuple[int, int]]:
    """Top-left (row, col), 1-based -> (rows, cols) of each merged range."""
    return {(m.min_row, m.min_col): (m.max_row - m.min_row + 1, m.max_col - m.min_col + 1)
            for m in sheet.merged_cells.ranges}


def _blocks(rows: list[tuple[int, list[str]]]) -> list[list[tuple[int, list[str]]]]:
    blocks: list[list[tuple[int, list[str]]]] = [[]]
    for number, texts in rows:
        if any(texts):
            blocks[-1].append((number, texts))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _add_block(builder: DocumentBuilder, block: list[tuple[int, list[str]]], merges: dict) -> None:
    start = 0
    while start < len(block) and sum(bool(t) for t in block[start][1]) == 1:
        builder.paragraph(next(t for t in block[start][1] if t))
        start += 1
    rows = block[start:]
    if not rows:
        return
    first_row = rows[0][0]
    width = max(_last_filled(number, t, merges) for number, t in rows)
    last_row = rows[-1][0]
    grid = Grid()
    covered: set[tuple[int, int]] = set()
    for number, texts in rows:
        for c in range(1, width + 1):
            if (number, c) in covered:
                continue
            span_rows, span_cols = merges.get((number, c), (1, 1))
            span_rows = min(span_rows, last_row - number + 1)
            covered.update((number + i, c + j) for i in range(span_rows) for j in range(span_cols))
            text = texts[c - 1] if c - 1 < len(texts) else ""
            grid.add(Span(row=number - first_row, col=c - 1, text=text, row_span=span_rows, col_span=span_cols))
    builder.table(grid)


def _last_filled(number: int, texts: list[str], merges: dict) -> int:
    """1-based last column of a row that holds text or starts a merged range."""
    last = max((c + 1 for c, t in enumerate(texts) if t), default=0)
    spans = [c + cols - 1 for (r, c), (_, cols) in merges.items() if r == number]
    return max([last, *spans])
