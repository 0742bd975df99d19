"""Section-heading precision/recall and level accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.datamodel import Section
from extractor.evaluation.sections import section_metrics, section_scores

ROOT = Path(__file__).resolve().parent.parent


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


def test_score_sections_command_needs_no_model(tmp_path):
    """``python -m extractor.evaluation.score_sections`` segments the samples and scores them."""

    (tmp_path / "samples").mkdir()
    (tmp_path / "annotations" / "expected_sections").mkdir(parents=True)
    text = "一、部门职责及机构设置情况\n（一）部门职责\n负责全区统计工作。\n2、部门预算安排总体情况\n收入预算100.00万元。\n"
    (tmp_path / "samples" / "doc.txt").write_text(text, encoding="utf-8")
    truth = [sec(1, 1, "duties"), sec(2, 2, "duties"), sec(4, 1, "budget_overview"), sec(5, 2)]  # line 5 is body text
    rows = "".join(json.dumps({"doc_id": "doc", **row}, ensure_ascii=False) + "\n" for row in truth)
    (tmp_path / "annotations" / "expected_sections" / "doc.jsonl").write_text(rows, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "extractor.evaluation.score_sections", str(tmp_path / "annotations"), str(tmp_path / "samples")],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    scores = json.loads(done.stdout)
    assert (scores["matched"], scores["expected"], scores["predicted"]) == (3, 4, 3)
    assert scores["level_accuracy"] == 1.0 and scores["recall"] == 0.75
    assert scores["per_document"]["doc"]["missing_lines"] == [5]


def test_score_sections_command_without_expected_sections(tmp_path):

    done = subprocess.run(
        [sys.executable, "-m", "extractor.evaluation.score_sections", str(tmp_path), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 1 and "no expected sections in" in done.stderr
