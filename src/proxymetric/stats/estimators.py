"""Per-arm estimators on moments: means, proportions, ratios (delta method) and CUPED.

Every metric is a smooth function of column means: a plain mean (``numerator`` only) or a ratio
of two means. Its unit-level variance is ``g^T S g``, where ``g`` is the gradient of the function
at the arm's means and ``S`` the arm's covariance matrix: for a ratio this is the delta method of
Deng, Knoblich and Lu, "Applying the Delta Method in Metric Analytics: A Practical Guide with
Novel Ideas" (KDD 2018). An :class:`ArmEstimate` carries the estimate and that variance, so
``variance / n`` is the squared standard error.

CUPED follows Deng, Xu, Kohavi and Walker, "Improving the Sensitivity of Online Controlled
Experiments by Utilizing Pre-Experiment Data" (WSDM 2013), with the conventions pinned in
docs/architecture.md: ``theta = cov(Y, X) / var(X)`` over the control and treatment pooled as
one sample, each arm's variance from its own moments, and each arm's mean adjusted towards the
pooled mean of the covariate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from proxymetric.stats.moments import FloatArray, Moments

__all__ = [
    "ArmEstimate",
    "Statistic",
    "adjusted_gradient",
    "arm_estimate",
    "cuped_theta",
    "effect_covariance",
]


@dataclass(frozen=True)
class Statistic:
    """A function of column means: ``mean(numerator)`` or ``mean(numerator) / mean(denominator)``.

    >>> m = Moments.from_rows(["clicks", "views"], [[1, 4], [3, 4], [2, 2]])
    >>> Statistic("clicks", "views").value(m)
    0.6
    """

    numerator: str
    denominator: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns this statistic reads."""
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    def value(self, m: Moments) -> float:
        """Return the statistic at the means of ``m`` (NaN for a zero denominator)."""
        num = m.mean_of(self.numerator)
        if self.denominator is None:
            return num
        den = m.mean_of(self.denominator)
        return num / den if den != 0 else math.nan

    def gradient(self, m: Moments) -> FloatArray:
        """Return the gradient with respect to the means of ``m.columns``."""
        g = np.zeros(len(m.columns))
        if self.denominator is None:
            g[m.index(self.numerator)] = 1.0
            return g
        den = m.mean_of(self.denominator)
        if den == 0:
            return np.full(len(m.columns), np.nan)
        ratio = m.mean_of(self.numerator) / den
        g[m.index(self.numerator)] += 1.0 / den
        g[m.index(self.denominator)] -= ratio / den
        return g


@dataclass(frozen=True)
class ArmEstimate:
    """The estimate of a metric in one arm.

    Attributes:
        count: units in the arm.
        mean: the estimate (CUPED-adjusted when a covariate is used).
        variance: unit-level variance of the estimate; ``variance / count`` is its squared
            standard error (CUPED-adjusted when a covariate is used).
        unadjusted_mean: the estimate without CUPED.
        unadjusted_variance: the unit-level variance without CUPED.
    """

    count: int
    mean: float
    variance: float
    unadjusted_mean: float
    unadjusted_variance: float

    @property
    def se(self) -> float:
        """Standard error of the estimate."""
        return math.sqrt(self.variance / self.count) if self.count > 0 else math.nan


def _quadratic(m: Moments, a: FloatArray, b: FloatArray) -> float:
    s = m.covariance()
    cols = np.flatnonzero((a != 0) | (b != 0))
    if cols.size == 0:
        return 0.0
    sub = s[np.ix_(cols, cols)]
    return float(a[cols] @ sub @ b[cols])


def cuped_theta(pooled: Moments, y: Statistic, x: Statistic) -> float:
    """Return ``theta = cov(Y, X) / var(X)`` over ``pooled`` (both arms taken as one sample).

    For ratio metrics ``Y`` and ``X`` are linearised by the delta method at the pooled means.
    Returns 0 when the covariate has no variance (no adjustment is possible) and NaN when a
    needed covariance is unknown.
    """
    gy, gx = y.gradient(pooled), x.gradient(pooled)
    var_x = _quadratic(pooled, gx, gx)
    if not math.isfinite(var_x):
        return math.nan
    if var_x <= 0:
        return 0.0
    return _quadratic(pooled, gy, gx) / var_x


def arm_estimate(
    m: Moments,
    y: Statistic,
    x: Statistic | None = None,
    theta: float = 0.0,
    pooled_x: float = 0.0,
) -> ArmEstimate:
    """Return the estimate of ``y`` in the arm with moments ``m``.

    With a covariate ``x``, the mean is ``Y - theta * (X_arm - pooled_x)`` and the variance
    ``var(Y) + theta^2 var(X) - 2 theta cov(Y, X)`` from the arm's own moments, where
    ``pooled_x`` is the covariate's value over both arms (see :func:`cuped_theta`).

    >>> m = Moments.from_rows(["y"], [[1.0], [2.0], [6.0]])
    >>> arm_estimate(m, Statistic("y"))
    ArmEstimate(count=3, mean=3.0, variance=7.0, unadjusted_mean=3.0, unadjusted_variance=7.0)
    """
    gy = y.gradient(m)
    mean = y.value(m)
    var = _quadratic(m, gy, gy)
    if x is None:
        return ArmEstimate(m.count, mean, var, mean, var)
    gx = x.gradient(m)
    adj_mean = mean - theta * (x.value(m) - pooled_x)
    adj_var = var + theta**2 * _quadratic(m, gx, gx) - 2 * theta * _quadratic(m, gy, gx)
    return ArmEstimate(m.count, adj_mean, max(adj_var, 0.0), mean, var)


def adjusted_gradient(
    m: Moments, y: Statistic, x: Statistic | None = None, theta: float = 0.0
) -> FloatArray:
    """Return the gradient of ``Y - theta * X`` at the means of ``m`` (the delta-method weights)."""
    g = y.gradient(m)
    if x is not None and theta != 0:
        g = g - theta * x.gradient(m)
    return g


def effect_covariance(
    control: Moments,
    treatment: Moments,
    terms: list[tuple[Statistic, Statistic | None, float]],
) -> FloatArray:
    """Return the noise covariance matrix of the effect estimates of several metrics.

    ``terms`` lists ``(metric, covariate, theta)`` per metric. Entry ``(i, j)`` is
    ``g_i' S_t g_j / n_t + g_i' S_c g_j / n_c`` with delta-method gradients ``g`` of each
    (CUPED-adjusted) metric: the sampling covariance of the two estimated effects within this
    experiment, which proxy validation across experiments must remove (Bibaut et al., KDD 2024).
    NaN where a needed covariance is unknown.
    """
    k = len(terms)
    out = np.zeros((k, k))
    for arm in (control, treatment):
        if arm.count < 2:
            return np.full((k, k), np.nan)
        grads = np.array([adjusted_gradient(arm, y, x, theta) for y, x, theta in terms])
        cov = arm.covariance()
        used = [np.flatnonzero(g != 0) for g in grads]
        for i in range(k):
            for j in range(i, k):
                # Only the columns of the two metrics enter, so a covariance that was not
                # computed between other metrics' columns cannot turn this entry into NaN.
                cols = np.union1d(used[i], used[j])
                sub = cov[np.ix_(cols, cols)]
                out[i, j] += grads[i, cols] @ sub @ grads[j, cols] / arm.count
                out[j, i] = out[i, j]
    return out
