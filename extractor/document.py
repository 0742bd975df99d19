"""Structure of one document: sections, tables and row units (no model needed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractor.datamodel import Document, RowUnit, Section, Table
from extractor.reader import read_document
from extractor.segmenter import segment
from extractor.tables import find_tables, prepare_tables
from extractor.units import build_units


@dataclass
class Layout:
    """What the structural stages found in a document."""

    doc: Document
    sections: list[Section]
    tables: list[Table]
    units: list[RowUnit]


def analyse(doc: Document) -> Layout:
    """Segment ``doc``, rebuild its tables and list the units to classify."""
    sections = segment(doc.lines)
    if doc.tables is None:
        tables = find_tables(doc.lines, sections)
    else:
        tables = prepare_tables(doc.tables, doc.lines, sections)
    return Layout(doc=doc, sections=sections, tables=tables, units=build_units(doc, tables))


def load_units(path: str | Path) -> list[RowUnit]:
    """Row units of the document at ``path``."""
    return analyse(read_document(path)).units
