"""Paired per-unit bootstrap of ratio statistics ``f(sum(num) / sum(den))``.

Every statistic is a function of two per-unit sums, so one matrix of resampling counts
(replicates x units) times the matrix of per-unit sums gives all replicates of all statistics
of all models at once. The same resampled units serve every model, which makes comparisons
paired (Efron and Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 6 and 13).
"""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_sums", "percentile_interval", "percentile_pvalue", "safe_ratio"]

# replicates per chunk are chosen so that a chunk of counts holds about this many entries
_CHUNK_ENTRIES = 4_000_000


def safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Return ``num / den`` with NaN where ``den`` is 0.

    >>> safe_ratio(np.array([1.0, 1.0]), np.array([2.0, 0.0])).tolist()
    [0.5, nan]
    """
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    ratio: np.ndarray = np.divide(num, den, out=np.full(num.shape, np.nan), where=den != 0)
    return ratio


def bootstrap_sums(per_unit: np.ndarray, n_bootstrap: int, seed: int) -> np.ndarray:
    """Return ``(n_bootstrap, n_columns)`` column sums over units resampled with replacement.

    ``per_unit`` is an ``(n_units, n_columns)`` array. Each replicate draws ``n_units`` units
    uniformly with replacement (the nonparametric bootstrap); replicates are generated in chunks
    so memory stays bounded for millions of units.
    """
    n_units, n_columns = per_unit.shape
    out = np.empty((n_bootstrap, n_columns))
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_ENTRIES // max(n_units, 1))
    for start in range(0, n_bootstrap, chunk):
        c = min(chunk, n_bootstrap - start)
        draws = rng.integers(0, n_units, size=(c, n_units))
        draws += np.arange(c)[:, None] * n_units
        counts = np.bincount(draws.ravel(), minlength=c * n_units).reshape(c, n_units)
        # float counts: a float matrix product goes to BLAS, an integer one does not
        out[start : start + c] = counts.astype(np.float64) @ per_unit
    return out


def percentile_interval(
    replicates: np.ndarray, confidence_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the percentile interval of each column, ignoring NaN replicates.

    Columns with no finite replicate get NaN bounds.

    >>> lo, hi = percentile_interval(np.arange(101.0)[:, None], 0.9)
    >>> round(float(lo[0]), 9), round(float(hi[0]), 9)
    (5.0, 95.0)
    """
    tail = (1.0 - confidence_level) / 2.0
    n_cols = replicates.shape[1]
    lo, hi = np.full(n_cols, np.nan), np.full(n_cols, np.nan)
    finite = np.isfinite(replicates)
    for j in np.flatnonzero(finite.any(axis=0)):  # a loop over statistics, not units
        values = replicates[finite[:, j], j]
        lo[j], hi[j] = np.quantile(values, [tail, 1.0 - tail])
    return lo, hi


def percentile_pvalue(replicates: np.ndarray) -> np.ndarray:
    """Return two-sided p-values of "difference = 0" from bootstrap replicates of differences.

    ``p = min(1, 2 * min(1 + #{d* <= 0}, 1 + #{d* >= 0}) / (B + 1))``: the smallest level at
    which the equal-tailed percentile interval excludes 0 (Efron and Tibshirani 1993, sec. 15.4),
    with the ``+1`` correction that keeps p above 0. So ``p < alpha`` exactly when the
    ``1 - alpha`` percentile interval excludes 0, up to the resolution ``1 / B``.

    >>> percentile_pvalue(np.zeros((10, 1))).tolist()
    [1.0]
    >>> round(float(percentile_pvalue(np.ones((99, 1)))[0]), 3)
    0.02
    """
    finite = np.isfinite(replicates)
    b = finite.sum(axis=0)
    below = (finite & (replicates <= 0)).sum(axis=0)
    above = (finite & (replicates >= 0)).sum(axis=0)
    p = 2.0 * (1.0 + np.minimum(below, above)) / (b + 1.0)
    return np.where(b > 0, np.minimum(p, 1.0), np.nan)
