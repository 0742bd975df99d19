"""A model folder is data, never code: crafted files are refused before anything runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import skops.io as sio

from extractor.errors import ModelLoadError
from extractor.models import load_classifier
from extractor.models.base import CARD_FILE, resolve_model_dir

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / (ROOT / "models" / "CURRENT").read_text().strip()


def _payload_model(tmp_path: Path, function: str, code: str) -> tuple[Path, Path]:
    """A model folder whose model.skops calls builtins.<function>(code) when loaded."""
    from zoneinfo import ZoneInfo

    directory = tmp_path / "evil-model"
    directory.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, directory / CARD_FILE)
    plain = tmp_path / "plain.skops"
    # A ZoneInfo is stored as "call the type with these arguments": the node an attacker abuses.
    sio.dump({"with_header": ZoneInfo("UTC"), "without_header": None}, plain)
    schema = json.loads(zipfile.ZipFile(plain).read("schema.json"))
    node = schema["content"]["with_header"]
    node["__class__"], node["__module__"] = function, "builtins"
    node["content"]["content"][0]["content"] = json.dumps(code)
    with zipfile.ZipFile(directory / "model.skops", "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    return directory, tmp_path / "ran"


@pytest.mark.parametrize("function", ["exec", "eval"])
def test_builtin_call_in_model_file_is_refused_and_nothing_runs(tmp_path: Path, function: str) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')"
    directory, marker = _payload_model(tmp_path, function, code)
    with pytest.raises(ModelLoadError, match=f"builtins.{function}"):
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
    assert "E202" in result.stderr and "builtins.exec" in result.stderr
    assert not marker.exists()


def test_model_file_holding_a_list_is_a_named_error(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    shutil.copy(SHIPPED / CARD_FILE, directory / CARD_FILE)
    sio.dump([1, 2, 3], directory / "model.skops")
    with pytest.raises(ModelLoadError, match="does not hold"):
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
