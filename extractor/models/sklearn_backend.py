"""Default row classifier: text and layout features into a linear model whose
probabilities are calibrated (measured by ECE in cross-validation).

Saved as plain arrays (vocabularies, idf weights, coefficients) in
``model.npz`` by :mod:`extractor.models.linear_arrays`: loading never
unpickles or runs anything from the file, and takes well under a second.
A loaded model predicts with numpy alone (:mod:`extractor.models.linear_predict`);
scikit-learn is imported only to fit, or to load the pipelines themselves
(``load(..., scikit_learn=True)``, the reference the tests compare with).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from extractor.errors import ModelLoadError
from extractor.features import UnitRecord, has_header, without_header
from extractor.models.base import ModelCard, reorder_columns
from extractor.models.linear_arrays import load_pipelines, save_pipelines
from extractor.models.linear_predict import LinearTextModel, load_linear_models

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

BACKEND = "sklearn"
MODEL_FILE = "model.npz"
LEGACY_MODEL_FILE = "model.skops"  # before December 2026; scripts/convert_model.py converts it
WITH_HEADER, WITHOUT_HEADER = "with_header", "without_header"
# Plain multinomial logistic regression measured best calibrated in
# leave-one-document-out CV (ECE 0.007 vs 0.08 with sigmoid, 0.07 isotonic);
# "sigmoid" or "isotonic" wrap it in CalibratedClassifierCV instead (for
# experiments: only the plain model can be saved as arrays).
DEFAULT_PARAMS: dict[str, Any] = {"C": 30.0, "calibration": "none", "calibration_cv": 3, "class_weight": None}


class SklearnRowClassifier:
    """Features -> logistic regression (optionally recalibrated by CV).

    Two pipelines: one for tables with a header row, and one trained on the
    same units with every header removed, for tables that have none (a model
    that has always seen headers is lost without them).
    """

    def __init__(self, card: ModelCard, pipeline: Pipeline | LinearTextModel | None = None,
                 headerless: Pipeline | LinearTextModel | None = None) -> None:
        self.card = card
        self.pipeline = pipeline
        self.headerless = headerless

    @classmethod
    def new(cls, card: ModelCard) -> SklearnRowClassifier:
        card.params = {**DEFAULT_PARAMS, **card.params}
        return cls(card)

    def _build(self) -> Pipeline:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        from extractor.featurizer import UnitFeaturizer

        p = self.card.params
        linear = LogisticRegression(C=float(p["C"]), max_iter=3000, class_weight=p["class_weight"])
        clf = linear if p["calibration"] == "none" else CalibratedClassifierCV(linear, method=p["calibration"], cv=int(p["calibration_cv"]))
        return Pipeline([("features", UnitFeaturizer()), ("clf", clf)])

    def fit(self, records: Sequence[UnitRecord], labels: Sequence[str]) -> SklearnRowClassifier:
        from extractor.blas import one_blas_thread

        records, labels = list(records), list(labels)
        plain = [(without_header(r), y) for r, y in zip(records, labels, strict=True) if not r["context"].get("is_header_row")]
        with one_blas_thread():
            self.pipeline = self._build().fit(records, labels)
            self.headerless = self._build().fit([r for r, _ in plain], [y for _, y in plain])
        return self

    def predict_proba(self, records: Sequence[UnitRecord]) -> np.ndarray:
        if self.pipeline is None:
            raise ModelLoadError("model is not fitted")
        out = np.zeros((len(records), len(self.card.labels)))
        headed = np.fromiter(map(has_header, records), dtype=bool, count=len(records)) if self.headerless is not None else None
        routes = [(self.pipeline, headed), (self.headerless, None if headed is None else ~headed)]
        for pipeline, chosen in routes:
            index = np.arange(len(records)) if chosen is None else np.flatnonzero(chosen)
            if pipeline is not None and len(index):
                proba = pipeline.predict_proba(records if len(index) == len(records) else [records[k] for k in index])
                out[index] = reorder_columns(proba, pipeline.classes_)
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        save_pipelines(directory / MODEL_FILE, {WITH_HEADER: self.pipeline, WITHOUT_HEADER: self.headerless})
        self.card.save(directory)

    @classmethod
    def load(cls, directory: Path, card: ModelCard, scikit_learn: bool = False) -> SklearnRowClassifier:
        """The saved model, predicting with numpy (or as scikit-learn pipelines with ``scikit_learn``)."""
        path = directory / MODEL_FILE
        if not path.exists():
            if (directory / LEGACY_MODEL_FILE).exists():
                raise ModelLoadError(
                    f"{LEGACY_MODEL_FILE} is the old model format; convert it with "
                    f"`python -m scripts.convert_model {directory}`", directory
                )
            raise ModelLoadError(f"missing {MODEL_FILE}", directory)
        load = load_pipelines if scikit_learn else load_linear_models
        loaded: dict[str, Any] = load(path, (WITH_HEADER, WITHOUT_HEADER))
        if loaded[WITH_HEADER] is None:
            raise ModelLoadError("model file does not hold a row-classifier pipeline", path)
        return cls(card, loaded[WITH_HEADER], loaded[WITHOUT_HEADER])
