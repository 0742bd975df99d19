"""--engine ray: the same outputs as the local engine, byte for byte, and a killed driver resumes.

A real local Ray instance with 2 CPUs, started once for the module.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.bulk import STATE_DIR, run_extraction
from extractor.models.base import resolve_model_dir
from tests.helpers import DOC_003, DOC_004, ROOT, SAMPLES

# Without the [ray] extra these tests skip locally; in CI (which installs it)
# a missing package must fail the run, not skip it.
if not os.environ.get("CI"):
    pytest.importorskip("ray")
import ray  # noqa: E402

MODEL = resolve_model_dir(ROOT / "models")
OUTPUTS = (
    "documents.jsonl", "records.csv", "sections.jsonl", "rows.parquet", "review_queue.jsonl",
    "errors.jsonl", "documents.parquet", "records.parquet", "sections.parquet", "rows.parquet",
)

GOOD = 7  # documents of the corpus that extract
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of the samples under distinct names: two large ones, the wild tables, an empty file."""
    folder = tmp_path_factory.mktemp("corpus")
    for k, sample in enumerate((DOC_003, DOC_004)):
        shutil.copy(sample, folder / f"{k}_{sample.name}")
    for sample in sorted((SAMPLES / "wild").glob("*.txt")):
        shutil.copy(sample, folder / sample.name)
    (folder / "empty.txt").write_bytes(b"")  # a bad document fails alone on Ray too
    assert len(list(folder.glob("*.txt"))) == GOOD + 1
    return folder


@pytest.fixture(scope="module")
def local_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    run_extraction([corpus], out, MODEL, threshold=0.9)
    return out


def _same_outputs(got: Path, expected: Path) -> None:
    for name in OUTPUTS:
        assert (got / name).read_bytes() == (expected / name).read_bytes(), name


def test_ray_gives_the_local_engines_outputs_byte_for_byte(ray_address: str, corpus: Path, local_run: Path, tmp_path: Path):
    summary = run_extraction([corpus], tmp_path, MODEL, threshold=0.9, engine="ray")
    assert (summary.processed, summary.failed) == (GOOD, 1)
    assert summary.errors[0]["code"] == "E102"
    _same_outputs(tmp_path, local_run)


def test_a_ray_run_whose_driver_is_killed_resumes(ray_address: str, corpus: Path, local_run: Path, tmp_path: Path):
    out = tmp_path / "out"
    driver = subprocess.Popen(
        [sys.executable, "-m", "extractor.cli", "extract", str(corpus), "--out", str(out),
         "--threshold", "0.9", "--engine", "ray", "--address", ray_address],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    states = out / STATE_DIR
    deadline = time.monotonic() + 240
    while not list(states.glob("*.json.gz")) and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert driver.poll() is None, driver.stderr.read().decode() if driver.stderr else ""
    driver.send_signal(signal.SIGKILL)
    driver.wait(timeout=30)
    time.sleep(1)  # tasks of the dead driver are cancelled; a state is renamed into place whole or not at all
    saved = len(list(states.glob("*.json.gz")))
    assert 1 <= saved < GOOD
    assert not (out / "records.parquet").exists()
    resumed = run_extraction([corpus], out, MODEL, threshold=0.9, engine="ray", address=ray_address)
    assert resumed.unchanged >= saved and resumed.unchanged + resumed.processed == GOOD
    _same_outputs(out, local_run)
