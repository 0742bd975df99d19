"""Settings from ``configs/default.toml`` with dotted-key overrides."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "default.toml"


@dataclass(frozen=True)
class Config:
    """Parsed settings; ``root`` anchors relative paths."""

    data: Mapping[str, Any]
    root: Path

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def path(self, dotted: str) -> Path:
        """A path setting, resolved against the project root."""
        value = self.get(dotted)
        if not value:
            raise ConfigError(f"setting {dotted} is empty")
        path = Path(value)
        return path if path.is_absolute() else self.root / path


def read_toml(file: Path, what: str = "config file") -> dict[str, Any]:
    """The parsed TOML at ``file``; ``ConfigError`` (E203) naming it when missing or invalid."""
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{what} not found", file) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file) from exc


def load_config(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> Config:
    """Read a TOML config (the project default when ``path`` is None) and apply overrides."""
    file = Path(path) if path else DEFAULT_CONFIG
    data = read_toml(file)
    for dotted, value in (overrides or {}).items():
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return Config(data=data, root=file.resolve().parent.parent)


def review_threshold(config: Config, card_threshold: float | None, override: float | None = None) -> float:
    """Explicit flag, else a number in the config, else the model card's, else the fallback."""
    if override is not None:
        return float(override)
    setting = config.get("review.threshold", "model")
    if setting != "model":
        try:
            return float(setting)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"review.threshold must be \"model\" or a number, not {setting!r}") from exc
    if card_threshold is not None:
        return float(card_threshold)
    return float(config.get("review.fallback_threshold", 0.9))


def current_review_threshold(config: Config | None = None) -> float:
    """The review threshold extraction uses by default: config, else the current model's card."""
    from extractor.errors import ModelLoadError
    from extractor.models.base import ModelCard, resolve_model_dir

    cfg = config or load_config()
    try:
        card_value = ModelCard.load(resolve_model_dir(cfg.path("model.path"))).review_threshold
    except ModelLoadError:
        card_value = None
    return review_threshold(cfg, card_value)
