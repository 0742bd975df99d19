"""The collector settings of an extracting process: set for the run, restored after."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from extractor.bulk import process_to_state, run_extraction
from extractor.collector import EXTRACTION_THRESHOLDS, extraction_collector, paused_collector
from extractor.models import load_classifier
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


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_pauses_in_the_block_and_is_as_before_after_it(enabled_before: bool) -> None:
    (gc.enable if enabled_before else gc.disable)()
    try:
        with pytest.raises(RuntimeError), paused_collector():
            assert not gc.isenabled()
            with paused_collector():  # nested: the outer block turns it back on
                assert not gc.isenabled()
            assert not gc.isenabled()
            raise RuntimeError("a document failed")
        assert gc.isenabled() == enabled_before
    finally:
        gc.enable()


def test_extracting_a_document_leaves_no_cyclic_garbage(tmp_path: Path) -> None:
    """What pausing the collector for a whole document relies on. A decoding error kept with its
    traceback once made every document's objects (8,000 for a sample) a cycle until a collection."""
    classifier = load_classifier(MODEL)
    process_to_state(DOC_004, tmp_path / "warm.json.gz", classifier, 0.9, {})  # caches and jieba set up
    gc.collect()
    with paused_collector():
        status = process_to_state(DOC_004, tmp_path / "state.json.gz", classifier, 0.9, {}, with_state=True)
        del status
        assert gc.collect() < 10


def test_the_collector_is_on_between_documents(tmp_path: Path) -> None:
    seen: list[bool] = []
    summary = run_extraction([DOC_004, DOC_004.with_name("003_325a9de861070d6d.txt")], tmp_path / "out", MODEL,
                             threshold=0.9, on_document=lambda _p, _s: seen.append(gc.isenabled()))
    assert summary.failed == 0 and seen == [True, True]
