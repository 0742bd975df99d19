"""Worker processes that die or hang are replaced; only the document they were on fails."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import psutil

from extractor.bulk import STATE_DIR, run_extraction
from extractor.models.base import resolve_model_dir
from extractor.pool import _round, run_pool, window
from tests.helpers import ROOT, SAMPLES, read_records

MODEL = resolve_model_dir(ROOT / "models")


def _nothing() -> None:
    pass


def _work(key: str) -> tuple[str, str]:
    """Runs in a worker: "hang" blocks its timer signal and sleeps, "die" kills its own process."""
    if key == "hang":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    if key == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.2)
    return key, key.upper()


def test_a_dying_and_a_hanging_worker_cost_only_their_own_key() -> None:
    keys = ["a", "hang", "b", "die", "c", "d"]
    started = time.monotonic()
    results = dict(run_pool(keys, _work, _nothing, (), workers=2, stall_seconds=3, lost=lambda key, why: f"lost: {why}"))
    assert time.monotonic() - started < 90
    assert results == {"a": "A", "b": "B", "c": "C", "d": "D", "hang": "lost: hung", "die": "lost: died"}


def test_a_worker_killed_mid_run_is_replaced_and_every_document_is_written(tmp_path: Path) -> None:
    """As when the kernel kills a worker for memory: its document is retried alone and the run completes."""
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(sample, folder / sample.name)
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list((out / STATE_DIR).glob("*.json.gz")):
            time.sleep(0.05)
        workers = psutil.Process().children()
        if workers:
            workers[0].kill()
            killed.append(workers[0].pid)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    summary = run_extraction([folder], out, MODEL, threshold=0.9, workers=2)
    killer.join()
    assert killed, "a worker should have been killed mid-run"
    assert summary.failed == 0 and summary.processed == 4
    docs = {r["doc_id"] for r in read_records(out)}
    assert len(docs) == 4
    assert not list((out / STATE_DIR).glob("*.part"))  # a killed worker's part file, if it wrote one, is gone


def _quick(key: str) -> tuple[str, str]:
    if key == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return key, key.upper()


class _CountedKeys(list):
    """Keys that count how many have been read."""

    read = 0

    def __iter__(self):  # noqa: ANN204 - a list's iterator
        for key in super().__iter__():
            self.read += 1
            yield key


def test_keys_are_submitted_a_window_at_a_time() -> None:
    """A run of many documents keeps only a few futures (waiting on all of them cost time per future)."""
    keys = _CountedKeys(f"k{i}" for i in range(60))
    rounds = _round(keys, _quick, _nothing, (), 2, None)
    returned = []
    for key, result in rounds:
        assert keys.read <= len(returned) + 1 + window(2)
        returned.append((key, result))
    assert sorted(returned) == sorted((k, k.upper()) for k in keys)


def test_a_worker_dying_late_in_a_long_run_costs_only_its_key() -> None:
    keys = [f"k{i}" for i in range(40)]
    keys.insert(30, "die")
    results = dict(run_pool(keys, _quick, _nothing, (), workers=2, stall_seconds=60, lost=lambda key, why: f"lost: {why}"))
    assert results == {**{k: k.upper() for k in keys if k != "die"}, "die": "lost: died"}
