"""Bulk extraction on a Ray cluster: one task per document.

Each task writes the same per-document state file as the local engine, so an
interrupted cluster run resumes and the outputs (built from the state files by
the driver) are byte for byte those of a local run. Inputs, the output folder
and the model folder must be paths every node can read and write (a shared
file system). Ray is optional: ``pip install -e .[ray]``.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from extractor.bulk import Job, _error_entry, process_to_state
from extractor.errors import EngineError
from extractor.models import load_classifier
from extractor.models.base import RowClassifier
from extractor.pipeline import Reviews

# Tasks in flight per CPU of the cluster: enough to keep every CPU busy, few
# enough that a killed driver leaves little half-done work.
TASKS_PER_CPU = 2

# Worker-process cache: a Ray worker runs many tasks and loads each model once.
_CLASSIFIERS: dict[str, RowClassifier] = {}


def extract_task(
    path: str, state_path: str, model_dir: str, threshold: float, reviews: Reviews, keep_context: bool = False
) -> dict[str, Any]:
    """The body of one Ray task: a document into its state file (never raises)."""
    if model_dir not in _CLASSIFIERS:
        _CLASSIFIERS[model_dir] = load_classifier(model_dir)
    return process_to_state(
        Path(path), Path(state_path), _CLASSIFIERS[model_dir], threshold, reviews, keep_context=keep_context
    )


def import_ray() -> ModuleType:
    """The ``ray`` module, or EngineError saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise EngineError("--engine ray needs Ray: pip install -e '.[ray]'") from exc
    return ray


def run_jobs_on_ray(
    jobs: Sequence[Job],
    model_dir: Path,
    threshold: float,
    reviews: Reviews,
    address: str | None = None,
    keep_context: bool = False,
) -> Iterator[tuple[Job, dict[str, Any]]]:
    """Run ``jobs`` as Ray tasks; yield ``(job, status)`` as each finishes.

    Connects to the cluster at ``address`` (``auto``, ``HOST:PORT``,
    ``ray://HOST:10001``), or starts a local one when None and none is
    running in this process; a cluster this call started is shut down after.
    """
    ray = import_ray()
    started = not ray.is_initialized()
    if started:
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise EngineError(f"cannot start or reach the Ray cluster at {address or 'a new local instance'}: {exc}") from exc
    try:
        yield from _submit(ray, jobs, str(model_dir.resolve()), threshold, reviews, keep_context)
    finally:
        if started:
            ray.shutdown()


def _submit(
    ray: ModuleType, jobs: Sequence[Job], model_dir: str, threshold: float, reviews: Reviews, keep_context: bool
) -> Iterator[tuple[Job, dict[str, Any]]]:
    task = ray.remote(num_cpus=1)(extract_task)
    reviews_ref = ray.put(dict(reviews))
    window = max(1, int(ray.cluster_resources().get("CPU", 1)) * TASKS_PER_CPU)
    waiting = deque(jobs)
    pending: dict[Any, Job] = {}
    while waiting or pending:
        while waiting and len(pending) < window:
            job = waiting.popleft()
            ref = task.remote(str(job.path.resolve()), str(job.state_file.resolve()), model_dir, threshold, reviews_ref, keep_context)
            pending[ref] = job
        done, _ = ray.wait(list(pending), num_returns=1)
        for ref in done:
            job = pending.pop(ref)
            yield job, _status(ray, ref, job)


def _status(ray: ModuleType, ref: Any, job: Job) -> dict[str, Any]:
    """A task's status; a task Ray could not run (its worker died) fails its document only."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as exc:
        return {"error": _error_entry(job.path, exc)}
