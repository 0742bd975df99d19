"""Structure of one document: sections, tables and row units (no model needed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.datamodel import Document, RowUnit, Section, Table
from extractor.reader import read_document
from extractor.segmenter import segment
from extractor.tables import find_tables, prepare_tables, structure_tables
from extractor.tables.column_model import ColumnRoleModel
from extractor.tables.reviewed_roles import apply_reviewed_roles
from extractor.units import build_units


TableCheck = Callable[[Sequence[Table]], None]


@dataclass
class Layout:
    """What the structural stages found in a document."""

    doc: Document
    sections: list[Section]
    tables: list[Table]
    units: list[RowUnit]


def analyse(
    doc: Document,
    column_model: ColumnRoleModel | None = None,
    check_tables: TableCheck = lambda _tables: None,
    reviewed_tables: Mapping[str, Mapping[str, Any]] | None = None,
) -> Layout:
    """Segment ``doc``, rebuild its tables, choose column roles and list the units to classify.

    Without ``column_model`` the vocabulary alone names the columns.
    ``check_tables`` sees the rebuilt tables before any work per column (a
    limit on cells per row raises there). ``reviewed_tables`` (table key ->
    a reviewer's roles, see :mod:`extractor.tables.reviewed_roles`) override
    the chosen roles of those tables.
    """
    sections = segment(doc.lines)
    if doc.tables is None:
        tables = find_tables(doc.lines, sections)
    else:
        tables = _grid_and_text_tables(doc, sections)
    check_tables(tables)
    structure_tables(tables, sections, column_model)
    apply_reviewed_roles(doc.sha256, tables, reviewed_tables or {})
    return Layout(doc=doc, sections=sections, tables=tables, units=build_units(doc, tables))


def _grid_and_text_tables(doc: Document, sections: list[Section]) -> list[Table]:
    """The file's grid tables, and the tables written as text in its paragraphs
    (inline lists such as "绩效指标：a；b；c"), in document order."""
    grid = prepare_tables(doc.tables or (), doc.lines, sections)
    in_grid = {n for t in grid for n in range(t.line, t.end_line + 1)}
    paragraphs = ["" if n in in_grid else line for n, line in enumerate(doc.lines, start=1)]
    tables = sorted([*grid, *find_tables(paragraphs, sections)], key=lambda t: t.line)
    for index, table in enumerate(tables):
        table.index = index
    return tables


def load_units(path: str | Path, column_model: ColumnRoleModel | None = None) -> list[RowUnit]:
    """Row units of the document at ``path``."""
    return analyse(read_document(path), column_model).units
