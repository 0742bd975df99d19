"""One calibrated probability that a record is right, from all its doubts.

``RecordCalibrator`` is a scikit-learn estimator (a logistic regression over
the doubts of :mod:`extractor.doubts`, i.e. Platt scaling with more than one
input) fitted on records of templates the models had not seen
(leave-one-template-out and its augmented variants), so that a confidence of
0.8 means "right four times in five" on a layout nobody annotated. It is
saved as JSON next to the model, never pickled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from extractor.json_model import JsonModelFile
from extractor.doubts import DOUBTS

CALIBRATOR_FILE = "record_calibration.json"
_EPS = 1e-4
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
            p = min(max(value, _EPS), 1 - _EPS)
            value = math.log(p / (1 - p))
        out.append(value)
    return out


class RecordCalibrator(JsonModelFile, BaseEstimator, ClassifierMixin):
    """P(record right | doubts): logistic regression on the doubts that carry over between layouts.

    Each doubt starts from a prior: ``prior_weight`` pseudo-records with that
    doubt alone, half right and half wrong. A doubt that the training layouts
    seldom or never show (no activity, say, when every training table had
    one) thus lowers confidence towards a coin toss instead of counting for
    nothing; where the data show the doubt is harmless, they outweigh it.
    """

    FILE_DESCRIPTION = "record calibrator"
    JSON_INDENT = 2

    def __init__(self, C: float = 1.0, prior_weight: float = 5.0) -> None:
        self.C = C
        self.prior_weight = prior_weight

    def fit(self, X: Sequence[Mapping[str, float]], y: Sequence[bool]) -> RecordCalibrator:
        labels = np.asarray([bool(v) for v in y])
        self.classes_ = np.array([False, True])
        self.inputs_ = list(INPUTS)
        if (labels.all() or not labels.any()) and self.prior_weight <= 0:  # one outcome only: its rate
            self.coef_ = np.zeros((1, len(self.inputs_)))
            rate = min(max(labels.mean(), _EPS), 1 - _EPS)
            self.intercept_ = np.array([math.log(rate / (1 - rate))])
            return self
        prior_x, prior_y = self._prior_records()
        features = np.array([doubt_vector(d, self.inputs_) for d in X] + prior_x)
        weights = np.concatenate([np.ones(len(labels)), np.full(len(prior_y), self.prior_weight)])
        model = LogisticRegression(C=self.C, max_iter=2000).fit(features, np.concatenate([labels, prior_y]), sample_weight=weights)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self

    def _prior_records(self) -> tuple[list[list[float]], np.ndarray]:
        """One right and one wrong pseudo-record per doubt, that doubt alone raised."""
        if self.prior_weight <= 0:
            return [], np.array([], dtype=bool)
        rows = []
        for name in self.inputs_:
            rows += [doubt_vector({name: 1.0}, self.inputs_)] * 2
        return rows, np.array([True, False] * len(self.inputs_))

    def predict_proba(self, X: Sequence[Mapping[str, float]]) -> np.ndarray:
        scores = np.array([doubt_vector(d, self.inputs_) for d in X]) @ self.coef_[0] + self.intercept_[0]
        right = 1.0 / (1.0 + np.exp(-scores))
        if "split_confidence" not in self.inputs_:
            right = right * np.array([float(d.get("split_confidence", 1.0)) for d in X])
        return np.column_stack([1 - right, right])

    def predict(self, X: Sequence[Mapping[str, float]]) -> np.ndarray:
        return self.predict_proba(X)[:, 1] >= 0.5

    def to_dict(self) -> dict[str, Any]:
        return {"params": self.get_params(), "doubts": list(self.inputs_), "coef": self.coef_[0].tolist(), "intercept": float(self.intercept_[0])}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordCalibrator:
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
