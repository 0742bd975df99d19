"""A tiny randomly initialised BERT saved as a local checkpoint, for tests and timings.

Its vocabulary is the special tokens, the backend's markers, ASCII, and every
character of the sample documents, so tokenizing the annotations gives few
``[UNK]``. ``build_bert(..., hidden_size=768, layers=12)`` gives a
bert-base-sized model for speed measurements (no download needed).
"""

from __future__ import annotations

import string
from pathlib import Path

from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

from extractor.models.unit_text import MARKERS

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def corpus_vocab(samples: Path = SAMPLES) -> list[str]:
    """Specials, markers, then single characters and their ``##`` continuation forms."""
    chars = sorted({c for path in sorted(samples.glob("*.txt")) for c in path.read_text(encoding="utf-8").lower() if not c.isspace()})
    chars = sorted(set(chars) | set(string.ascii_lowercase + string.digits + string.punctuation))
    pieces = [f"##{c}" for c in chars]
    return [*SPECIALS, *MARKERS, *chars, *pieces]


def build_bert(
    directory: Path, hidden_size: int = 32, layers: int = 2, heads: int = 2, intermediate: int = 64, init_range: float = 0.2, seed: int = 0
) -> Path:
    """Write a random BERT (masked-LM head) and its tokenizer to ``directory``.

    ``init_range`` is ten times BERT's usual 0.02: a random tiny model then
    tells inputs apart enough to learn something in a few dozen steps.
    """
    import torch

    directory.mkdir(parents=True, exist_ok=True)
    vocab = corpus_vocab()
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast.from_pretrained(str(directory), do_lower_case=True)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=256 if hidden_size <= 64 else 512,
        initializer_range=init_range,
    )
    torch.manual_seed(seed)
    BertForMaskedLM(config).save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory


def build_tiny_bert(directory: Path) -> Path:
    """The test checkpoint: 2 layers, hidden size 32, character vocabulary."""
    return build_bert(directory)
