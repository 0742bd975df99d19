"""What every row-classifier backend provides, the model card, and model lookup.

A model is a directory ``models/<version>/`` holding the backend's files and
``card.json`` (version, backend, training data hash, metrics, review
threshold). ``models/CURRENT`` names the version extraction uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from extractor.atomic import write_text_atomic
from extractor.datamodel import LABELS
from extractor.errors import ModelLoadError
from extractor.features import UnitRecord

CARD_FILE = "card.json"
CURRENT_FILE = "CURRENT"


@dataclass
class ModelCard:
    """Everything a person needs to know about a trained model."""

    version: str
    backend: str
    created: str
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    training_data: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    review_threshold: float | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> ModelCard:
        """A card from parsed JSON; ModelLoadError (E202) says which field is wrong."""
        if not isinstance(data, dict):
            raise ModelLoadError(f"model card must be a JSON object, not {type(data).__name__}")
        problems = [problem for key, check in _CARD_CHECKS.items() if key in data and (problem := check(data[key]))]
        missing = [key for key in ("version", "backend") if key not in data]
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        if problems:
            raise ModelLoadError("invalid model card: " + "; ".join(problems))
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def save(self, directory: Path) -> None:
        write_text_atomic(directory / CARD_FILE, json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n")
        write_text_atomic(directory / "README.md", render_card_markdown(self))

    @classmethod
    def load(cls, directory: Path) -> ModelCard:
        path = directory / CARD_FILE
        try:
            data = json.loads(path.read_bytes())  # UTF-8, or UTF-16/32 as json detects them
        except FileNotFoundError as exc:
            raise ModelLoadError("no model card (card.json); is this a model directory?", directory) from exc
        except OSError as exc:
            raise ModelLoadError(f"model card cannot be read: {exc.strerror}", path) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelLoadError(f"model card is not valid JSON text: {exc}", path) from exc
        try:
            return cls.from_dict(data)
        except ModelLoadError as exc:
            raise ModelLoadError(exc.message, path) from exc


def _text(name: str) -> Any:
    return lambda v: None if isinstance(v, str) and v else f"{name} must be a non-empty string, not {v!r}"


def _mapping(name: str) -> Any:
    return lambda v: None if isinstance(v, dict) else f"{name} must be a JSON object, not {type(v).__name__}"


def _threshold_problem(value: Any) -> str | None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool) and 0.0 <= value <= 1.0):
        return None
    return f"review_threshold must be a confidence between 0 and 1 (or null), not {value!r}"


def _labels_problem(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == len(LABELS) and sorted(map(str, value)) == sorted(LABELS):
        return None
    return f"labels must be the {len(LABELS)} labels {list(LABELS)} (in the model's column order), not {value!r}"


# Field of card.json -> check returning a problem, or None when the value is fine.
_CARD_CHECKS = {
    "version": _text("version"),
    "backend": _text("backend"),
    "created": lambda v: None if isinstance(v, str) else f"created must be a string, not {v!r}",
    "labels": _labels_problem,
    "training_data": _mapping("training_data"),
    "metrics": _mapping("metrics"),
    "review_threshold": _threshold_problem,
    "params": _mapping("params"),
}


class RowClassifier(Protocol):
    """A backend: fit on unit records, predict label probabilities, save."""

    card: ModelCard

    def fit(self, records: Sequence[UnitRecord], labels: Sequence[str]) -> RowClassifier: ...

    def predict_proba(self, records: Sequence[UnitRecord]) -> np.ndarray:
        """Probabilities, one column per label in ``LABELS`` order."""
        ...

    def save(self, directory: Path) -> None: ...


def render_card_markdown(card: ModelCard) -> str:
    """The card as a short human-readable page."""
    lines = [
        f"# Row classifier {card.version}",
        "",
        f"- backend: `{card.backend}`",
        f"- created: {card.created}",
        f"- labels: {', '.join(card.labels)}",
        f"- review threshold: {card.review_threshold}",
        "",
        "## Training data",
        "",
        "```json",
        json.dumps(card.training_data, ensure_ascii=False, indent=2),
        "```",
        "",
        "## Metrics (leave-one-document-out cross-validation)",
        "",
        "```json",
        json.dumps(card.metrics, ensure_ascii=False, indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)


def reorder_columns(proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Probabilities with one column per label of ``LABELS`` (missing labels get 0)."""
    out = np.zeros((proba.shape[0], len(LABELS)))
    for k, cls in enumerate(classes):
        out[:, LABELS.index(str(cls))] = proba[:, k]
    return out


# A model version is a folder name inside the models root, never a path.
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def current_version(models_root: Path) -> str:
    """The version named in ``models/CURRENT``: a plain folder name inside ``models_root``."""
    path = models_root / CURRENT_FILE
    try:
        version = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise ModelLoadError("no current model (models/CURRENT is missing); run `extractor retrain`", models_root) from exc
    except (UnicodeDecodeError, OSError) as exc:
        raise ModelLoadError(f"models/CURRENT is unreadable: {exc}", path) from exc
    if not _VERSION_NAME.match(version) or ".." in version:
        raise ModelLoadError(f"CURRENT must name a model folder inside {models_root}, not {version!r}", path)
    return version


def set_current(models_root: Path, version: str) -> None:
    write_text_atomic(models_root / CURRENT_FILE, version + "\n")


def resolve_model_dir(path: Path) -> Path:
    """A model directory, or the current model when ``path`` is a models root."""
    if (path / CARD_FILE).exists():
        return path
    if (path / CURRENT_FILE).exists():
        directory = path / current_version(path)
        if not directory.resolve().is_relative_to(path.resolve()):
            raise ModelLoadError(f"CURRENT points outside the models folder (a link to {directory.resolve()})", path)
        return directory
    raise ModelLoadError("not a model directory (no card.json) and no models/CURRENT here", path)
