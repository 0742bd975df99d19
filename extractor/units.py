"""Row units: the non-empty cells of performance tables, with a context snapshot.

The snapshot holds everything the classifier and a reviewer need, so labelled
units can be stored in ``annotations/`` and trained on without the document.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractor.datamodel import Document, Row, RowUnit, Table


def build_units(doc: Document, tables: list[Table]) -> list[RowUnit]:
    """Every non-empty cell of every performance table of ``doc``, in reading order."""
    return [unit for table in tables if table.is_performance for unit in _table_units(doc, table)]


def _table_units(doc: Document, table: Table) -> Iterator[RowUnit]:
    headers = table.header_texts()
    n_rows = len(table.rows)
    for r, row in enumerate(table.rows):
        texts = row.texts()
        prev_texts = table.rows[r - 1].texts() if r > 0 else []
        next_texts = table.rows[r + 1].texts() if r + 1 < n_rows else []
        for cell in row.cells:
            if not cell.text.strip():
                continue
            header = row.columns.get(cell.col, "")
            context = {
                "layout": table.layout,
                "col": cell.col,
                "n_cols": len(row.cells),
                "row": r,
                "n_rows": n_rows,
                "header": header,
                "is_header_row": row.is_header,
                "row_texts": texts,
                "prev_row_texts": prev_texts,
                "next_row_texts": next_texts,
                "left": _neighbour(row, cell.col, -1),
                "right": _neighbour(row, cell.col, +1),
                "above": _above(table, r, cell.col),
                "section_title": table.section_title,
                "caption": table.caption,
                "table_headers": headers,
                "column_role": row.roles.get(cell.col, ""),
                "role_confidence": round(float(row.role_confidence.get(cell.col, 0.0)), 4),
            }
            yield RowUnit(
                doc_id=doc.doc_id,
                table=table.index,
                row=r,
                col=cell.col,
                line=cell.line,
                end_line=cell.end_line,
                text=cell.text,
                header=header,
                layout=table.layout,
                section_title=table.section_title,
                doc_sha256=doc.sha256,
                context=context,
            )


def _neighbour(row: Row, col: int, step: int) -> str:
    """Nearest non-empty cell text to the left (step -1) or right (+1)."""
    k = col + step
    while 0 <= k < len(row.cells):
        if row.cells[k].text.strip():
            return row.cells[k].text
        k += step
    return ""


def _above(table: Table, r: int, col: int) -> str:
    """Nearest non-empty text in the same column in the rows above."""
    for row in reversed(table.rows[:r]):
        if col < len(row.cells) and row.cells[col].text.strip():
            return row.cells[col].text
    return ""
