"""Train a row classifier from ``annotations/`` and decide whether it becomes current.

The candidate is evaluated once (leave-one-document-out, then each template
held out; :mod:`extractor.evaluation.run`), fitted on everything (cells, the
annotated documents' tables and the reviewed tables), and passed through the
gate (:mod:`extractor.retrain_gate`): compared item by item with the current
model on the held-out templates (the current model's figures come from its
card, never from a second evaluation) and on the reviewed items of earlier
rounds. It becomes current only when it breaks no more than it fixes
(``force`` overrides). Every model stays on disk; ``models/PREVIOUS`` names
the one it replaced, for :func:`rollback`.
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
from extractor.atomic import write_text_atomic
from extractor.errors import ExtractorError, ModelLoadError
from extractor.evaluation.run import card_metrics, leave_one_document_out
from extractor.models import ModelCard, load_classifier, new_classifier
from extractor.models.base import RowClassifier, current_version, set_current
from extractor.record_calibration import CALIBRATOR_FILE, RecordCalibrator
from extractor.retrain_gate import (
    GateReport, compare_held_out, compare_reviewed, compare_units, held_out_items, held_out_units,
)  # fmt: skip
from extractor.tables.column_classifier import ColumnRoleClassifier
from extractor.tables.column_model import COLUMN_MODEL_FILE
from extractor.tables.column_training import labelled_tables, load_template_roles, train_column_model
from extractor.tables.reviewed_roles import load_reviewed_tables, reviewed_labelled_tables

Progress = Callable[[str], None]
PREVIOUS_FILE = "PREVIOUS"


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
    gate: GateReport | None = None


def new_version(backend: str, fingerprint: str, now: datetime | None = None) -> str:
    """``<backend>-<UTC time>-<data hash>``: stable for a given training run."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    return f"{backend}-{stamp}-{fingerprint[:8]}"


def unused_version(models_dir: Path, version: str) -> str:
    """``version``, or ``version-2``, ``-3``, … when a model of that name is saved already: two
    trainings on the same data within one second would otherwise write into one folder."""
    name, n = version, 1
    while (models_dir / name).exists():
        n += 1
        name = f"{version}-{n}"
    return name


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
        version=unused_version(models_dir, new_version(backend, fingerprint)),
        backend=backend,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        training_data=_training_data(annotations_dir, annotations, fingerprint),
        params=dict(params or {}),
    )
    progress("fitting on all labelled units, the annotated documents' tables and the reviewed tables")
    model = new_classifier(card)
    model.fit([a.record() for a in annotations], [a.label for a in annotations])
    sources = [samples / f"{d}.txt" for d in sorted({a.doc_id for a in annotations}) if (samples / f"{d}.txt").exists()]
    model.column_model = fit_columns(sources, annotations_dir)
    progress(f"evaluating the {backend} candidate (leave one document out)")
    evaluation, rows, held_out = leave_one_document_out(annotations_dir, samples, card, progress=progress, full_model=model)
    card.metrics = card_metrics(evaluation)
    calibration = evaluation.get("leave_one_template_out", {}).get("record_confidence", {})
    # Records of held-out templates choose the threshold once their confidence is calibrated.
    card.review_threshold = float(calibration["review_threshold"] if calibration.get("available") else evaluation["review"]["threshold"])
    card.metrics["held_out_items"] = held_out_items(evaluation)
    card.metrics["held_out_units"] = held_out_units([a.key for a in annotations], rows.correct)

    current = _current(models_dir)
    report = None
    if current is not None:
        report = GateReport()
        compare_held_out(report, current.card.metrics.get("held_out_items"), card.metrics["held_out_items"])
        compare_units(report, current.card.metrics.get("held_out_units"), card.metrics["held_out_units"])
        compare_reviewed(report, annotations, annotations_dir, current.card.created, current, model)
    directory = models_dir / card.version
    model.save(directory)
    model.column_model.save(directory / COLUMN_MODEL_FILE)
    if held_out:
        RecordCalibrator().fit([d for d, _ in held_out], [r for _, r in held_out]).save(directory / CALIBRATOR_FILE)

    promoted = force or report is None or report.passed
    if promoted:
        promote(models_dir, card.version)
    return TrainResult(
        card.version, directory, promoted, card.metrics, current.card.version if current else None,
        current.card.metrics if current else None, card.review_threshold, report,
    )


def fit_columns(sources: Sequence[Path], annotations_dir: Path) -> ColumnRoleClassifier:
    """The column-role model of the annotated documents' tables and the reviewed tables."""
    templates = load_template_roles(annotations_dir)
    tables = labelled_tables(sources, templates) if templates else []
    return train_column_model([*tables, *reviewed_labelled_tables(annotations_dir)])


def _current(models_dir: Path) -> RowClassifier | None:
    """The current model, or None when there is none (or it cannot be loaded)."""
    try:
        return load_classifier(models_dir)
    except (ModelLoadError, ExtractorError):
        return None


def promote(models_dir: Path, version: str) -> None:
    """Make ``version`` current; the one it replaces is remembered in PREVIOUS."""
    try:
        old = current_version(models_dir)
    except ModelLoadError:
        old = None
    if old and old != version:
        write_text_atomic(models_dir / PREVIOUS_FILE, old + "\n")
    set_current(models_dir, version)


def rollback(models_dir: str | Path, version: str | None = None) -> str:
    """Make ``version`` (default: the model the current one replaced) current again; return it."""
    models_dir = Path(models_dir)
    if version is None:
        path = models_dir / PREVIOUS_FILE
        if not path.exists():
            raise ModelLoadError("no previous model to roll back to (models/PREVIOUS is missing)", models_dir)
        version = path.read_text(encoding="utf-8").strip()
    if not (models_dir / version / "card.json").exists():
        raise ModelLoadError(f"no model {version!r} to roll back to", models_dir)
    promote(models_dir, version)
    return version


def _training_data(root: Path, annotations: Sequence[Annotation], fingerprint: str) -> dict[str, Any]:
    files = {f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in training_files(root)}
    return {
        "sha256": fingerprint,
        "files": files,
        "n_units": len(annotations),
        "documents": sorted({a.doc_id for a in annotations}),
        "labels": {label: sum(a.label == label for a in annotations) for label in LABELS},
        "reviewed_units": sum(a.source == "review" for a in annotations),
        "reviewed_tables": len(load_reviewed_tables(root)),
    }
