"""Two-sample inference on arm estimates: Welch's t-test, relative effects, non-inferiority.

All functions take two :class:`~proxymetric.stats.estimators.ArmEstimate` (control first) and
use Welch's unequal-variance t statistic with Welch-Satterthwaite degrees of freedom (Welch,
"The generalization of Student's problem when several different population variances are
involved", Biometrika 1947). Undefined quantities are NaN; callers attach the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import special

from proxymetric._validation import check_choice, check_number
from proxymetric.stats.estimators import ArmEstimate

__all__ = [
    "Alternative",
    "Difference",
    "RelativeDifference",
    "noninferiority_pvalue",
    "relative_difference",
    "welch_df",
    "welch_difference",
]

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES: tuple[Alternative, ...] = ("two-sided", "greater", "less")
NAN = math.nan


def welch_df(a_t: float, n_t: int, a_c: float, n_c: float) -> float:
    """Return the Welch-Satterthwaite degrees of freedom for squared standard errors ``a``.

    ``a_t = var_t / n_t`` and ``a_c = var_c / n_c``; NaN when both are zero.

    >>> round(welch_df(1.0, 10, 1.0, 10), 6)
    18.0
    """
    num = (a_t + a_c) ** 2
    den = a_t**2 / (n_t - 1) + a_c**2 / (n_c - 1)
    return num / den if den > 0 else NAN


def _pvalue(statistic: float, df: float, alternative: Alternative) -> float:
    if not (math.isfinite(statistic) and math.isfinite(df)):
        return NAN
    if alternative == "greater":
        return float(special.stdtr(df, -statistic))
    if alternative == "less":
        return float(special.stdtr(df, statistic))
    return float(2 * special.stdtr(df, -abs(statistic)))


def _quantile(confidence: float, df: float, alternative: Alternative = "two-sided") -> float:
    """The t quantile of a ``confidence`` interval: two-sided, or a one-sided bound."""
    if not math.isfinite(df):
        return NAN
    level = 0.5 + confidence / 2 if alternative == "two-sided" else confidence
    return float(special.stdtrit(df, level))


def _bounds(centre: float, half: float, alternative: Alternative) -> tuple[float, float]:
    """The interval ``centre +- half``, open on the side a one-sided ``alternative`` leaves."""
    low = -math.inf if alternative == "less" else centre - half
    high = math.inf if alternative == "greater" else centre + half
    return low, high


@dataclass(frozen=True)
class Difference:
    """Absolute difference ``treatment - control`` with its test and interval.

    ``test`` names the test of the p-value: ``"welch"`` (Welch's t, this module) or
    ``"fisher_exact"`` (a proportion with few events, :mod:`proxymetric.stats.exact`).
    """

    effect: float
    se: float
    df: float
    statistic: float
    pvalue: float
    ci_lower: float
    ci_upper: float
    test: Literal["welch", "fisher_exact"] = "welch"


def welch_difference(
    control: ArmEstimate,
    treatment: ArmEstimate,
    *,
    confidence: float = 0.95,
    alternative: Alternative = "two-sided",
) -> Difference:
    """Return the absolute effect, its standard error, Welch df, t statistic, p-value and CI.

    The interval matches the ``alternative`` (as ``scipy.stats.ttest_ind`` does): two-sided at
    ``confidence``, or a one-sided bound, ``(effect - t * se, inf)`` for ``greater`` and
    ``(-inf, effect + t * se)`` for ``less``, with ``t`` the ``confidence`` quantile.
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    check_number("confidence", confidence, low=0, high=1)
    effect = treatment.mean - control.mean
    if control.count < 2 or treatment.count < 2:
        return Difference(effect, NAN, NAN, NAN, NAN, NAN, NAN)
    a_t = treatment.variance / treatment.count
    a_c = control.variance / control.count
    se = math.sqrt(a_t + a_c) if a_t + a_c >= 0 else NAN
    if not math.isfinite(se) or se == 0:
        return Difference(effect, se, NAN, NAN, NAN, NAN, NAN)
    df = welch_df(a_t, treatment.count, a_c, control.count)
    t = effect / se
    q = _quantile(confidence, df, alternative)
    low, high = _bounds(effect, q * se, alternative)
    return Difference(effect, se, df, t, _pvalue(t, df, alternative), low, high)


@dataclass(frozen=True)
class RelativeDifference:
    """Relative effect ``(treatment - control) / |control|`` with a delta-method interval.

    ``scale`` says where the interval was built: ``"log"`` (both means positive; ``log_se`` is
    the standard error of ``log(m_t / m_c)``) or ``"linear"`` (a negative control mean;
    ``linear_se`` is the standard error of the relative effect itself); ``None`` when there is
    no interval.
    """

    rel_effect: float
    log_se: float
    df: float
    ci_lower: float
    ci_upper: float
    scale: Literal["log", "linear"] | None = None
    linear_se: float = NAN

    @property
    def se(self) -> float:
        """The delta-method standard error of ``rel_effect``: ``(1 + rel) * log_se`` on the log
        scale, ``linear_se`` on the linear scale (NaN without an interval)."""
        if self.scale == "linear":
            return self.linear_se
        if math.isfinite(self.rel_effect) and math.isfinite(self.log_se):
            return (1.0 + self.rel_effect) * self.log_se
        return NAN


def relative_difference(
    control: ArmEstimate,
    treatment: ArmEstimate,
    *,
    confidence: float = 0.95,
    alternative: Alternative = "two-sided",
) -> RelativeDifference:
    """Return the relative effect and its interval.

    The relative effect is ``(m_t - m_c) / |m_c|``, so that a positive value always means that
    the treatment mean is higher (``m_t / m_c - 1`` when the control mean is positive).

    - Both means positive: the interval is ``exp(log(m_t/m_c) +- q * s) - 1`` with
      ``s^2 = v_t/(n_t m_t^2) + v_c/(n_c m_c^2)`` and ``q`` the t quantile at the Welch df of
      those two terms (docs/architecture.md).
    - A negative control mean (a loss) and a treatment mean <= 0: the interval is on the linear
      scale, ``r +- q * s`` with the delta-method ``s^2 = v_t/(n_t m_c^2) +
      m_t^2 v_c/(n_c m_c^4)`` (the gradient of ``(m_t - m_c)/|m_c|``) and ``q`` at the Welch df
      of those two terms.

    NaN when the control mean is 0 or the two means have opposite signs (the relative effect is
    undefined); the interval is NaN when the control mean is positive and the treatment mean 0
    (no log scale). A one-sided ``alternative`` gives a one-sided bound (the other end
    infinite), as :func:`welch_difference` does.

    >>> from proxymetric.stats.estimators import ArmEstimate
    >>> loss = ArmEstimate(100, -10.0, 4.0, -10.0, 4.0)
    >>> round(relative_difference(loss, ArmEstimate(100, -12.0, 4.0, -12.0, 4.0)).rel_effect, 6)
    -0.2
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    m_c, m_t = control.mean, treatment.mean
    if m_c == 0 or not math.isfinite(m_c) or not math.isfinite(m_t) or m_c * m_t < 0:
        return RelativeDifference(NAN, NAN, NAN, NAN, NAN)
    if m_c < 0:
        return _linear_relative(control, treatment, confidence, alternative)
    rel = m_t / m_c - 1
    if m_t == 0 or control.count < 2 or treatment.count < 2:
        return RelativeDifference(rel, NAN, NAN, NAN, NAN)
    a_t = treatment.variance / (treatment.count * m_t**2)
    a_c = control.variance / (control.count * m_c**2)
    s = math.sqrt(a_t + a_c)
    if s == 0:
        return RelativeDifference(rel, s, NAN, NAN, NAN)
    df = welch_df(a_t, treatment.count, a_c, control.count)
    q = _quantile(confidence, df, alternative)
    low, high = _bounds(math.log(m_t / m_c), q * s, alternative)
    return RelativeDifference(rel, s, df, math.exp(low) - 1, math.exp(high) - 1, "log")


def _linear_relative(
    control: ArmEstimate,
    treatment: ArmEstimate,
    confidence: float,
    alternative: Alternative = "two-sided",
) -> RelativeDifference:
    """The relative effect of a negative control mean, with its linear-scale interval."""
    m_c, m_t = control.mean, treatment.mean
    rel = (m_t - m_c) / abs(m_c)
    if control.count < 2 or treatment.count < 2:
        return RelativeDifference(rel, NAN, NAN, NAN, NAN)
    a_t = treatment.variance / (treatment.count * m_c**2)
    a_c = m_t**2 * control.variance / (control.count * m_c**4)
    s = math.sqrt(a_t + a_c)
    if s == 0:
        return RelativeDifference(rel, NAN, NAN, NAN, NAN, linear_se=s)
    df = welch_df(a_t, treatment.count, a_c, control.count)
    q = _quantile(confidence, df, alternative)
    low, high = _bounds(rel, q * s, alternative)
    return RelativeDifference(rel, NAN, df, low, high, "linear", s)


def noninferiority_pvalue(
    control: ArmEstimate,
    treatment: ArmEstimate,
    margin: float,
    *,
    margin_type: Literal["relative", "absolute"] = "relative",
    higher_is_better: bool = True,
) -> float:
    """Return the one-sided p-value of the non-inferiority test at ``margin`` (>= 0).

    When higher is better, H0 is "treatment is worse than control by more than the margin":
    ``effect <= -margin`` (absolute) or ``(m_t - m_c)/|m_c| <= -margin`` (relative: the margin is
    a fraction of ``|m_c|``); when lower is better the inequalities flip. The absolute test is
    Welch's t on ``effect + margin``. The relative test uses the interval of
    :func:`relative_difference`, so that it agrees with it: on the log scale (positive means),
    ``(log(m_t/m_c) - log(1 - margin)) / s``; on the linear scale (a negative control mean),
    ``(r + margin) / s``; each with that function's standard error and df. NaN when the relative
    effect or its interval is undefined.
    """
    check_number("margin", margin, low=0, low_inclusive=True)
    check_choice("margin_type", margin_type, ("relative", "absolute"))
    sign = 1.0 if higher_is_better else -1.0
    if margin_type == "absolute":
        d = welch_difference(control, treatment)
        if not math.isfinite(d.se) or d.se == 0:
            return NAN
        return _pvalue(sign * (d.effect + sign * margin) / d.se, d.df, "greater")
    r = relative_difference(control, treatment)
    if r.scale == "linear":
        return _pvalue((sign * r.rel_effect + margin) / r.linear_se, r.df, "greater")
    if r.scale != "log" or not r.log_se > 0:
        return NAN
    if higher_is_better and margin >= 1:
        return 0.0  # a relative loss of 100% or more is impossible for positive means
    bound = math.log(1 - margin) if higher_is_better else math.log(1 + margin)
    log_ratio = math.log1p(r.rel_effect)
    return _pvalue(sign * (log_ratio - bound) / r.log_se, r.df, "greater")
