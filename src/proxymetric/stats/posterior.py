"""The Bayesian view of an effect under a Gaussian approximation.

An estimated effect ``d`` with standard error ``s`` is read as a normal likelihood
``d ~ N(delta, s^2)``; with a normal prior ``delta ~ N(m0, t^2)`` the posterior is normal with
precision ``1/t^2 + 1/s^2`` and mean ``(m0/t^2 + d/s^2) / (1/t^2 + 1/s^2)`` (the conjugate
normal-normal model; Gelman et al., *Bayesian Data Analysis*, 3rd ed., section 2.5). A flat
prior (``t = inf``) leaves the posterior ``N(d, s^2)``, so the probability that the treatment is
better, ``Phi(d / s)``, is one minus the one-sided (normal) p-value.

The expected loss of shipping is the posterior mean of what shipping would lose when the
treatment is in fact worse: ``E[max(0, -g)]`` for the gain ``g`` (the effect in the metric's
better direction), ``N(mu, sd^2)``, which is ``sd * phi(mu / sd) - mu * Phi(-mu / sd)``
(the normal partial expectation; the "risk" of Stucchio's Bayesian A/B testing, and of
GrowthBook and VWO's engines).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special

from proxymetric._validation import check_number

__all__ = ["Posterior", "expected_loss", "normal_posterior"]

NAN = math.nan


@dataclass(frozen=True)
class Posterior:
    """A normal posterior of an effect.

    ``mean`` and ``sd`` its moments; ``ci_lower``/``ci_upper`` the equal-tailed credible
    interval at ``confidence``; ``prob_better`` the posterior probability that the effect is in
    the better direction; ``expected_loss`` the expected loss of shipping (>= 0, in the
    effect's units). NaN everywhere when the estimate or its standard error is undefined.
    """

    mean: float
    sd: float
    ci_lower: float
    ci_upper: float
    prob_better: float
    expected_loss: float


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _cdf(x: float) -> float:
    return float(special.ndtr(x))


def expected_loss(mean: float, sd: float, *, higher_is_better: bool = True) -> float:
    """Return ``E[max(0, -g)]`` for a gain ``g ~ N(mean, sd^2)`` (``-mean`` when lower is
    better): the expected loss of shipping.

    >>> round(expected_loss(0.0, 1.0), 6)  # phi(0) = 1 / sqrt(2 pi)
    0.398942
    >>> expected_loss(-2.0, 0.0)
    2.0
    """
    if not (math.isfinite(mean) and math.isfinite(sd)) or sd < 0:
        return NAN
    gain = mean if higher_is_better else -mean
    if sd == 0:
        return max(0.0, -gain)
    z = gain / sd
    return max(0.0, sd * _phi(z) - gain * _cdf(-z))


def normal_posterior(
    estimate: float,
    se: float,
    *,
    prior_mean: float = 0.0,
    prior_sd: float = math.inf,
    confidence: float = 0.95,
    higher_is_better: bool = True,
) -> Posterior:
    """Return the :class:`Posterior` of an effect estimated as ``estimate`` with ``se``.

    ``prior_sd`` is the prior's standard deviation (``inf``: a flat prior).

    >>> p = normal_posterior(1.0, 1.0, prior_sd=1.0)  # half way between prior and estimate
    >>> round(p.mean, 6), round(p.sd ** 2, 6)
    (0.5, 0.5)
    """
    check_number("confidence", confidence, low=0, high=1)
    if not (isinstance(prior_sd, int | float) and prior_sd == math.inf):
        check_number("prior_sd", prior_sd, low=0)
    if not (math.isfinite(estimate) and math.isfinite(se)) or se <= 0:
        return Posterior(NAN, NAN, NAN, NAN, NAN, NAN)
    if math.isinf(prior_sd):
        mean, sd = estimate, se
    else:
        precision = 1 / prior_sd**2 + 1 / se**2
        mean = (prior_mean / prior_sd**2 + estimate / se**2) / precision
        sd = math.sqrt(1 / precision)
    z = float(special.ndtri(0.5 + confidence / 2))
    better = _cdf(mean / sd) if higher_is_better else _cdf(-mean / sd)
    return Posterior(
        mean,
        sd,
        mean - z * sd,
        mean + z * sd,
        better,
        expected_loss(mean, sd, higher_is_better=higher_is_better),
    )
