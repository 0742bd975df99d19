"""Bulk runs: bad documents never stop a run, reruns skip, killed runs resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.bulk import STATE_DIR, run_extraction
from extractor.config import load_config, review_threshold
from extractor.models.base import ModelCard, resolve_model_dir
from tests.helpers import DOC_003, DOC_004, ROOT, SAMPLES, read_records, read_rows

MODEL = resolve_model_dir(ROOT / "models")
OUTPUTS = ("records.parquet", "records.csv", "sections.jsonl", "rows.parquet", "review_queue.jsonl", "errors.jsonl")


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(DOC_004, folder / "good.txt")
    (folder / "nested" / "gbk.txt").write_bytes(DOC_003.read_text(encoding="utf-8").encode("gb18030"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (folder / "scan.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    (folder / "truncated.txt").write_bytes("绩效指标：完成率".encode("utf-8")[:-1])
    (folder / ".hidden.txt").write_text("ignored", encoding="utf-8")
    (folder / "notes.md").write_text("not a document", encoding="utf-8")
    return folder


def test_bad_documents_are_listed_and_the_run_goes_on(mixed_folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    summary = run_extraction([mixed_folder, tmp_path / "missing.txt"], out, MODEL, threshold=0.9)
    assert summary.exit_code == 2
    assert summary.processed == 2 and summary.failed == 5
    errors = {Path(e["source"]).name: e for e in _lines(out / "errors.jsonl")}
    assert set(errors) == {"empty.txt", "binary.txt", "scan.txt", "truncated.txt", "missing.txt"}
    assert errors["empty.txt"]["code"] == "E102" and "empty.txt" in errors["empty.txt"]["message"]
    assert errors["truncated.txt"]["code"] == "E105"
    assert "PDF" in errors["scan.txt"]["message"]
    docs = {r["doc_id"] for r in read_records(out)}
    assert docs == {"good", "gbk"}
    for name in OUTPUTS:
        assert (out / name).exists()
    assert not [p for p in out.rglob("*.tmp")]


def test_rerun_skips_unchanged_documents_and_redoes_changed_ones(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DOC_004, folder / "a.txt")
    shutil.copy(DOC_003, folder / "b.txt")
    out = tmp_path / "out"
    first = run_extraction([folder], out, MODEL, threshold=0.9)
    records = read_records(out)
    second = run_extraction([folder], out, MODEL, threshold=0.9)
    assert (first.processed, first.unchanged) == (2, 0)
    assert (second.processed, second.unchanged) == (0, 2)
    assert read_records(out) == records
    (folder / "b.txt").write_text(DOC_003.read_text(encoding="utf-8") + "\n附：说明\n", encoding="utf-8")
    third = run_extraction([folder], out, MODEL, threshold=0.5)
    assert third.processed == 2  # b changed; a re-done because the threshold changed


def test_review_queue_holds_low_confidence_rows_most_uncertain_first(tmp_path: Path):
    out = tmp_path / "out"
    summary = run_extraction([DOC_003], out, MODEL, threshold=0.999)
    queue = _lines(out / "review_queue.jsonl")
    assert queue and len(queue) == summary.queued
    confidences = [row["confidence"] for row in queue]
    assert confidences == sorted(confidences) and max(confidences) < 0.999
    assert {"key", "doc_id", "line", "col", "text", "label", "context", "model_version"} <= set(queue[0])


def test_reviewer_labels_override_the_model_for_the_exact_row(tmp_path: Path):
    out = tmp_path / "out"
    run_extraction([DOC_004], out, MODEL, threshold=0.9)
    row = next(r for r in read_rows(out) if r["label"] == "indicator")
    reviews = {row["key"]: {"label": "other"}}
    run_extraction([DOC_004], out, MODEL, threshold=0.9, reviews=reviews)
    again = next(r for r in read_rows(out) if r["key"] == row["key"])
    assert again["label"] == "other" and again["label_source"] == "review" and again["confidence"] == 1.0
    assert not any(r["line"] == row["line"] and r["indicator"] == row["text"] for r in read_records(out))


def test_records_csv_opens_in_excel(tmp_path: Path):
    out = tmp_path / "out"
    run_extraction([DOC_004], out, MODEL, threshold=0.9)
    raw = (out / "records.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["doc_id", "source", "table", "line"] and "threshold_指标值" in header


def test_killed_run_resumes_and_matches_a_clean_run(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(4):
        for sample in sorted(SAMPLES.glob("*.txt")):
            shutil.copy(sample, folder / f"{k:02d}_{sample.name}")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "extractor.cli", "extract", str(folder), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / STATE_DIR).glob("*.json.gz"))) < 3:
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / STATE_DIR).glob("*.json.gz")))
    assert 3 <= done_before < 16, "the run should have been killed midway"
    assert not (out / "records.parquet").exists(), "no output file is written before the run completes"

    resumed = run_extraction([folder], out, MODEL, threshold=_default_threshold())
    assert resumed.unchanged >= done_before and resumed.processed == 16 - resumed.unchanged
    clean = run_extraction([folder], tmp_path / "clean", MODEL, threshold=_default_threshold())
    assert read_records(out) == read_records(tmp_path / "clean")
    assert resumed.records == clean.records


def _default_threshold() -> float:
    return review_threshold(load_config(), ModelCard.load(MODEL).review_threshold)
