"""Train a row classifier from ``annotations/`` and decide whether it becomes current.

Both the candidate and the current model's recipe are scored by the same
leave-one-document-out cross-validation on the same annotations; the
candidate is promoted only when its macro-F1 is not worse (``force`` overrides).
The previous model stays on disk for rollback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from extractor.annotations import Annotation, load_annotations, training_files
from extractor.datamodel import LABELS
from extractor.errors import ModelLoadError
from extractor.metrics import expected_calibration_error, label_metrics
from extractor.models import ModelCard, new_classifier
from extractor.models.base import current_version, set_current

Progress = Callable[[str], None]


@dataclass
class CrossValidation:
    """Out-of-fold probabilities for every annotation, and the metrics they give."""

    proba: np.ndarray
    gold: list[str]
    doc_ids: list[str]
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def predicted(self) -> list[str]:
        return [LABELS[k] for k in self.proba.argmax(axis=1)]

    @property
    def confidence(self) -> np.ndarray:
        return self.proba.max(axis=1)


def data_fingerprint(annotations: Sequence[Annotation]) -> str:
    """sha256 over the (key, label, text) of every annotation, order-independent."""
    digest = hashlib.sha256()
    for key, label, text in sorted((a.key, a.label, a.text) for a in annotations):
        digest.update(f"{key}\t{label}\t{text}\n".encode())
    return digest.hexdigest()


def cross_validate(annotations: Sequence[Annotation], backend: str, params: dict[str, Any] | None = None) -> CrossValidation:
    """Leave-one-document-out: each document is predicted by a model trained on the others."""
    records = [a.record() for a in annotations]
    gold = [a.label for a in annotations]
    docs = [a.doc_id for a in annotations]
    proba = np.zeros((len(records), len(LABELS)))
    for doc in sorted(set(docs)):
        test = [k for k, d in enumerate(docs) if d == doc]
        train = [k for k, d in enumerate(docs) if d != doc]
        if not train:
            raise ModelLoadError(f"cross-validation needs at least two documents; only {doc!r} is annotated")
        model = new_classifier(ModelCard(version="cv", backend=backend, created="", params=dict(params or {})))
        model.fit([records[k] for k in train], [gold[k] for k in train])
        proba[test] = model.predict_proba([records[k] for k in test])
    cv = CrossValidation(proba=proba, gold=gold, doc_ids=docs)
    cv.metrics = summarise(cv)
    return cv


def summarise(cv: CrossValidation) -> dict[str, Any]:
    """Pooled and per-document label metrics, and calibration."""
    predicted = cv.predicted
    pooled = label_metrics(cv.gold, predicted)
    per_doc = {}
    for doc in sorted(set(cv.doc_ids)):
        idx = [k for k, d in enumerate(cv.doc_ids) if d == doc]
        per_doc[doc] = label_metrics([cv.gold[k] for k in idx], [predicted[k] for k in idx])["macro_f1"]
    calibration = expected_calibration_error(cv.confidence, [g == p for g, p in zip(cv.gold, predicted, strict=True)])
    return {
        "evaluation": "leave-one-document-out",
        "macro_f1": pooled["macro_f1"],
        "accuracy": pooled["accuracy"],
        "per_label": pooled["per_label"],
        "confusion": pooled["confusion"],
        "per_document_macro_f1": per_doc,
        "ece": calibration["ece"],
        "n_units": pooled["n"],
    }


@dataclass
class TrainResult:
    """What ``retrain`` did, for printing."""

    version: str
    directory: Path
    promoted: bool
    candidate_metrics: dict[str, Any]
    current_version: str | None
    current_metrics: dict[str, Any] | None


def new_version(backend: str, fingerprint: str, now: datetime | None = None) -> str:
    """``<backend>-<UTC time>-<data hash>``: stable for a given training run."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    return f"{backend}-{stamp}-{fingerprint[:8]}"


def train(
    annotations_dir: str | Path,
    models_dir: str | Path,
    backend: str = "sklearn",
    params: dict[str, Any] | None = None,
    force: bool = False,
    progress: Progress = lambda _msg: None,
) -> TrainResult:
    """Cross-validate, fit on everything, save a versioned model, promote if not worse."""
    models_dir = Path(models_dir)
    annotations = load_annotations(annotations_dir)
    fingerprint = data_fingerprint(annotations)
    progress(f"{len(annotations)} labelled units from {len({a.doc_id for a in annotations})} documents")
    progress(f"cross-validating the {backend} candidate (leave one document out)")
    candidate_cv = cross_validate(annotations, backend, params)
    current_name, current_metrics = _score_current(models_dir, annotations, progress)

    card = ModelCard(
        version=new_version(backend, fingerprint),
        backend=backend,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        training_data=_training_data(annotations_dir, annotations, fingerprint),
        metrics=candidate_cv.metrics,
        params=dict(params or {}),
    )
    progress("fitting on all labelled units")
    model = new_classifier(card)
    model.fit([a.record() for a in annotations], [a.label for a in annotations])
    directory = models_dir / card.version
    model.save(directory)

    promoted = force or current_metrics is None or candidate_cv.metrics["macro_f1"] >= current_metrics["macro_f1"]
    if promoted:
        set_current(models_dir, card.version)
    return TrainResult(card.version, directory, promoted, candidate_cv.metrics, current_name, current_metrics)


def _score_current(models_dir: Path, annotations: Sequence[Annotation], progress: Progress) -> tuple[str | None, dict[str, Any] | None]:
    """The current model's recipe scored on the same folds, or (None, None)."""
    try:
        name = current_version(models_dir)
        card = ModelCard.load(models_dir / name)
    except ModelLoadError:
        return None, None
    progress(f"cross-validating the current model's recipe ({name}) on the same folds")
    return name, cross_validate(annotations, card.backend, card.params).metrics


def _training_data(root: str | Path, annotations: Sequence[Annotation], fingerprint: str) -> dict[str, Any]:
    counts = {label: sum(a.label == label for a in annotations) for label in LABELS}
    files = {}
    for path in training_files(root):
        files[path.name if path.parent.name == "" else f"{path.parent.name}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {
        "sha256": fingerprint,
        "files": files,
        "n_units": len(annotations),
        "documents": sorted({a.doc_id for a in annotations}),
        "labels": counts,
        "reviewed_units": sum(a.source == "review" for a in annotations),
    }
