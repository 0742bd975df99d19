"""A document in layouts the annotations do not contain: other column order, no header.

tests/data/unseen_layouts.txt was written for this test: a project table whose
columns run 序号 | 指标名称 | 目标值 | 职责活动, and a duty table with no header row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.models import load_classifier
from extractor.pipeline import HEADERLESS_CONFIDENCE_CAP, process_document
from extractor.table_queue import table_entries
from tests.helpers import ROOT

DOC = Path(__file__).parent / "data" / "unseen_layouts.txt"


@pytest.fixture(scope="module")
def result():
    return process_document(DOC, load_classifier(ROOT / "models"), review_threshold=0.9)


def test_other_column_order_is_read_by_header_words(result):
    records = [r for r in result.records if r.line < 30]
    assert [(r.indicator, r.thresholds) for r in records] == [
        ("系统正常运行率", {"指标值": "≥99%"}),
        ("故障响应时间", {"指标值": "≤2小时"}),
        ("用户满意度", {"指标值": "≥90%"}),
    ]
    assert all(r.activity == "信息化运维经费" for r in records)


def test_table_without_header_is_labelled_from_text_and_sent_to_review(result):
    units = {u.line: u for u in result.units if u.line > 30}
    assert units[32].label == "activity" and units[35].label == "indicator" and units[45].label == "threshold"
    assert all(u.confidence <= HEADERLESS_CONFIDENCE_CAP for u in units.values())
    records = [r for r in result.records if r.line > 30]
    assert [r.indicator for r in records] == ["检查覆盖率", "隐患整改率"]
    assert records[1].thresholds == {"优": "≥98%", "良": "≥95%", "中": "≥90%", "差": "＜90%"}
    assert all(r.activity == "安全生产监管" and r.doubts["no_header"] == 1.0 for r in records)
    # Its column roles were read from contents alone: the table goes to a reviewer as one table task.
    queued = table_entries(
        result.doc.doc_id, result.doc.sha256, str(DOC), result.tables, result.sections,
        result.units, result.records, result.model_version,
    )
    assert any(entry["line"] <= 32 <= entry["end_line"] for entry in queued), queued
