"""Convert a model folder's old ``model.skops`` into ``model.npz`` (plain arrays).

    python -m scripts.convert_model models/<version> [--keep-skops]

The skops file is read with the old safeguard (every type in it must be a
scikit-learn/NumPy/SciPy type skops trusts, or a public function or class of
``extractor.features``; anything else is refused before loading). The arrays
are written, loaded back, and the probabilities of both models compared on
every unit of the bundled samples: the conversion stops unless they agree
within 1e-9 (the numpy model adds the same products in another order). Then ``model.skops`` is removed (kept with ``--keep-skops``).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

import numpy as np

from extractor import featurizer, features
from extractor.document import analyse
from extractor.errors import ExtractorError, ModelLoadError
from extractor.models import load_classifier, load_column_model
from extractor.models.base import ModelCard
from extractor.models.sklearn_backend import LEGACY_MODEL_FILE, WITH_HEADER, WITHOUT_HEADER, SklearnRowClassifier
from extractor.reader import read_document

ROOT = Path(__file__).resolve().parent.parent
SAME_PROBABILITY = 1e-9  # largest difference of a converted model's probabilities
_FEATURE_MODULES = {"extractor.features": features, "extractor.featurizer": featurizer}


def is_feature_type(type_name: str) -> bool:
    """Whether ``type_name`` is a public function or class of ``extractor.features``
    or ``extractor.featurizer`` (where ``UnitFeaturizer`` now lives)."""
    module, _, name = type_name.rpartition(".")
    if module not in _FEATURE_MODULES or name.startswith("_"):
        return False
    obj = getattr(_FEATURE_MODULES[module], name, None)
    defined_in = getattr(obj, "__module__", "")
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and defined_in in _FEATURE_MODULES


def load_skops(directory: Path, card: ModelCard) -> SklearnRowClassifier:
    """The classifier in ``directory/model.skops``, refusing any type outside the allow-list."""
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    path = directory / LEGACY_MODEL_FILE
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises several types for a corrupt file
        raise ModelLoadError(f"not a readable skops file: {exc}", path) from exc
    refused = [t for t in untrusted if not is_feature_type(t)]
    if refused:
        raise ModelLoadError(f"refusing to load unexpected types {refused}", path)
    loaded = sio.load(path, trusted=untrusted)
    if isinstance(loaded, Pipeline):
        return SklearnRowClassifier(card, loaded)
    if not isinstance(loaded, dict) or not isinstance(loaded.get(WITH_HEADER), Pipeline):
        raise ModelLoadError("model file does not hold a row-classifier pipeline", path)
    headerless = loaded.get(WITHOUT_HEADER)
    return SklearnRowClassifier(card, loaded[WITH_HEADER], headerless if isinstance(headerless, Pipeline) else None)


def sample_records(directory: Path, samples: Path) -> list[dict]:
    """Unit records (with and without a header) of every document in ``samples``."""
    column_model = load_column_model(directory)
    records = []
    for path in sorted(samples.glob("*.txt")):
        units = analyse(read_document(path), column_model).units
        records += [{"text": u.text, "context": u.context} for u in units]
    return records + [features.without_header(r) for r in records]


def convert(directory: Path, samples: Path = ROOT / "samples", keep_skops: bool = False) -> int:
    """Write ``model.npz`` beside ``model.skops``; returns how many units were compared."""
    card = ModelCard.load(directory)
    old = load_skops(directory, card)
    old.save(directory)
    new = load_classifier(directory)
    records = sample_records(directory, samples)
    before, after = old.predict_proba(records), new.predict_proba(records)
    if not np.allclose(before, after, rtol=0.0, atol=SAME_PROBABILITY):
        (directory / "model.npz").unlink()
        worst = float(np.abs(before - after).max())
        raise ModelLoadError(f"converted model differs from the skops one (largest difference {worst:g}); nothing kept", directory)
    if not keep_skops:
        (directory / LEGACY_MODEL_FILE).unlink()
    return len(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="model folder holding model.skops and card.json")
    parser.add_argument("--samples", type=Path, default=ROOT / "samples", help="documents whose units are compared")
    parser.add_argument("--keep-skops", action="store_true", help="keep model.skops after converting")
    args = parser.parse_args(argv)
    try:
        n = convert(args.model, args.samples, args.keep_skops)
    except ExtractorError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.model}: model.npz written; the same probabilities (within {SAME_PROBABILITY:g}) on {n} sample units")
    return 0


if __name__ == "__main__":
    sys.exit(main())
