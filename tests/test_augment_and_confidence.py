"""Documents rewritten in other layouts keep their records; record doubts and calibration."""

from __future__ import annotations

import json

import numpy as np
import pytest

from extractor.augment import AUGMENTATIONS, augment_document
from extractor.doubts import DOUBTS, record_doubts
from extractor.datamodel import Row
from extractor.evaluation.generalisation import calibration_summary, content_key, queue_for
from extractor.record_calibration import RecordCalibrator, heuristic_confidence
from tests.helpers import DOC_000, ROOT

RECORDS = [json.loads(line) for line in (ROOT / "annotations" / "expected_records" / f"{DOC_000.stem}.jsonl").open(encoding="utf-8")][:12]


@pytest.mark.parametrize("kind", AUGMENTATIONS)
def test_every_variant_carries_every_record_and_prints_its_layout(kind: str) -> None:
    variant = augment_document(RECORDS, kind)
    assert sorted(map(content_key, variant.expected)) == sorted(map(content_key, RECORDS))
    for record in RECORDS:
        assert record["indicator"] in variant.text
    header_row = ("职责活动\t", "绩效指标\t")
    if kind == "no_header":
        assert not any(line.startswith(header_row) for line in variant.text.splitlines())
    else:
        assert any("绩效指标" in line or "指标" in line for line in variant.text.splitlines()[5:])
    if kind == "extra_columns":
        assert "序号" in variant.text and "权重" in variant.text
    if kind == "tab_lines":
        assert any(line.startswith("\t") and "\t" not in line[1:] for line in variant.text.splitlines())
    if kind == "spaced":
        assert "\t" not in variant.text


def test_unknown_augmentation_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown augmentation"):
        augment_document(RECORDS, "upside_down")


def _row(**confidence: float) -> Row:
    return Row(cells=[], line=1, roles={0: "indicator", 1: "target"}, role_confidence={0: confidence.get("role", 1.0), 1: 1.0})


def test_doubts_flag_what_does_not_look_like_a_target() -> None:
    parsed = [
        {"grade": "优", "operator": ">=", "value": 80.0, "unit": "%", "raw": "≥80%"},
        {"grade": "良", "operator": ">=", "value": 90.0, "unit": "%", "raw": "≥90%"},
        {"grade": "中", "operator": ">=", "value": 95.0, "unit": "%", "raw": "≥95%"},
    ]
    doubts = record_doubts(0.9, _row(role=0.4), {"unknown_headers": 0.5}, None, {"优": "完成得5分，未完成扣2分"}, parsed)
    assert set(doubts) == set(DOUBTS)
    assert doubts["grades_out_of_order"] == doubts["scoring_rule"] == doubts["no_activity"] == 1.0
    assert doubts["role_confidence"] == 0.4 and doubts["unknown_headers"] == 0.5
    in_order = [{**p, "value": v} for p, v in zip(parsed, (95.0, 90.0, 80.0))]
    clean = record_doubts(0.99, _row(), {}, "公文运转", {"优": "100%"}, in_order)
    assert not any(clean[k] for k in ("grades_out_of_order", "scoring_rule", "no_activity", "no_thresholds"))
    assert heuristic_confidence(doubts) < 0.5 <= heuristic_confidence(clean)


def test_calibrator_learns_which_doubts_predict_a_wrong_record_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    samples = []
    for _ in range(400):
        doubt = float(rng.random() < 0.3)
        right = rng.random() < (0.2 if doubt else 0.95)
        samples.append(({"cell_confidence": 0.99, "no_activity": doubt}, bool(right)))
    calibrator = RecordCalibrator().fit([d for d, _ in samples], [r for _, r in samples])
    low, high = calibrator.predict_proba([{"cell_confidence": 0.99, "no_activity": 1.0}, {"cell_confidence": 0.99}])[:, 1]
    assert low < 0.4 < 0.85 < high
    again = RecordCalibrator.from_dict(json.loads(json.dumps(calibrator.to_dict())))
    np.testing.assert_allclose(again.predict_proba([{"no_activity": 1.0}]), calibrator.predict_proba([{"no_activity": 1.0}]))


def test_calibrator_of_another_doubt_list_is_refused() -> None:
    data = RecordCalibrator().fit([{}, {"no_header": 1.0}], [True, False]).to_dict()
    data["doubts"] = data["doubts"][:-1]
    with pytest.raises(ValueError, match="doubts"):
        RecordCalibrator.from_dict(data)


def test_a_doubt_never_seen_in_training_still_lowers_confidence() -> None:
    # Training layouts where every table had an activity: without a prior the
    # calibrator could not know that a record without one is suspect.
    samples = [({"no_header": float(k % 5 == 0)}, k % 50 != 0) for k in range(500)]
    X, y = [d for d, _ in samples], [r for _, r in samples]
    with_prior = RecordCalibrator().fit(X, y)
    plain, doubted = with_prior.predict_proba([{}, {"no_activity": 1.0}])[:, 1]
    assert doubted < 0.75 < 0.9 < plain
    without = RecordCalibrator(prior_weight=0).fit(X, y)
    assert abs(without.predict_proba([{"no_activity": 1.0}])[0, 1] - without.predict_proba([{}])[0, 1]) < 1e-9


def test_calibrator_saved_with_fewer_doubts_reads_only_those_and_unknown_doubts_are_refused() -> None:
    older = RecordCalibrator().fit([{}, {"no_header": 1.0}, {}, {"no_header": 1.0}], [True, False, True, False]).to_dict()
    keep = [k for k, name in enumerate(older["doubts"]) if name != "roles_overruled"]
    older = {**older, "doubts": [older["doubts"][k] for k in keep], "coef": [older["coef"][k] for k in keep]}
    loaded = RecordCalibrator.from_dict(older)
    assert "roles_overruled" not in loaded.inputs_
    same = loaded.predict_proba([{"no_header": 1.0}, {"no_header": 1.0, "roles_overruled": 1.0}])[:, 1]
    assert same[0] == same[1] < 0.5
    with pytest.raises(ValueError, match="doubts"):
        RecordCalibrator.from_dict({**older, "doubts": ["exec", *older["doubts"][1:]]})


def test_review_queue_is_the_smallest_that_catches_the_target_share() -> None:
    confidence = np.array([0.1, 0.2, 0.3, 0.9, 0.95, 0.99])
    right = np.array([False, True, False, True, True, True])
    threshold, queue, caught = queue_for(confidence, right, 0.9)
    assert caught == 1.0 and queue == 0.5 and 0.3 < threshold <= 0.9
    summary = calibration_summary(confidence, right)
    assert 0.0 <= summary["ece"] <= 1.0 and sum(b["n"] for b in summary["bins"]) == 6
