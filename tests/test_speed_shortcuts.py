"""Shortcuts taken for speed give what the plain computation gives.

Each shortcut (a cache, a reuse, a vectorised sum) is compared with the
computation it replaces: on the samples, and on inputs chosen so that a stale
or shared result would show.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from functools import lru_cache

import numpy as np
import pytest

from extractor.features import role_char_ngrams
from extractor.models import load_classifier
from extractor.models.base import resolve_model_dir
from extractor.models.linear_predict import TextBranch, char_ngrams
from extractor.pipeline import process_document
from extractor.reader import read_document
from extractor.sparse_rows import add_dot, sum_of_squares
from extractor.tables import find_tables
from extractor.tables.structure import _assign, _columns, structure_table
from extractor.thresholds import _parse, parse_threshold
from tests.helpers import DOC_000, DOC_001, DOC_003, DOC_004, ROOT

SAMPLES = (DOC_000, DOC_001, DOC_003, DOC_004)


@lru_cache(maxsize=1)
def _classifier():
    return load_classifier(resolve_model_dir(ROOT / "models"))


# --- threshold cells parsed once --------------------------------------------------


def test_a_cached_threshold_equals_a_fresh_parse_and_is_a_copy() -> None:
    cases = [("≥95%", "优", None, None), ("95", "良", "%", "正向"), ("95", "良", "万元", "反向"), ("80%-90%的为良", None, None, None)]
    for text, grade, unit, operator in cases:
        fresh = _parse(text, grade, unit, operator)
        first = parse_threshold(text, grade, unit=unit, operator=operator)
        assert first == fresh
        first.value, first.unit = -1.0, "changed"  # a caller changing its result changes no later one
        assert parse_threshold(text, grade, unit=unit, operator=operator) == fresh


def test_the_same_cell_with_another_unit_or_direction_is_parsed_again() -> None:
    percent = parse_threshold("95", "优", unit="%", operator="≥")
    money = parse_threshold("95", "优", unit="万元", operator="≤")
    assert (percent.unit, percent.operator) == ("%", ">=") and (money.unit, money.operator) == ("万元", "<=")


# --- records copied without a deep copy -------------------------------------------


def test_record_dicts_equal_asdict_and_share_nothing_with_the_record() -> None:
    records = process_document(DOC_003, _classifier(), 0.9).records
    assert records
    for record in records:
        plain = record.to_dict()
        assert plain == dataclasses.asdict(record) and list(plain) == list(dataclasses.asdict(record))
    record = records[0]
    plain = record.to_dict()
    plain["thresholds"]["新"] = "x"
    plain["indicator_category"].append("x")
    plain["doubts"]["新"] = 1.0
    if plain["parsed_thresholds"]:
        plain["parsed_thresholds"][0]["value"] = "x"
    assert record.to_dict() == dataclasses.asdict(record) != plain


# --- a band's roles reused when aligning changed no column -------------------------


def test_band_roles_equal_a_fresh_assignment_of_the_aligned_rows() -> None:
    model = _classifier().column_model
    changed = 0
    for path in SAMPLES:
        for table in find_tables(read_document(path).lines):
            if table.layout == "inline":
                continue
            before = copy.deepcopy(table)
            for band in structure_table(table, model):
                rows = [table.rows[r] for r in band.data_rows]
                fresh = _assign(band.headers, _columns(band.headers, rows, band.width), model)
                assert band.assignment == fresh
                originals = [before.rows[r] for r in band.data_rows]
                full = [row for row in originals if len(row.cells) >= band.width] or originals
                changed += _columns(band.headers, full, band.width) != _columns(band.headers, rows, band.width)
    assert changed  # the samples have a band that aligning changed: its roles were chosen again


# --- terms counted with numpy.unique ----------------------------------------------


def _counted(branch: TextBranch, text: str) -> list[tuple[int, int]]:
    """The reference: one Counter per text, columns ascending."""
    found = Counter(branch.vocabulary[t] for t in branch.analyze(text) if t in branch.vocabulary)
    return sorted(found.items())


def test_term_counts_equal_a_counter_per_text() -> None:
    branch = next(b for b, _ in _classifier().pipeline.branches if isinstance(b, TextBranch))
    texts = ["≥95%", "", "项目完成率项目完成率", "zzzz\u0002", "满意度 ≥ 90%", "≥95%"]
    starts, columns, counts = branch.term_counts(texts)
    for k, text in enumerate(texts):
        row = list(zip(columns[starts[k]:starts[k + 1]].tolist(), counts[starts[k]:starts[k + 1]].tolist(), strict=True))
        assert row == _counted(branch, text)
    assert [len(a) for a in branch.term_counts([])] == [1, 0, 0]


# --- sparse sums in stored order ------------------------------------------------------


def _in_order(out: np.ndarray, starts: np.ndarray, lengths: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """The reference: ``out`` plus each row's terms, added one at a time from its first."""
    out = out.copy()
    for r, (start, length) in enumerate(zip(starts, lengths, strict=True)):
        for e in range(start, start + length):
            out[r] = out[r] + terms[e]
    return out


def test_sparse_sums_add_each_row_left_to_right_to_the_last_bit() -> None:
    rng = np.random.default_rng(7)
    lengths = np.array([3, 0, 7, 1, 7, 2])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # Magnitudes far apart, so that another order of additions rounds differently.
    data = rng.normal(size=lengths.sum()) * 10.0 ** rng.integers(-8, 8, size=lengths.sum())
    indices = rng.integers(0, 5, size=lengths.sum())
    weights = rng.normal(size=(5, 3))
    out = np.full((len(lengths), 3), 0.1)
    expected = _in_order(out, starts, lengths, data[:, None] * weights[indices])
    add_dot(out, starts, lengths, indices, data, weights)
    assert np.array_equal(out, expected)
    squares = _in_order(np.zeros(len(lengths)), starts, lengths, data * data)
    assert np.array_equal(sum_of_squares(starts, lengths, data), squares)


@pytest.mark.parametrize("lengths", [[], [0, 0]])
def test_sparse_sums_of_empty_rows(lengths: list[int]) -> None:
    lengths_ = np.array(lengths, dtype=np.intp)
    starts = np.zeros(len(lengths), dtype=np.intp)
    out = np.zeros((len(lengths), 2))
    add_dot(out, starts, lengths_, np.zeros(0, dtype=np.intp), np.zeros(0), np.ones((3, 2)))
    assert np.array_equal(out, np.zeros((len(lengths), 2)))
    assert np.array_equal(sum_of_squares(starts, lengths_, np.zeros(0)), np.zeros(len(lengths)))


@pytest.mark.parametrize("text", ["", "a", "ab", "  x \t y  ", "项目完成率≥95%", "abcdefgh"])
def test_char_ngrams_are_scikit_learns(text: str) -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    for low, high in [(1, 1), (1, 2), (1, 3), (2, 3), (2, 5)]:
        analyse = CountVectorizer(analyzer="char", ngram_range=(low, high), lowercase=False).build_analyzer()
        assert char_ngrams(text, low, high) == analyse(text)


@pytest.mark.parametrize("doc", ["target\u0001", "target\u0001提", "target\u0001提高 效率\n", "none\u0001 a\u0001b "])
def test_role_char_ngrams_are_the_tagged_one_and_two_grams(doc: str) -> None:
    role, text = doc.split("\u0001", 1)
    text = "".join(text.split())
    expected = [f"{role}:{text[i:i + n]}" for n in (1, 2) for i in range(len(text) - n + 1)]
    assert role_char_ngrams(doc) == expected
