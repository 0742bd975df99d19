"""``extractor evaluate``: measure a model and choose its review threshold from evidence.

Two modes:

- **leave-one-document-out** (no documents given): for each annotated
  document a model of the chosen recipe is trained on the other documents'
  annotations; it labels the held-out document's annotated row units (row
  metrics, calibration, review curve) and, when ``samples/<doc_id>.txt`` and
  expected records exist, the whole pipeline runs on that document with it
  (record metrics);
- **held-out** (documents and a model): the given model labels the given
  documents and is scored against their annotations and expected records.

Section headings need no model and are scored against
``annotations/expected_sections/`` in both modes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from extractor.annotations import Annotation, data_fingerprint, load_annotations
from extractor.datamodel import LABELS
from extractor.errors import ModelLoadError
from extractor.evaluation.common import read_expected
from extractor.evaluation.generalisation import leave_one_template_out, real_tables, train_models
from extractor.evaluation.plots import confusion_plot, per_document_plot, reliability_plot, review_curve_plot, reviewer_curve_plot
from extractor.evaluation.records import load_scope, record_metrics
from extractor.evaluation.report import write_outputs
from extractor.evaluation.review_curve import DEFAULT_TARGET, choose_threshold, review_curve
from extractor.evaluation.rows import RowPredictions, row_metrics
from extractor.evaluation.sections import segment_and_score
from extractor.evaluation.simulated_review import reviewer_curve
from extractor.features import without_header
from extractor.metrics import label_metrics
from extractor.models import ModelCard, RowClassifier, load_classifier, new_classifier
from extractor.models.base import resolve_model_dir
from extractor.pipeline import process_document
from extractor.reader import read_document
from extractor.tables.column_model import ColumnRoleModel
from extractor.tables.column_training import fit_column_model

Progress = Callable[[str], None]
LODO = "leave-one-document-out"
HELD_OUT = "held-out"
EXPECTED_RECORDS = "expected_records"
EXPECTED_SECTIONS = "expected_sections"
DEFAULT_BACKEND = "sklearn"


def evaluate(
    annotations_dir: Path,
    out_dir: Path,
    model_path: Path | None = None,
    documents: Sequence[Path] = (),
    backend: str | None = None,
    *,
    samples_dir: Path | None = None,
    models_root: Path = Path("models"),
    target: float = DEFAULT_TARGET,
    progress: Progress = lambda _msg: None,
    reviewer_actions: Sequence[int] = (),
) -> dict[str, Any]:
    """Evaluate, write metrics.json, report.html and the PNG plots into ``out_dir``, return the metrics.

    Without ``documents``: leave-one-document-out over ``annotations_dir`` with
    the recipe (backend, params) of ``model_path``'s card, else of the current
    model under ``models_root``, else the default ``sklearn``; ``backend``
    overrides the card's. Source texts are looked up as
    ``samples_dir/<doc_id>.txt`` (default: ``samples/`` next to the annotations).
    With ``documents``: held-out evaluation of the model at ``model_path``
    (or the current one) on those files. ``reviewer_actions`` (cross-validation
    only) adds the simulated reviewer's record F1 per held-out template after
    each of those numbers of actions (:mod:`extractor.evaluation.simulated_review`).
    """
    annotations_dir, out_dir = Path(annotations_dir), Path(out_dir)
    samples_dir = Path(samples_dir) if samples_dir else annotations_dir.parent / "samples"
    if documents:
        metrics, rows = _held_out(annotations_dir, [Path(d) for d in documents], Path(model_path or models_root), target, progress)
    else:
        card = _recipe_card(model_path, models_root, backend)
        metrics, rows, _held_out_records = leave_one_document_out(annotations_dir, samples_dir, card, target, progress)
        if reviewer_actions:
            metrics["reviewer_curve"] = reviewer_curve(annotations_dir, samples_dir, reviewer_actions, progress=progress)
    progress(f"writing the report to {out_dir}")
    write_outputs(out_dir, metrics, make_plots(metrics, rows))
    return metrics


# --- leave-one-document-out --------------------------------------------------


def fold_models(
    annotations: Sequence[Annotation],
    card: ModelCard,
    column_model_for: Callable[[set[str]], ColumnRoleModel | None] = lambda _docs: None,
) -> Iterator[tuple[str, list[int], RowClassifier]]:
    """For each document: its annotation indices and a model trained on all other
    documents (cells, and columns through ``column_model_for(training documents)``)."""
    docs = [a.doc_id for a in annotations]
    records = [a.record() for a in annotations]
    for doc in sorted(set(docs)):
        train = [k for k, d in enumerate(docs) if d != doc]
        if not train:
            raise ModelLoadError(f"cross-validation needs at least two documents; only {doc!r} is annotated")
        version = f"{card.version or card.backend}-without-{doc}"
        fold_card = ModelCard(version=version, backend=card.backend, created="", params=dict(card.params))
        model = new_classifier(fold_card).fit([records[k] for k in train], [annotations[k].label for k in train])
        model.column_model = column_model_for(set(docs) - {doc})
        yield doc, [k for k, d in enumerate(docs) if d == doc], model


def leave_one_document_out(
    annotations_dir: Path, samples_dir: Path, card: ModelCard, target: float = DEFAULT_TARGET, progress: Progress = lambda _m: None,
    full_model: RowClassifier | None = None,
) -> tuple[dict[str, Any], RowPredictions, list[tuple[dict[str, float], bool]]]:
    """Cross-validate ``card``'s recipe: each annotated document is labelled (and,
    with its source text and expected records, extracted) by a model trained on
    the others; then each template is held out (see
    :mod:`extractor.evaluation.generalisation`). Returns the metrics, the row
    predictions and the held-out templates' records as (doubts, right) pairs,
    which the record calibrator is fitted on."""
    annotations = load_annotations(annotations_dir)
    expected = read_expected(annotations_dir / EXPECTED_RECORDS)
    proba = np.zeros((len(annotations), len(LABELS)))
    headerless = np.zeros((len(annotations), len(LABELS)))
    sources = {d: samples_dir / f"{d}.txt" for d in {a.doc_id for a in annotations} if (samples_dir / f"{d}.txt").exists()}
    predicted: dict[str, list[dict[str, Any]]] = {}
    def column_model_for(docs: set[str]) -> ColumnRoleModel | None:
        paths = [sources[d] for d in sorted(docs) if d in sources]
        return fit_column_model(paths, annotations_dir) if paths else None

    for doc, test, model in fold_models(annotations, card, column_model_for):
        progress(f"{doc}: trained on the other documents; labelling its {len(test)} units")
        proba[test] = model.predict_proba([annotations[k].record() for k in test])
        headerless[test] = model.predict_proba([without_header(annotations[k].record()) for k in test])
        if doc in sources and doc in expected:
            progress(f"{doc}: extracting records")
            predicted[doc] = extract_records(sources[doc], model)
    rows = RowPredictions.from_proba(proba, [a.label for a in annotations], [a.doc_id for a in annotations])
    threshold = choose_threshold(review_curve(rows.confidence, rows.correct), target)["threshold"]
    records = _record_metrics(annotations_dir, expected, predicted, threshold)
    sections = _section_metrics(annotations_dir, sources)
    data = data_summary(annotations_dir, annotations)
    metrics = assemble_metrics(LODO, card, rows, records, sections, data, target)
    metrics["headerless"] = headerless_metrics(annotations, headerless)
    metrics["leave_one_template_out"], held_out = leave_one_template_out(annotations, sources, annotations_dir, card, expected, progress)
    # The real tables are read by the model of every annotated document: ``full_model`` when
    # the caller (retrain) has already fitted it, so it is not fitted twice.
    metrics["real_tables"] = real_tables(
        lambda: full_model or train_models(annotations, sources, annotations_dir, card, set(sources)), annotations_dir, samples_dir
    )
    return metrics, rows, [s for template in held_out.values() for s in template]


def headerless_metrics(annotations: Sequence[Annotation], proba: np.ndarray) -> dict[str, Any]:
    """Row metrics with every header removed: how well the model degrades on
    tables that have none (header rows themselves are left out)."""
    keep = [k for k, a in enumerate(annotations) if not a.context.get("is_header_row") and a.context.get("layout") != "inline"]
    rows = RowPredictions.from_proba(proba[keep], [annotations[k].label for k in keep], [annotations[k].doc_id for k in keep])
    scored = label_metrics(rows.gold, rows.predicted)
    return {"macro_f1": scored["macro_f1"], "accuracy": scored["accuracy"], "n": scored["n"], "per_label": scored["per_label"]}


def _recipe_card(model_path: Path | None, models_root: Path, backend: str | None) -> ModelCard:
    """The card whose backend and params are cross-validated."""
    card = None
    if model_path is not None:
        card = ModelCard.load(resolve_model_dir(Path(model_path)))
    else:
        try:
            card = ModelCard.load(resolve_model_dir(models_root))
        except ModelLoadError:
            card = None
    if card is None or (backend and backend != card.backend):
        return ModelCard(version="", backend=backend or DEFAULT_BACKEND, created="")
    return card


# --- held-out -------------------------------------------------------------------


def _held_out(
    annotations_dir: Path, documents: list[Path], model_path: Path, target: float, progress: Progress
) -> tuple[dict[str, Any], RowPredictions]:
    model = load_classifier(model_path)
    docs = {read_document(path).doc_id: path for path in documents}
    annotations = [a for a in load_annotations(annotations_dir) if a.doc_id in docs]
    if not annotations:
        raise ModelLoadError(f"no annotated row units for {', '.join(sorted(docs))}", annotations_dir)
    progress(f"labelling {len(annotations)} annotated units of {len(docs)} document(s) with {model.card.version}")
    proba = model.predict_proba([a.record() for a in annotations])
    rows = RowPredictions.from_proba(proba, [a.label for a in annotations], [a.doc_id for a in annotations])
    threshold = model.card.review_threshold
    if threshold is None:
        threshold = choose_threshold(review_curve(rows.confidence, rows.correct), target)["threshold"]
    expected = read_expected(annotations_dir / EXPECTED_RECORDS)
    predicted = {d: extract_records(path, model) for d, path in docs.items() if d in expected}
    records = _record_metrics(annotations_dir, expected, predicted, threshold)
    sections = _section_metrics(annotations_dir, docs)
    data = data_summary(annotations_dir, annotations)
    return assemble_metrics(HELD_OUT, model.card, rows, records, sections, data, target), rows


# --- records and sections -------------------------------------------------------------


def extract_records(path: Path, model: RowClassifier) -> list[dict[str, Any]]:
    """The pipeline's records of one document, as ``records.jsonl`` dicts."""
    return [r.to_dict() for r in process_document(path, model).records]


def _record_metrics(
    annotations_dir: Path, expected: Mapping[str, list[dict[str, Any]]], predicted: Mapping[str, list[dict[str, Any]]], threshold: float
) -> dict[str, Any]:
    """Score the extracted records against the expected ones of the same documents.

    ``needs_review`` is set again for ``threshold`` (the pipeline flags a record
    whose confidence is below the threshold): in cross-validation the threshold
    is known only once every fold has run.
    """
    if not predicted:
        return unavailable(f"no expected records in {annotations_dir / EXPECTED_RECORDS} for the evaluated documents")
    output = [{**r, "needs_review": r["confidence"] < threshold} for d in sorted(predicted) for r in predicted[d]]
    truth = [r for d in sorted(predicted) for r in expected[d]]
    scores = record_metrics(output, truth, load_scope(annotations_dir / EXPECTED_RECORDS))
    return {"available": True, "review_threshold": threshold, **scores}


def _section_metrics(annotations_dir: Path, sources: Mapping[str, Path]) -> dict[str, Any]:
    scores = segment_and_score(sources, annotations_dir / EXPECTED_SECTIONS)
    if scores is None:
        return unavailable(f"no expected sections in {annotations_dir / EXPECTED_SECTIONS} for the evaluated documents")
    return {"available": True, **scores}


def unavailable(note: str) -> dict[str, Any]:
    """Stand-in with the same headline keys when a part could not be evaluated."""
    return {"available": False, "note": note, "precision": None, "recall": None, "f1": None, "per_document": {}}


# --- assembling the metrics ---------------------------------------------------------------


def data_summary(annotations_dir: Path, annotations: Sequence[Annotation]) -> dict[str, Any]:
    """What was evaluated on: folder, documents, unit count and the annotations' fingerprint."""
    return {
        "annotations": str(annotations_dir),
        "documents": sorted({a.doc_id for a in annotations}),
        "n_units": len(annotations),
        "fingerprint": data_fingerprint(annotations),
    }


def assemble_metrics(
    kind: str,
    card: ModelCard,
    rows: RowPredictions,
    records: dict[str, Any],
    sections: dict[str, Any],
    data: dict[str, Any],
    target: float = DEFAULT_TARGET,
) -> dict[str, Any]:
    """The whole metrics.json object from its parts (``records``/``sections`` may be ``unavailable``)."""
    scored = row_metrics(rows, target)
    per_document = scored["per_document"]
    for doc, s in records["per_document"].items():
        per_document.setdefault(doc, {}).update({f"record_{k}": s[k] for k in ("precision", "recall", "f1", "thresholds_exact")})
    for doc, s in sections["per_document"].items():
        per_document.setdefault(doc, {}).update({"section_f1": s["f1"], "section_level_accuracy": s["level_accuracy"]})
    return {
        "schema": 1,
        "evaluation": kind,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": {"version": card.version or None, "backend": card.backend, "params": card.params},
        "data": data,
        "rows": scored["rows"],
        "per_document": per_document,
        "calibration": scored["calibration"],
        "review": scored["review"],
        "records": records,
        "sections": sections,
    }


def make_plots(metrics: Mapping[str, Any], rows: RowPredictions) -> dict[str, bytes]:
    """Every plot of the report, as PNG bytes by name."""
    review = metrics["review"]
    chosen = {k: review[k] for k in ("threshold", "queue_share", "errors_caught", "target")}
    scores = ["row_macro_f1", "row_accuracy", "record_f1", "section_f1"]
    present = [s for s in scores if any(d.get(s) is not None for d in metrics["per_document"].values())]
    plots = {
        "reliability": reliability_plot(metrics["calibration"]["bins"], metrics["calibration"]["ece"]),
        "review_curve": review_curve_plot(review_curve(rows.confidence, rows.correct), chosen),
        "confusion": confusion_plot(metrics["rows"]["confusion"], metrics["rows"]["labels"]),
        "per_document": per_document_plot(metrics["per_document"], present),
    }
    if metrics.get("reviewer_curve", {}).get("available"):
        plots["reviewer_curve"] = reviewer_curve_plot(metrics["reviewer_curve"]["per_template"])
    return plots


# --- model card ---------------------------------------------------------------------------


def card_metrics(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """The key figures of a leave-one-document-out evaluation, flat, for a model card."""
    rows, review, records, sections = metrics["rows"], metrics["review"], metrics["records"], metrics["sections"]
    return {
        "evaluation": metrics["evaluation"],
        "macro_f1": rows["macro_f1"],
        "accuracy": rows["accuracy"],
        "per_label": rows["per_label"],
        "confusion": rows["confusion"],
        "per_document_macro_f1": {d: s["row_macro_f1"] for d, s in metrics["per_document"].items() if "row_macro_f1" in s},
        "ece": metrics["calibration"]["ece"],
        "n_units": rows["n"],
        "review_target": review["target"],
        "review_queue_share": review["queue_share"],
        "review_errors_caught": review["errors_caught"],
        "record_f1": records.get("f1"),
        "record_thresholds_exact": records.get("thresholds_exact"),
        "per_document_record_f1": {d: s["f1"] for d, s in records["per_document"].items()},
        "section_f1": sections.get("f1"),
        "section_level_accuracy": sections.get("level_accuracy"),
        "headerless_macro_f1": metrics.get("headerless", {}).get("macro_f1"),
        "leave_one_template_out_record_f1": metrics.get("leave_one_template_out", {}).get("f1"),
        "augmented_mean_record_f1": metrics.get("leave_one_template_out", {}).get("augmented", {}).get("mean_f1"),
        "real_tables_record_f1": metrics.get("real_tables", {}).get("f1"),
        "record_confidence_ece": metrics.get("leave_one_template_out", {}).get("record_confidence", {}).get("ece"),
        "record_review_queue_share": metrics.get("leave_one_template_out", {}).get("record_confidence", {}).get("queue_share"),
        "record_review_wrong_caught": metrics.get("leave_one_template_out", {}).get("record_confidence", {}).get("wrong_caught"),
        "evaluated_on": metrics["data"]["fingerprint"],
        "evaluated": metrics["created"],
    }


def update_model_card(model_dir: Path, metrics: Mapping[str, Any]) -> ModelCard:
    """Store the chosen review threshold and the key figures in the model's card.

    Only a leave-one-document-out evaluation may set the threshold: a held-out
    score on a few documents is not the evidence the default is chosen from.
    """
    if metrics["evaluation"] != LODO:
        raise ValueError(f"the review threshold is chosen from a {LODO} evaluation, not {metrics['evaluation']!r}")
    directory = resolve_model_dir(Path(model_dir))
    card = ModelCard.load(directory)
    card.review_threshold = float(metrics["review"]["threshold"])
    card.metrics = {**card.metrics, **card_metrics(metrics)}
    card.save(directory)
    return card
