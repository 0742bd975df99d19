"""Row-label evaluation: label metrics, per-document scores, calibration and the review threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from extractor.datamodel import LABELS
from extractor.evaluation.review_curve import (
    DEFAULT_TARGET,
    STANDARD_THRESHOLDS,
    choose_threshold,
    frontier,
    review_curve,
)
from extractor.metrics import expected_calibration_error, label_metrics


@dataclass
class RowPredictions:
    """Gold label, predicted label and confidence of every evaluated row unit."""

    gold: list[str]
    predicted: list[str]
    confidence: list[float]
    doc_ids: list[str]

    @classmethod
    def from_proba(cls, proba: np.ndarray, gold: Sequence[str], doc_ids: Sequence[str]) -> RowPredictions:
        """From a probability matrix with one column per label of ``LABELS``."""
        proba = np.asarray(proba, dtype=float).reshape(len(gold), len(LABELS))
        return cls(
            gold=list(gold),
            predicted=[LABELS[k] for k in proba.argmax(axis=1)],
            confidence=[float(c) for c in proba.max(axis=1)],
            doc_ids=list(doc_ids),
        )

    @property
    def correct(self) -> list[bool]:
        return [g == p for g, p in zip(self.gold, self.predicted, strict=True)]

    def subset(self, doc_id: str) -> RowPredictions:
        idx = [k for k, d in enumerate(self.doc_ids) if d == doc_id]
        return RowPredictions(
            [self.gold[k] for k in idx], [self.predicted[k] for k in idx], [self.confidence[k] for k in idx], [doc_id] * len(idx)
        )


def row_metrics(rows: RowPredictions, target: float = DEFAULT_TARGET, bins: int = 10) -> dict[str, Any]:
    """``rows``, ``per_document``, ``calibration`` and ``review`` sections of metrics.json.

    ``review.curve`` keeps only the points where the share of errors caught
    rises (see :func:`frontier`): the full curve has one point per distinct
    confidence, too many for a readable file.
    """
    labels = label_metrics(rows.gold, rows.predicted)
    calibration = expected_calibration_error(rows.confidence, rows.correct, bins=bins)
    curve = review_curve(rows.confidence, rows.correct)
    chosen = choose_threshold(curve, target)
    return {
        "rows": {k: labels[k] for k in ("labels", "per_label", "macro_f1", "accuracy", "n", "confusion")},
        "per_document": {doc: _document_rows(rows.subset(doc)) for doc in sorted(set(rows.doc_ids))},
        "calibration": {"ece": calibration["ece"], "n_bins": bins, "bins": calibration["bins"]},
        "review": {
            "target": target,
            "threshold": chosen["threshold"],
            "queue_size": chosen["queue_size"],
            "queue_share": chosen["queue_share"],
            "errors_caught": chosen["errors_caught"],
            "missed_error_rate": chosen["missed_error_rate"],
            "reached": chosen["reached"],
            "n_rows": len(rows.gold),
            "n_wrong": len(rows.gold) - sum(rows.correct),
            "standard_thresholds": review_curve(rows.confidence, rows.correct, STANDARD_THRESHOLDS),
            "curve": frontier(curve),
        },
    }


def _document_rows(rows: RowPredictions) -> dict[str, Any]:
    labels = label_metrics(rows.gold, rows.predicted)
    return {
        "units": labels["n"],
        "row_macro_f1": labels["macro_f1"],
        "row_accuracy": labels["accuracy"],
        "ece": expected_calibration_error(rows.confidence, rows.correct)["ece"],
    }
