"""A model card with a wrong field is refused at load with E202 naming the field, never used half-right."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from extractor.errors import ModelLoadError
from extractor.models import load_classifier
from extractor.models.linear_arrays import FORMAT
from extractor.models.base import CARD_FILE, ModelCard
from tests.helpers import DOC_004, ROOT

SHIPPED = ROOT / "models" / (ROOT / "models" / "CURRENT").read_text().strip()


def _model_with_card(tmp_path: Path, card: Any, encoding: str = "utf-8") -> Path:
    directory = tmp_path / "model"
    shutil.copytree(SHIPPED, directory)
    (directory / CARD_FILE).write_bytes(json.dumps(card, ensure_ascii=False).encode(encoding))
    return directory


def _shipped_card() -> dict[str, Any]:
    return json.loads((SHIPPED / CARD_FILE).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"review_threshold": "high"}, "review_threshold"),
        ({"review_threshold": 7}, "review_threshold"),
        ({"review_threshold": True}, "review_threshold"),
        ({"labels": ["activity", "indicator", "threshold"]}, "labels"),
        ({"labels": ["activity", "indicator", "threshold", "budget"]}, "labels"),
        ({"labels": "activity"}, "labels"),
        ({"version": 3}, "version"),
        ({"metrics": [0.9]}, "metrics"),
    ],
)
def test_card_with_a_wrong_field_is_e202_naming_it(tmp_path: Path, change: dict[str, Any], says: str) -> None:
    directory = _model_with_card(tmp_path, {**_shipped_card(), **change})
    with pytest.raises(ModelLoadError, match=f"E202.*{CARD_FILE}.*{says}"):
        load_classifier(directory)


@pytest.mark.parametrize("card", [[], ["version"], "sklearn", 7, None])
def test_card_that_is_not_a_json_object_is_e202(tmp_path: Path, card: Any) -> None:
    with pytest.raises(ModelLoadError, match="E202.*must be a JSON object"):
        ModelCard.load(_model_with_card(tmp_path, card))


def test_card_missing_its_version_is_e202(tmp_path: Path) -> None:
    card = _shipped_card()
    del card["version"]
    with pytest.raises(ModelLoadError, match="E202.*missing version"):
        ModelCard.load(_model_with_card(tmp_path, card))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_card_saved_as_utf16_or_with_a_bom_is_read(tmp_path: Path, encoding: str) -> None:
    card = ModelCard.load(_model_with_card(tmp_path, _shipped_card(), encoding))
    assert card == ModelCard.load(SHIPPED)


def test_card_in_a_legacy_encoding_is_e202(tmp_path: Path) -> None:
    card = {**_shipped_card(), "params": {"note": "绩效目标"}}
    with pytest.raises(ModelLoadError, match="E202.*not valid JSON text"):
        ModelCard.load(_model_with_card(tmp_path, card, "gb18030"))


def test_extract_with_a_bad_card_stops_once_with_e202_not_per_document(tmp_path: Path) -> None:
    directory = _model_with_card(tmp_path, {**_shipped_card(), "labels": ["a", "b"]})
    result = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "extract", str(DOC_004), "--out", str(tmp_path / "out"), "--model", str(directory)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 1
    assert "E202" in result.stderr and "labels" in result.stderr and "E999" not in result.stderr


def test_model_file_holding_a_dict_without_its_keys_is_a_named_error(tmp_path: Path) -> None:
    directory = _model_with_card(tmp_path, _shipped_card())
    np.savez(directory / "model.npz", format=np.array(FORMAT), other=np.arange(3))
    with pytest.raises(ModelLoadError, match="E202.*does not hold a row-classifier pipeline"):
        load_classifier(directory)
