"""The row classifier's array format: loads fast, predicts exactly what the old skops model did."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone

from extractor.featurizer import UnitFeaturizer
from extractor.models import load_classifier
from extractor.models.base import CARD_FILE, ModelCard
from extractor.models.sklearn_backend import LEGACY_MODEL_FILE, MODEL_FILE, SklearnRowClassifier
from scripts.convert_model import SAME_PROBABILITY, sample_records
from tests.helpers import ROOT

SHIPPED = ROOT / "models" / (ROOT / "models" / "CURRENT").read_text().strip()
ONE_SAMPLE = ROOT / "samples" / "004_3ff65f7921ff3963.txt"


def _pipelines() -> SklearnRowClassifier:
    """The shipped model as scikit-learn pipelines (what training and the reference use)."""
    return SklearnRowClassifier.load(SHIPPED, ModelCard.load(SHIPPED), scikit_learn=True)


def test_conversion_from_skops_gives_the_same_probabilities(tmp_path: Path) -> None:
    """A model written in the old skops format converts to arrays that predict the same (within rounding)."""
    shipped = _pipelines()
    old = tmp_path / "old"
    shutil.copytree(SHIPPED, old)
    (old / MODEL_FILE).unlink()
    sio.dump({"with_header": shipped.pipeline, "without_header": shipped.headerless}, old / LEGACY_MODEL_FILE)
    samples = tmp_path / "samples"
    samples.mkdir()
    shutil.copy(ONE_SAMPLE, samples)
    result = subprocess.run(
        [sys.executable, "-m", "scripts.convert_model", str(old), "--samples", str(samples)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "the same probabilities" in result.stdout
    assert (old / MODEL_FILE).exists() and not (old / LEGACY_MODEL_FILE).exists()
    records = sample_records(SHIPPED, samples)
    assert len(records) > 1000
    assert np.allclose(load_classifier(old).predict_proba(records), shipped.predict_proba(records), rtol=0.0, atol=SAME_PROBABILITY)


@pytest.fixture(scope="module")
def one_sample_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    folder = tmp_path_factory.mktemp("one")
    shutil.copy(ONE_SAMPLE, folder)
    return sample_records(SHIPPED, folder)


def test_array_model_keeps_the_sklearn_contract_and_saves_again(tmp_path: Path, one_sample_records: list[dict]) -> None:
    model = _pipelines()
    featurizer = model.pipeline.steps[0][1]
    assert isinstance(clone(featurizer), UnitFeaturizer) and not hasattr(clone(featurizer), "union_")
    assert clone(model.pipeline).steps[-1][1].get_params()["C"] == model.card.params["C"]
    # Saved again, the arrays give the same model.
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, copy / CARD_FILE)
    model.save(copy)
    records = one_sample_records[:500]
    assert np.allclose(load_classifier(copy).predict_proba(records), model.predict_proba(records), rtol=0.0, atol=SAME_PROBABILITY)


def test_distinct_text_vectorising_equals_the_plain_feature_union(one_sample_records: list[dict]) -> None:
    model = _pipelines()
    featurizer = model.pipeline.steps[0][1]
    records = one_sample_records
    fast = featurizer.transform(records)
    plain = featurizer.union_.transform(records)
    assert fast.shape == plain.shape and (fast != plain).nnz == 0
