"""One calibrated probability that a record is right, from all its doubts, with numpy alone.

:class:`RecordConfidence` reads the calibrator that training saved as JSON
next to the model (its doubts, coefficients and intercept) and gives the
logistic probability; extraction uses it, so that no scikit-learn is
imported there. :class:`extractor.record_calibration.RecordCalibrator` is the
scikit-learn estimator that fits it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from extractor.doubts import DOUBTS
from extractor.json_model import JsonModelFile

CALIBRATOR_FILE = "record_calibration.json"
EPS = 1e-4  # confidences are clipped to [EPS, 1 - EPS] before log-odds
# The model scores (cell and column-role confidence) are kept as doubts for
# people to read but are no calibrator input: measured on held-out templates
# they do not carry over from one template to another (ECE 0.25 with them,
# 0.01 without), while the doubts below mean the same on any layout.
#
# The split's confidence is no input either: a record is right only if its row
# was split right, so the calibrated probability is multiplied by it.
INPUTS: tuple[str, ...] = tuple(d for d in DOUBTS if d not in ("cell_confidence", "role_confidence", "split_confidence"))


def doubt_vector(doubts: Mapping[str, float], names: Sequence[str] = INPUTS) -> list[float]:
    """The calibrator's inputs ``names``: a split's confidence as log-odds, the other doubts as they are."""
    out = []
    for name in names:
        value = float(doubts.get(name, 0.0 if "confidence" not in name else 1.0))
        if "confidence" in name:
            p = min(max(value, EPS), 1 - EPS)
            value = math.log(p / (1 - p))
        out.append(value)
    return out


class RecordConfidence(JsonModelFile):
    """P(record right | doubts) from a fitted calibrator's coefficients."""

    FILE_DESCRIPTION = "record calibrator"
    JSON_INDENT = 2

    def __init__(self, C: float = 1.0, prior_weight: float = 5.0) -> None:
        self.C = C
        self.prior_weight = prior_weight

    def predict_proba(self, X: Sequence[Mapping[str, float]]) -> np.ndarray:
        scores = np.array([doubt_vector(d, self.inputs_) for d in X]) @ self.coef_[0] + self.intercept_[0]
        right = 1.0 / (1.0 + np.exp(-scores))
        if "split_confidence" not in self.inputs_:
            right = right * np.array([float(d.get("split_confidence", 1.0)) for d in X])
        return np.column_stack([1 - right, right])

    def predict(self, X: Sequence[Mapping[str, float]]) -> np.ndarray:
        return self.predict_proba(X)[:, 1] >= 0.5

    def to_dict(self) -> dict[str, Any]:
        return {"params": {"C": self.C, "prior_weight": self.prior_weight}, "doubts": list(self.inputs_),
                "coef": self.coef_[0].tolist(), "intercept": float(self.intercept_[0])}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordConfidence:
        """A calibrator saved by this or an earlier version: its doubts must be
        ones this version measures (an older file may weigh others, or fewer)."""
        names = list(data.get("doubts", []))
        if not names or set(names) - set(DOUBTS) or len(data.get("coef", [])) != len(names):
            raise ValueError(f"record calibrator made for doubts {names}, this version reads {list(INPUTS)}")
        model = cls(**data.get("params", {}))
        model.classes_ = np.array([False, True])
        model.inputs_ = names
        model.coef_ = np.asarray([data["coef"]], dtype=np.float64)
        model.intercept_ = np.asarray([float(data["intercept"])])
        return model


def heuristic_confidence(doubts: Mapping[str, float]) -> float:
    """Confidence without a fitted calibrator: the weakest confidence, halved by any sanity doubt."""
    low = min(doubts.get("cell_confidence", 1.0), doubts.get("role_confidence", 1.0), doubts.get("split_confidence", 1.0))
    sanity = ("no_thresholds", "no_activity", "prose_threshold", "scoring_rule", "grades_out_of_order", "no_header", "roles_overruled", "uncertain_roles")
    return low * (0.5 if any(doubts.get(name, 0.0) for name in sanity) else 1.0)
