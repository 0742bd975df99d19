"""Find every table in a document and rebuild its rows and cells.

Five layouts are recognised (see the modules of this package: tab_lines,
tab_rows, inline, and text_rows for space-separated and run-together rows);
each table is then given per-row header columns and a performance flag.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from extractor.datamodel import Row, Section, Table
from extractor.tables import inline, tab_lines, tab_rows, text_rows
from extractor.tables.column_model import ColumnRoleModel
from extractor.tables.lines import CAPTION_SUFFIXES, is_cell_line, is_row_line
from extractor.tables.structure import PERFORMANCE_ROLES, structure_many

__all__ = ["find_tables", "prepare_tables", "structure_tables"]

# Cell text that looks like a graded target: "≥90%", "80%以上", "90%及以上".
_THRESHOLD_LIKE = re.compile(r"[≥≤＞＜><]|\d+\s*%|以上|以下|不低于|不超过")
_MIN_THRESHOLD_CELLS = 3
_CAPTION_LOOKBACK = 4


def find_tables(lines: Sequence[str], sections: Sequence[Section] = ()) -> list[Table]:
    """All tables of a document, in order, with headers mapped and performance flagged."""
    lines = list(lines)
    tables: list[Table] = []
    for layout, start, end, rows in _layout_spans(lines):
        if rows:
            tables.append(Table(index=len(tables), layout=layout, line=start + 1, end_line=end, rows=rows))
    return _finish(tables, lines, sections)


def prepare_tables(tables: Sequence[Table], lines: Sequence[str], sections: Sequence[Section] = ()) -> list[Table]:
    """Tables a reader rebuilt from the file's own grid (DOCX, PDF, HTML, XLSX),
    given headers, captions, section titles and performance flags like text tables.

    ``lines`` is the document's text with each table row on its own line, and
    each table's ``line``/``end_line`` point into it.
    """
    tables = list(tables)
    for index, table in enumerate(tables):
        table.index = index
    return _finish(tables, list(lines), sections)


def _finish(tables: list[Table], lines: list[str], sections: Sequence[Section]) -> list[Table]:
    containing = containing_sections(sections, [table.line for table in tables])
    for table, around in zip(tables, containing, strict=True):
        table.caption = _caption(lines, table.line - 1)
        table.section_title = _section_title(around, table.line)
    return tables


def structure_tables(tables: Sequence[Table], sections: Sequence[Section], model: ColumnRoleModel | None) -> None:
    """Choose every table's row kinds and column roles, then flag performance tables."""
    structure_many([table for table in tables if table.layout != "inline"], model)
    containing = containing_sections(sections, [table.line for table in tables])
    for table, around in zip(tables, containing, strict=True):
        table.is_performance = _is_performance(table, around)


def containing_sections(sections: Sequence[Section], lines: Sequence[int]) -> list[list[Section]]:
    """For each of ``lines``, the sections that contain it, in the order of ``sections``.

    One sweep over sections and lines sorted by start (not a scan of every
    section per table): a section enters when the sweep reaches its first line
    and leaves once the sweep passes its last, so the open list holds only the
    sections around the current line.
    """
    order = sorted(range(len(sections)), key=lambda k: sections[k].line)
    out: list[list[Section]] = [[] for _ in lines]
    open_: list[int] = []
    nxt = 0
    for q in sorted(range(len(lines)), key=lines.__getitem__):
        line = lines[q]
        while nxt < len(order) and sections[order[nxt]].line <= line:
            open_.append(order[nxt])
            nxt += 1
        open_ = [k for k in open_ if sections[k].end_line >= line]
        out[q] = [sections[k] for k in sorted(open_)]
    return out


def _layout_spans(lines: list[str]) -> list[tuple[str, int, int, list[Row]]]:
    """(layout, start, end, rows) for each table, 0-based [start, end)."""
    inline_spans = dict(inline.find_blocks(lines))
    text_tables = _text_tables_by_line(lines)
    spans: list[tuple[str, int, int, list[Row]]] = []
    i = 0
    while i < len(lines):
        if i in text_tables:
            table = text_tables.pop(i)
            # A span of another layout may have taken the first form lines.
            spans.append((table.layout, i, table.end, [r for r in table.rows if r.line > i]))
            i = table.end
        elif i in inline_spans:
            end = inline_spans[i]
            rows, keys = inline.build_rows(lines, i, end)
            for index, row in enumerate(rows):
                row.key = keys.get(index, "")
                # A line without a key is the block's heading: its activity.
                row.columns = {c.col: row.key or inline.HEADING_COLUMN for c in row.cells}
                row.roles = {c.col: inline.key_role(row.key) for c in row.cells}
                row.role_confidence = {c.col: 1.0 for c in row.cells}
            spans.append(("inline", i, end, rows))
            i = end
        elif is_cell_line(lines[i]):
            blocks, end = tab_lines.scan_blocks(lines, i)
            spans.append(("tab_lines", i, end, tab_lines.build_rows(blocks)))
            i = max(end, i + 1)
        elif is_row_line(lines[i]):
            rows, end = tab_rows.scan_rows(lines, i)
            spans.append(("tab_rows", i, end, rows))
            i = max(end, i + 1)
        else:
            i += 1
    return spans


def _text_tables_by_line(lines: list[str]) -> dict[int, text_rows.TextTable]:
    """Space-separated and run-together tables, by each line from their first
    form line to their header (where the table starts if an earlier span ends there)."""
    by_line: dict[int, text_rows.TextTable] = {}
    for table in text_rows.find_text_tables(lines):
        for k in range(table.start, table.header + 1):
            by_line[k] = table
    return by_line



def _caption(lines: list[str], start: int) -> str:
    """A "…绩效目标表" title a few lines above the table, else the nearest text line."""
    above: list[str] = []
    for i in range(start - 1, -1, -1):  # only back to the last few text lines, not the whole document
        text = lines[i].strip()
        if text:
            above.append(text)
            if len(above) == _CAPTION_LOOKBACK:
                break
    for text in above:
        if text.endswith(CAPTION_SUFFIXES):
            return text
    return above[0] if above and "\t" not in above[0] else ""


def _section_title(sections: Sequence[Section], line: int) -> str:
    """Title of the innermost section containing ``line``."""
    best: Section | None = None
    for section in sections:
        if section.line <= line <= section.end_line and (best is None or section.level >= best.level):
            best = section
    return best.title if best else ""


# Parts of a disclosure whose tables are never performance targets.
_NOT_PERFORMANCE_SECTIONS = {"procurement", "assets", "three_public", "income", "expenditure", "operating_costs"}
# A header column names an indicator, grade or target at least this surely.
_SURE_ROLE = 0.5


def _names_performance_column(row: Row) -> bool:
    """A header row with a named column the model is sure is an indicator, grade or target."""
    named = {c.col for c in row.cells if c.text.strip()}
    return any(
        row.roles.get(col) in PERFORMANCE_ROLES and row.role_confidence.get(col, 0.0) > _SURE_ROLE for col in named
    )


def _section_type(sections: Sequence[Section], line: int) -> str:
    """Type of the innermost section containing ``line``."""
    best: Section | None = None
    for section in sections:
        if section.line <= line <= section.end_line and (best is None or section.level >= best.level):
            best = section
    return best.type if best else ""


def _is_performance(table: Table, sections: Sequence[Section]) -> bool:
    """Indicator, grade or target columns under a header, else a performance
    section or many target-like cells (``sections``: those containing the table)."""
    if table.layout == "inline":
        return True
    if _section_type(sections, table.line) in _NOT_PERFORMANCE_SECTIONS:
        return False
    if any(row.is_header and _names_performance_column(row) for row in table.rows):
        return True
    if any(row.is_header for row in table.rows):
        return False
    in_performance = any(
        s.type == "performance" and s.line <= table.line <= s.end_line for s in sections
    )
    targets = sum(bool(_THRESHOLD_LIKE.search(c.text)) for row in table.rows for c in row.cells)
    return in_performance or targets >= _MIN_THRESHOLD_CELLS
