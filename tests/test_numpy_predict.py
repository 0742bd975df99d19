"""Extraction predicts with numpy alone, and gives exactly what the scikit-learn models give.

The scikit-learn side (pipelines rebuilt from the arrays, the column-role
estimator with its DictVectorizer, SciPy's assignment solver) is the
reference; the numpy side is what ``extract`` loads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment as scipy_assignment

from extractor.errors import ModelLoadError
from extractor.models import load_classifier
from extractor.models.base import ModelCard
from extractor.models.linear_arrays import read_arrays
from extractor.models.linear_predict import LinearTextModel
from extractor.models.sklearn_backend import MODEL_FILE, SklearnRowClassifier
from extractor.pipeline import process_document
from extractor.record_calibration import RecordCalibrator
from extractor.record_confidence import CALIBRATOR_FILE, RecordConfidence
from extractor.tables import column_roles
from extractor.tables.assignment import linear_sum_assignment
from extractor.tables.column_classifier import ColumnRoleClassifier
from extractor.tables.column_model import COLUMN_MODEL_FILE, ColumnRoleModel
from scripts.convert_model import sample_records
from tests.helpers import ROOT, read_records

SHIPPED = ROOT / "models" / (ROOT / "models" / "CURRENT").read_text().strip()
DOCUMENTS = sorted((ROOT / "samples").glob("*.txt")) + sorted((ROOT / "samples" / "wild").glob("*.txt"))
TOLERANCE = 1e-9


def _reference() -> SklearnRowClassifier:
    """The shipped model as scikit-learn estimators, SciPy's solver assigning roles."""
    model = SklearnRowClassifier.load(SHIPPED, ModelCard.load(SHIPPED), scikit_learn=True)
    model.column_model = ColumnRoleClassifier.load(SHIPPED / COLUMN_MODEL_FILE)
    model.record_calibrator = RecordCalibrator.load(SHIPPED / CALIBRATOR_FILE)
    return model


@pytest.fixture(scope="module")
def unit_records() -> list[dict]:
    """Every unit of the samples and the wild tables, with and without its header."""
    return sample_records(SHIPPED, ROOT / "samples") + sample_records(SHIPPED, ROOT / "samples" / "wild")


def test_row_probabilities_equal_the_scikit_learn_pipelines(unit_records: list[dict]) -> None:
    numpy_model, reference = load_classifier(SHIPPED), _reference()
    assert isinstance(numpy_model.pipeline, LinearTextModel) and isinstance(numpy_model.headerless, LinearTextModel)
    assert len(unit_records) > 10_000
    for ours, theirs in ((numpy_model.pipeline, reference.pipeline), (numpy_model.headerless, reference.headerless)):
        assert list(ours.classes_) == list(theirs.classes_)
        difference = np.abs(ours.predict_proba(unit_records) - theirs.predict_proba(unit_records)).max(axis=1)
        assert difference.max() < TOLERANCE, f"{int((difference >= TOLERANCE).sum())} rows differ"
    assert np.abs(numpy_model.predict_proba(unit_records) - reference.predict_proba(unit_records)).max() < TOLERANCE


class _Recording:
    """A column-role model that keeps every column it was asked about."""

    def __init__(self, model: ColumnRoleModel) -> None:
        self.model, self.classes_, self.columns = model, model.classes_, []

    def predict_proba(self, columns: list) -> np.ndarray:
        self.columns += list(columns)
        return self.model.predict_proba(columns)


def test_column_role_and_record_probabilities_equal_the_estimators() -> None:
    classifier = load_classifier(SHIPPED)
    recording = _Recording(classifier.column_model)
    classifier.column_model = recording
    doubts = [r.doubts for path in DOCUMENTS for r in process_document(path, classifier).records]
    assert len(recording.columns) > 100 and len(doubts) > 500
    estimator = ColumnRoleClassifier.load(SHIPPED / COLUMN_MODEL_FILE)
    ours = ColumnRoleModel.load(SHIPPED / COLUMN_MODEL_FILE).predict_proba(recording.columns)
    assert np.abs(ours - estimator.predict_proba(recording.columns)).max() < TOLERANCE
    calibrated = RecordConfidence.load(SHIPPED / CALIBRATOR_FILE).predict_proba(doubts)
    assert np.abs(calibrated - RecordCalibrator.load(SHIPPED / CALIBRATOR_FILE).predict_proba(doubts)).max() < TOLERANCE


def _close(ours: object, theirs: object) -> bool:
    """Equal, but for floats within TOLERANCE (the scores are added in another order)."""
    if isinstance(ours, float) and isinstance(theirs, float):
        return abs(ours - theirs) < TOLERANCE
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(_close(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list | tuple) and isinstance(theirs, list | tuple):
        return len(ours) == len(theirs) and all(_close(a, b) for a, b in zip(ours, theirs, strict=True))
    return ours == theirs


def test_records_equal_those_of_the_scikit_learn_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole documents: the same records and doubts, confidences within TOLERANCE."""
    def records(classifier: object) -> list[dict]:
        return [asdict(r) for p in DOCUMENTS for r in process_document(p, classifier).records]

    ours = records(load_classifier(SHIPPED))
    monkeypatch.setattr(column_roles, "linear_sum_assignment", scipy_assignment)
    theirs = records(_reference())
    assert len(ours) > 500 and len(ours) == len(theirs)
    differing = [k for k, (a, b) in enumerate(zip(ours, theirs, strict=True)) if not _close(a, b)]
    assert not differing, (ours[differing[0]], theirs[differing[0]])


@pytest.mark.parametrize("kind", ["uniform", "ties", "log_probabilities"])
def test_assignment_equals_scipys_including_ties(kind: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(400):
        rows, cols = rng.integers(1, 14, size=2)
        if kind == "uniform":
            cost = rng.random((rows, cols))
        elif kind == "ties":  # many equal costs: the tie-breaking must be SciPy's
            cost = rng.integers(0, 3, size=(rows, cols)).astype(float)
        else:
            cost = -np.log(np.clip(rng.dirichlet(np.full(cols, 0.3), size=rows), 1e-9, 1.0))
        ours, theirs = linear_sum_assignment(cost), scipy_assignment(cost)
        assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1]), cost


def test_assignment_refuses_what_scipy_refuses() -> None:
    with pytest.raises(ValueError, match="invalid numeric entries"):
        linear_sum_assignment(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="infeasible"):
        linear_sum_assignment(np.array([[np.inf, np.inf], [0.0, 1.0]]))
    assert [a.tolist() for a in linear_sum_assignment(np.zeros((0, 3)))] == [[], []]


def test_a_loaded_model_saves_back_the_same_arrays(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED, tmp_path / "m")
    load_classifier(tmp_path / "m").save(tmp_path / "m")
    before, after = read_arrays(SHIPPED / MODEL_FILE), read_arrays(tmp_path / "m" / MODEL_FILE)
    assert sorted(before) == sorted(after)
    assert all(np.array_equal(before[key], after[key]) for key in before)


def test_extract_imports_neither_scikit_learn_nor_scipy(tmp_path: Path) -> None:
    """Every process of an extract run (the command and its workers) imports no sklearn or scipy module."""
    for path in DOCUMENTS[2:4]:
        shutil.copy(path, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "extract", str(tmp_path), "--out", str(tmp_path / "out"), "--workers", "2"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "extractor.models.linear_predict" in imported and "extractor.tables.assignment" in imported
    assert sorted(m for m in imported if m.split(".")[0] in ("sklearn", "scipy")) == []
    assert read_records(tmp_path / "out")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"extractor.features.jieba_words"', '"os.system"'),  # a function outside the feature functions
        ('"func": "extractor.features.texts_of"', '"func": "builtins.eval"'),
        ('"strip_accents": null', '"strip_accents": "unicode"'),  # a setting the numpy path does not compute
    ],
)
def test_a_description_naming_other_code_or_settings_is_refused(tmp_path: Path, old: str, new: str) -> None:
    shutil.copytree(SHIPPED, tmp_path / "m")
    arrays = read_arrays(SHIPPED / MODEL_FILE)
    assert old in str(arrays["with_header/features"])
    arrays["with_header/features"] = np.array(str(arrays["with_header/features"]).replace(old, new))
    np.savez(tmp_path / "m" / MODEL_FILE, **arrays)
    with pytest.raises(ModelLoadError, match="different feature set"):
        load_classifier(tmp_path / "m")
