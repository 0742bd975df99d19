"""Lean outputs and lean processes: rows without context by default, small state
files, a parent that never loads the model for its workers, an ``extract``
that never imports the review client."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import extractor.bulk as bulk
from extractor.bulk import STATE_DIR, run_extraction
from extractor.models.base import resolve_model_dir
from tests.helpers import DOC_003, DOC_004, ROOT, read_records, read_rows

MODEL = resolve_model_dir(ROOT / "models")
THRESHOLD = 0.9


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """DOC_004 extracted with the default options and with ``keep_context``."""
    folder = tmp_path_factory.mktemp("lean")
    out = {"lean": folder / "lean", "full": folder / "full"}
    run_extraction([DOC_004], out["lean"], MODEL, THRESHOLD)
    run_extraction([DOC_004], out["full"], MODEL, THRESHOLD, keep_context=True)
    return out


def test_rows_have_no_context_by_default_but_queued_rows_keep_theirs(runs: dict[str, Path]) -> None:
    rows = read_rows(runs["lean"])
    queue = _lines(runs["lean"] / "review_queue.jsonl")
    assert rows and queue
    assert all(row["context"] is None for row in rows)
    assert not (runs["lean"] / "rows.jsonl").exists()  # rows go to Parquet only, unless --jsonl rows
    assert all(isinstance(row["context"], dict) and row["context"].get("row_texts") for row in queue)
    assert pq.read_table(runs["lean"] / "rows.parquet").column("context").null_count == len(rows)


def test_keep_context_keeps_it_and_changes_nothing_else(runs: dict[str, Path]) -> None:
    full = read_rows(runs["full"])
    lean = read_rows(runs["lean"])
    assert all(isinstance(row["context"], dict) for row in full)
    assert [{**row, "context": None} for row in full] == lean
    assert _lines(runs["full"] / "review_queue.jsonl") == _lines(runs["lean"] / "review_queue.jsonl")
    assert read_records(runs["full"]) == read_records(runs["lean"])


def test_state_files_are_compressed_and_small(runs: dict[str, Path]) -> None:
    (state,) = (runs["lean"] / STATE_DIR).iterdir()
    assert json.loads(gzip.decompress(state.read_bytes()))["result"]["rows"]
    assert state.stat().st_size < DOC_004.stat().st_size * 2


def test_switching_keep_context_reprocesses_instead_of_reusing_state(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_extraction([DOC_004], out, MODEL, THRESHOLD)
    again = run_extraction([DOC_004], out, MODEL, THRESHOLD, keep_context=True)
    assert again.unchanged == 0 and again.processed == 1
    assert all(isinstance(row["context"], dict) for row in read_rows(out))


def test_parent_loads_the_model_only_when_it_extracts_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []
    real = bulk.load_classifier
    monkeypatch.setattr(bulk, "load_classifier", lambda path: loads.append(str(path)) or real(path))
    docs = tmp_path / "in"
    docs.mkdir()
    shutil.copy(DOC_004, docs / "a.txt")
    shutil.copy(DOC_003, docs / "b.txt")
    two = run_extraction([docs], tmp_path / "two", MODEL, THRESHOLD, workers=2)
    assert two.processed == 2 and loads == []  # the workers loaded it, each once
    one = run_extraction([docs], tmp_path / "one", MODEL, THRESHOLD, workers=1)
    assert one.processed == 2 and len(loads) == 1
    assert read_records(tmp_path / "one") == read_records(tmp_path / "two")


def test_extract_imports_neither_label_studio_nor_httpx_nor_pandas_and_keeps_context_on_request(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "extractor.cli", "extract", str(DOC_004), "--out", str(tmp_path / "out"),
         "--keep-context"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "extractor.bulk" in imported
    assert not {name for name in imported if name.split(".")[0] in ("httpx", "label_studio_sdk")}
    assert not {name for name in imported if name.startswith("pandas.")}  # pyarrow's look for it fails at once
    assert all(isinstance(row["context"], dict) for row in read_rows(tmp_path / "out"))


def test_the_review_commands_are_still_there() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "review", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0 and "push" in result.stdout and "pull" in result.stdout


def test_pyarrow_settled_without_pandas_still_writes_and_pandas_stays_importable(tmp_path: Path) -> None:
    script = (
        "import sys, pyarrow as pa, pyarrow.parquet as pq\n"
        "from extractor.parquet import forgo_pandas_conversions\n"
        "forgo_pandas_conversions()\n"
        "assert 'pandas' not in sys.modules\n"
        f"pq.write_table(pa.table({{'a': [1, 2], 'b': ['x', None]}}), {str(tmp_path / 't.parquet')!r})\n"
        "assert 'pandas' not in sys.modules\n"
        f"print(pq.read_table({str(tmp_path / 't.parquet')!r}).to_pylist())\n"
        "import pandas\n"
        "print(pandas.DataFrame({'a': [1]}).shape)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["[{'a': 1, 'b': 'x'}, {'a': 2, 'b': None}]", "(1, 1)"]
