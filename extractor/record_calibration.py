"""One calibrated probability that a record is right, from all its doubts.

``RecordCalibrator`` is a scikit-learn estimator (a logistic regression over
the doubts of :mod:`extractor.doubts`, i.e. Platt scaling with more than one
input) fitted on records of templates the models had not seen
(leave-one-template-out and its augmented variants), so that a confidence of
0.8 means "right four times in five" on a layout nobody annotated. It is
saved as JSON next to the model, never pickled, and read at extraction by
:class:`extractor.record_confidence.RecordConfidence` (numpy only), whose
prediction it inherits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from extractor.record_confidence import CALIBRATOR_FILE, EPS, INPUTS, RecordConfidence, doubt_vector, heuristic_confidence

__all__ = ["CALIBRATOR_FILE", "INPUTS", "RecordCalibrator", "doubt_vector", "heuristic_confidence"]


class RecordCalibrator(RecordConfidence, BaseEstimator, ClassifierMixin):
    """P(record right | doubts): logistic regression on the doubts that carry over between layouts.

    Each doubt starts from a prior: ``prior_weight`` pseudo-records with that
    doubt alone, half right and half wrong. A doubt that the training layouts
    seldom or never show (no activity, say, when every training table had
    one) thus lowers confidence towards a coin toss instead of counting for
    nothing; where the data show the doubt is harmless, they outweigh it.
    """

    def fit(self, X: Sequence[Mapping[str, float]], y: Sequence[bool]) -> RecordCalibrator:
        labels = np.asarray([bool(v) for v in y])
        self.classes_ = np.array([False, True])
        self.inputs_ = list(INPUTS)
        if (labels.all() or not labels.any()) and self.prior_weight <= 0:  # one outcome only: its rate
            self.coef_ = np.zeros((1, len(self.inputs_)))
            rate = min(max(labels.mean(), EPS), 1 - EPS)
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
