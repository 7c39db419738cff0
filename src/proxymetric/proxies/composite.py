"""The best composite proxy: a non-negative combination of metrics for a given experiment size.

A decision taken on a proxy uses its *estimated* effect ``w' y`` (true effect plus the noise of an
experiment of ``n`` units), while what matters is the north star's *true* effect. Following
Tripuraneni, Richardson, Chou, Ejdemyr, Kallus, "Choosing a Proxy Metric from Past Experiments"
(KDD 2024), the composite maximises

    corr(w' y, tau_ns) = w' Sigma[:, ns] / sqrt(w' (Sigma + Psi / n) w * Sigma[ns, ns])

over ``w >= 0``, where ``Sigma`` is the covariance of true effects and ``Psi`` the per-unit noise
covariance (so ``Psi / n`` is the noise of an experiment of ``n`` units). Without the sign
constraint the optimum is ``w ∝ (Sigma + Psi / n)^-1 Sigma[:, ns]``. With it, the maximiser is
proportional to the solution of ``min_{w >= 0} w' B w / 2 - a' w`` (``B = Sigma + Psi / n``,
``a = Sigma[:, ns]``): at that point ``a'w = w'Bw`` and the gradient of the ratio is ``-lambda``
(the multipliers), which are the optimality conditions of the quasi-concave ratio. The quadratic
programme is solved as a non-negative least-squares problem on the Cholesky factor of ``B``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import solve_triangular
from scipy.optimize import nnls

from proxymetric.errors import ProxymetricError

__all__ = ["composite_correlation", "composite_weights"]

FloatArray = NDArray[np.float64]


def composite_correlation(
    weights: ArrayLike, true_cov: ArrayLike, noise_cov: ArrayLike, north_star: int
) -> float:
    """Return ``corr(w' y, tau_ns)`` for the estimated composite and the true north-star effect.

    ``true_cov`` and ``noise_cov`` are over the same metrics as ``weights``, plus the north star
    at index ``north_star`` (its weight may be zero). NaN when a variance is not positive.

    >>> composite_correlation([1.0, 0.0], [[1.0, 0.5], [0.5, 1.0]], [[1.0, 0.0], [0.0, 1.0]], 1)
    0.35355339059327373
    """
    w = np.asarray(weights, dtype=np.float64)
    sigma = np.asarray(true_cov, dtype=np.float64)
    psi = np.asarray(noise_cov, dtype=np.float64)
    num = float(w @ sigma[:, north_star])
    var = float(w @ (sigma + psi) @ w) * float(sigma[north_star, north_star])
    if not var > 0:
        return math.nan
    return num / math.sqrt(var)


def composite_weights(
    true_cov: ArrayLike, noise_cov: ArrayLike, north_star: int, candidates: ArrayLike
) -> FloatArray:
    """Return the non-negative weights (summing to 1) of the best composite of ``candidates``.

    ``candidates`` are indices into the metrics of ``true_cov``; the result has one weight per
    metric (zero outside the candidates). Returns all zeros when no candidate has a positive
    covariance with the north star (no non-negative combination helps).

    >>> sigma = [[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 1.0]]
    >>> noise = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> composite_weights(sigma, noise, 2, [0, 1]).tolist()
    [0.5, 0.5, 0.0]
    """
    sigma = np.asarray(true_cov, dtype=np.float64)
    psi = np.asarray(noise_cov, dtype=np.float64)
    idx = np.asarray(candidates, dtype=np.intp)
    m = sigma.shape[0]
    if sigma.shape != (m, m) or psi.shape != (m, m):
        raise ProxymetricError(
            f"`true_cov` and `noise_cov` must be square of the same size; "
            f"got {sigma.shape} and {psi.shape}"
        )
    if idx.size == 0 or np.any((idx < 0) | (idx >= m)):
        raise ProxymetricError(f"`candidates` must be indices in 0..{m - 1}; got {idx.tolist()}")
    a = sigma[idx, north_star]
    out = np.zeros(m)
    if not np.any(a > 0):
        return out
    b = (sigma + psi)[np.ix_(idx, idx)]
    b = (b + b.T) / 2.0
    # A tiny ridge keeps the Cholesky factor defined when B is only semi-definite.
    ridge = 1e-12 * max(float(np.trace(b)) / len(idx), 1e-300)
    chol = np.linalg.cholesky(b + ridge * np.eye(len(idx)))
    target = solve_triangular(chol, a, lower=True)
    w, _ = nnls(chol.T, target)
    if w.sum() <= 0:
        return out
    out[idx] = w / w.sum()
    return out
