"""Section-heading scores of the samples, without training anything.

    python -m extractor.evaluation.score_sections [ANNOTATIONS_DIR [SAMPLES_DIR]]

segments every ``SAMPLES_DIR/<doc_id>.txt`` that has
``ANNOTATIONS_DIR/expected_sections/<doc_id>.jsonl`` (defaults ``annotations``
and ``samples``) and prints heading precision/recall/F1 and level and type
accuracy, pooled and per document, as JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from extractor.evaluation.sections import segment_and_score

_KEYS = ("precision", "recall", "f1", "level_accuracy", "type_accuracy", "expected", "predicted", "matched", "level_right")


def main(argv: Sequence[str] = ()) -> int:
    """Print the section scores of the samples as JSON (see the module docstring)."""
    annotations = Path(argv[0]) if argv else Path("annotations")
    samples = Path(argv[1]) if len(argv) > 1 else annotations.parent / "samples"
    sources = {p.stem: p for p in sorted(samples.glob("*.txt"))}
    scores = segment_and_score(sources, annotations / "expected_sections")
    if scores is None:
        print(f"no expected sections in {annotations / 'expected_sections'} for the texts in {samples}", file=sys.stderr)
        return 1
    summary = {k: scores[k] for k in _KEYS}
    summary["per_document"] = {
        d: {k: s[k] for k in (*_KEYS, "missing_lines", "extra_lines")} for d, s in scores["per_document"].items()
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
