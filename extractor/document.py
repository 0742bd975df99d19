"""Structure of one document: sections, tables and row units (no model needed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractor.datamodel import Document, RowUnit, Section, Table
from extractor.reader import read_document
from extractor.segmenter import segment
from extractor.tables import find_tables, prepare_tables, structure_tables
from extractor.tables.column_roles import ColumnRoleClassifier
from extractor.units import build_units


@dataclass
class Layout:
    """What the structural stages found in a document."""

    doc: Document
    sections: list[Section]
    tables: list[Table]
    units: list[RowUnit]


def analyse(doc: Document, column_model: ColumnRoleClassifier | None = None) -> Layout:
    """Segment ``doc``, rebuild its tables, choose column roles and list the units to classify.

    Without ``column_model`` the vocabulary alone names the columns.
    """
    sections = segment(doc.lines)
    if doc.tables is None:
        tables = find_tables(doc.lines, sections)
    else:
        tables = prepare_tables(doc.tables, doc.lines, sections)
    structure_tables(tables, sections, column_model)
    return Layout(doc=doc, sections=sections, tables=tables, units=build_units(doc, tables))


def load_units(path: str | Path, column_model: ColumnRoleClassifier | None = None) -> list[RowUnit]:
    """Row units of the document at ``path``."""
    return analyse(read_document(path), column_model).units
