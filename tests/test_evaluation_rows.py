"""Row metrics on hand-made models whose right answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from extractor.datamodel import LABELS
from extractor.evaluation.rows import RowPredictions, row_metrics

GOLD = ["activity", "activity", "indicator", "indicator", "threshold", "threshold", "other", "other"]


def _rows(predicted: list[str], confidence: float | list[float], gold: list[str] = GOLD) -> RowPredictions:
    conf = [confidence] * len(gold) if isinstance(confidence, float) else confidence
    docs = ["a" if k % 2 else "b" for k in range(len(gold))]
    return RowPredictions(list(gold), list(predicted), list(conf), docs)


def test_perfect_model():
    m = row_metrics(_rows(GOLD, 0.99))
    assert m["rows"]["macro_f1"] == 1.0
    assert m["rows"]["accuracy"] == 1.0
    assert all(s["precision"] == s["recall"] == 1.0 for s in m["rows"]["per_label"].values())
    assert np.trace(np.array(m["rows"]["confusion"])) == len(GOLD)
    assert m["calibration"]["ece"] == pytest.approx(0.01)
    review = m["review"]
    assert (review["threshold"], review["queue_size"], review["queue_share"]) == (0.0, 0, 0.0)
    assert review["errors_caught"] == 1.0 and review["n_wrong"] == 0
    assert set(m["per_document"]) == {"a", "b"}
    assert all(d["row_macro_f1"] == 1.0 for d in m["per_document"].values())


def test_model_always_wrong_on_one_label():
    # every threshold is labelled "other"
    predicted = ["other" if g == "threshold" else g for g in GOLD]
    m = row_metrics(_rows(predicted, 0.9))
    per = m["rows"]["per_label"]
    assert per["threshold"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2}
    # "other": 2 right of 4 predicted, both found: P 1/2, R 1, F1 2/3
    assert per["other"]["precision"] == 0.5 and per["other"]["recall"] == 1.0
    assert per["other"]["f1"] == pytest.approx(2 / 3)
    # macro-F1 = (1 + 1 + 0 + 2/3) / 4 = 2/3
    assert m["rows"]["macro_f1"] == pytest.approx(2 / 3)
    assert m["rows"]["accuracy"] == 0.75
    t, o = LABELS.index("threshold"), LABELS.index("other")
    assert m["rows"]["confusion"][t][o] == 2 and m["rows"]["confusion"][t][t] == 0


def test_badly_calibrated_model():
    # always 99% sure, right half the time
    predicted = [g if k % 2 else "other" if g != "other" else "activity" for k, g in enumerate(GOLD)]
    m = row_metrics(_rows(predicted, 0.99))
    assert m["rows"]["accuracy"] == 0.5
    assert m["calibration"]["ece"] == pytest.approx(0.49)
    top = m["calibration"]["bins"][-1]
    assert (top["count"], top["accuracy"], top["confidence"]) == (8, 0.5, pytest.approx(0.99))
    # confidence says nothing: only reviewing every row catches the mistakes
    assert (m["review"]["threshold"], m["review"]["queue_share"], m["review"]["errors_caught"]) == (1.0, 1.0, 1.0)


def test_from_proba_takes_the_most_likely_label():
    proba = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.2, 0.6, 0.1]])
    rows = RowPredictions.from_proba(proba, ["activity", "indicator"], ["d", "d"])
    assert rows.predicted == ["activity", "threshold"]
    assert rows.confidence == pytest.approx([0.7, 0.6])
    assert rows.correct == [True, False]
