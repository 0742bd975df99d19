"""Sums over the entries of sparse rows, added one entry at a time in stored order.

scikit-learn and SciPy add a sparse row's entries left to right (``csr_matvecs``,
the Cython row normalisation), not pairwise as ``numpy.sum`` does; these
helpers add them in the same order, vectorised over rows, so the numpy
prediction path gives the same floating-point numbers to the last bit.
A row is ``lengths[r]`` entries of ``indices``/``data`` from ``starts[r]`` on.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def rows_by_position(lengths: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """For each entry position ``k``, the rows that have a ``k``-th entry."""
    order = np.argsort(-lengths, kind="stable")
    descending = -lengths[order]
    for k in range(int(lengths.max(initial=0))):
        yield k, order[: np.searchsorted(descending, -k, side="left")]


def add_dot(out: np.ndarray, starts: np.ndarray, lengths: np.ndarray, indices: np.ndarray, data: np.ndarray, weights: np.ndarray) -> None:
    """Add ``data[e] * weights[indices[e]]`` of each row's entries ``e`` to its row of ``out``, in order.

    Called once per block of a row's entries, it continues the same running
    sum, as one product of the stacked blocks would.
    """
    for k, rows in rows_by_position(lengths):
        entries = starts[rows] + k
        out[rows] += data[entries, None] * weights[indices[entries]]


def sum_of_squares(starts: np.ndarray, lengths: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``sum_e data[e] * data[e]`` for each row."""
    out = np.zeros(len(lengths))
    for k, rows in rows_by_position(lengths):
        entries = starts[rows] + k
        out[rows] += data[entries] * data[entries]
    return out
