"""Section-heading precision/recall and level accuracy."""

from __future__ import annotations

import pytest

from extractor.datamodel import Section
from extractor.evaluation.sections import section_metrics, section_scores


def sec(line: int, level: int, type_: str = "other") -> dict:
    return {"line": line, "end_line": line + 1, "level": level, "number": "", "title": f"t{line}", "type": type_}


EXPECTED = [sec(1, 1, "title"), sec(5, 2, "duties"), sec(9, 2, "income"), sec(12, 3, "income")]


def test_precision_recall_and_level_accuracy():
    found = [Section(1, 2, 1, "", "t1", "title"), sec(5, 2, "duties"), sec(9, 3, "expenditure"), sec(20, 1)]
    s = section_scores(found, EXPECTED)
    assert (s["matched"], s["precision"], s["recall"]) == (3, 0.75, 0.75)
    assert s["level_accuracy"] == pytest.approx(2 / 3)
    assert s["type_accuracy"] == pytest.approx(2 / 3)
    assert (s["missing_lines"], s["extra_lines"]) == ([12], [20])


def test_perfect_outline():
    s = section_scores(EXPECTED, EXPECTED)
    assert (s["precision"], s["recall"], s["f1"], s["level_accuracy"]) == (1.0, 1.0, 1.0, 1.0)


def test_pooled_over_documents():
    m = section_metrics({"a": EXPECTED, "b": [sec(1, 2)], "c": []}, {"a": EXPECTED, "b": [sec(1, 1), sec(3, 1)]})
    assert m["documents"] == ["a", "b"]
    assert (m["matched"], m["expected"], m["predicted"]) == (5, 6, 5)
    assert m["recall"] == pytest.approx(5 / 6) and m["precision"] == 1.0
    assert m["level_accuracy"] == pytest.approx(4 / 5)
    assert m["per_document"]["b"]["level_accuracy"] == 0.0
