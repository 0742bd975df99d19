"""BLAS threads while the linear models are fitted.

Logistic regression on our sparse features calls BLAS on small vectors
(L-BFGS updates, a few classes per row). OpenBLAS's worker threads cost more
than they give there: one fit of the row classifier measured 0.25 CPU-seconds
with one thread and 2.5 with two on a 2-core machine, with the same
coefficients to 1e-14. One thread also makes a fit give the same numbers on
every machine, whatever its core count.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def one_blas_thread() -> threadpool_limits:
    """Context manager: BLAS runs on one thread inside it (restored on exit)."""
    return threadpool_limits(limits=1, user_api="blas")
