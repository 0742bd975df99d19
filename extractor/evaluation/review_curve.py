"""The review trade-off: how many rows a threshold sends to review, and how many wrong rows it catches.

A row goes to review when its confidence is below the threshold. For each
candidate threshold the curve gives the share of rows queued and the share of
wrong rows among them; :func:`choose_threshold` picks the smallest queue that
catches a target share (95%) of the wrong rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from extractor.evaluation.common import safe_div

DEFAULT_TARGET = 0.95
# Round thresholds shown in the report's table.
STANDARD_THRESHOLDS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


def review_curve(
    confidence: Sequence[float], correct: Sequence[bool], thresholds: Iterable[float] | None = None
) -> list[dict[str, Any]]:
    """One point per threshold (default: the distinct confidences plus 0 and 1), ascending.

    Each point has ``threshold``, ``queue_size``, ``queue_share`` (rows with
    confidence < threshold), ``caught`` and ``errors_caught`` (wrong rows in the
    queue, as a count and a share of all wrong rows; 1.0 when there are none)
    and ``missed_error_rate`` (share of the rows left out of the queue that are wrong).
    """
    conf = np.sort(np.asarray(confidence, dtype=float))
    wrong = np.sort(np.asarray(confidence, dtype=float)[~np.asarray(correct, dtype=bool)])
    if thresholds is None:
        grid = np.unique(np.concatenate([conf, [0.0, 1.0]]))
    else:
        grid = np.unique(np.asarray(list(thresholds), dtype=float))
    queued = np.searchsorted(conf, grid, side="left")
    caught = np.searchsorted(wrong, grid, side="left")
    n, n_wrong = len(conf), len(wrong)
    return [
        {
            "threshold": float(t),
            "queue_size": int(q),
            "queue_share": safe_div(q, n),
            "caught": int(c),
            "errors_caught": safe_div(c, n_wrong) if n_wrong else 1.0,
            "missed_error_rate": safe_div(n_wrong - c, n - q),
        }
        for t, q, c in zip(grid, queued, caught, strict=True)
    ]


def choose_threshold(curve: Sequence[dict[str, Any]], target: float = DEFAULT_TARGET) -> dict[str, Any]:
    """The point with the smallest queue catching at least ``target`` of the wrong rows.

    Ties go to the lowest threshold, so with no wrong rows the choice is
    threshold 0 and an empty queue. If no threshold reaches the target (wrong
    rows at confidence 1.0) the point catching the most is taken and
    ``reached`` is False.
    """
    if not curve:
        raise ValueError("empty review curve")
    eligible = [p for p in curve if p["errors_caught"] >= target - 1e-12]
    reached = bool(eligible)
    if not eligible:
        best = max(p["errors_caught"] for p in curve)
        eligible = [p for p in curve if p["errors_caught"] == best]
    point = min(eligible, key=lambda p: (p["queue_size"], p["threshold"]))
    return {**point, "target": target, "reached": reached}


def frontier(curve: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The points where the share of errors caught rises, plus both ends: the curve's shape in few points."""
    kept: list[dict[str, Any]] = []
    for k, point in enumerate(curve):
        if k in (0, len(curve) - 1) or point["caught"] > curve[k - 1]["caught"]:
            kept.append(point)
    return kept
