"""Sums over the entries of sparse rows, added one entry at a time in stored order.

scikit-learn and SciPy add a sparse row's entries left to right (``csr_matvecs``,
the Cython row normalisation), not pairwise as ``numpy.sum`` does; these
helpers add them in the same order, so the numpy prediction path gives the
same floating-point numbers to the last bit. A row is ``lengths[r]`` entries
of ``indices``/``data`` from ``starts[r]`` on.

``numpy.bincount`` with weights adds each weight to its bin in array order,
one at a time from 0.0: laid out row by row, that is each row's running sum.
"""

from __future__ import annotations

import numpy as np


def entry_rows(lengths: np.ndarray) -> np.ndarray:
    """The row of each entry, for rows of ``lengths`` entries laid out one after another."""
    return np.repeat(np.arange(len(lengths), dtype=np.intp), lengths)


def entry_positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions of every row's entries, row after row, each row's in stored order."""
    total = int(lengths.sum())
    ends = np.cumsum(lengths)
    return np.repeat(np.asarray(starts, dtype=np.intp) - (ends - lengths), lengths) + np.arange(total, dtype=np.intp)


def row_sums(rows: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """Each row's ``values`` (entries listed row by row, or at least in each row's order) added left to right from 0.0.

    ``values`` may be 2-d: one running sum per column.
    """
    if values.ndim == 1:
        return np.bincount(rows, weights=values, minlength=n_rows)
    out = np.empty((n_rows, values.shape[1]))
    for c in range(values.shape[1]):
        out[:, c] = np.bincount(rows, weights=values[:, c], minlength=n_rows)
    return out


def add_dot(out: np.ndarray, starts: np.ndarray, lengths: np.ndarray, indices: np.ndarray, data: np.ndarray, weights: np.ndarray) -> None:
    """Add ``data[e] * weights[indices[e]]`` of each row's entries ``e`` to its row of ``out``, in order.

    Called once per block of a row's entries, it continues the same running
    sum, as one product of the stacked blocks would (``out`` holds no -0.0,
    which a sum from 0.0 never gives).
    """
    at = entry_positions(starts, lengths)
    terms = data[at, None] * weights[indices[at]]
    rows = np.concatenate([np.arange(len(lengths), dtype=np.intp), entry_rows(lengths)])
    out[:] = row_sums(rows, np.concatenate([out, terms]), len(lengths))


def sum_of_squares(starts: np.ndarray, lengths: np.ndarray, data: np.ndarray) -> np.ndarray:
    """``sum_e data[e] * data[e]`` for each row."""
    at = entry_positions(starts, lengths)
    return row_sums(entry_rows(lengths), data[at] * data[at], len(lengths))
