"""Records as the output files hold them: nothing a reader could not get back."""

from __future__ import annotations

import pytest

from extractor.models import load_classifier
from extractor.models.base import resolve_model_dir
from extractor.output import compact_record
from extractor.pipeline import process_document
from extractor.record_calibration import INPUTS, doubt_vector
from tests.helpers import DOC_003, ROOT


def _record(**changes: object) -> dict:
    base = {
        "indicator": "培训人次",
        "thresholds": {"优": "≥100人次", "良": "较好完成", "中": "80-100人次"},
        "parsed_thresholds": [
            {"grade": "优", "operator": ">=", "value": 100.0, "upper": None, "unit": "人次", "raw": "≥100人次",
             "lower_inclusive": True, "upper_inclusive": None, "date": None},
            {"grade": "良", "operator": None, "value": None, "upper": None, "unit": None, "raw": "较好完成",
             "lower_inclusive": None, "upper_inclusive": None, "date": None},
            {"grade": "中", "operator": "between", "value": 80.0, "upper": 100.0, "unit": "人次", "raw": "80至100人次",
             "lower_inclusive": True, "upper_inclusive": True, "date": None},
        ],
        "doubts": {"cell_confidence": 0.93, "role_confidence": 1.0, "no_header": 0.0, "prose_threshold": 1.0},
    }
    return {**base, **changes}


def test_a_parsed_threshold_keeps_what_it_adds_to_the_text() -> None:
    compact = compact_record(_record())["parsed_thresholds"]
    assert compact[0] == {"grade": "优", "operator": ">=", "value": 100.0, "unit": "人次", "lower_inclusive": True}
    # "较好完成" parsed to nothing: its text is in thresholds already
    assert [t["grade"] for t in compact] == ["优", "中"]
    # a raw text that differs from the grade's text (a split or a cleaned value) is kept
    assert compact[1]["raw"] == "80至100人次" and compact[1]["upper"] == 100.0


def test_only_raised_doubts_are_kept() -> None:
    assert compact_record(_record())["doubts"] == {"cell_confidence": 0.93, "prose_threshold": 1.0}


def test_the_input_record_is_not_changed() -> None:
    record = _record()
    compact_record(record)
    assert record == _record()


def test_the_record_calibrator_reads_the_same_inputs_from_compact_doubts() -> None:
    records = process_document(DOC_003, load_classifier(resolve_model_dir(ROOT / "models"))).records
    assert len(records) > 10
    for record in records:
        full = doubt_vector(record.doubts, INPUTS)
        compact = doubt_vector(compact_record(record.to_dict())["doubts"], INPUTS)
        assert compact == pytest.approx(full, abs=1e-5)
