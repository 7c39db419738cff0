"""Covariance of true treatment effects across many weak experiments.

Across past experiments ``k = 1..K`` the estimated effects ``y_k`` (one per metric) are the true
effects ``tau_k`` plus noise ``e_k`` whose covariance ``S_k`` (the within-experiment sampling
covariance of the metrics' effect estimates) is known from the analysis. The naive covariance of
the ``y_k`` estimates ``Cov(tau) + mean(S_k)``: with weak experiments the noise term dominates, and
since the noise of two metrics measured on the same units is correlated, the naive correlation can
even have the wrong sign. The estimators here follow Bibaut, Chou, Ejdemyr, Kallus, "Learning the
Covariance of Treatment Effects Across Many Weak Experiments" (KDD 2024):

- the total-covariance estimator subtracts the average noise covariance from the (weighted)
  covariance of the estimates;
- the cross-fold estimator needs no noise covariance: each experiment's units are split in two
  halves with independent noise, and the covariance is taken *between* the halves' estimates.

All functions take plain arrays: ``effects`` is ``(K, M)``, ``noise_cov`` is ``(K, M, M)``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from proxymetric.errors import ProxymetricError

__all__ = [
    "correlation",
    "crossfold_covariance",
    "naive_covariance",
    "nearest_psd",
    "total_covariance",
    "wrong_sign_probability",
]

FloatArray = NDArray[np.float64]


def _effects(name: str, effects: ArrayLike) -> FloatArray:
    arr = np.asarray(effects, dtype=np.float64)
    if arr.ndim != 2:
        raise ProxymetricError(
            f"`{name}` must be a 2-d array (experiments x metrics); got shape {arr.shape}"
        )
    if arr.shape[0] < 2:
        raise ProxymetricError(f"`{name}` needs at least 2 experiments; got {arr.shape[0]}")
    if not np.all(np.isfinite(arr)):
        raise ProxymetricError(f"`{name}` must be finite; it holds NaN or infinite values")
    return arr


def _weights(weights: ArrayLike | None, k: int) -> FloatArray:
    if weights is None:
        return np.full(k, 1.0 / k)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (k,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ProxymetricError(
            f"`weights` must be {k} finite non-negative numbers with a positive sum; "
            f"got shape {w.shape}"
        )
    return np.asarray(w / w.sum(), dtype=np.float64)


def _weighted_cross(a: FloatArray, b: FloatArray, w: FloatArray) -> FloatArray:
    """Unbiased weighted cross-covariance ``sum w (a - a_w)(b - b_w)' / (1 - sum w^2)``."""
    da = a - w @ a
    db = b - w @ b
    return np.asarray((da * w[:, None]).T @ db / (1.0 - float(w @ w)), dtype=np.float64)


def naive_covariance(effects: ArrayLike, weights: ArrayLike | None = None) -> FloatArray:
    """Return the (weighted, unbiased) covariance matrix of the estimated effects.

    It estimates ``Cov(true effects) + mean noise covariance``: biased for the true effects.

    >>> naive_covariance([[1.0, 2.0], [3.0, 0.0]]).tolist()
    [[2.0, -2.0], [-2.0, 2.0]]
    """
    y = _effects("effects", effects)
    return _weighted_cross(y, y, _weights(weights, y.shape[0]))


def total_covariance(
    effects: ArrayLike, noise_cov: ArrayLike, weights: ArrayLike | None = None
) -> FloatArray:
    """Return the total-covariance estimate of the covariance of the TRUE effects.

    With normalised weights ``w`` the estimate is
    ``[sum w_k (y_k - y_w)(y_k - y_w)' - sum w_k (1 - w_k) S_k] / (1 - sum w_k^2)``, unbiased when
    the true effects are drawn independently of the noise (Bibaut et al., KDD 2024); with equal
    weights it is the sample covariance minus the mean noise covariance. The estimate need not be
    positive semi-definite (see :func:`nearest_psd`).

    >>> import numpy as np
    >>> y = np.array([[1.0, 2.0], [3.0, 0.0]])
    >>> s = np.stack([np.eye(2) * 0.5] * 2)
    >>> total_covariance(y, s).tolist()
    [[1.5, -2.0], [-2.0, 1.5]]
    """
    y = _effects("effects", effects)
    k, m = y.shape
    s = np.asarray(noise_cov, dtype=np.float64)
    if s.shape != (k, m, m):
        raise ProxymetricError(
            f"`noise_cov` must have shape {(k, m, m)} (experiments x metrics x metrics); "
            f"got {s.shape}"
        )
    if not np.all(np.isfinite(s)):
        raise ProxymetricError("`noise_cov` must be finite; it holds NaN or infinite values")
    w = _weights(weights, k)
    spread = (y - w @ y) * w[:, None]
    raw = spread.T @ (y - w @ y)
    noise = np.einsum("k,kij->ij", w * (1.0 - w), s)
    return np.asarray((raw - noise) / (1.0 - float(w @ w)), dtype=np.float64)


def crossfold_covariance(
    fold1: ArrayLike, fold2: ArrayLike, weights: ArrayLike | None = None
) -> FloatArray:
    """Return the cross-fold estimate of the covariance of the true effects.

    ``fold1`` and ``fold2`` are ``(K, M)`` effect estimates from two disjoint random halves of
    each experiment's units, so their noises are independent and the covariance *between* them
    estimates the covariance of the true effects without knowing the noise covariance (Bibaut et
    al., KDD 2024). The result is symmetrised.

    >>> crossfold_covariance([[1.0, 0.0], [3.0, 2.0]], [[1.0, 2.0], [3.0, 0.0]]).tolist()
    [[2.0, 0.0], [0.0, -2.0]]
    """
    a = _effects("fold1", fold1)
    b = _effects("fold2", fold2)
    if a.shape != b.shape:
        raise ProxymetricError(
            f"`fold1` and `fold2` must have the same shape; got {a.shape} and {b.shape}"
        )
    c = _weighted_cross(a, b, _weights(weights, a.shape[0]))
    return np.asarray((c + c.T) / 2.0, dtype=np.float64)


def correlation(cov: ArrayLike) -> FloatArray:
    """Return the correlation matrix of ``cov``; NaN where a variance is not positive.

    Entries are clipped to [-1, 1] (a noise-corrected covariance may exceed the bound).

    >>> import numpy as np
    >>> correlation([[4.0, 1.0], [1.0, 1.0]]).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    >>> bool(np.isnan(correlation([[1.0, 0.2], [0.2, -0.1]])[0, 1]))
    True
    """
    c = np.asarray(cov, dtype=np.float64)
    d = np.diag(c).copy()
    sd = np.where(d > 0, np.sqrt(np.where(d > 0, d, 1.0)), np.nan)
    with np.errstate(invalid="ignore"):
        r = c / np.outer(sd, sd)
    return np.asarray(np.clip(r, -1.0, 1.0), dtype=np.float64)


def nearest_psd(cov: ArrayLike) -> FloatArray:
    """Return ``cov`` with negative eigenvalues set to zero (the nearest PSD matrix in Frobenius).

    >>> nearest_psd([[1.0, 2.0], [2.0, 1.0]]).round(6).tolist()
    [[1.5, 1.5], [1.5, 1.5]]
    """
    c = np.asarray(cov, dtype=np.float64)
    c = (c + c.T) / 2.0
    vals, vecs = np.linalg.eigh(c)
    return np.asarray((vecs * np.clip(vals, 0.0, None)) @ vecs.T, dtype=np.float64)


def wrong_sign_probability(rho: float) -> float:
    """Return the probability that two jointly normal, zero-mean effects have opposite signs.

    For correlation ``rho`` it is ``1/2 - arcsin(rho) / pi`` (Sheppard's formula): the chance
    that a decision taken on the sign of a proxy's effect contradicts the north star's. NaN
    when ``rho`` is undefined.

    >>> wrong_sign_probability(0.0)
    0.5
    >>> round(wrong_sign_probability(0.5), 6)
    0.333333
    """
    if not math.isfinite(rho):
        return math.nan
    return 0.5 - math.asin(max(-1.0, min(1.0, rho))) / math.pi
