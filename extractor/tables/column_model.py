"""The saved column-role model (feature names, coefficients, classes), predicting with numpy alone.

Extraction loads this; :class:`extractor.tables.column_classifier.ColumnRoleClassifier`
is the scikit-learn estimator that fits it and computes the same scores
through a ``DictVectorizer`` (the reference the tests compare with). Scores
add each column's features in the order of their index, as the sparse
product of the vectoriser's matrix adds them, so both give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Number
from typing import Any

import numpy as np

from extractor.json_model import JsonModelFile
from extractor.sparse_rows import add_dot
from extractor.tables.column_features import ColumnSample, band_features
from extractor.vocabulary import ROLES

COLUMN_MODEL_FILE = "columns.json"


class ColumnRoleModel(JsonModelFile):
    """Column role from header characters, vocabulary role and contents (a fitted linear model)."""

    FILE_DESCRIPTION = "column-role model"
    JSON_INDENT = None

    def __init__(self, C: float = 1.0, max_iter: int = 2000) -> None:
        self.C = C
        self.max_iter = max_iter

    def decision_function(self, X: Sequence[ColumnSample]) -> np.ndarray:
        scores = self._linear_scores(X)
        if scores.shape[1] == 1:  # binary: scikit-learn keeps one column
            scores = np.hstack([-scores, scores])
        return scores

    def _linear_scores(self, X: Sequence[ColumnSample]) -> np.ndarray:
        """Features times coefficients plus intercepts, one column per coefficient row."""
        indptr, indices, data = [0], [], []
        for features in band_features(X):
            entries = sorted(self._entries(features))  # by column: each appears once
            indices += [k for k, _ in entries]
            data += [v for _, v in entries]
            indptr.append(len(indices))
        starts = np.asarray(indptr, dtype=np.intp)
        scores = np.zeros((len(X), self.coef_.shape[0]))
        add_dot(scores, starts[:-1], np.diff(starts), np.asarray(indices, dtype=np.intp), np.asarray(data, dtype=np.float64),
                np.ascontiguousarray(self.coef_.T))
        return scores + self.intercept_

    def _entries(self, features: Mapping[str, Any]) -> list[tuple[int, float]]:
        """(column, value) of each known feature, named as ``DictVectorizer`` names them."""
        named: list[tuple[str, Any]] = []
        known: list[tuple[int, float]] = []
        for name, value in features.items():
            if type(value) is float:  # most features: float(np.float64(value)) is value itself
                k = self.vocabulary_.get(name)
                if k is not None:
                    known.append((k, value))
            elif isinstance(value, str):
                named.append((f"{name}={value}", 1.0))
            elif isinstance(value, Number) or value is None:
                named.append((name, value))
            else:
                named += [(f"{name}={item}", 1.0) for item in value]
        return known + [(self.vocabulary_[n], float(np.float64(v))) for n, v in named if n in self.vocabulary_]

    def predict_proba(self, X: Sequence[ColumnSample]) -> np.ndarray:
        scores = self.decision_function(X)
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X: Sequence[ColumnSample]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": {"C": self.C, "max_iter": self.max_iter},
            "classes": [str(c) for c in self.classes_],
            "features": list(self.feature_names_),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnRoleModel:
        model = cls(**data.get("params", {}))
        names = [str(f) for f in data["features"]]
        model.feature_names_ = names
        model.vocabulary_ = {name: k for k, name in enumerate(names)}
        model.classes_ = np.array([str(c) for c in data["classes"]])
        model.coef_ = np.asarray(data["coef"], dtype=np.float64).reshape(len(data["coef"]), len(names))
        model.intercept_ = np.asarray(data["intercept"], dtype=np.float64)
        unknown = set(model.classes_) - set(ROLES)
        if unknown or model.coef_.shape[0] not in (1, len(model.classes_)) or model.intercept_.shape[0] != model.coef_.shape[0]:
            raise ValueError(f"column model has unknown roles {sorted(unknown)} or inconsistent shapes")
        return model
