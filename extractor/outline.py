"""The disclosure's outline vocabulary: section types and top-level parts.

``configs/outline.toml`` holds the words (as regular expressions) that name
each canonical section type and the titles of the top-level parts a
department must publish. :func:`load_outline` reads and checks it once;
:func:`section_type` and :func:`part_type` apply it to a heading's title.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from extractor.datamodel import SECTION_TYPES
from extractor.config import read_toml
from extractor.errors import ConfigError

__all__ = [
    "OUTLINE_FILE",
    "Outline",
    "Part",
    "load_outline",
    "parse_outline",
    "part_type",
    "read_outline",
    "section_type",
]

OUTLINE_FILE = Path(__file__).resolve().parent.parent / "configs" / "outline.toml"

_TITLE = "title"
_OTHER = "other"


@dataclass(frozen=True)
class Part:
    """A top-level part: the titles that name it and the types it may contain."""

    type: str
    titles: re.Pattern[str]
    contains: frozenset[str]


@dataclass(frozen=True)
class Outline:
    """Compiled vocabulary of ``configs/outline.toml``."""

    types: tuple[tuple[str, re.Pattern[str]], ...]
    title: re.Pattern[str]
    never_part: re.Pattern[str]
    parts: Mapping[str, Part]

    def section_type(self, title: str, *, numbered: bool = False) -> str:
        """Type named by keywords in ``title``; ``"other"`` when none.

        ``"title"`` is only given to un-numbered lines (the document title).
        """
        for kind, pattern in self.types:
            if pattern.search(title):
                return kind
        if not numbered and self.title.search(title):
            return _TITLE
        return _OTHER

    def part_type(self, title: str) -> str | None:
        """The top-level part ``title`` names ("部门预算安排总体情况" -> budget_overview)."""
        if self.never_part.search(title):
            return None
        kind = self.section_type(title, numbered=True)
        part = self.parts.get(kind)
        return kind if part is not None and part.titles.search(title) else None

    def contains(self, outer: str, inner: str) -> bool:
        """True when a part of type ``outer`` holds ``inner`` as a sub-section."""
        part = self.parts.get(outer)
        return outer == inner or (part is not None and inner in part.contains)


def _compile(patterns: Any, where: str, path: Path) -> re.Pattern[str]:
    """One alternation of a list of regular expressions."""
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"{where} must be a non-empty list of regular expressions", path)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}", path) from exc
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _known_type(name: Any, where: str, path: Path) -> str:
    if name not in SECTION_TYPES or name in (_TITLE, _OTHER):
        raise ConfigError(f"{where}: {name!r} is not a section type ({', '.join(SECTION_TYPES)})", path)
    return str(name)


def _table(data: Mapping[str, Any], key: str, path: Path) -> Any:
    if key not in data:
        raise ConfigError(f"missing [{key}]", path)
    return data[key]


def _types(entries: Sequence[Any], path: Path) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (_known_type(e.get("name"), f"types[{i}].name", path), _compile(e.get("patterns"), f"types[{i}].patterns", path))
        for i, e in enumerate(entries)
    )


def _parts(entries: Sequence[Any], path: Path) -> dict[str, Part]:
    parts: dict[str, Part] = {}
    for i, entry in enumerate(entries):
        kind = _known_type(entry.get("type"), f"parts[{i}].type", path)
        contains = entry.get("contains", [])
        for j, inner in enumerate(contains):
            _known_type(inner, f"parts[{i}].contains[{j}]", path)
        parts[kind] = Part(kind, _compile(entry.get("titles"), f"parts[{i}].titles", path), frozenset(contains))
    return parts


def parse_outline(data: Mapping[str, Any], path: Path) -> Outline:
    """Check and compile the parsed TOML of an outline file (``path`` names it in errors)."""
    try:
        return Outline(
            types=_types(_table(data, "types", path), path),
            title=_compile(_table(data, "title", path).get("patterns"), "title.patterns", path),
            never_part=_compile(_table(data, "never_part", path).get("patterns"), "never_part.patterns", path),
            parts=_parts(_table(data, "parts", path), path),
        )
    except AttributeError as exc:  # a table where a list was expected, or the reverse
        raise ConfigError(f"unexpected structure: {exc}", path) from exc


def read_outline(path: Path) -> Outline:
    """Read, check and compile an outline file."""
    return parse_outline(read_toml(path, "outline vocabulary file"), path)


@cache
def load_outline() -> Outline:
    """The project's outline vocabulary (``configs/outline.toml``), read once."""
    return read_outline(OUTLINE_FILE)


def section_type(title: str, *, numbered: bool = False) -> str:
    """Section type of ``title`` by the project's vocabulary (see :meth:`Outline.section_type`)."""
    return load_outline().section_type(title, numbered=numbered)


def part_type(title: str) -> str | None:
    """Top-level part ``title`` names, by the project's vocabulary (see :meth:`Outline.part_type`)."""
    return load_outline().part_type(title)
