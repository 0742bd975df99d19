"""Optional row classifier: a fine-tuned transformer encoder (e.g. bert-base-chinese).

Each unit becomes a text pair (:mod:`extractor.models.unit_text`): its text,
and its layout context with marker tokens. ``AutoModelForSequenceClassification``
is fine-tuned from a local checkpoint directory with a plain PyTorch loop;
about a tenth of the training rows (whole tables) are held out to fit one
softmax temperature, so the probabilities are calibrated.

Nothing is downloaded: the hub is switched off and every load is
``local_files_only``; a missing checkpoint is a :class:`ModelLoadError` that
says how to get one. A saved model is ``hf/`` (``save_pretrained``, safetensors),
``backend.json`` (temperature, labels, input format) and the card; nothing is
pickled. Settings come from ``configs/transformers.toml`` under the card's params.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import shutil
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from extractor.atomic import write_text_atomic
from extractor.datamodel import LABELS
from extractor.errors import ConfigError, ModelLoadError
from extractor.features import UnitRecord
from extractor.models.base import ModelCard, reorder_columns
from extractor.models.unit_text import INPUT_FORMAT, MARKERS, unit_pairs

# Before the hub client is imported (it reads these once); every load is also local_files_only.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS

import torch  # noqa: E402
import transformers  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup  # noqa: E402

BACKEND = "transformers"
HF_DIR = "hf"
STATE_FILE = "backend.json"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = PROJECT_ROOT / "configs" / "transformers.toml"
CHECKPOINT_ENV = "EXTRACTOR_HF_CHECKPOINT"
MIN_HOLDOUT = 20
BUILTIN_PARAMS: dict[str, Any] = {
    "checkpoint": "models/checkpoints/bert-base-chinese",
    "max_length": 128,
    "epochs": 3,
    "max_steps": 0,
    "batch_size": 16,
    "eval_batch_size": 64,
    "lr": 3e-5,
    "weight_decay": 0.01,
    "warmup": 0.1,
    "holdout": 0.1,
    "seed": 13,
    "device": "auto",
}
HOW_TO_GET = (
    "put a local copy of a BERT-style checkpoint there (config.json, weights, vocab): on a machine with "
    "internet run `hf download bert-base-chinese --local-dir <dir>` (older hub: `huggingface-cli download`), copy the folder over and point "
    f"`checkpoint` in configs/transformers.toml (or ${CHECKPOINT_ENV}) at it; see docs/transformers.md. Nothing is downloaded at run time"
)
log = logging.getLogger(__name__)
Encoding = dict[str, list[list[int]]]


# ---- settings ---------------------------------------------------------------


def default_params(config: Path = CONFIG_FILE) -> dict[str, Any]:
    """Built-in settings, overlaid with the config file and $EXTRACTOR_HF_CHECKPOINT."""
    params = dict(BUILTIN_PARAMS)
    if config.exists():
        try:
            params.update(tomllib.loads(config.read_text(encoding="utf-8")).get("transformers", {}))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", config) from exc
    if os.environ.get(CHECKPOINT_ENV):
        params["checkpoint"] = os.environ[CHECKPOINT_ENV]
    return params


def checkpoint_dir(value: str | Path) -> Path:
    """The checkpoint directory named by ``value`` (relative: to cwd, else the project root)."""
    if not str(value).strip():
        raise ConfigError(f"no transformers checkpoint configured; {HOW_TO_GET}", CONFIG_FILE)
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path.resolve()
    return PROJECT_ROOT / path


def require_checkpoint(path: Path) -> Path:
    """``path`` if it holds a model config, else a ModelLoadError saying how to get one."""
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"transformers checkpoint not found (no config.json); {HOW_TO_GET}", path)
    return path


def pick_device(name: str = "auto") -> torch.device:
    """``cuda`` when asked for (and present) or present (``auto``), else ``cpu``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        log.warning("device %r asked for, but CUDA is not available: using the CPU", name)
        return torch.device("cpu")
    return torch.device(name)


# ---- determinism, loading ---------------------------------------------------


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


@contextmanager
def deterministic() -> Iterator[None]:
    """Deterministic kernels (warnings for those without one), restored afterwards."""
    enabled, warn_only = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' notes ("newly initialized classifier weights") and progress bars."""
    verbosity, bars = transformers.logging.get_verbosity(), transformers.logging.is_progress_bar_enabled()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    try:
        yield
    finally:
        transformers.logging.set_verbosity(verbosity)
        if bars:
            transformers.logging.enable_progress_bar()


def load_pretrained(path: Path, labels: Sequence[str]) -> tuple[Any, Any]:
    """(sequence classifier, tokenizer) from a local directory; the markers are added."""
    try:
        with quiet_transformers():
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                path,
                local_files_only=True,
                num_labels=len(labels),
                id2label=dict(enumerate(labels)),
                label2id={label: k for k, label in enumerate(labels)},
            )
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(f"cannot load a transformers model and tokenizer: {exc}", path) from exc
    tokenizer.add_tokens(list(MARKERS), special_tokens=True)
    if len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer))
    return model, tokenizer


# ---- data -------------------------------------------------------------------


def _group_key(record: UnitRecord) -> str:
    """The table a unit belongs to (with its document when the record names one)."""
    ctx = record["context"]
    return f"{record.get('doc_id', '')}\u0001{ctx.get('section_title', '')}\u0001{ctx.get('caption', '')}"


def holdout_split(records: Sequence[UnitRecord], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(train, held-out) row indices; whole tables are held out where they fit, else rows.

    Records carry no document id, so tables (section title and caption) are the
    groups; nothing is held out when fewer than ``2 * MIN_HOLDOUT`` rows are given.
    """
    n = len(records)
    target = max(MIN_HOLDOUT, round(fraction * n))
    if fraction <= 0 or n < 2 * MIN_HOLDOUT:
        return list(range(n)), []
    groups: dict[str, list[int]] = {}
    for k, record in enumerate(records):
        groups.setdefault(_group_key(record), []).append(k)
    rng = random.Random(seed)
    names = sorted(groups)
    rng.shuffle(names)
    held: list[int] = []
    for name in names:
        if len(held) >= target:
            break
        if len(held) + len(groups[name]) <= 1.5 * target:
            held += groups[name]
    if len(held) < target // 2:
        held = rng.sample(range(n), target)
    chosen = set(held)
    return [k for k in range(n) if k not in chosen], sorted(chosen)


def _batch(encoding: Encoding, rows: Sequence[int], pad_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    """Tensors of ``rows`` padded to the longest of them."""
    width = max(len(encoding["input_ids"][k]) for k in rows)
    pads = {"input_ids": pad_id}
    return {key: torch.tensor([seq[k] + [pads.get(key, 0)] * (width - len(seq[k])) for k in rows], device=device) for key, seq in encoding.items()}


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of ``gold`` (LBFGS on log T)."""
    z, y = torch.from_numpy(logits).double(), torch.from_numpy(gold).long()
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = F.cross_entropy(z / log_t.exp(), y)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(log_t.detach().exp().clamp(0.05, 20.0))


def nll(logits: np.ndarray, gold: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of ``gold`` under ``softmax(logits / temperature)``."""
    return float(F.cross_entropy(torch.from_numpy(logits).double() / temperature, torch.from_numpy(gold).long()))


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    return torch.softmax(torch.from_numpy(logits).double() / temperature, dim=1).numpy()


# ---- the classifier ---------------------------------------------------------


class TransformersRowClassifier:
    """Fine-tuned sequence-pair classifier with temperature-scaled probabilities."""

    def __init__(self, card: ModelCard, model: Any = None, tokenizer: Any = None, state: Mapping[str, Any] | None = None) -> None:
        self.card = card
        self.model = model
        self.tokenizer = tokenizer
        self.state: dict[str, Any] = dict(state or {})
        self.device = pick_device(str(card.params.get("device", "auto")))
        if model is not None:
            model.to(self.device).eval()

    @property
    def labels(self) -> list[str]:
        return list(self.state.get("labels", LABELS))

    @property
    def temperature(self) -> float:
        return float(self.state.get("temperature", 1.0))

    @classmethod
    def new(cls, card: ModelCard) -> TransformersRowClassifier:
        card.params = {**default_params(), **card.params}
        return cls(card)

    def fit(self, records: Sequence[UnitRecord], labels: Sequence[str]) -> TransformersRowClassifier:
        p = self.card.params
        records, gold = list(records), np.array([LABELS.index(label) for label in labels])
        seed_everything(int(p["seed"]))
        self.model, self.tokenizer = load_pretrained(require_checkpoint(checkpoint_dir(p["checkpoint"])), LABELS)
        self.model.to(self.device)
        self.state = {"format": INPUT_FORMAT, "labels": list(LABELS), "max_length": int(p["max_length"]), "temperature": 1.0}
        train, held = holdout_split(records, float(p["holdout"]), int(p["seed"]))
        with deterministic():
            steps = self._train(self._encode([records[k] for k in train]), torch.from_numpy(gold[train]))
        self.state.update(steps=steps, train_rows=len(train), calibration=self._calibrate([records[k] for k in held], gold[held]))
        self.state["temperature"] = self.state["calibration"]["temperature"]
        log.info("fine-tuned %d steps on %d rows; temperature %.3f", steps, len(train), self.temperature)
        return self

    def _encode(self, records: Sequence[UnitRecord]) -> Encoding:
        texts, contexts = unit_pairs(records)
        encoded = self.tokenizer(texts, contexts, truncation="longest_first", max_length=int(self.state["max_length"]))
        return {key: list(encoded[key]) for key in ("input_ids", "token_type_ids", "attention_mask") if key in encoded}

    def _total_steps(self, n_rows: int) -> int:
        p = self.card.params
        total = int(p["epochs"]) * math.ceil(n_rows / int(p["batch_size"]))
        return min(total, int(p["max_steps"])) if int(p["max_steps"]) > 0 else total

    def _train(self, encoding: Encoding, gold: torch.Tensor) -> int:
        """The fine-tuning loop: AdamW, linear warm-up and decay, clipped gradients."""
        p, n = self.card.params, len(gold)
        total = self._total_steps(n)
        optimiser = torch.optim.AdamW(self.model.parameters(), lr=float(p["lr"]), weight_decay=float(p["weight_decay"]))
        schedule = get_linear_schedule_with_warmup(optimiser, int(float(p["warmup"]) * total), total)
        order = torch.Generator().manual_seed(int(p["seed"]))
        self.model.train()
        step = 0
        while step < total:
            for rows in torch.randperm(n, generator=order).split(int(p["batch_size"])):
                batch = _batch(encoding, rows.tolist(), self.tokenizer.pad_token_id, self.device)
                loss = F.cross_entropy(self.model(**batch).logits, gold[rows].to(self.device))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                step += 1
                if step >= total:
                    break
        self.model.eval()
        return step

    def _calibrate(self, records: Sequence[UnitRecord], gold: np.ndarray) -> dict[str, Any]:
        """Fit the temperature on held-out rows (1.0 when there are none)."""
        if not records:
            return {"rows": 0, "temperature": 1.0, "fitted": False}
        logits = self._logits(records)
        temperature = fit_temperature(logits, gold)
        return {
            "rows": len(records),
            "temperature": temperature,
            "fitted": True,
            "nll_before": nll(logits, gold),
            "nll_after": nll(logits, gold, temperature),
            "accuracy": float((logits.argmax(axis=1) == gold).mean()),
        }

    def _logits(self, records: Sequence[UnitRecord]) -> np.ndarray:
        """Raw logits, in batches of similar length (less padding), in input order."""
        encoding = self._encode(records)
        by_length = sorted(range(len(records)), key=lambda k: len(encoding["input_ids"][k]))
        out = np.zeros((len(records), len(self.labels)))
        size = int(self.card.params.get("eval_batch_size", BUILTIN_PARAMS["eval_batch_size"]))
        with torch.inference_mode():
            for start in range(0, len(by_length), size):
                rows = by_length[start : start + size]
                batch = _batch(encoding, rows, self.tokenizer.pad_token_id, self.device)
                out[rows] = self.model(**batch).logits.double().cpu().numpy()
        return out

    def predict_proba(self, records: Sequence[UnitRecord]) -> np.ndarray:
        if self.model is None:
            raise ModelLoadError("model is not fitted")
        if not records:
            return np.zeros((0, len(LABELS)))
        return reorder_columns(softmax(self._logits(list(records)), self.temperature), self.labels)

    def save(self, directory: Path) -> None:
        """``hf/`` (model and tokenizer, safetensors), ``backend.json`` and the card."""
        if self.model is None:
            raise ModelLoadError("model is not fitted", directory)
        directory.mkdir(parents=True, exist_ok=True)
        staging, final = directory / (HF_DIR + ".tmp"), directory / HF_DIR
        shutil.rmtree(staging, ignore_errors=True)
        with quiet_transformers():
            self.model.save_pretrained(staging, safe_serialization=True)
            self.tokenizer.save_pretrained(staging)
        shutil.rmtree(final, ignore_errors=True)
        staging.rename(final)
        state = {**self.state, "torch": torch.__version__, "transformers": transformers.__version__}
        write_text_atomic(directory / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=2) + "\n")
        self.card.save(directory)

    @classmethod
    def load(cls, directory: Path, card: ModelCard) -> TransformersRowClassifier:
        state = read_state(directory)
        if not (directory / HF_DIR / "config.json").is_file():
            raise ModelLoadError(f"missing {HF_DIR}/config.json (the fine-tuned model); retrain", directory)
        model, tokenizer = load_pretrained(directory / HF_DIR, state["labels"])
        return cls(card, model, tokenizer, state)


def read_state(directory: Path) -> dict[str, Any]:
    """``backend.json`` of a saved model, checked against this code's input format."""
    path = directory / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelLoadError(f"missing {STATE_FILE}", directory) from exc
    except json.JSONDecodeError as exc:
        raise ModelLoadError(f"{STATE_FILE} is not valid JSON: {exc}", path) from exc
    if state.get("format") != INPUT_FORMAT:
        raise ModelLoadError(f"input format {state.get('format')!r} is not this version's ({INPUT_FORMAT}); retrain the model", path)
    if not set(state.get("labels", [])) <= set(LABELS) or float(state.get("temperature", 0)) <= 0:
        raise ModelLoadError("labels or temperature are not valid", path)
    return state
