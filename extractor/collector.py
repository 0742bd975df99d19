"""Garbage-collector settings for a process that extracts many documents.

CPython's cyclic collector runs a young collection every 700 net container
allocations and, now and then, a full one over every live object. A large
document allocates millions of short-lived containers while the model and the
modules (tens of thousands of long-lived objects) sit in the heap, so with the
defaults a 50-fold document spent a quarter of its CPU time in the collector
and its cost grew faster than its size. Extraction makes little cyclic garbage,
so collecting less often costs little memory.

Within one document it makes none at all that reference counting leaves
(``gc.collect`` finds nothing after a sample document; ``tests/test_collector.py``),
so the collector pauses while a document is extracted (:func:`paused_collector`).
Otherwise the objects of a large document, alive until it is done, were
scanned again by every full collection: 0.3 of the 2.3 CPU-s of a 50-fold
sample, and none of a single one's, so the cost grew faster than the size.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Container allocations between young collections (CPython's default is 700),
# and young (resp. middle) collections between middle (resp. full) ones (default 10).
EXTRACTION_THRESHOLDS = (10_000, 10, 10)


def tune_for_extraction() -> tuple[int, int, int]:
    """Leave what is alive now (modules, a loaded model) out of every later
    collection and collect less often; returns the thresholds it replaced."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*EXTRACTION_THRESHOLDS)
    return previous


@contextmanager
def extraction_collector() -> Iterator[None]:
    """:func:`tune_for_extraction` for the block, then the collector as it was."""
    previous = tune_for_extraction()
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


@contextmanager
def paused_collector() -> Iterator[None]:
    """No automatic collection in the block (reference counting still frees);
    the collector as it was afterwards. Nested or overlapping blocks leave it
    on as soon as the outermost one that turned it off is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
