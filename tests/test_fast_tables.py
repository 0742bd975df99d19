"""Shortcuts of table analysis and record assembly give what the plain computation gives.

Each fast path (work per column or per row instead of per cell, a cheaper
test before an exact one) is compared with the computation it replaces, on
the samples and on generated inputs chosen to reach its edge cases.
"""

from __future__ import annotations

import random

import pytest

from extractor.datamodel import Cell, Row, Table
from extractor.reader import read_document
from extractor.segmenter import segment
from extractor.tables import find_tables, structure_tables
from extractor.tables.column_features import ColumnSample, band_features, column_features, in_table
from extractor.tables.structure import band_columns, structure_table
from extractor.units import build_units
from tests.helpers import DOC_000, DOC_001, DOC_003, DOC_004, document_from_text

SAMPLES = (DOC_000, DOC_001, DOC_003, DOC_004)
# Cell texts that exercise the features: blanks, padding, values, stems, categories, grades, sequences.
_TEXTS = ("", " ", "  \n", "≥95%", " ≥90% ", "效果达到95%", "效果达到90%", "产出指标", "数量指标", "优", "1", "2", "3",
          "项目完成率", "按时完成。", "100", "万元", "正向", "12.5", "满意度≥90%", "项目完成率")


@pytest.fixture(scope="module")
def sample_tables():
    tables = []
    for path in SAMPLES:
        doc = read_document(path)
        found = find_tables(doc.lines, segment(doc.lines))
        structure_tables(found, segment(doc.lines), None)
        tables += found
    return tables


def _random_band(rng: random.Random) -> list[ColumnSample]:
    """A table of random width whose columns may differ in length (ragged rows)."""
    width, rows = rng.randint(1, 7), rng.randint(0, 9)
    headers = ["", "指标名称", "指标值", "优", "一级指标", "计量单位", "备注"]
    return in_table([
        ColumnSample(rng.choice(headers), [rng.choice(_TEXTS) for _ in range(rows - rng.randint(0, 2) * (rows > 0))], 0, 0)
        for _ in range(width)
    ])


def _as_items(features: list[dict[str, float]]) -> list[list[tuple[str, float]]]:
    return [list(f.items()) for f in features]


def test_band_features_equal_column_features_on_the_samples(sample_tables) -> None:
    bands = 0
    for table in sample_tables:
        if table.layout == "inline":
            continue
        for band in structure_table(table, None):
            columns = band_columns(table, band)
            assert _as_items(band_features(columns)) == _as_items([column_features(c) for c in columns])
            bands += 1
    assert bands > 20


def test_band_features_equal_column_features_on_ragged_random_bands() -> None:
    rng = random.Random(11)
    for _ in range(500):
        columns = _random_band(rng)
        assert _as_items(band_features(columns)) == _as_items([column_features(c) for c in columns])


def test_band_features_of_columns_from_different_tables() -> None:
    """Columns whose neighbours are not each other (a training set's mix) are read each on its own."""
    rng = random.Random(5)
    columns = [c for _ in range(40) for c in _random_band(rng)]
    rng.shuffle(columns)
    assert _as_items(band_features(columns)) == _as_items([column_features(c) for c in columns])


# --- row units: neighbours found by one sweep per row --------------------------------


def _plain_neighbour(row: Row, col: int, step: int) -> str:
    """The reference: scan from the cell to the nearest non-empty cell."""
    k = col + step
    while 0 <= k < len(row.cells):
        if row.cells[k].text.strip():
            return row.cells[k].text
        k += step
    return ""


def _plain_above(table: Table, r: int, col: int) -> str:
    """The reference: scan the rows above, nearest first."""
    for row in reversed(table.rows[:r]):
        if col < len(row.cells) and row.cells[col].text.strip():
            return row.cells[col].text
    return ""


def _random_table(rng: random.Random) -> Table:
    """Ragged rows with blank cells; some rows number their cells off their positions (aligned rows)."""
    rows = []
    for r in range(rng.randint(1, 8)):
        shift = rng.choice([0, 0, 1, 2])
        cells = [Cell(rng.choice(_TEXTS), r + 1, r + 1, k + shift) for k in range(rng.randint(0, 6))]
        rows.append(Row(cells=cells, line=r + 1, columns={c.col: "指标名称" for c in cells[:2]}))
    return Table(index=0, layout="tab_rows", line=1, end_line=len(rows), rows=rows, is_performance=True)


def _assert_plain_neighbours(tables: list[Table]) -> int:
    doc = document_from_text("x")
    checked = 0
    for table in tables:
        units = build_units(doc, [table])
        for unit in units:
            row = table.rows[unit.row]
            assert unit.context["left"] == _plain_neighbour(row, unit.col, -1)
            assert unit.context["right"] == _plain_neighbour(row, unit.col, +1)
            assert unit.context["above"] == _plain_above(table, unit.row, unit.col)
            assert unit.context["row_texts"] == row.texts()
            assert unit.context["prev_row_texts"] == (table.rows[unit.row - 1].texts() if unit.row else [])
            assert unit.context["next_row_texts"] == (table.rows[unit.row + 1].texts() if unit.row + 1 < len(table.rows) else [])
            checked += 1
    return checked


def test_unit_neighbours_equal_a_scan_per_cell_on_the_samples(sample_tables) -> None:
    assert _assert_plain_neighbours([t for t in sample_tables if t.is_performance]) > 1000


def test_unit_neighbours_equal_a_scan_per_cell_on_ragged_random_tables() -> None:
    rng = random.Random(3)
    assert _assert_plain_neighbours([_random_table(rng) for _ in range(400)]) > 1000
