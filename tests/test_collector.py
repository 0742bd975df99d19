"""The collector settings of an extracting process: set for the run, restored after."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from extractor.bulk import run_extraction
from extractor.collector import EXTRACTION_THRESHOLDS, extraction_collector
from extractor.models.base import resolve_model_dir
from tests.helpers import DOC_004, ROOT

MODEL = resolve_model_dir(ROOT / "models")


def test_the_block_collects_less_often_and_skips_what_was_alive_before() -> None:
    before = gc.get_threshold()
    with extraction_collector():
        assert gc.get_threshold() == EXTRACTION_THRESHOLDS
        assert gc.get_freeze_count() > 0  # this module, pytest and all: out of every scan
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_when_the_block_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), extraction_collector():
        raise RuntimeError("a document failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_one_worker_run_tunes_the_collector_only_while_it_extracts(tmp_path: Path) -> None:
    seen: list[tuple[int, ...]] = []
    before = gc.get_threshold()
    summary = run_extraction(
        [DOC_004], tmp_path / "out", MODEL, threshold=0.9, on_document=lambda _p, _s: seen.append(gc.get_threshold())
    )
    assert summary.failed == 0
    assert seen == [EXTRACTION_THRESHOLDS]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
