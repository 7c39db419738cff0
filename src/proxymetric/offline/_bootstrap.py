"""Paired per-unit bootstrap of ratio statistics ``f(sum(num) / sum(den))``.

Every statistic is a function of two per-unit sums, so one matrix of resampling counts
(replicates x units) times the matrix of per-unit sums gives all replicates of all statistics
of all models at once. The same resampled units serve every model, which makes comparisons
paired (Efron and Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 6 and 13).
"""

from __future__ import annotations

import math

import numpy as np

from proxymetric._progress import task

__all__ = [
    "bootstrap_sums",
    "order_index",
    "paired_differences",
    "percentile_interval",
    "percentile_pvalue",
    "safe_ratio",
]

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
    with task("bootstrap rounds over units", n_bootstrap) as bar:
        for start in range(0, n_bootstrap, chunk):
            c = min(chunk, n_bootstrap - start)
            draws = rng.integers(0, n_units, size=(c, n_units))
            draws += np.arange(c)[:, None] * n_units
            counts = np.bincount(draws.ravel(), minlength=c * n_units).reshape(c, n_units)
            # float counts: a float matrix product goes to BLAS, an integer one does not
            out[start : start + c] = counts.astype(np.float64) @ per_unit
            bar.advance(c)
    return out


def order_index(n: int, confidence_level: float) -> int:
    """Return ``j``, the order statistic that bounds an equal-tailed interval of ``n`` draws.

    The interval at level ``1 - a`` runs from the ``j``-th smallest to the ``j``-th largest
    draw with ``j = ceil((n + 1) a / 2) - 1`` (the ``(n + 1) a / 2`` rule of Davison and
    Hinkley, *Bootstrap Methods and their Application*, 1997, sec. 5.2.2, taken one step
    inwards when it is a whole number). With this ``j`` the interval excludes 0 exactly when
    :func:`percentile_pvalue` is below ``a``. ``j == 0`` means that ``n`` draws are too few
    for the level (the interval is undefined).

    >>> order_index(999, 0.95), order_index(1000, 0.95), order_index(20, 0.95)
    (24, 25, 0)
    """
    x = (n + 1) * (1.0 - confidence_level) / 2.0
    nearest = round(x)
    if abs(x - nearest) <= 1e-9 * max(1.0, x):  # a whole number up to rounding of the level
        x = float(nearest)
    return max(math.ceil(x) - 1, 0)


def percentile_interval(
    replicates: np.ndarray, confidence_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the percentile interval of each column, ignoring NaN replicates.

    The bounds are order statistics of the sorted finite replicates (see :func:`order_index`),
    so the interval of a difference and its :func:`percentile_pvalue` follow one rule. Columns
    with too few finite replicates for the level get NaN bounds.

    >>> lo, hi = percentile_interval(np.arange(1.0, 101.0)[:, None], 0.9)  # j = 5 of 100
    >>> float(lo[0]), float(hi[0])
    (5.0, 96.0)
    """
    n_cols = replicates.shape[1]
    lo, hi = np.full(n_cols, np.nan), np.full(n_cols, np.nan)
    finite = np.isfinite(replicates)
    for j in np.flatnonzero(finite.any(axis=0)):  # a loop over statistics, not units
        values = np.sort(replicates[finite[:, j], j])
        r = order_index(values.size, confidence_level)
        if r >= 1:
            lo[j], hi[j] = values[r - 1], values[values.size - r]
    return lo, hi


def percentile_pvalue(replicates: np.ndarray) -> np.ndarray:
    """Return two-sided p-values of "difference = 0" from bootstrap replicates of differences.

    ``p = min(1, 2 * (1 + min(#{d* <= 0}, #{d* >= 0})) / (B + 1))`` over the ``B`` finite
    replicates: the smallest level at which the equal-tailed percentile interval excludes 0
    (Efron and Tibshirani 1993, sec. 15.4; the ``+1`` keeps p above 0). With the order
    statistics of :func:`percentile_interval`, ``p < a`` exactly when the ``1 - a`` interval
    excludes 0. A replicate equal to 0 counts on both sides; differences are made exactly 0
    where they are 0 up to rounding by :func:`paired_differences`.

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


def paired_differences(a: np.ndarray, b: np.ndarray, n_terms: int) -> np.ndarray:
    """Return ``a - b`` with differences within rounding error of 0 set to exactly 0.

    ``a`` and ``b`` are ratios of sums of ``n_terms`` non-negative per-unit terms (or their
    square roots). Each sum carries a relative rounding error of at most ``(n_terms - 1) u``
    (``u`` the unit roundoff, whatever the order of summation; Higham, *Accuracy and Stability
    of Numerical Algorithms*, 2002, sec. 4.2), so a difference below
    ``(n_terms + 2) eps (|a| + |b|)`` cannot be told from 0: two models that tie on a
    replicate differ by exactly 0 there, not by +-1e-16 depending on the order of summation.

    >>> x = np.array([0.1 + 0.2, 0.5])
    >>> paired_differences(x, np.array([0.3, 0.25]), n_terms=2).tolist()
    [0.0, 0.25]
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    d = a - b
    tolerance = (n_terms + 2) * np.finfo(np.float64).eps * (np.abs(a) + np.abs(b))
    with np.errstate(invalid="ignore"):
        tie = np.abs(d) <= tolerance
    return np.where(tie, 0.0, d)
