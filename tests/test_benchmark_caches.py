"""The benchmark's "no text seen before" mode empties the per-text caches and keeps the loaders."""

from __future__ import annotations

import pytest

from extractor import features, thresholds
from extractor.models import load_classifier
from extractor.models.base import resolve_model_dir
from extractor.pipeline import process_document
from extractor.tables import structure
from scripts.benchmark import clear_text_caches
from tests.helpers import DOC_004, ROOT


def test_clearing_empties_every_text_cache_and_keeps_the_vocabulary_and_jieba() -> None:
    process_document(DOC_004, load_classifier(resolve_model_dir(ROOT / "models")), 0.9)
    text_caches = (features._cached_words, features._form_key, structure._names_a_column, thresholds._parsed_fields)
    loaders = (features.jieba_tokenizer, features.load_vocabulary)
    assert all(cache.cache_info().currsize > 0 for cache in text_caches + loaders)
    clear_text_caches()
    assert [cache.cache_info().currsize for cache in text_caches] == [0] * len(text_caches)
    assert all(loader.cache_info().currsize > 0 for loader in loaders)


def test_scaling_runs_go_round_the_sizes_and_keep_each_size_least_time(tmp_path, monkeypatch) -> None:
    import extractor.pipeline as pipeline
    from scripts.benchmark import scaling

    seen: list[str] = []
    extract = pipeline.process_document

    def recorded(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return extract(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "process_document", recorded)
    figures = scaling(resolve_model_dir(ROOT / "models"), tmp_path, runs={1: 2, 3: 1})
    assert seen[1:] == ["x1.txt", "x3.txt", "x1.txt"]  # after one warm-up run of the sample itself
    (one, one_mb, one_cpu), (three, three_mb, three_cpu) = figures
    assert (one, three) == (1, 3)
    assert three_mb == pytest.approx(3 * one_mb) and 0 < one_cpu < three_cpu
