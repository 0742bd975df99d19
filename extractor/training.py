"""Train a row classifier from ``annotations/`` and decide whether it becomes current.

The candidate and the current model's recipe are scored by the same
evaluation ``extractor evaluate`` runs (leave-one-document-out on the same
annotations); the candidate is promoted only when its row macro-F1 is not
worse (``force`` overrides). Its card carries those metrics and the review
threshold chosen from them. The previous model stays on disk for rollback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from extractor.annotations import Annotation, data_fingerprint, load_annotations, training_files
from extractor.datamodel import LABELS
from extractor.errors import ModelLoadError
from extractor.evaluation.run import card_metrics, leave_one_document_out
from extractor.models import ModelCard, new_classifier
from extractor.models.base import current_version, set_current
from extractor.record_calibration import CALIBRATOR_FILE, RecordCalibrator
from extractor.tables.column_roles import COLUMN_MODEL_FILE
from extractor.tables.column_training import fit_column_model

Progress = Callable[[str], None]


@dataclass
class TrainResult:
    """What ``retrain`` did, for printing."""

    version: str
    directory: Path
    promoted: bool
    candidate_metrics: dict[str, Any]
    current_version: str | None
    current_metrics: dict[str, Any] | None
    review_threshold: float | None = None


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
    samples_dir: str | Path | None = None,
    progress: Progress = lambda _msg: None,
) -> TrainResult:
    """Evaluate, fit on everything, save a versioned model, promote it if not worse.

    ``samples_dir`` holds the source texts of annotated documents (default:
    ``samples/`` next to the annotations); with them the evaluation scores
    records too.
    """
    annotations_dir, models_dir = Path(annotations_dir), Path(models_dir)
    samples = Path(samples_dir) if samples_dir else annotations_dir.parent / "samples"
    annotations = load_annotations(annotations_dir)
    fingerprint = data_fingerprint(annotations)
    progress(f"{len(annotations)} labelled units from {len({a.doc_id for a in annotations})} documents")
    card = ModelCard(
        version=new_version(backend, fingerprint),
        backend=backend,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        training_data=_training_data(annotations_dir, annotations, fingerprint),
        params=dict(params or {}),
    )
    progress(f"evaluating the {backend} candidate (leave one document out)")
    evaluation, _rows, held_out = leave_one_document_out(annotations_dir, samples, card, progress=progress)
    card.metrics = card_metrics(evaluation)
    calibration = evaluation.get("leave_one_template_out", {}).get("record_confidence", {})
    # Records of held-out templates choose the threshold once their confidence is calibrated.
    card.review_threshold = float(calibration["review_threshold"] if calibration.get("available") else evaluation["review"]["threshold"])
    # With force the decision is made: scoring the current recipe would only cost time.
    current_name, current_metrics = (None, None) if force else _score_current(models_dir, annotations_dir, samples, progress)

    progress("fitting on all labelled units and the annotated documents' tables")
    model = new_classifier(card)
    model.fit([a.record() for a in annotations], [a.label for a in annotations])
    sources = [samples / f"{d}.txt" for d in sorted({a.doc_id for a in annotations}) if (samples / f"{d}.txt").exists()]
    column_model = fit_column_model(sources, annotations_dir)
    directory = models_dir / card.version
    model.save(directory)
    column_model.save(directory / COLUMN_MODEL_FILE)
    if held_out:
        RecordCalibrator().fit([d for d, _ in held_out], [r for _, r in held_out]).save(directory / CALIBRATOR_FILE)

    promoted = force or current_metrics is None or card.metrics["macro_f1"] >= current_metrics["macro_f1"]
    if promoted:
        set_current(models_dir, card.version)
    return TrainResult(card.version, directory, promoted, card.metrics, current_name, current_metrics, card.review_threshold)


def _score_current(
    models_dir: Path, annotations_dir: Path, samples: Path, progress: Progress
) -> tuple[str | None, dict[str, Any] | None]:
    """The current model's recipe scored by the same evaluation, or (None, None)."""
    try:
        name = current_version(models_dir)
        card = ModelCard.load(models_dir / name)
    except ModelLoadError:
        return None, None
    progress(f"evaluating the current model's recipe ({name}) the same way")
    evaluation, _rows, _held_out = leave_one_document_out(annotations_dir, samples, card, progress=progress)
    return name, card_metrics(evaluation)


def _training_data(root: Path, annotations: Sequence[Annotation], fingerprint: str) -> dict[str, Any]:
    files = {f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in training_files(root)}
    return {
        "sha256": fingerprint,
        "files": files,
        "n_units": len(annotations),
        "documents": sorted({a.doc_id for a in annotations}),
        "labels": {label: sum(a.label == label for a in annotations) for label in LABELS},
        "reviewed_units": sum(a.source == "review" for a in annotations),
    }
