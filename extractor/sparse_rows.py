"""Sums over the entries of sparse rows, added one entry at a time in stored order.

scikit-learn and SciPy add a sparse row's entries left to right (``csr_matvecs``,
the Cython row normalisation), not pairwise as ``numpy.sum`` does; these
helpers add them in the same order, vectorised over rows, so the numpy
prediction path gives the same floating-point numbers to the last bit.
A row is ``lengths[r]`` entries of ``indices``/``data`` from ``starts[r]`` on.

Rows are visited longest first, so the rows that have a ``k``-th entry are a
prefix of that order and each step adds to a slice instead of scattering.
"""

from __future__ import annotations

import numpy as np


def longest_first(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows longest first, their first entries, how many of them have a ``k``-th entry for each ``k``)."""
    order = np.argsort(-lengths, kind="stable")
    descending = -lengths[order]
    having = np.searchsorted(descending, -np.arange(int(lengths.max(initial=0))), side="left")
    return order, starts[order], having


def add_dot(out: np.ndarray, starts: np.ndarray, lengths: np.ndarray, indices: np.ndarray, data: np.ndarray, weights: np.ndarray) -> None:
    """Add ``data[e] * weights[indices[e]]`` of each row's entries ``e`` to its row of ``out``, in order.

    Called once per block of a row's entries, it continues the same running
    sum, as one product of the stacked blocks would.
    """
    order, first, having = longest_first(starts, lengths)
    terms = data[:, None] * weights[indices]
    sums = out[order]
    for k, n in enumerate(having):
        sums[:n] += terms[first[:n] + k]
    out[order] = sums


def sum_of_squares(starts: np.ndarray, lengths: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``sum_e data[e] * data[e]`` for each row."""
    order, first, having = longest_first(starts, lengths)
    squares = data * data
    sums = np.zeros(len(lengths))
    for k, n in enumerate(having):
        sums[:n] += squares[first[:n] + k]
    out = np.empty(len(lengths))
    out[order] = sums
    return out
