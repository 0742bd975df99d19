"""Record matching and record-level scores on hand-made records."""

from __future__ import annotations

import pytest

from extractor.evaluation.records import load_scope, match_records, record_metrics

GRADES = {"优": "≥90%", "良": "≥80%", "中": "≥70%", "差": "<70%"}


def rec(line: int, indicator: str, activity: str = "公文运转", thresholds: dict | None = None, doc: str = "d1", **extra):
    return {"doc_id": doc, "line": line, "parent_activity": "参谋协调运转", "activity": activity,
            "indicator": indicator, "thresholds": dict(GRADES if thresholds is None else thresholds), **extra}


def test_identical_records_are_right_whitespace_aside():
    expected = [rec(10, "发文数量"), rec(20, "行文差错率")]
    predicted = [rec(10, "发文 数量"), rec(20, "行文差错率", thresholds={**GRADES, "优": "≥ 90%"})]
    m = record_metrics(predicted, expected)
    assert (m["precision"], m["recall"], m["f1"], m["thresholds_exact"]) == (1.0, 1.0, 1.0, 1.0)
    assert m["mistakes"] == []


def test_wrong_threshold_missing_and_extra():
    expected = [rec(10, "a"), rec(20, "b"), rec(30, "c"), rec(40, "d")]
    predicted = [
        rec(10, "a"),                                      # right
        rec(20, "b", thresholds={**GRADES, "差": "<60%"}),  # one threshold wrong
        rec(30, "c", thresholds={"优": "≥90%"}),            # grades missing
        rec(50, "e"),                                      # extra (and "d" is missing)
        rec(40, "d", activity="公务接待"),                   # wrong activity
    ]
    m = record_metrics(predicted, expected)
    assert (m["matched"], m["correct"], m["missing"], m["extra"]) == (4, 1, 0, 1)
    assert m["precision"] == pytest.approx(1 / 5) and m["recall"] == pytest.approx(1 / 4)
    assert m["f1"] == pytest.approx(2 * (1 / 5) * (1 / 4) / (1 / 5 + 1 / 4))
    assert m["thresholds_exact"] == pytest.approx(2 / 4)
    assert m["activity_accuracy"] == pytest.approx(3 / 4)
    assert [(x["line"], x["wrong"]) for x in m["mistakes"]] == [(20, "thresholds"), (30, "thresholds"), (40, "activity"), (50, "extra")]


def test_missing_record():
    m = record_metrics([rec(10, "a")], [rec(10, "a"), rec(20, "b")])
    assert (m["precision"], m["recall"], m["missing"]) == (1.0, 0.5, 1)
    assert m["mistakes"][0]["wrong"] == "missing" and m["mistakes"][0]["predicted"] is None


def test_duplicated_rows_are_separate_records():
    twice = [rec(10, "a"), rec(10, "a")]
    assert record_metrics(twice, twice)["f1"] == 1.0
    once = record_metrics([rec(10, "a")], twice)
    assert (once["correct"], once["missing"], once["recall"]) == (1, 1, 0.5)
    thrice = record_metrics([rec(10, "a")] * 3, twice)
    assert (thrice["correct"], thrice["extra"], thrice["precision"]) == (2, 1, pytest.approx(2 / 3))


def test_duplicates_pair_identical_records_first():
    x, y = rec(10, "a", thresholds={"指标值": "1"}), rec(10, "a", thresholds={"指标值": "2"})
    match = match_records([y, x], [x, y])
    assert all(p is e for p, e in match.pairs) and not match.extra and not match.missing
    assert record_metrics([y, x], [x, y])["correct"] == 2


def test_per_document_scores_and_review_flags():
    expected = [rec(10, "a"), rec(10, "a", doc="d2")]
    predicted = [rec(10, "a", needs_review=False), rec(10, "a", doc="d2", activity="x", needs_review=True)]
    m = record_metrics(predicted, expected)
    assert m["per_document"]["d1"]["f1"] == 1.0 and m["per_document"]["d2"]["f1"] == 0.0
    assert m["needs_review_share"] == 0.5 and m["wrong_flagged_share"] == 1.0


def test_scope_limits_scoring_to_checked_lines(tmp_path):
    (tmp_path / "scope.json").write_text('{"d1": [[1, 15]]}', encoding="utf-8")
    scope = load_scope(tmp_path)
    m = record_metrics([rec(10, "a"), rec(99, "unchecked"), rec(5, "b", doc="d2")], [rec(10, "a"), rec(5, "b", doc="d2")], scope)
    assert (m["predicted"], m["f1"]) == (2, 1.0)
    assert m["scope"] == {"d1": [[1, 15]]}
    assert load_scope(tmp_path / "none") == {}
