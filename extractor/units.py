"""Row units: the non-empty cells of performance tables, with a context snapshot.

The snapshot holds everything the classifier and a reviewer need, so labelled
units can be stored in ``annotations/`` and trained on without the document.
"""

from __future__ import annotations

from collections.abc import Iterator

from extractor.datamodel import Document, RowUnit, Table


def build_units(doc: Document, tables: list[Table]) -> list[RowUnit]:
    """Every non-empty cell of every performance table of ``doc``, in reading order."""
    return [unit for table in tables if table.is_performance for unit in _table_units(doc, table)]


def _table_units(doc: Document, table: Table) -> Iterator[RowUnit]:
    headers = table.header_texts()
    n_rows = len(table.rows)
    rows_texts = [row.texts() for row in table.rows]
    above: dict[int, str] = {}  # position -> nearest non-empty text in the rows above
    for r, row in enumerate(table.rows):
        texts = rows_texts[r]
        prev_texts = list(rows_texts[r - 1]) if r > 0 else []
        next_texts = list(rows_texts[r + 1]) if r + 1 < n_rows else []
        filled = [bool(t.strip()) for t in texts]
        left, right = _nearest_filled(texts, filled)
        for cell, has_text in zip(row.cells, filled):
            if not has_text:
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
                "left": left[cell.col] if 0 <= cell.col < len(left) else "",
                "right": right[cell.col + 1] if 0 <= cell.col + 1 < len(right) else "",
                "above": above.get(cell.col, ""),
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
        above.update((k, text) for k, (text, has_text) in enumerate(zip(texts, filled)) if has_text)


def _nearest_filled(texts: list[str], filled: list[bool]) -> tuple[list[str], list[str]]:
    """For each position ``k`` of a row (0 to its length): the nearest non-empty
    text before ``k`` (``left[k]``) and at or after ``k`` (``right[k]``), "" if none
    (``filled``: whether each text is non-empty).

    A cell at ``col`` has its left neighbour at ``left[col]`` and its right one
    at ``right[col + 1]``: one sweep per row, not one scan per cell.
    """
    left, last = [""], ""
    for text, has_text in zip(texts, filled):
        if has_text:
            last = text
        left.append(last)
    right, last = [""], ""
    for text, has_text in zip(reversed(texts), reversed(filled)):
        if has_text:
            last = text
        right.append(last)
    right.reverse()
    return left, right
