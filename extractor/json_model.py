"""Saving and loading the small models that are plain JSON (never pickled)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from extractor.atomic import write_text_atomic
from extractor.errors import ModelLoadError

Model = TypeVar("Model", bound="JsonModelFile")


class JsonModelFile:
    """``save``/``load`` for an estimator with ``to_dict`` and ``from_dict``.

    A file that is not JSON, or whose content ``from_dict`` refuses, is a
    :class:`ModelLoadError` (E202) naming the file and what it should have been.
    """

    FILE_DESCRIPTION: ClassVar[str] = "model"
    JSON_INDENT: ClassVar[int | None] = None

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_dict(cls: type[Model], data: Any) -> Model:
        raise NotImplementedError

    def save(self, path: Path) -> None:
        write_text_atomic(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=self.JSON_INDENT) + "\n")

    @classmethod
    def load(cls: type[Model], path: Path) -> Model:
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ModelLoadError(f"not a readable {cls.FILE_DESCRIPTION}: {exc}", path) from exc
