"""The linear sum assignment problem, solved as SciPy solves it, with numpy alone.

A step-by-step port of ``scipy.optimize.linear_sum_assignment`` (Crouse's
shortest augmenting path, SciPy's ``rectangular_lsap.cpp``): the same search
order and tie-breaking, so a table whose columns tie between roles gets the
same roles as before, without importing SciPy at extraction time
(``scipy.optimize`` costs every extracting process about 0.45 s and 50 MiB
on top of numpy; ``tests/test_numpy_predict.py`` checks this port against
SciPy on random and tied matrices).
"""

from __future__ import annotations

import numpy as np


def linear_sum_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and their columns of a minimum-cost assignment (as SciPy returns them)."""
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError(f"expected a matrix, got {cost.ndim} dimensions")
    if cost.size == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if np.isnan(cost).any() or (cost == -np.inf).any():
        raise ValueError("matrix contains invalid numeric entries")
    transpose = cost.shape[1] < cost.shape[0]
    col4row = _solve(cost.T if transpose else cost)
    if transpose:
        order = np.argsort(col4row)
        return col4row[order], order
    return np.arange(len(col4row)), col4row


def _solve(cost: np.ndarray) -> np.ndarray:
    """The column of each row, for a matrix with no more rows than columns."""
    n_rows, n_cols = cost.shape
    u, v = np.zeros(n_rows), np.zeros(n_cols)
    shortest = np.empty(n_cols)
    path = np.full(n_cols, -1, dtype=np.intp)
    col4row = np.full(n_rows, -1, dtype=np.intp)
    row4col = np.full(n_cols, -1, dtype=np.intp)
    for current in range(n_rows):
        sink, lowest, seen_rows, seen_cols = _augmenting_path(cost, u, v, path, row4col, shortest, current)
        u[current] += lowest
        others = seen_rows.copy()
        others[current] = False
        u[others] += lowest - shortest[col4row[others]]
        v[seen_cols] -= lowest - shortest[seen_cols]
        j = sink
        while True:  # augment the previous solution along the path
            i = path[j]
            row4col[j] = i
            col4row[i], j = j, col4row[i]
            if i == current:
                break
    return col4row


def _augmenting_path(cost: np.ndarray, u: np.ndarray, v: np.ndarray, path: np.ndarray, row4col: np.ndarray,
                     shortest: np.ndarray, i: int) -> tuple[int, float, np.ndarray, np.ndarray]:
    """The free column reached from row ``i`` by the shortest augmenting path, its cost, and the rows and columns seen."""
    n_rows, n_cols = cost.shape
    remaining = np.arange(n_cols - 1, -1, -1)  # reversed: a constant matrix gives the identity
    n_remaining = n_cols
    seen_rows, seen_cols = np.zeros(n_rows, dtype=bool), np.zeros(n_cols, dtype=bool)
    shortest[:] = np.inf
    lowest, sink = 0.0, -1
    while sink == -1:
        seen_rows[i] = True
        candidates = remaining[:n_remaining]
        reduced = lowest + cost[i, candidates] - u[i] - v[candidates]
        better = reduced < shortest[candidates]
        path[candidates[better]] = i
        shortest[candidates[better]] = reduced[better]
        costs = shortest[candidates]
        lowest = float(costs.min())
        if lowest == np.inf:
            raise ValueError("cost matrix is infeasible")
        # SciPy's scan keeps the first minimum unless a later tie is a free column (a new sink).
        ties = np.flatnonzero(costs == lowest)
        free = ties[1:][row4col[candidates[ties[1:]]] == -1]
        index = int(free[-1]) if free.size else int(ties[0])
        j = int(candidates[index])
        if row4col[j] == -1:
            sink = j
        else:
            i = int(row4col[j])
        seen_cols[j] = True
        n_remaining -= 1
        remaining[index] = remaining[n_remaining]
    return sink, lowest, seen_rows, seen_cols
