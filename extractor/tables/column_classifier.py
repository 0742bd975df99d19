"""The column-role estimator: a scikit-learn classifier (parameters in
``__init__``, learned state in ``fit``, ``clone`` works) from
:class:`ColumnSample` to role probabilities, fitted by training.

It is saved as plain JSON (feature names, coefficients, classes), never
pickled; extraction reads that file with :class:`ColumnRoleModel`, which
needs no scikit-learn. Its scores go through the ``DictVectorizer`` the
model was fitted with, so it is also the reference for the numpy path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from extractor.blas import one_blas_thread
from extractor.tables.column_features import ColumnSample, column_features
from extractor.tables.column_model import ColumnRoleModel


class ColumnRoleClassifier(ColumnRoleModel, BaseEstimator, ClassifierMixin):
    """Column role from header characters, vocabulary role and contents."""

    def fit(self, X: Sequence[ColumnSample], y: Sequence[str], sample_weight: Sequence[float] | None = None) -> ColumnRoleClassifier:
        self.vectorizer_ = DictVectorizer()
        matrix = self.vectorizer_.fit_transform([column_features(c, reuse=True) for c in X])
        with one_blas_thread():
            model = LogisticRegression(C=self.C, max_iter=self.max_iter).fit(matrix, list(y), sample_weight=sample_weight)
        self.feature_names_ = list(self.vectorizer_.feature_names_)
        self.vocabulary_ = dict(self.vectorizer_.vocabulary_)
        self.classes_ = np.array(model.classes_)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        return self

    def _linear_scores(self, X: Sequence[ColumnSample]) -> np.ndarray:
        matrix = self.vectorizer_.transform([column_features(c) for c in X])
        return np.asarray(matrix @ self.coef_.T + self.intercept_)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnRoleClassifier:
        model = super().from_dict(data)
        model.vectorizer_ = DictVectorizer()
        model.vectorizer_.feature_names_ = list(model.feature_names_)
        model.vectorizer_.vocabulary_ = dict(model.vocabulary_)
        return model
