"""A model folder is data, never code: crafted files are refused before anything runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from extractor.errors import ModelLoadError
from extractor.models import load_classifier
from extractor.models.base import CARD_FILE, resolve_model_dir
from extractor.models.sklearn_backend import MODEL_FILE

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / (ROOT / "models" / "CURRENT").read_text().strip()


class _Payload:
    """Pickles into a call of ``function(code)``: what an attacker puts in an object array."""

    def __init__(self, function: str, code: str) -> None:
        self.function, self.code = function, code

    def __reduce__(self) -> tuple:
        import builtins

        return getattr(builtins, self.function), (self.code,)


def _payload_model(tmp_path: Path, function: str, code: str) -> tuple[Path, Path]:
    """A model folder whose model.npz holds a pickled object array calling builtins.<function>(code)."""
    directory = tmp_path / "evil-model"
    directory.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, directory / CARD_FILE)
    with np.load(SHIPPED / MODEL_FILE, allow_pickle=False) as shipped:
        arrays = {key: shipped[key] for key in shipped.files}
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload(function, code)
    arrays["with_header/coef"] = payload
    np.savez(directory / MODEL_FILE, allow_pickle=True, **arrays)
    return directory, tmp_path / "ran"


@pytest.mark.parametrize("function", ["exec", "eval"])
def test_pickled_object_in_model_file_is_refused_and_nothing_runs(tmp_path: Path, function: str) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')"
    directory, marker = _payload_model(tmp_path, function, code)
    with pytest.raises(ModelLoadError, match="numbers and strings only"):
        load_classifier(directory)
    assert not marker.exists()


def test_extract_with_crafted_model_fails_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    directory, _ = _payload_model(tmp_path, "exec", f"open({str(marker)!r}, 'w').write('x')")
    doc = tmp_path / "doc.txt"
    doc.write_text("一、部门职责\n负责全区工作。\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "extract", str(doc), "--out", str(tmp_path / "out"), "--model", str(directory)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode != 0
    assert "E202" in result.stderr and "model.npz" in result.stderr
    assert not marker.exists()


def _model_with_arrays(tmp_path: Path, change: dict[str, np.ndarray | None]) -> Path:
    """A copy of the shipped model whose arrays are changed (None removes one)."""
    directory = tmp_path / "m"
    directory.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, directory / CARD_FILE)
    with np.load(SHIPPED / MODEL_FILE, allow_pickle=False) as shipped:
        arrays = {key: shipped[key] for key in shipped.files}
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    np.savez(directory / MODEL_FILE, **arrays)
    return directory


def test_model_file_without_the_pipeline_is_a_named_error(tmp_path: Path) -> None:
    with np.load(SHIPPED / MODEL_FILE, allow_pickle=False) as shipped:
        gone: dict[str, np.ndarray | None] = {key: None for key in shipped.files if key.startswith("with_header/")}
    with pytest.raises(ModelLoadError, match="does not hold"):
        load_classifier(_model_with_arrays(tmp_path, gone))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"with_header/coef": np.zeros((4, 3))}, "do not fit together"),
        ({"with_header/chars/idf": np.zeros(2)}, "weights for"),
        ({"with_header/chars/terms": np.arange(3.0)}, "expected kind 'U'"),
        ({"with_header/words/terms": None}, "lacks the array"),
        ({"format": np.array("something-else")}, "unknown model format"),
        ({"with_header/features": np.array("{}")}, "different feature set"),
    ],
)
def test_misshapen_model_arrays_are_named_errors(tmp_path: Path, change: dict[str, np.ndarray | None], message: str) -> None:
    with pytest.raises(ModelLoadError, match=message):
        load_classifier(_model_with_arrays(tmp_path, change))


def test_a_file_that_is_not_an_array_archive_is_a_named_error(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, directory / CARD_FILE)
    (directory / MODEL_FILE).write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelLoadError, match="E202.*model.npz"):
        load_classifier(directory)


def test_a_folder_with_only_the_old_skops_file_says_how_to_convert(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, directory / CARD_FILE)
    (directory / "model.skops").write_bytes(b"old")
    with pytest.raises(ModelLoadError, match="scripts.convert_model"):
        load_classifier(directory)


@pytest.mark.parametrize("named", ["../outside", "/etc", "a/../../outside", ""])
def test_current_naming_a_path_outside_the_models_folder_is_refused(tmp_path: Path, named: str) -> None:
    root = tmp_path / "models"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, outside / CARD_FILE)
    (root / "CURRENT").write_text(named + "\n")
    with pytest.raises(ModelLoadError, match="CURRENT"):
        resolve_model_dir(root)


def test_current_naming_a_link_that_leaves_the_models_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "models"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "v1").symlink_to(outside)
    (root / "CURRENT").write_text("v1\n")
    with pytest.raises(ModelLoadError, match="outside"):
        resolve_model_dir(root)
