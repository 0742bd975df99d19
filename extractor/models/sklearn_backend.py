"""Default row classifier: text and layout features into a linear model whose
probabilities are calibrated (measured by ECE in cross-validation).

Saved with skops; loading checks every type in the file against an allow-list
of scikit-learn, NumPy, SciPy and this package's feature functions, so a
tampered file is refused instead of executed.
"""

from __future__ import annotations

import inspect
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from extractor import features
from extractor.errors import ModelLoadError
from extractor.features import UnitFeaturizer, UnitRecord, has_header, without_header
from extractor.models.base import ModelCard, reorder_columns

BACKEND = "sklearn"
MODEL_FILE = "model.skops"
# Plain multinomial logistic regression measured best calibrated in
# leave-one-document-out CV (ECE 0.007 vs 0.08 with sigmoid, 0.07 isotonic);
# "sigmoid" or "isotonic" wrap it in CalibratedClassifierCV instead.
DEFAULT_PARAMS: dict[str, Any] = {"C": 30.0, "calibration": "none", "calibration_cv": 3, "class_weight": None}
# skops trusts its own list of safe scikit-learn/NumPy/SciPy types; the only
# other types a model of ours holds are this package's feature functions and
# classes. Nothing is trusted by prefix: "builtins." would admit exec and eval.
_FEATURE_MODULE = "extractor.features"


class SklearnRowClassifier:
    """Features -> logistic regression (optionally recalibrated by CV).

    Two pipelines: one for tables with a header row, and one trained on the
    same units with every header removed, for tables that have none (a model
    that has always seen headers is lost without them).
    """

    def __init__(self, card: ModelCard, pipeline: Pipeline | None = None, headerless: Pipeline | None = None) -> None:
        self.card = card
        self.pipeline = pipeline
        self.headerless = headerless

    @classmethod
    def new(cls, card: ModelCard) -> SklearnRowClassifier:
        card.params = {**DEFAULT_PARAMS, **card.params}
        return cls(card)

    def _build(self) -> Pipeline:
        p = self.card.params
        linear = LogisticRegression(C=float(p["C"]), max_iter=3000, class_weight=p["class_weight"])
        clf = linear if p["calibration"] == "none" else CalibratedClassifierCV(linear, method=p["calibration"], cv=int(p["calibration_cv"]))
        return Pipeline([("features", UnitFeaturizer()), ("clf", clf)])

    def fit(self, records: Sequence[UnitRecord], labels: Sequence[str]) -> SklearnRowClassifier:
        records, labels = list(records), list(labels)
        self.pipeline = self._build().fit(records, labels)
        plain = [(without_header(r), y) for r, y in zip(records, labels, strict=True) if not r["context"].get("is_header_row")]
        self.headerless = self._build().fit([r for r, _ in plain], [y for _, y in plain])
        return self

    def predict_proba(self, records: Sequence[UnitRecord]) -> np.ndarray:
        if self.pipeline is None:
            raise ModelLoadError("model is not fitted")
        out = np.zeros((len(records), len(self.card.labels)))
        routes = [(self.pipeline, [k for k, r in enumerate(records) if has_header(r) or self.headerless is None])]
        if self.headerless is not None:
            routes.append((self.headerless, [k for k, r in enumerate(records) if not has_header(r)]))
        for pipeline, index in routes:
            if index:
                proba = pipeline.predict_proba([records[k] for k in index])
                out[index] = reorder_columns(proba, pipeline.classes_)
        return out

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (MODEL_FILE + ".tmp")
        sio.dump({"with_header": self.pipeline, "without_header": self.headerless}, tmp, compression=zipfile.ZIP_DEFLATED)
        tmp.replace(directory / MODEL_FILE)
        self.card.save(directory)

    @classmethod
    def load(cls, directory: Path, card: ModelCard) -> SklearnRowClassifier:
        path = directory / MODEL_FILE
        if not path.exists():
            raise ModelLoadError(f"missing {MODEL_FILE}", directory)
        try:
            untrusted = sio.get_untrusted_types(file=path)
        except Exception as exc:  # skops raises several types for a corrupt file
            raise ModelLoadError(f"not a readable skops file: {exc}", path) from exc
        refused = [t for t in untrusted if not is_feature_type(t)]
        if refused:
            raise ModelLoadError(f"refusing to load unexpected types {refused}", path)
        loaded = sio.load(path, trusted=untrusted)
        if isinstance(loaded, Pipeline):  # a model saved before the header-less pipeline existed
            return cls(card, loaded)
        if not isinstance(loaded, dict) or not isinstance(loaded.get("with_header"), Pipeline):
            raise ModelLoadError("model file does not hold a row-classifier pipeline", path)
        headerless = loaded.get("without_header")
        return cls(card, loaded["with_header"], headerless if isinstance(headerless, Pipeline) else None)


def is_feature_type(type_name: str) -> bool:
    """Whether ``type_name`` is a public function or class defined in ``extractor.features``."""
    module, _, name = type_name.rpartition(".")
    if module != _FEATURE_MODULE or name.startswith("_"):
        return False
    obj = getattr(features, name, None)
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", "") == _FEATURE_MODULE
