"""Binomial helpers shared by the pairwise and interleaving analyses."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = ["holm", "sign_test", "wilson_bounds", "wilson_interval"]


def sign_test(successes: int, trials: int) -> float:
    """Return the exact two-sided binomial p-value of ``successes`` in ``trials`` at p = 1/2.

    The distribution is symmetric, so the p-value doubles the smaller tail (capped at 1);
    NaN when there are no trials.

    >>> round(sign_test(60, 100), 4)
    0.0569
    """
    if trials <= 0:
        return math.nan
    from scipy.stats import binom  # exact binomial tails: imported by the first sign test

    lower = float(binom.cdf(successes, trials, 0.5))
    upper = float(binom.sf(successes - 1, trials, 0.5))
    return min(1.0, 2.0 * min(lower, upper))


def wilson_interval(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion (Wilson, JASA 1927); NaNs if no trials.

    >>> tuple(round(x, 4) for x in wilson_interval(60, 100, 0.95))
    (0.502, 0.6906)
    """
    return wilson_bounds(successes, trials, float(special.ndtri(0.5 + confidence / 2.0)))


def wilson_bounds(successes: float, trials: float, z: float) -> tuple[float, float]:
    """Return the Wilson score interval at the normal quantile ``z``; ``trials`` may be an
    effective sample size (Kish) of weighted data. NaNs if no trials.

    >>> tuple(round(x, 4) for x in wilson_bounds(60, 100, 1.959964))
    (0.502, 0.6906)
    """
    if trials <= 0:
        return math.nan, math.nan
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2.0 * trials)) / denom
    half = z * math.sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def holm(pvalues: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Return Holm step-down adjusted p-values (Holm, Scand. J. Statist. 1979).

    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=np.float64)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out
