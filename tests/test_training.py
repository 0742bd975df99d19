"""Retraining: model cards, promotion only when not worse, safe loading."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from extractor.errors import ModelLoadError
from extractor.models import load_classifier
from extractor.models.linear_arrays import FORMAT
from extractor.models.base import ModelCard, current_version
from extractor.training import new_version, train, unused_version
from tests.helpers import ROOT

HAND = ROOT / "annotations" / "hand"


@pytest.fixture(scope="module")
def small_annotations(tmp_path_factory) -> Path:
    """Two documents' labels, trimmed so a retrain takes seconds."""
    root = tmp_path_factory.mktemp("ann")
    (root / "hand").mkdir()
    for name in ("003_325a9de861070d6d.jsonl", "004_3ff65f7921ff3963.jsonl"):
        lines = (HAND / name).read_text(encoding="utf-8").splitlines()[:700]
        (root / "hand" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_first_model_is_promoted_with_a_complete_card(small_annotations: Path, tmp_path: Path):
    result = train(small_annotations, tmp_path)
    assert result.promoted and current_version(tmp_path) == result.version
    card = json.loads((result.directory / "card.json").read_text(encoding="utf-8"))
    assert card["version"] == result.version and card["backend"] == "sklearn"
    assert len(card["training_data"]["sha256"]) == 64 and card["training_data"]["n_units"] == 1400
    assert set(card["training_data"]["files"]) == {"hand/003_325a9de861070d6d.jsonl", "hand/004_3ff65f7921ff3963.jsonl"}
    assert 0.5 < card["metrics"]["macro_f1"] <= 1.0 and "ece" in card["metrics"]
    assert (result.directory / "README.md").read_text(encoding="utf-8").startswith("# Row classifier")


def test_worse_model_is_kept_aside_unless_forced(small_annotations: Path, tmp_path: Path):
    first = train(small_annotations, tmp_path)
    worse = train(small_annotations, tmp_path, params={"C": 0.0005})
    assert not worse.promoted and current_version(tmp_path) == first.version
    assert worse.candidate_metrics["macro_f1"] < worse.current_metrics["macro_f1"]
    assert worse.directory.exists()  # kept for inspection
    forced = train(small_annotations, tmp_path, params={"C": 0.0005}, force=True)
    assert forced.promoted and current_version(tmp_path) == forced.version
    # Same data, maybe the same second: three models in three folders all the same.
    assert len({first.version, worse.version, forced.version}) == 3
    assert all((tmp_path / r.version / "card.json").exists() for r in (first, worse, forced))


def test_a_second_training_in_the_same_second_on_the_same_data_gets_its_own_folder(tmp_path: Path):
    taken = new_version("sklearn", "ab" * 32, datetime(2026, 12, 2, 11, 0, 5, tzinfo=timezone.utc))
    assert taken == "sklearn-20261202-110005-abababab"
    assert unused_version(tmp_path, taken) == taken
    (tmp_path / taken).mkdir()
    (tmp_path / f"{taken}-2").mkdir()
    assert unused_version(tmp_path, taken) == f"{taken}-3"


def test_saved_model_predicts_the_same_after_loading(small_annotations: Path, tmp_path: Path):
    result = train(small_annotations, tmp_path)
    model = load_classifier(tmp_path)
    shipped = load_classifier(result.directory)
    records = [json.loads(line) for line in (HAND / "000_f44a55659bcd5ffe.jsonl").read_text(encoding="utf-8").splitlines()[:50]]
    assert (model.predict_proba(records) == shipped.predict_proba(records)).all()


class NotAllowed:
    """A type that has no business inside a model file."""


def test_a_model_file_with_unexpected_types_is_refused(tmp_path: Path):
    shutil.copytree(ROOT / "models" / current_version(ROOT / "models"), tmp_path / "m")
    payload = np.empty(1, dtype=object)
    payload[0] = NotAllowed()
    np.savez(tmp_path / "m" / "model.npz", allow_pickle=True, format=np.array(FORMAT), payload=payload)
    with pytest.raises(ModelLoadError, match="numbers and strings only"):
        load_classifier(tmp_path / "m")


def test_a_folder_without_a_card_is_refused(tmp_path: Path):
    with pytest.raises(ModelLoadError, match="card.json"):
        load_classifier(tmp_path)


def test_shipped_model_card_has_version_data_hash_and_metrics():
    card = ModelCard.load(ROOT / "models" / current_version(ROOT / "models"))
    assert card.training_data["n_units"] > 7000 and len(card.training_data["documents"]) == 4
    assert card.metrics["macro_f1"] >= 0.97
