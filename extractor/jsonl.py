"""Reading JSON Lines files whose every line must be a JSON object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from extractor.errors import AnnotationsError, ExtractorError


def iter_jsonl(path: str | Path, error: type[ExtractorError] = AnnotationsError) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line.

    A line that is not a JSON object, or a file that is not UTF-8 or cannot be
    read, raises ``error`` naming the file and the line.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise error(f"line {number}: not valid JSON ({exc.msg})", path) from exc
                if not isinstance(obj, dict):
                    raise error(f"line {number}: not a JSON object", path)
                yield number, obj
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason})", path) from exc
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", path) from exc
