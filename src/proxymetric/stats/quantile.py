"""The difference of a quantile between two arms, with the delta-method interval.

Each arm gives its sample ``q``-quantile and that quantile's standard error (from two order
statistics, Deng, Knoblich and Lu, "Applying the Delta Method in Metric Analytics", KDD 2018);
the arms are independent, so the effect ``Q_t - Q_c`` has ``se^2 = se_t^2 + se_c^2``, and the
relative effect ``Q_t / Q_c - 1`` the delta-method ``se^2 = se_t^2 / Q_c^2 + Q_t^2 se_c^2 /
Q_c^4`` (a positive control quantile only). Tests and intervals are normal (z), as the
asymptotics of sample quantiles are.

For clustered rows, :func:`clustered_share_se` is the delta-method standard error of the share
of rows at most the quantile, a ratio of sums over the ``K`` randomization units
(``p = sum s_i / sum n_i``, ``s_i`` the unit's rows at most the quantile, ``n_i`` its rows):
``Var(p) = (var(s) - 2 p cov(s, n) + p^2 var(n)) / (K mean(n)^2)``, the sample (co)variances
over units with ``K - 1`` degrees of freedom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import special

__all__ = ["QuantileDifference", "clustered_share_se", "quantile_difference"]

NAN = math.nan


@dataclass(frozen=True)
class QuantileDifference:
    """The absolute and relative effect of a quantile with z tests and intervals.

    ``noninferiority_pvalue`` is the one-sided p-value at the margin (``None`` without one).
    """

    effect: float
    se: float
    statistic: float
    pvalue: float
    ci_lower: float
    ci_upper: float
    rel_effect: float
    rel_se: float
    rel_ci_lower: float
    rel_ci_upper: float
    noninferiority_pvalue: float | None


def clustered_share_se(
    units: int, s: float, n: float, ss: float, nn: float, sn: float
) -> tuple[float, float]:
    """The delta-method standard error of ``p = s / n`` over ``units`` randomization units,
    from the sums of each unit's ``s_i`` and ``n_i``, of their squares (``ss``, ``nn``) and of
    their products (``sn``); and the coefficient of variation of the mean ``n_i``
    (``sd(n_i) / (sqrt(K) mean(n_i))``), small where the delta method holds. NaN for fewer
    than 2 units or no rows."""
    if units < 2 or not n > 0:
        return NAN, NAN
    k = float(units)
    p = s / n
    mean_n = n / k
    # sum (s_i - p n_i)^2: the mean of s_i - p n_i is 0 exactly
    resid = max(ss - 2 * p * sn + p * p * nn, 0.0)
    var_n = max(nn - n * n / k, 0.0) / (k - 1)
    se = math.sqrt(resid / (k - 1) / k) / mean_n
    return se, math.sqrt(var_n / k) / mean_n


def _p(z: float, alternative: str) -> float:
    if not math.isfinite(z):
        return NAN
    if alternative == "greater":
        return float(special.ndtr(-z))
    if alternative == "less":
        return float(special.ndtr(z))
    return float(2 * special.ndtr(-abs(z)))


def _interval(centre: float, se: float, k: float, alternative: str) -> tuple[float, float]:
    if not (math.isfinite(centre) and math.isfinite(se)):
        return NAN, NAN
    low = -math.inf if alternative == "less" else centre - k * se
    high = math.inf if alternative == "greater" else centre + k * se
    return low, high


def quantile_difference(
    control: float,
    control_se: float,
    treatment: float,
    treatment_se: float,
    *,
    confidence: float = 0.95,
    alternative: Literal["two-sided", "greater", "less"] = "two-sided",
    margin: float | None = None,
    margin_type: Literal["relative", "absolute"] = "relative",
    higher_is_better: bool = True,
) -> QuantileDifference:
    """Compare the treatment's quantile with the control's (each with its standard error).

    The non-inferiority test at ``margin`` (>= 0) has H0 "worse by more than the margin":
    ``effect <= -margin`` (absolute) or ``rel_effect <= -margin`` (relative) when higher is
    better, the inequalities flipped when lower is better; a one-sided z test.
    """
    k = float(special.ndtri(0.5 + confidence / 2 if alternative == "two-sided" else confidence))
    effect = treatment - control
    se = math.hypot(control_se, treatment_se)
    z = effect / se if se > 0 else NAN
    low, high = _interval(effect, se, k, alternative)
    if control > 0 and math.isfinite(treatment):
        rel = treatment / control - 1
        rel_se = math.sqrt(treatment_se**2 / control**2 + treatment**2 * control_se**2 / control**4)
    else:
        rel, rel_se = NAN, NAN
    rel_low, rel_high = _interval(rel, rel_se, k, alternative)
    ni: float | None = None
    if margin is not None:
        sign = 1.0 if higher_is_better else -1.0
        if margin_type == "absolute":
            ni = _p(sign * (effect + sign * margin) / se, "greater") if se > 0 else NAN
        else:
            ni = _p(sign * (rel + sign * margin) / rel_se, "greater") if rel_se > 0 else NAN
    return QuantileDifference(
        effect,
        se,
        z,
        _p(z, alternative),
        low,
        high,
        rel,
        rel_se,
        rel_low,
        rel_high,
        ni,
    )
