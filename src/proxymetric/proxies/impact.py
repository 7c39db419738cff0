"""Program impact: what the shipped experiments earned, with the winner's curse corrected.

Shipping the variants that won selects estimates that were lucky: summed naively, the shipped
effects overstate what the program earned (the winner's curse; Lee and Shen, "Winner's Curse:
Bias Estimation for Total Effects of Features in Online Controlled Experiments", KDD 2018). Each
shipped effect is shrunk toward the distribution of effects in the registry by empirical Bayes
(a normal prior fitted by the method of moments over every comparison of the metric; Efron and
Morris, "Data Analysis Using Stein's Estimator and its Generalizations", JASA 1975): with prior
``N(mu, tau^2)`` and an estimate ``y`` of standard error ``s``, the posterior mean is
``mu + B (y - mu)`` with ``B = tau^2 / (tau^2 + s^2)`` and the posterior variance ``B s^2``. The
posterior mean is unbiased for the true effect given the estimate, so selecting on the estimate
does not bias it. The uncertainty of the fitted prior itself is not propagated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from proxymetric._result import Result
from proxymetric._validation import check_name, check_number
from proxymetric.errors import ProxymetricError
from proxymetric.proxies.table import EffectTable

__all__ = ["ProgramImpact", "ShippedEffect", "program_impact", "shrink_effects"]

FloatArray = NDArray[np.float64]


def shrink_effects(
    effects: ArrayLike, effect_se: ArrayLike
) -> tuple[FloatArray, FloatArray, float, float]:
    """Return ``(posterior_mean, posterior_sd, mu, tau)`` of each effect under a fitted prior.

    The prior ``N(mu, tau^2)`` is fitted over all the given effects: ``mu`` is their mean and
    ``tau^2 = max(var(effects) - mean(se^2), 0)`` (method of moments).

    >>> m, s, mu, tau = shrink_effects([1.0, -1.0, 3.0, -3.0], [1.0, 1.0, 1.0, 1.0])
    >>> round(tau**2, 6), m.round(4).tolist()
    (5.666667, [0.85, -0.85, 2.55, -2.55])
    """
    y = np.asarray(effects, dtype=np.float64)
    s = np.asarray(effect_se, dtype=np.float64)
    if y.ndim != 1 or y.shape != s.shape or len(y) < 3:
        raise ProxymetricError(
            f"`effects` and `effect_se` must be 1-d of the same length >= 3; got {y.shape} "
            f"and {s.shape}"
        )
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(s)) and np.all(s >= 0)):
        raise ProxymetricError("`effects` must be finite and `effect_se` finite and >= 0")
    mu = float(y.mean())
    tau2 = max(float(y.var(ddof=1)) - float(np.mean(s**2)), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.where(tau2 + s**2 > 0, tau2 / (tau2 + s**2), 1.0)
    return mu + b * (y - mu), np.sqrt(b * s**2), mu, math.sqrt(tau2)


@dataclass(frozen=True)
class ShippedEffect(Result):
    """One shipped comparison: its estimated and shrunk effect, and their money value.

    ``shrinkage`` is ``1 - B = se^2 / (tau^2 + se^2)``: the share of the distance to the prior
    mean that is removed (0: the estimate is kept, 1: replaced by the prior mean).
    """

    comparison: str
    effect: float
    effect_se: float
    shrinkage: float
    shrunk_effect: float
    shrunk_effect_se: float
    money: float
    shrunk_money: float


@dataclass(frozen=True)
class ProgramImpact(Result):
    """The cumulative impact of the shipped comparisons on ``metric``, in money.

    ``money = effect x value_per_unit x units`` (``units``: the units the shipped changes reach
    over the period valued). ``naive_money`` sums the estimated effects of the shipped
    comparisons; ``shrunk_money`` sums their empirical-Bayes posterior means, with a
    ``confidence`` interval from the posterior sds (independent across experiments).
    ``overstatement`` is ``naive_money - shrunk_money``. ``prior_mean`` and ``prior_sd`` describe
    the distribution of true effects fitted over ``n_experiments`` comparisons.
    """

    metric: str
    n_experiments: int
    n_shipped: int
    prior_mean: float
    prior_sd: float
    value_per_unit: float
    units: float
    naive_money: float
    shrunk_money: float
    shrunk_money_se: float
    shrunk_money_ci_lower: float
    shrunk_money_ci_upper: float
    overstatement: float
    confidence: float
    shipped: list[ShippedEffect]


def program_impact(
    table: EffectTable,
    metric: str,
    *,
    value_per_unit: float,
    units: float,
    confidence: float = 0.95,
) -> ProgramImpact:
    """Return the :class:`ProgramImpact` of the shipped comparisons of ``table`` on ``metric``.

    The prior is fitted over every comparison with the metric (shipped or not), so that it
    describes the effects a change typically has, not the ones that won.
    """
    check_name("metric", metric, table.metrics, "metrics")
    check_number("value_per_unit", value_per_unit)
    check_number("units", units, low=0)
    check_number("confidence", confidence, low=0, high=1)
    j = table.metrics.index(metric)
    y = table.effects[:, j]
    se = np.sqrt(table.noise_cov[:, j, j])
    ok = np.isfinite(y) & np.isfinite(se)
    if ok.sum() < 3:
        raise ProxymetricError(
            f"program impact needs at least 3 comparisons with `metric` {metric!r}; "
            f"found {int(ok.sum())}"
        )
    post, post_sd, mu, tau = shrink_effects(y[ok], se[ok])
    labels = np.asarray(table.labels, dtype=object)[ok]
    shipped = table.shipped[ok]
    scale = value_per_unit * units
    s2 = se[ok] ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        pull = np.where(tau**2 + s2 > 0, s2 / (tau**2 + s2), 0.0)  # 1 - B: the share pulled to mu
    rows = [
        ShippedEffect(
            comparison=str(labels[k]),
            effect=float(y[ok][k]),
            effect_se=float(se[ok][k]),
            shrinkage=float(pull[k]),
            shrunk_effect=float(post[k]),
            shrunk_effect_se=float(post_sd[k]),
            money=float(y[ok][k] * scale),
            shrunk_money=float(post[k] * scale),
        )
        for k in np.flatnonzero(shipped)
    ]
    naive = float(y[ok][shipped].sum() * scale)
    shrunk = float(post[shipped].sum() * scale)
    sd = float(math.sqrt(float((post_sd[shipped] ** 2).sum())) * abs(scale))
    z = float(ndtri(0.5 + confidence / 2.0))
    return ProgramImpact(
        metric=metric,
        n_experiments=int(ok.sum()),
        n_shipped=int(shipped.sum()),
        prior_mean=mu,
        prior_sd=tau,
        value_per_unit=value_per_unit,
        units=units,
        naive_money=naive,
        shrunk_money=shrunk,
        shrunk_money_se=sd,
        shrunk_money_ci_lower=shrunk - z * sd,
        shrunk_money_ci_upper=shrunk + z * sd,
        overstatement=naive - shrunk,
        confidence=confidence,
        shipped=rows,
    )
