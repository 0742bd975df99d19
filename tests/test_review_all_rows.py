"""``review push --all-rows`` reads every row of a run from rows.parquet (no rows.jsonl by default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.bulk import run_extraction
from extractor.models.base import resolve_model_dir
from extractor.review.errors import ReviewQueueError
from extractor.review.tasks import read_all_rows, read_queue
from tests.helpers import DOC_004, ROOT, read_rows

MODEL = resolve_model_dir(ROOT / "models")


def test_every_row_comes_back_with_its_context_and_key(tmp_path: Path) -> None:
    run_extraction([DOC_004], tmp_path, MODEL, threshold=0.9, keep_context=True)
    assert not (tmp_path / "rows.jsonl").exists()
    rows = read_all_rows(tmp_path)
    assert [r["key"] for r in rows] == [r["key"] for r in read_rows(tmp_path)]
    assert all(isinstance(r["context"], dict) and r["context"].get("row_texts") is not None for r in rows)
    queued = {r["key"] for r in read_queue(tmp_path / "review_queue.jsonl")}
    assert queued and queued <= {r["key"] for r in rows}


def test_rows_without_context_are_a_named_error(tmp_path: Path) -> None:
    run_extraction([DOC_004], tmp_path, MODEL, threshold=0.9)
    with pytest.raises(ReviewQueueError, match=r"rows\.parquet.*row 1: missing context"):
        read_all_rows(tmp_path)


def test_a_folder_without_rows_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewQueueError, match="run extraction first"):
        read_all_rows(tmp_path)
