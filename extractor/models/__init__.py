"""Row-classifier backends behind one interface, and loading by model card."""

from __future__ import annotations

import importlib
from pathlib import Path

from extractor.errors import ConfigError
from extractor.models.base import ModelCard, RowClassifier, resolve_model_dir
from extractor.record_confidence import CALIBRATOR_FILE, RecordConfidence
from extractor.tables.column_model import COLUMN_MODEL_FILE, ColumnRoleModel

# backend name -> module defining a class with ``new(card)`` and ``load(dir, card)``.
BACKENDS = {
    "sklearn": ("extractor.models.sklearn_backend", "SklearnRowClassifier"),
    "transformers": ("extractor.models.transformers_backend", "TransformersRowClassifier"),
}


def backend_class(name: str) -> type:
    """The classifier class of backend ``name`` (imported on first use)."""
    try:
        module_name, class_name = BACKENDS[name]
    except KeyError as exc:
        raise ConfigError(f"unknown backend {name!r}; choose one of {sorted(BACKENDS)}") from exc
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"backend {name!r} needs optional packages ({exc.name}); install with `pip install -e .[{name}]`"
        ) from exc
    return getattr(module, class_name)


def new_classifier(card: ModelCard) -> RowClassifier:
    """An unfitted classifier of the card's backend."""
    return backend_class(card.backend).new(card)


def load_classifier(path: str | Path) -> RowClassifier:
    """Load the model at ``path`` (a model directory or a models root with CURRENT).

    Everything it loads predicts with numpy alone: no scikit-learn is imported.
    """
    directory = resolve_model_dir(Path(path))
    card = ModelCard.load(directory)
    classifier = backend_class(card.backend).load(directory, card)
    classifier.column_model = load_column_model(directory)
    calibrator = directory / CALIBRATOR_FILE
    classifier.record_calibrator = RecordConfidence.load(calibrator) if calibrator.exists() else None
    return classifier


def load_column_model(directory: Path) -> ColumnRoleModel | None:
    """The model folder's column-role model, or None for a model made before it existed."""
    path = directory / COLUMN_MODEL_FILE
    return ColumnRoleModel.load(path) if path.exists() else None


__all__ = ["BACKENDS", "ModelCard", "RowClassifier", "backend_class", "load_classifier", "new_classifier"]
