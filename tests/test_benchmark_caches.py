"""The benchmark's "no text seen before" mode empties the per-text caches and keeps the loaders."""

from __future__ import annotations

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
