"""Worker processes that survive a worker dying or hanging: only that document fails.

A document's own time limit is a timer signal inside the worker
(:func:`extractor.limits.time_limit`); this module is the backstop for what a
signal cannot stop: a worker killed (out of memory) or stuck in C code. Then
the worker processes are replaced, the documents that were in flight are
retried one at a time in a fresh worker, and one that kills or hangs that
worker too is reported through ``lost`` instead of stopping the run.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")


def run_pool(
    keys: Sequence[str],
    work: Callable[[str], tuple[str, T]],
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    workers: int,
    stall_seconds: float | None,
    lost: Callable[[str, str], T],
) -> Iterator[tuple[str, T]]:
    """``(key, result)`` for every key, in completion order.

    ``work(key)`` runs in a worker and returns ``(key, result)``. When no
    document finishes for ``stall_seconds`` the workers are killed as hung.
    ``lost(key, why)`` makes the result of a key whose worker died or hung on
    its own ("died" or "hung").
    """
    queue = list(keys)
    while queue:
        done, suspects, why = yield from _round(queue, work, initializer, initargs, workers, stall_seconds)
        queue = [k for k in queue if k not in done and k not in suspects]
        for key in suspects:
            finished, _, why_alone = yield from _round([key], work, initializer, initargs, 1, stall_seconds)
            if not finished:
                yield key, lost(key, why_alone or why)


def _round(
    keys: Sequence[str],
    work: Callable[[str], tuple[str, T]],
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    workers: int,
    stall_seconds: float | None,
) -> Generator[tuple[str, T], None, tuple[set[str], list[str], str]]:
    """One pool over ``keys``; returns (keys done, keys in flight when it broke, why).

    At most :func:`window` keys are submitted at a time, the next as each
    finishes: waiting costs time per pending future, so submitting all of a
    run's documents at once made the main process's work grow with the square
    of their number.
    """
    done: set[str] = set()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=initializer, initargs=initargs)
    unsubmitted = iter(keys)
    submitted: dict[Future[tuple[str, T]], str] = {}
    pending: set[Future[tuple[str, T]]] = set()
    in_flight: set[Future[tuple[str, T]]] = set()
    why = ""
    try:
        while not why:
            for key in islice(unsubmitted, window(workers) - len(pending)):
                future = pool.submit(work, key)
                submitted[future] = key
                pending.add(future)
            if not pending:
                break
            in_flight = {f for f in pending if f.running()} or in_flight
            finished, pending = wait(pending, timeout=stall_seconds, return_when=FIRST_COMPLETED)
            if not finished:
                why = "hung"
                _kill_workers(pool)
            for future in finished:
                try:
                    key, result = future.result()
                except BrokenProcessPool:
                    why = "died"
                    continue
                done.add(key)
                yield key, result
    except BaseException:
        _kill_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if not why:
        return done, [], ""
    suspects = [submitted[f] for f in in_flight if submitted[f] not in done]
    return done, suspects or [k for k in submitted.values() if k not in done], why


def window(workers: int) -> int:
    """Documents submitted to ``workers`` at a time: one running and one queued each, and a few
    more, so that no worker waits for the main process."""
    return 2 * workers + 4


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill every worker process of ``pool`` (ProcessPoolExecutor has no public way before 3.14)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()
