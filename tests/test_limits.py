"""Per-document limits: a document over one fails with its named error, the others are written."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from functools import lru_cache

import pytest

from extractor.bulk import run_extraction
from extractor.models import load_classifier
from extractor.pipeline import process_document
from extractor.config import load_config
from extractor.errors import ConfigError, DocumentTimeoutError
from extractor.limits import Limits, time_limit
from extractor.models.base import resolve_model_dir
from tests.helpers import DOC_003, DOC_004, ROOT, read_records

MODEL = resolve_model_dir(ROOT / "models")


@lru_cache(maxsize=None)
def records_alone(path: Path) -> int:
    """How many records the document gives when extracted on its own, with no limit."""
    return len(process_document(path, load_classifier(MODEL)).records)


def _one_line(size: int) -> bytes:
    """A real document flattened onto one line and repeated to ``size`` bytes, as a bad export does."""
    text = DOC_004.read_text(encoding="utf-8").replace("\n", " ").encode("utf-8")
    return (text * (size // len(text) + 1))[:size].rsplit(b" ", 1)[0]


def _records_by_doc(out: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in read_records(out):
        doc = record["doc_id"]
        counts[doc] = counts.get(doc, 0) + 1
    return counts


def _errors(out: Path) -> dict[str, dict]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return {Path(e["source"]).stem: e for e in map(json.loads, lines)}


def test_five_mb_one_line_file_is_bounded_and_the_good_sample_is_written(tmp_path: Path) -> None:
    """The issue's case, with the shipped default limits, through the command a user runs."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.txt").write_bytes(_one_line(5_000_000))
    shutil.copy(DOC_004, folder / "good.txt")
    out = tmp_path / "out"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "extract", str(folder), "--out", str(out), "--workers", "2"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert elapsed < 180
    errors = _errors(out)
    assert set(errors) == {"big"} and errors["big"]["code"] == "E123"
    assert "big.txt" in result.stderr and "E123" in result.stderr
    assert _records_by_doc(out) == {"good": records_alone(DOC_004)}


def _busy(seconds: float) -> None:
    """Burn CPU (not sleep) for ``seconds``, as extraction does."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))


def test_a_timeout_swallowed_once_by_the_code_it_interrupts_fires_again() -> None:
    """Code with a broad ``except`` (or a gc callback, where Python drops the exception) must not outlive the limit."""
    swallowed = 0
    started = time.monotonic()
    with pytest.raises(DocumentTimeoutError, match="longer than 0.2 s"), time_limit(0.2, "doc.txt"):
        try:
            _busy(30)
        except DocumentTimeoutError:
            swallowed += 1
        _busy(30)
    assert swallowed == 1 and time.monotonic() - started < 5


def test_a_block_that_swallows_every_timeout_still_fails_when_it_ends() -> None:
    with pytest.raises(DocumentTimeoutError), time_limit(0.2, "doc.txt"):
        end = time.monotonic() + 1
        while time.monotonic() < end:
            try:
                _busy(0.01)
            except DocumentTimeoutError:
                pass


def test_a_block_within_its_time_ends_normally_and_leaves_no_timer() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5, "doc.txt"):
        _busy(0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


@pytest.mark.parametrize("workers", [1, 2])
def test_a_document_over_the_time_limit_is_stopped_and_the_worker_goes_on(tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # ~19 MB (under the 20 MB limit), ~10 CPU-s without limits here (0.55 CPU-s per MB):
    # a machine twice as fast still needs 5 s. The extractor got faster: 8 MB once took 20 s.
    (folder / "slow.txt").write_bytes(DOC_004.read_bytes() * 280)
    shutil.copy(DOC_004, folder / "a_good.txt")
    shutil.copy(DOC_003, folder / "z_good.txt")  # after the slow one: the same worker must go on
    out = tmp_path / "out"
    # Above a good document's worst time on a loaded machine (under 1 s, the
    # worker's first document included), well below the slow one's.
    limits = Limits(max_seconds_per_document=3, max_cells_per_row=0)
    started = time.monotonic()
    summary = run_extraction([folder], out, MODEL, threshold=0.9, workers=workers, limits=limits)
    assert time.monotonic() - started < 60
    errors = _errors(out)
    assert set(errors) == {"slow"} and errors["slow"]["code"] == "E122"
    assert "3 s" in errors["slow"]["message"]
    assert summary.processed == 2 and set(_records_by_doc(out)) == {"a_good", "z_good"}


@pytest.mark.parametrize(
    ("limits", "code", "says"),
    [
        (Limits(max_document_mb=0.065), "E121", "MB limit"),
        (Limits(max_cells_per_row=20), "E123", "27 cells"),
        (Limits(max_thresholds_per_record=3), "E124", "4 thresholds"),
        (Limits(max_records_per_document=150), "E125", "164 records"),
    ],
    ids=["size", "cells", "thresholds", "records"],
)
def test_each_limit_ends_in_its_named_error_for_that_document_only(tmp_path: Path, limits: Limits, code: str, says: str) -> None:
    """Limits set just under what one real document needs: it fails, the other is written in full.

    004: 67 KB, 27 cells in its widest row, 4 thresholds per record, 143 records;
    003: 58 KB, 13 cells, 1 threshold, 164 records.
    """
    target, other = (DOC_003, DOC_004) if code == "E125" else (DOC_004, DOC_003)
    out = tmp_path / "out"
    summary = run_extraction([target, other], out, MODEL, threshold=0.9, limits=limits)
    errors = _errors(out)
    assert list(errors) == [target.stem]
    assert errors[target.stem]["code"] == code and says in errors[target.stem]["message"]
    assert target.name in errors[target.stem]["message"]
    assert _records_by_doc(out) == {other.stem: records_alone(other)} and summary.failed == 1


def test_limits_come_from_the_config_and_flags_override_them() -> None:
    limits = Limits.from_config(load_config(), max_seconds_per_document=5)
    assert limits.max_seconds_per_document == 5
    assert limits.max_document_mb == load_config().get("limits.max_document_mb")
    with pytest.raises(ConfigError, match="E203.*max_cells_per_row"):
        Limits.from_config(load_config(overrides={"limits.max_cells_per_row": -1}))
    with pytest.raises(ConfigError, match="unknown"):
        Limits.from_config(load_config(overrides={"limits.max_cels_per_row": 5}))


def test_cli_flag_sets_the_size_limit(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    result = CliRunner().invoke(app, ["extract", str(DOC_004), "--out", str(tmp_path / "out"), "--max-document-mb", "0.01"])
    assert result.exit_code == 2
    assert "E121" in result.stderr and "0.01 MB" in result.stderr
