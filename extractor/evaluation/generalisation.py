"""How the extractor does on layouts it was not trained on.

Three measures, all at record level (activity, indicator and every
threshold right, matched without line numbers):

- **leave-one-template-out**: documents are grouped by template (the set of
  column roles their table headers name); each group is extracted by models
  (column roles and cells) trained on the other groups only;
- **augmented variants**: each document's expected records are printed in
  layouts no sample uses (:mod:`extractor.augment`) and extracted by the
  models that did not see that document's template;
- **real tables**: other provinces' tables with hand-annotated expected
  records (``annotations/expected_records/wild/``), extracted by the models
  trained on every annotated document.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from extractor.annotations import Annotation
from extractor.augment import AUGMENTATIONS, augment_document
from extractor.evaluation.common import compact_text, prf, read_expected
from extractor.models import ModelCard, RowClassifier, new_classifier
from extractor.pipeline import process_document
from extractor.record_calibration import RecordCalibrator
from extractor.tables.column_training import fit_column_model, template_of_document

Progress = Callable[[str], None]
Record = Mapping[str, Any]
WILD_DIR = "wild"
# The review queue must catch this share of wrong records.
QUEUE_TARGET = 0.9


def content_key(record: Record) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """A record by what it says: activity, indicator and thresholds, whitespace removed."""
    thresholds = tuple(sorted((compact_text(k), compact_text(v)) for k, v in (record.get("thresholds") or {}).items()))
    return compact_text(record.get("activity")), compact_text(record.get("indicator")), thresholds


def content_scores(predicted: Sequence[Record], expected: Sequence[Record]) -> dict[str, Any]:
    """Precision, recall and F1 of records matched by content (as multisets)."""
    got, want = Counter(map(content_key, predicted)), Counter(map(content_key, expected))
    tp = sum((got & want).values())
    return {**prf(tp, sum(got.values()), sum(want.values())), "n_predicted": sum(got.values()), "n_expected": sum(want.values())}


def judged(predicted: Sequence[Record], expected: Sequence[Record]) -> list[tuple[dict[str, float], bool]]:
    """(doubts, right) for each predicted record: right when an expected record says the same."""
    left = Counter(map(content_key, expected))
    out = []
    for record in predicted:
        key = content_key(record)
        out.append((dict(record.get("doubts") or {}), left[key] > 0))
        left[key] -= 1
    return out


def cross_fitted_calibration(samples: Mapping[str, Sequence[tuple[dict[str, float], bool]]]) -> dict[str, Any]:
    """Per held-out template: calibrate on the other templates' held-out records,
    then measure ECE, the reliability bins and the review queue on this one,
    at its own best threshold and at the threshold the other templates chose."""
    per_template = {}
    all_confidence, all_right = [], []
    for template, held in samples.items():
        others = [s for t, rest in samples.items() if t != template for s in rest]
        if not held or not others:
            continue
        calibrator = RecordCalibrator().fit([d for d, _ in others], [r for _, r in others])
        confidence = calibrator.predict_proba([d for d, _ in held])[:, 1]
        right = np.array([r for _, r in held])
        per_template[template] = calibration_summary(confidence, right)
        per_template[template]["fixed_threshold"] = _fixed_threshold_queue(calibrator, others, confidence, right)
        all_confidence += list(confidence)
        all_right += list(right)
    if not all_right:
        return {"available": False, "note": "needs held-out records of two templates"}
    pooled = calibration_summary(np.array(all_confidence), np.array(all_right))
    return {"available": True, "per_template": per_template, **pooled}


def _fixed_threshold_queue(
    calibrator: RecordCalibrator, others: Sequence[tuple[dict[str, float], bool]], confidence: np.ndarray, right: np.ndarray
) -> dict[str, float]:
    """The queue on a held-out template at the threshold chosen on the other
    templates (as a shipped model chooses it): share queued and share of
    wrong records caught."""
    own = calibrator.predict_proba([d for d, _ in others])[:, 1]
    threshold, _, _ = queue_for(own, np.array([r for _, r in others]), QUEUE_TARGET)
    queued = confidence < threshold
    wrong = ~right
    caught = float((queued & wrong).sum() / wrong.sum()) if wrong.any() else 1.0
    return {"threshold": threshold, "queue_share": float(queued.mean()), "wrong_caught": caught}


def calibration_summary(confidence: np.ndarray, right: np.ndarray, target: float = QUEUE_TARGET) -> dict[str, Any]:
    """ECE (10 bins), the reliability bins, and the smallest review queue catching ``target`` of wrong records."""
    edges = np.linspace(0, 1, 11)
    bins, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence >= lo) & ((confidence < hi) if hi < 1 else (confidence <= hi))
        if inside.any():
            gap = abs(confidence[inside].mean() - right[inside].mean())
            ece += inside.mean() * gap
            bins.append({"low": float(lo), "high": float(hi), "n": int(inside.sum()),
                         "confidence": float(confidence[inside].mean()), "accuracy": float(right[inside].mean())})
    threshold, queue, caught = queue_for(confidence, right, target)
    return {"ece": float(ece), "bins": bins, "n": int(len(right)), "accuracy": float(right.mean()),
            "review_threshold": threshold, "queue_share": queue, "wrong_caught": caught}


def queue_for(confidence: np.ndarray, right: np.ndarray, target: float) -> tuple[float, float, float]:
    """(threshold, share of records queued, share of wrong records queued) for the
    smallest queue (records below the threshold) that catches ``target`` of the wrong ones."""
    wrong = ~right
    if not wrong.any():
        return 0.0, 0.0, 1.0
    for threshold in np.unique(np.append(confidence, 1.0 + 1e-9)):
        queued = confidence < threshold
        caught = (queued & wrong).sum() / wrong.sum()
        if caught >= target:
            return float(min(threshold, 1.0)), float(queued.mean()), float(caught)
    return 1.0, 1.0, 1.0


def train_models(
    annotations: Sequence[Annotation], sources: Mapping[str, Path], annotations_dir: Path, card: ModelCard, docs: set[str]
) -> RowClassifier:
    """A cell classifier and a column-role model trained on the documents ``docs`` only."""
    fold_card = ModelCard(version=f"{card.backend}-on-{'+'.join(sorted(docs))}", backend=card.backend, created="", params=dict(card.params))
    train = [a for a in annotations if a.doc_id in docs]
    model = new_classifier(fold_card).fit([a.record() for a in train], [a.label for a in train])
    model.column_model = fit_column_model([sources[d] for d in sorted(docs) if d in sources], annotations_dir)
    return model


def leave_one_template_out(
    annotations: Sequence[Annotation],
    sources: Mapping[str, Path],
    annotations_dir: Path,
    card: ModelCard,
    expected: Mapping[str, Sequence[Record]],
    progress: Progress = lambda _m: None,
) -> dict[str, Any]:
    """Record scores per held-out template, and on the augmented variants of its documents."""
    templates = {doc: template_of_document(path) for doc, path in sources.items()}
    groups = sorted(set(templates.values()))
    samples: dict[str, list[tuple[dict[str, float], bool]]] = {}
    if len(groups) < 2:
        return {"available": False, "note": f"one template only ({groups}); nothing to hold out"}, samples
    per_template: dict[str, Any] = {}
    augmented: dict[str, list[tuple[list[Record], list[Record]]]] = {kind: [] for kind in AUGMENTATIONS}
    all_predicted, all_expected = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for template in groups:
            held_out = sorted(d for d, t in templates.items() if t == template)
            if not any(expected.get(d) for d in held_out):
                continue
            progress(f"template {template}: training without {', '.join(held_out)}")
            model = train_models(annotations, sources, annotations_dir, card, set(sources) - set(held_out))
            predicted, truth = [], []
            samples[template] = []
            for doc in held_out:
                got = [r.to_dict() for r in process_document(sources[doc], model).records]
                predicted += got
                truth += list(expected.get(doc, []))
                samples[template] += judged(got, expected.get(doc, []))
                for kind in AUGMENTATIONS:
                    variant = augment_document(expected.get(doc, []), kind)
                    path = Path(tmp) / f"{doc}-{kind}.txt"
                    path.write_text(variant.text, encoding="utf-8")
                    got = [r.to_dict() for r in process_document(path, model).records]
                    augmented[kind].append((got, variant.expected))
                    samples[template] += judged(got, variant.expected)
            per_template[template] = {"documents": held_out, **content_scores(predicted, truth)}
            all_predicted += predicted
            all_expected += truth
    if not per_template:
        return {"available": False, "note": "no held-out template has expected records"}, samples
    per_kind = {
        kind: content_scores([r for got, _ in pairs for r in got], [r for _, want in pairs for r in want])
        for kind, pairs in augmented.items()
    }
    return {
        "available": True,
        "per_template": per_template,
        **content_scores(all_predicted, all_expected),
        "augmented": {"per_kind": per_kind, "mean_f1": sum(s["f1"] for s in per_kind.values()) / len(per_kind)},
        "record_confidence": cross_fitted_calibration(samples),
    }, samples


def real_tables(train: Callable[[], RowClassifier], annotations_dir: Path, samples_dir: Path) -> dict[str, Any]:
    """Record scores on the hand-annotated tables of other provinces, by the model ``train()`` makes."""
    expected = read_expected(annotations_dir / "expected_records" / WILD_DIR)
    sources = {d: samples_dir / WILD_DIR / f"{d}.txt" for d in expected if (samples_dir / WILD_DIR / f"{d}.txt").exists()}
    if not sources:
        return {"available": False, "note": f"no tables with expected records in {samples_dir / WILD_DIR}"}
    model = train()
    per_document = {}
    predicted, truth = [], []
    for doc, path in sorted(sources.items()):
        got = [r.to_dict() for r in process_document(path, model).records]
        per_document[doc] = content_scores(got, expected[doc])
        predicted += got
        truth += expected[doc]
    return {"available": True, "per_document": per_document, **content_scores(predicted, truth)}
