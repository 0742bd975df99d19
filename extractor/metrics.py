"""Row-label metrics: per-label precision/recall/F1, macro-F1, confusion, calibration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from extractor.datamodel import LABELS


def label_metrics(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Per-label precision, recall, F1 and support; macro-F1; accuracy; confusion matrix.

    ``confusion[i][j]`` counts units of gold label ``labels[i]`` predicted as ``labels[j]``.
    """
    index = {label: k for k, label in enumerate(labels)}
    confusion = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, predicted, strict=True):
        confusion[index[g], index[p]] += 1
    per_label: dict[str, dict[str, float]] = {}
    for k, label in enumerate(labels):
        tp = confusion[k, k]
        precision = tp / confusion[:, k].sum() if confusion[:, k].sum() else 0.0
        recall = tp / confusion[k, :].sum() if confusion[k, :].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": float(precision), "recall": float(recall), "f1": float(f1), "support": int(confusion[k, :].sum())}
    present = [label for label in labels if per_label[label]["support"] or confusion[:, index[label]].sum()]
    macro = float(np.mean([per_label[label]["f1"] for label in present])) if present else 0.0
    total = int(confusion.sum())
    return {
        "per_label": per_label,
        "macro_f1": macro,
        "accuracy": float(np.trace(confusion) / total) if total else 0.0,
        "n": total,
        "labels": list(labels),
        "confusion": confusion.tolist(),
    }


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict[str, Any]:
    """ECE over equal-width confidence bins, with the bins for a reliability diagram."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    ece = 0.0
    for k in range(bins):
        lo, hi = edges[k], edges[k + 1]
        mask = (conf > lo) & (conf <= hi) if k else (conf >= lo) & (conf <= hi)
        n = int(mask.sum())
        if n:
            acc, mean_conf = float(hit[mask].mean()), float(conf[mask].mean())
            ece += n / len(conf) * abs(acc - mean_conf)
        else:
            acc, mean_conf = None, None
        rows.append({"lower": float(lo), "upper": float(hi), "count": n, "accuracy": acc, "confidence": mean_conf})
    return {"ece": float(ece), "bins": rows}
