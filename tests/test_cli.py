"""The `extractor` command as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from tests.helpers import DOC_004, ROOT, read_records

runner = CliRunner()


def test_extract_writes_outputs_and_a_summary(tmp_path: Path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(DOC_004), "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = read_records(out)
    expected = (ROOT / "annotations" / "expected_records" / f"{DOC_004.stem}.jsonl").read_text(encoding="utf-8").splitlines()
    # Every hand-checked record of the document but a few at most; the summary counts what was written.
    assert len(records) >= len(expected) - 3
    assert "documents: 1" in result.stderr and f"records: {len(records)}" in result.stderr
    assert set(records[0]) >= {
        "doc_id", "source", "table", "line", "parent_activity", "activity", "activity_budget", "indicator",
        "indicator_category", "thresholds", "parsed_thresholds", "confidence", "needs_review",
    }


def test_extract_exits_2_when_a_document_fails(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DOC_004, folder / "ok.txt")
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00\x00garbage\x00")
    result = runner.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "failed: 1" in result.stderr and "broken.txt" in result.stderr


def test_missing_model_is_a_clear_error(tmp_path: Path):
    result = runner.invoke(app, ["extract", str(DOC_004), "--out", str(tmp_path), "--model", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "E202" in result.stderr and "nope" in result.stderr


def test_retrain_on_a_corrupt_annotations_file_names_file_and_line(tmp_path: Path):
    hand = tmp_path / "ann" / "hand"
    hand.mkdir(parents=True)
    good = (ROOT / "annotations" / "hand" / "004_3ff65f7921ff3963.jsonl").read_text(encoding="utf-8").splitlines()
    (hand / "x.jsonl").write_text("\n".join(good[:3] + ["{not json"] + good[3:10]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["retrain", "--annotations", str(tmp_path / "ann"), "--models", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "x.jsonl" in result.stderr and "line 4" in result.stderr
    assert not (tmp_path / "m").exists() or not any((tmp_path / "m").iterdir())


def test_console_script_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "extractor.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    for command in ("extract", "retrain", "evaluate", "review"):
        assert command in result.stdout
