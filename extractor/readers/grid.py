"""Build a :class:`~extractor.datamodel.Document` from paragraphs and table grids.

Every grid reader (DOCX, PDF, HTML, XLSX) walks its file in reading order and
feeds this builder: each paragraph becomes one line, each table row one line of
its cells' texts joined by TAB, and each table a ``grid`` :class:`Table` whose
cells point at those lines. Positions covered by a merged cell that starts
above or to the left are present as ``merged`` cells with empty text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from extractor.datamodel import Cell, Document, Row, Table
from extractor.errors import EmptyDocumentError
from extractor.normalize import normalize_line


@dataclass
class Span:
    """A cell as a reader found it: its origin in the grid, its extent and text."""

    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1
    page: int | None = None


@dataclass
class Grid:
    """A table as a list of spans; ``page`` is the first page of a PDF table."""

    spans: list[Span] = field(default_factory=list)
    page: int | None = None

    @property
    def n_rows(self) -> int:
        return max((s.row + s.row_span for s in self.spans), default=0)

    @property
    def n_cols(self) -> int:
        return max((s.col + s.col_span for s in self.spans), default=0)

    def add(self, span: Span) -> None:
        self.spans.append(span)


def clean_cell_text(text: str) -> str:
    """Cell text with each inner line normalised and blank edge lines dropped."""
    parts = [normalize_line(part.replace("\t", " ")).strip() for part in text.splitlines()]
    return "\n".join(parts).strip("\n")


class DocumentBuilder:
    """Collects paragraphs and tables in reading order."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[Table] = []
        self.page: int | None = None  # set by the PDF reader before each item
        self.pages: list[int | None] = []

    def paragraph(self, text: str) -> None:
        """Add one paragraph; inner line breaks become lines of their own."""
        for part in text.splitlines() or [""]:
            self._line(normalize_line(part.replace("\t", " ")))

    def _line(self, text: str) -> None:
        self.lines.append(text)
        self.pages.append(self.page)

    def table(self, grid: Grid) -> None:
        """Add a table: one line per grid row; empty grids and rows are skipped."""
        matrix = _matrix(grid)
        rows: list[Row] = []
        for cells in matrix:
            if not any(c is not None and c.text for c in cells):
                continue
            number = len(self.lines) + 1
            row_cells = [_cell(c, col, number) for col, c in enumerate(cells)]
            self.page = next((c.page for c in row_cells if c.page is not None), self.page)
            self._line("\t".join(c.text.replace("\n", " ") for c in row_cells))
            rows.append(Row(cells=row_cells, line=number))
        if rows:
            self.tables.append(
                Table(index=len(self.tables), layout="grid", line=rows[0].line, end_line=rows[-1].line,
                      rows=rows, page=grid.page)
            )
            self._line("")  # a table ends its block, as in exported text

    def build(self, path: str | Path, data: bytes, fmt: str, encoding: str = "") -> Document:
        """The finished document; a file without any text is an :class:`EmptyDocumentError`."""
        if not any(line.strip() for line in self.lines):
            raise EmptyDocumentError(f"the {fmt.upper()} file holds no text", path)
        return Document(
            doc_id=Path(path).stem,
            source=str(path),
            lines=tuple(self.lines),
            encoding=encoding,
            sha256=hashlib.sha256(data).hexdigest(),
            format=fmt,
            tables=tuple(self.tables),
            pages=tuple(self.pages) if fmt == "pdf" else None,
        )


@dataclass
class _Slot:
    text: str
    row_span: int = 1
    col_span: int = 1
    merged: bool = False
    page: int | None = None


def _matrix(grid: Grid) -> list[list[_Slot | None]]:
    """Every grid position: origins with their text, covered positions ``merged``."""
    matrix: list[list[_Slot | None]] = [[None] * grid.n_cols for _ in range(grid.n_rows)]
    for span in grid.spans:
        for r in range(span.row, span.row + span.row_span):
            for c in range(span.col, span.col + span.col_span):
                if matrix[r][c] is None:
                    matrix[r][c] = _Slot("", merged=True, page=span.page)
        matrix[span.row][span.col] = _Slot(clean_cell_text(span.text), span.row_span, span.col_span, page=span.page)
    return matrix


def _cell(slot: _Slot | None, col: int, line: int) -> Cell:
    if slot is None:
        return Cell(text="", line=line, end_line=line, col=col)
    return Cell(text=slot.text, line=line, end_line=line, col=col, row_span=slot.row_span,
                col_span=slot.col_span, merged=slot.merged, page=slot.page)
