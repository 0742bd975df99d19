"""Shortcuts of table analysis and record assembly give what the plain computation gives.

Each fast path (work per column or per row instead of per cell, a cheaper
test before an exact one) is compared with the computation it replaces, on
the samples and on generated inputs chosen to reach its edge cases.
"""

from __future__ import annotations

import random

import pytest

from extractor.reader import read_document
from extractor.segmenter import segment
from extractor.tables import find_tables, structure_tables
from extractor.tables.column_features import ColumnSample, band_features, column_features, in_table
from extractor.tables.structure import band_columns, structure_table
from tests.helpers import DOC_000, DOC_001, DOC_003, DOC_004

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
