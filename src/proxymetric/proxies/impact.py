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
does not bias it.

The interval on the shrunk total adds the estimation error of the fitted prior to the posterior
variance (Kass and Steffey, "Approximate Bayesian Inference in Conditionally Independent
Hierarchical Models (Parametric Empirical Bayes Models)", JASA 1989: the variance of the total is
its posterior variance at the fitted prior plus the variance of its posterior mean over the
sampling distribution of the prior). That second term is estimated by the bootstrap (Efron 1979;
Laird and Louis, "Empirical Bayes Confidence Intervals Based on Bootstrap Samples", JASA 1987):
the experiments are resampled with replacement, the prior is refitted on each resample, and the
posterior means of the shipped effects, at their observed estimates, are summed under each refit.
A plug-in interval that treats the fitted prior as known is too narrow at every registry size:
the prior's error is shared by every shipped effect, so it grows with their number as fast as the
posterior sd of the total does (it covers about 80% at a nominal 95%).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from proxymetric._progress import task
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
    comparisons; ``shrunk_money`` sums their empirical-Bayes posterior means, with a normal
    ``confidence_level`` interval of sd ``shrunk_money_se``: the posterior sds of the shipped
    effects (independent across experiments) and ``shrunk_money_prior_se``, the sd of the shrunk
    sum due to the estimation error of the fitted prior (from ``bootstrap`` refits of the prior).
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
    confidence_level: float
    shipped: list[ShippedEffect]
    shrunk_money_prior_se: float = math.nan
    bootstrap: int = 0


def program_impact(
    table: EffectTable,
    metric: str,
    *,
    value_per_unit: float,
    units: float,
    confidence_level: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
) -> ProgramImpact:
    """Return the :class:`ProgramImpact` of the shipped comparisons of ``table`` on ``metric``.

    The prior is fitted over every comparison with the metric (shipped or not), so that it
    describes the effects a change typically has, not the ones that won. The interval of the
    shrunk sum includes the prior's estimation error, from ``bootstrap`` resamples of the
    comparisons (random stream ``seed``); ``bootstrap=0`` treats the fitted prior as known (too
    narrow; see the module).
    """
    check_name("metric", metric, table.metrics, "metrics")
    check_number("value_per_unit", value_per_unit)
    check_number("units", units, low=0)
    check_number("confidence_level", confidence_level, low=0, high=1)
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int | np.integer):
        raise ProxymetricError(
            f"`bootstrap` must be a whole number of resamples; got {bootstrap!r}"
        )
    if bootstrap != 0:
        check_number("bootstrap", bootstrap, low=100, low_inclusive=True)
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
    posterior_var = float((post_sd[shipped] ** 2).sum())
    prior_var = (
        _prior_error_variance(y[ok], se[ok], shipped, int(bootstrap), seed) if bootstrap else 0.0
    )
    sd = math.sqrt(posterior_var + prior_var) * abs(scale)
    z = float(ndtri(0.5 + confidence_level / 2.0))
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
        confidence_level=confidence_level,
        shipped=rows,
        shrunk_money_prior_se=math.sqrt(prior_var) * abs(scale) if bootstrap else math.nan,
        bootstrap=int(bootstrap),
    )


def _prior_error_variance(
    y: FloatArray,
    se: FloatArray,
    shipped: NDArray[np.bool_],
    rounds: int,
    seed: int,
    weights: FloatArray | None = None,
) -> float:
    """Return the bootstrap variance of the shipped effects' summed posterior means.

    Each round resamples the ``K`` comparisons with replacement, refits the prior by the method
    of moments of :func:`shrink_effects` (``mu*`` the mean, ``tau*^2 = max(var - mean se^2, 0)``)
    and sums ``mu* + B* (y - mu*)`` over the shipped comparisons at their observed ``y``
    (weighted by ``weights``, one per shipped comparison, when given): the spread of that sum is
    the part of the shrunk total's error that comes from the prior.
    """
    k = len(y)
    shift = float(y.mean())  # variances are computed from sums: centre first, for accuracy
    yc, s2 = y - shift, se**2
    y_s, s2_s = yc[shipped], s2[shipped]
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if len(y_s) == 0:
        return 0.0
    rng = np.random.default_rng(seed)
    totals = np.empty(rounds)
    chunk = max(1, 2_000_000 // k)  # resamples per block: bounded memory at any registry size
    with task("prior bootstrap rounds", rounds) as bar:
        for start in range(0, rounds, chunk):
            idx = rng.integers(0, k, size=(min(chunk, rounds - start), k), dtype=np.int32)
            yb = yc[idx]
            total = yb.sum(axis=1)
            mu = total / k
            var = (np.einsum("ij,ij->i", yb, yb) - total * mu) / (k - 1)
            tau2 = np.maximum(var - s2[idx].mean(axis=1), 0.0)
            denom = tau2[:, None] + s2_s[None, :]
            with np.errstate(invalid="ignore", divide="ignore"):
                b = np.where(denom > 0, tau2[:, None] / denom, 1.0)
            post = mu[:, None] + b * (y_s[None, :] - mu[:, None])
            totals[start : start + len(idx)] = post.sum(axis=1) if w is None else post @ w
            bar.advance(len(idx))
    return float(totals.var(ddof=1))
