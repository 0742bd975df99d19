"""Options are checked before anything runs: a named error, not a traceback or a silent odd run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from tests.helpers import DOC_004

runner = CliRunner()


def test_out_pointing_at_a_file_is_a_named_error(tmp_path: Path) -> None:
    target = tmp_path / "records.txt"
    target.write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(DOC_004), "--out", str(target)])
    assert result.exit_code == 1
    assert "E401" in result.stderr and str(target) in result.stderr and "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_below_a_file_is_a_named_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(DOC_004), "--out", str(tmp_path / "file" / "out")])
    assert result.exit_code == 1 and "E401" in result.stderr


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (["--threshold", "1.5"], "between 0 and 1"),
        (["--threshold", "-0.1"], "between 0 and 1"),
        (["--threshold", "nan"], "between 0 and 1"),
        (["--workers", "-1"], "workers"),
        (["--workers", "100000"], "workers"),
        (["--max-seconds", "-5"], "max_seconds_per_document"),
    ],
)
def test_out_of_range_options_are_refused_before_any_work(tmp_path: Path, option: list[str], says: str) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(DOC_004), "--out", str(out), *option])
    assert result.exit_code == 1, result.output
    assert "E203" in result.stderr and says in result.stderr
    assert not (out / "records.parquet").exists()


@pytest.mark.parametrize("value", ["5,x", "-1", "0,,5"])
def test_a_bad_reviewer_action_count_is_refused_before_any_work(tmp_path: Path, value: str) -> None:
    result = runner.invoke(app, ["evaluate", "--out", str(tmp_path / "eval"), "--reviewer-actions", value])
    assert result.exit_code == 2 and "--reviewer-actions" in result.output
    assert not (tmp_path / "eval").exists()


@pytest.mark.parametrize("command", ["extract", "export"])
def test_an_unknown_jsonl_output_is_refused_before_any_work(tmp_path: Path, command: str) -> None:
    result = runner.invoke(app, [command, str(DOC_004), "--out", str(tmp_path / "out"), "--jsonl", "records,recods"])
    assert result.exit_code == 2 and "--jsonl" in result.output and "'recods'" in result.output
    assert not (tmp_path / "out").exists()
