"""One document through every stage: read, segment, tables, classify, assemble."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.assemble import assemble
from extractor.datamodel import LABELS, Document, IndicatorRecord, RowUnit, Section, Table
from extractor.document import analyse
from extractor.limits import Limits
from extractor.models.base import RowClassifier
from extractor.reader import read_document

# A reviewer's label for a unit key ("<sha16>:<line>:<col>"); only ``label`` is read.
Reviews = Mapping[str, Mapping[str, Any]]

# Every training table has a header row, so the model's confidence means little
# in a table without one: such rows are capped below any review threshold.
HEADERLESS_CONFIDENCE_CAP = 0.5


@dataclass
class DocumentResult:
    """Everything extracted from one document."""

    doc: Document
    sections: list[Section]
    tables: list[Table]
    units: list[RowUnit]
    records: list[IndicatorRecord]
    model_version: str


# Label a cell takes from its column's role.
ROLE_LABELS = {"activity": "activity", "parent_activity": "activity", "indicator": "indicator", "grade": "threshold", "target": "threshold"}
# The cell classifier overrules the column's label only when it is this sure
# and the column's role is below even odds (a cell that breaks its column's pattern).
_OVERRULE = 0.9
_UNSURE_ROLE = 0.3


# Units classified together: a large document's features in batches that stay in the
# CPU's caches (the scores do not depend on the batch: see LinearTextModel.decision_function).
CLASSIFY_BATCH = 2048


def classify_units(units: Sequence[RowUnit], classifier: RowClassifier, reviews: Reviews | None = None) -> None:
    """Label every unit in place from its column's role, refined by the cell classifier.

    A unit's confidence is the lower of its column role's confidence and the
    classifier's probability for the label; a reviewer's label for the exact
    unit wins. Units of tables without a header are capped (HEADERLESS_CONFIDENCE_CAP).
    """
    for start in range(0, len(units), CLASSIFY_BATCH):
        _classify_batch(units[start : start + CLASSIFY_BATCH], classifier, reviews)


def _classify_batch(units: Sequence[RowUnit], classifier: RowClassifier, reviews: Reviews | None) -> None:
    proba = classifier.predict_proba([{"text": u.text, "context": u.context} for u in units])
    for unit, row, best in zip(units, proba.tolist(), proba.argmax(axis=1).tolist(), strict=True):
        role = unit.context.get("column_role")
        role_confidence = float(unit.context.get("role_confidence", 0.0))
        label = ROLE_LABELS.get(role or "", "other") if role else LABELS[best]
        if role and LABELS[best] != label and row[best] >= _OVERRULE and role_confidence < _UNSURE_ROLE:
            label = LABELS[best]
        confidence = row[LABELS.index(label)]
        if role:
            confidence = min(confidence, role_confidence) if label == ROLE_LABELS.get(role, "other") else min(confidence, 1.0 - role_confidence)
        if unit.layout != "inline" and not unit.context.get("table_headers"):
            confidence = min(confidence, HEADERLESS_CONFIDENCE_CAP)
        unit.label, unit.confidence, unit.label_source = label, confidence, "model"
        review = reviews.get(unit.key) if reviews else None
        if review and review.get("label") in LABELS:
            unit.label, unit.confidence, unit.label_source = review["label"], 1.0, "review"


def process_document(
    path: str | Path,
    classifier: RowClassifier,
    review_threshold: float = 0.5,
    reviews: Reviews | None = None,
) -> DocumentResult:
    """Extract sections, labelled units and indicator records from the file at ``path``."""
    return process_loaded(read_document(path), classifier, review_threshold, reviews)


def process_loaded(
    doc: Document,
    classifier: RowClassifier,
    review_threshold: float = 0.5,
    reviews: Reviews | None = None,
    limits: Limits | None = None,
) -> DocumentResult:
    """Like :func:`process_document` for an already decoded document.

    With ``limits``, a document over the cell or record limits raises their
    named error as soon as the stage that finds it is done.
    """
    check = (lambda tables: limits.check_tables(doc.source, tables)) if limits else (lambda _tables: None)
    layout = analyse(doc, getattr(classifier, "column_model", None), check, reviews)
    classify_units(layout.units, classifier, reviews)
    records = assemble(doc, layout.tables, layout.units, review_threshold, getattr(classifier, "record_calibrator", None))
    if limits:
        limits.check_records(doc.source, records)
    for record in records:
        record.page = doc.page_of(record.line)
    return DocumentResult(doc, layout.sections, layout.tables, layout.units, records, classifier.card.version)
