"""jieba's dictionary read from its cache file in one piece gives the tokenizer jieba itself builds."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from extractor.features import jieba_tokenizer, load_prefix_dictionary
from tests.helpers import SAMPLES


def test_the_fast_load_equals_jiebas_own_initialisation(tmp_path: Path) -> None:
    jieba_tokenizer()  # makes sure jieba's cache file exists
    own = jieba.Tokenizer()
    own.initialize()
    fast = jieba.Tokenizer()
    load_prefix_dictionary(fast)
    assert fast.initialized and fast.total == own.total and fast.FREQ == own.FREQ
    text = (SAMPLES / "003_325a9de861070d6d.txt").read_text(encoding="utf-8")[:20_000]
    assert fast.lcut(text) == own.lcut(text)


@pytest.mark.parametrize("content", [b"", b"not marshal data"])
def test_a_damaged_cache_file_is_rebuilt_by_jieba(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "jieba.cache").write_bytes(content)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path)
    load_prefix_dictionary(tokenizer)
    assert tokenizer.initialized and tokenizer.total > 0 and len(tokenizer.FREQ) > 100_000
    rebuilt = jieba.Tokenizer()
    rebuilt.tmp_dir = str(tmp_path)
    load_prefix_dictionary(rebuilt)  # from the cache file jieba wrote
    assert rebuilt.FREQ == tokenizer.FREQ
