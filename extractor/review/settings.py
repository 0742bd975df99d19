"""Where the review server is and how to reach it.

Resolution order: environment (``LABEL_STUDIO_URL``, ``LABEL_STUDIO_API_KEY``),
then ``configs/review.toml``, then the credentials file ``extractor review
serve`` writes into its data folder, then built-in defaults.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.config import current_review_threshold
from extractor.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_PATH = REPO_ROOT / "configs" / "review.toml"
LABEL_CONFIG_PATH = REPO_ROOT / "review" / "labeling_config.xml"
LS_VENV = REPO_ROOT / ".venv-labelstudio"
LS_DATA_DIR = REPO_ROOT / "review" / ".label-studio"
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install_label_studio.sh"
REQUIREMENTS = REPO_ROOT / "review" / "requirements-labelstudio.txt"
CREDENTIALS_FILE = "credentials.json"

DEFAULT_PROJECT = "budget-indicators-review"
DEFAULT_PORT = 8080
DEFAULT_USERNAME = "reviewer@example.com"


@dataclass(frozen=True)
class ReviewSettings:
    """Resolved review settings; paths are absolute."""

    url: str
    api_key: str | None
    project: str = DEFAULT_PROJECT
    threshold: float | None = None
    annotations_dir: Path = REPO_ROOT / "annotations"
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = LS_DATA_DIR
    username: str = DEFAULT_USERNAME


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read review settings: {exc}", path) from exc
    section = data.get("review", {})
    if not isinstance(section, dict):
        raise ConfigError("[review] must be a table", path)
    return section


def read_credentials(data_dir: Path) -> dict[str, Any]:
    """Return what ``serve`` saved in ``data_dir/credentials.json`` ({} if none)."""
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"unreadable credentials file: {exc}", path) from exc
    return data if isinstance(data, dict) else {}


def _resolve_path(value: str | None, default: str, base: Path) -> Path:
    path = Path(value or default).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _as_threshold(value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"threshold must be a number in (0, 1], got {value!r}", where
        ) from exc
    if not 0.0 < number <= 1.0:
        raise ConfigError(f"threshold must be in (0, 1], got {number}", where)
    return number


def load_settings(
    config_path: Path | None = None, env: Mapping[str, str] | None = None
) -> ReviewSettings:
    """Resolve settings from ``env`` (default ``os.environ``) and the TOML file."""
    env = os.environ if env is None else env
    path = Path(config_path) if config_path else CONFIG_PATH
    conf = _read_toml(path)
    server = conf.get("server", {}) if isinstance(conf.get("server"), dict) else {}
    base = path.resolve().parent.parent
    data_dir = _resolve_path(server.get("data_dir"), "review/.label-studio", base)
    creds = read_credentials(data_dir)
    host = str(server.get("host") or "127.0.0.1")
    port = int(server.get("port", DEFAULT_PORT))
    url = env.get("LABEL_STUDIO_URL") or conf.get("url") or creds.get("url")
    url = str(url or f"http://{host}:{port or DEFAULT_PORT}").rstrip("/")
    # The saved token only belongs to the server that ``serve`` started.
    saved_key = creds.get("api_key") if creds.get("url") == url else None
    api_key = env.get("LABEL_STUDIO_API_KEY") or conf.get("api_key") or saved_key
    return ReviewSettings(
        url=url,
        api_key=str(api_key) if api_key else None,
        project=str(conf.get("project") or DEFAULT_PROJECT),
        threshold=_as_threshold(conf["threshold"], str(path)) if "threshold" in conf else None,
        annotations_dir=_resolve_path(conf.get("annotations_dir"), "annotations", base),
        host=host,
        port=port,
        data_dir=data_dir,
        username=str(server.get("username") or DEFAULT_USERNAME),
    )


def default_threshold(
    model_card_value: float | None = None, settings: ReviewSettings | None = None
) -> float:
    """Review threshold: the model card's value if given, else review.toml's if set,
    else the one extraction uses (configs/default.toml and the current model's card)."""
    if model_card_value is not None:
        return _as_threshold(model_card_value, "model card")
    configured = (settings or load_settings()).threshold
    return configured if configured is not None else current_review_threshold()
