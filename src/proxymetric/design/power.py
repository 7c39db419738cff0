"""Power, sample size and minimum detectable effect of a two-sample comparison of means.

The calculator covers mean, proportion and ratio metrics, one-sided and two-sided tests, unequal
splits, several treatment variants and the variance reduction of CUPED.

The formula (normal approximation, each arm with its own variance)
------------------------------------------------------------------
With ``n_c`` units in the control arm, ``n_t = r * n_c`` in each treatment arm, a true absolute
effect ``delta`` and unit-level variances ``v_c`` (control) and ``v_t`` (treatment, *under the
alternative*), the standard error of the difference in means is::

    se = sqrt((1 - rho) * (v_c / n_c + v_t / n_t))

where ``rho`` is the fraction of variance removed by CUPED (``rho = corr(Y, X)^2`` for a
pre-period covariate X; Deng, Xu, Kohavi, Walker, WSDM 2013). The power of a two-sided test at
level ``a`` is::

    power = Phi(|delta| / se - z_{1-a/2}) + Phi(-|delta| / se - z_{1-a/2})

and of a one-sided test ``Phi(|delta| / se - z_{1-a})``. Ignoring the (tiny) second term, the
units needed per control arm are::

    n_c = (z_{1-a/2} + z_{power})^2 * (v_c + v_t / r) * (1 - rho) / delta^2

The calculator solves the exact equation (both terms) numerically, as ``statsmodels``'
``NormalIndPower`` does. The variances are:

- mean: ``sd^2`` in both arms unless a treatment ``sd`` is given;
- proportion: ``p (1 - p)`` at the control rate and ``p' (1 - p')`` at the treatment rate
  ``p' = p + delta``, so the MDE of a proportion is found by iteration;
- ratio (sum of numerator / sum of denominator over units): the unit-level delta-method
  variance, see :func:`ratio_unit_variance` (Deng, Knoblich, Lu, KDD 2018).

The solver works in standardized effects (``delta / sd``, variances over ``sd^2``), as
``statsmodels`` does, so the answer does not depend on the unit the metric is measured in: a
standard deviation of 1e-200 with an effect on the same scale plans like the problem at sd 1.
A target ``power`` must exceed ``alpha``: at zero effect the test rejects with probability alpha.

``distribution="t"`` replaces the normal by the noncentral t with Welch-Satterthwaite degrees of
freedom, which matters only for a few dozen units per arm.

Several treatments
------------------
With ``variants = k`` (one control and ``k - 1`` treatments) each treatment is compared with the
control at ``alpha / (k - 1)`` (Bonferroni, ``correction="bonferroni"``, the default). This is
the level of the first step of Holm's procedure, so the planned power is a lower bound of the
power of the Holm-corrected analysis for each treatment. ``correction="none"`` plans every
comparison at ``alpha``.

Guardrails as non-inferiority tests
-----------------------------------
A guardrail tested for non-inferiority at margin ``m`` (H0: effect <= -m) with a true effect of
zero has the power of a one-sided test of an effect of size ``m``: plan it with
``one_sided=True`` and ``mde=m``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Literal

from scipy import optimize, special

from proxymetric._result import Result
from proxymetric._validation import check_choice, check_number
from proxymetric.errors import ProxymetricError

__all__ = [
    "METRIC_TYPES",
    "PowerResult",
    "power_analysis",
    "ratio_unit_variance",
]

METRIC_TYPES = ("mean", "proportion", "ratio")
MetricType = Literal["mean", "proportion", "ratio"]
Distribution = Literal["normal", "t"]
Correction = Literal["bonferroni", "none"]

# Smallest control-arm size the solver considers (a variance needs two units).
_MIN_UNITS = 2.0
_MAX_UNITS = 1e15


@dataclasses.dataclass(frozen=True)
class PowerResult(Result):
    """Sample size, minimum detectable effect and power of a planned comparison.

    ``solved_for`` is ``"units"``, ``"mde"`` or ``"power"``. ``control_units`` and
    ``treatment_units`` are per arm (every treatment arm has ``treatment_units``);
    ``units_per_variant`` is ``ceil(total_units / variants)``. ``mde`` is the absolute effect
    (treatment mean minus control mean), ``rel_mde = mde / |baseline|``; a solved MDE is an
    increase (for a proportion a decrease has a slightly different MDE: give a negative ``mde``
    to get its power). ``power`` is the power of
    each treatment-versus-control comparison at ``alpha_per_comparison``; when units are solved
    for, it is the power achieved by the rounded-up units (at least the target).
    ``effect_se`` is the standard error of the effect estimate at ``mde`` (each arm's own
    variance); it is the ``standard_error`` input of
    :func:`~proxymetric.design.cost.cost_of_testing`.
    """

    metric: str
    solved_for: str
    baseline: float
    control_sd: float
    treatment_sd: float
    alpha: float
    alpha_per_comparison: float
    alternative: str
    distribution: str
    variants: int
    treatment_ratio: float
    variance_reduction: float
    control_units: float
    treatment_units: float
    units_per_variant: int
    total_units: int
    mde: float
    rel_mde: float
    power: float
    effect_se: float


def ratio_unit_variance(
    mean_numerator: float,
    mean_denominator: float,
    var_numerator: float,
    var_denominator: float,
    cov: float,
) -> float:
    """Return the unit-level delta-method variance of a ratio metric.

    For a ratio ``R = sum(Y) / sum(X)`` over ``n`` units, ``Var(R) ~ V / n`` with
    ``V = (var_Y - 2 R cov(Y, X) + R^2 var_X) / mean_X^2`` (Deng, Knoblich, Lu, KDD 2018).
    Pass ``sqrt(V)`` as the ``sd`` of a ratio metric to :func:`power_analysis`.

    >>> ratio_unit_variance(2.0, 4.0, 1.0, 4.0, 1.0)
    0.0625
    """
    check_number("mean_denominator", mean_denominator)
    if mean_denominator == 0:
        raise ProxymetricError("`mean_denominator` == 0, must be non-zero for a ratio metric")
    r = mean_numerator / mean_denominator
    v = (var_numerator - 2.0 * r * cov + r * r * var_denominator) / mean_denominator**2
    return max(float(v), 0.0)


@dataclasses.dataclass(frozen=True)
class _Design:
    """A planned comparison in standardized units.

    Effects are in units of ``scale`` (``effect / scale``) and the variances are over
    ``scale**2``, so the power depends only on standardized effect sizes and no variance
    underflows or overflows, whatever the scale of the metric (a standard deviation of 1e-200
    plans like one of 1).
    """

    metric: MetricType
    baseline: float
    scale: float
    var_c: float
    var_t: float | None  # None: equal to var_c (mean/ratio) or p'(1-p') (proportion)
    alpha_cmp: float
    one_sided: bool
    distribution: Distribution
    ratio: float
    reduction: float

    def var_treatment(self, effect: float) -> float:
        """Return the treatment arm's variance over ``scale**2`` at a standardized effect."""
        if self.metric == "proportion":
            # p'(1-p') / (p(1-p)) as a product of ratios: exact for rates near 0 or 1.
            p = self.baseline
            q = p + effect * self.scale
            return (q / p) * ((1.0 - q) / (1.0 - p))
        return self.var_c if self.var_t is None else self.var_t

    def power(self, n_c: float, effect: float) -> float:
        """Return the power at ``n_c`` control units and a standardized ``effect``."""
        n_t = self.ratio * n_c
        a = self.var_c / n_c * (1.0 - self.reduction)
        b = self.var_treatment(effect) / n_t * (1.0 - self.reduction)
        se = math.sqrt(a + b)
        if se == 0.0:
            return 1.0
        lam = abs(effect) / se
        if self.distribution == "normal":
            if self.one_sided:
                return float(special.ndtr(lam + special.ndtri(self.alpha_cmp)))
            z = -special.ndtri(self.alpha_cmp / 2.0)
            return float(special.ndtr(lam - z) + special.ndtr(-lam - z))
        if lam > 30.0:  # beyond 30 standard errors the power is 1 to double precision
            return 1.0
        from scipy import stats  # the noncentral t: imported when a t-test is planned

        df = (a + b) ** 2 / (a * a / max(n_c - 1.0, 1e-9) + b * b / max(n_t - 1.0, 1e-9))
        if self.one_sided:
            return _finite(stats.nct.sf(stats.t.isf(self.alpha_cmp, df), df, lam))
        t = stats.t.isf(self.alpha_cmp / 2.0, df)
        # The far tail underflows (scipy may return NaN there): it is zero to double precision.
        return _finite(stats.nct.sf(t, df, lam)) + _finite(stats.nct.cdf(-t, df, lam))

    def standard_error(self, n_c: float, n_t: float, effect: float) -> float:
        """Return the standard error of the effect estimate, in the metric's own units."""
        std = (1.0 - self.reduction) * (self.var_c / n_c + self.var_treatment(effect) / n_t)
        return self.scale * math.sqrt(std)


def _finite(value: float) -> float:
    value = float(value)
    return value if math.isfinite(value) else 0.0


def _bracket_root(fn: Callable[[float], float], low: float, high: float) -> float:
    return float(optimize.brentq(fn, low, high, xtol=1e-14 * high, rtol=1e-12, maxiter=500))


def _solve_units(d: _Design, effect: float, target: float) -> float:
    """Return the (fractional) control-arm units at which the power reaches ``target``."""
    if d.power(_MIN_UNITS, effect) >= target:
        return _MIN_UNITS
    high = 16.0
    while d.power(high, effect) < target:
        high *= 16.0
        if high > _MAX_UNITS:
            raise ProxymetricError(
                f"an effect of {effect * d.scale!r} cannot reach power {target!r} with fewer "
                f"than {_MAX_UNITS:.0e} units per arm"
            )
    return _bracket_root(lambda n: d.power(n, effect) - target, _MIN_UNITS, high)


def _solve_mde(d: _Design, n_c: float, target: float) -> float:
    """Return the smallest positive standardized effect detected with power ``target``."""
    if d.metric == "proportion":
        high = (1.0 - d.baseline) * (1.0 - 1e-9) / d.scale
        if d.power(n_c, high) < target:
            raise ProxymetricError(
                f"no increase of the rate {d.baseline!r} reaches power {target!r} with "
                f"{n_c:.6g} control units; more units are needed"
            )
    else:
        high = math.sqrt(d.var_c + d.var_treatment(0.0)) + 1.0
        while d.power(n_c, high) < target:
            high *= 4.0
    return _bracket_root(lambda x: d.power(n_c, x) - target, 1e-15 * high, high)


def power_analysis(
    metric: MetricType,
    baseline: float,
    *,
    sd: float | None = None,
    sd_treatment: float | None = None,
    units_per_variant: int | None = None,
    total_units: int | None = None,
    mde: float | None = None,
    rel_mde: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    one_sided: bool = False,
    variants: int = 2,
    treatment_ratio: float = 1.0,
    variance_reduction: float = 0.0,
    correction: Correction = "bonferroni",
    distribution: Distribution = "normal",
) -> PowerResult:
    """Solve for the units, the minimum detectable effect or the power of a planned test.

    Give the units (``units_per_variant`` or ``total_units``) to solve the MDE at ``power``
    (0.8 by default); the effect (``mde`` absolute, or ``rel_mde`` relative to ``baseline``) to
    solve the units; both to solve the power. ``baseline`` is the control mean (or rate);
    ``sd`` the unit-level standard deviation (means; for ratio metrics the square root of
    :func:`ratio_unit_variance`; ignored for proportions). ``treatment_ratio`` is the size of
    each treatment arm over the control arm (``1/9`` for a 90/10 split). See the module
    docstring for the formula and how ``alpha`` is split over several treatments.

    Returns a :class:`PowerResult`.

    >>> r = power_analysis("proportion", 0.05, mde=0.005)
    >>> r.units_per_variant
    31231
    >>> r = power_analysis("proportion", 0.05, units_per_variant=150, mde=0.005)
    >>> round(r.power, 3)
    0.054
    """
    check_choice("metric", metric, METRIC_TYPES)
    check_choice("distribution", distribution, ("normal", "t"))
    check_choice("correction", correction, ("bonferroni", "none"))
    check_number("baseline", baseline)
    check_number("alpha", alpha, low=0, high=1)
    check_number("variance_reduction", variance_reduction, low=0, high=1, low_inclusive=True)
    check_number("treatment_ratio", treatment_ratio, low=0)
    if isinstance(variants, bool) or not isinstance(variants, int) or variants < 2:
        raise ProxymetricError(f"`variants` must be an integer >= 2; got {variants!r}")

    if metric == "proportion":
        check_number("baseline", baseline, low=0, high=1)
        # Standardized by the control arm's sd; the treatment's follows the effect.
        scale = math.sqrt(baseline) * math.sqrt(1.0 - baseline)
        var_c, var_t = 1.0, None
        sd_c, sd_t = scale, math.nan
    else:
        if sd is None:
            raise ProxymetricError(
                f"`sd` is required for a {metric} metric (the unit-level standard deviation)"
            )
        check_number("sd", sd, low=0)
        if sd_treatment is not None:
            check_number("sd_treatment", sd_treatment, low=0)
        sd_c = float(sd)
        sd_t = sd_c if sd_treatment is None else float(sd_treatment)
        # Standardized by the larger sd: the variances are at most 1 and never overflow.
        scale = max(sd_c, sd_t)
        var_c = (sd_c / scale) ** 2
        var_t = None if sd_treatment is None else (sd_t / scale) ** 2

    if units_per_variant is not None and total_units is not None:
        raise ProxymetricError("give one of `units_per_variant` and `total_units`, not both")
    if mde is not None and rel_mde is not None:
        raise ProxymetricError("give one of `mde` and `rel_mde`, not both")
    if rel_mde is not None:
        check_number("rel_mde", rel_mde)
        if baseline == 0:
            raise ProxymetricError("`rel_mde` needs a non-zero `baseline`; give `mde` instead")
        mde = rel_mde * abs(baseline)  # a fraction of the baseline's magnitude
    if mde is not None:
        check_number("mde", mde)
        if mde == 0:
            raise ProxymetricError("`mde` == 0, must be non-zero")
        if metric == "proportion" and not 0 < baseline + mde < 1:
            raise ProxymetricError(
                f"`mde` == {mde!r} puts the treatment rate at {baseline + mde!r}, "
                "must be between 0 and 1"
            )
    if power is not None:
        check_number("power", power, low=0, high=1)
        if power <= alpha:
            raise ProxymetricError(
                f"`power` == {power!r}, must be > `alpha` == {alpha!r}: a test at level alpha "
                "rejects with probability alpha even when the effect is zero"
            )

    comparisons = variants - 1
    alpha_cmp = alpha / comparisons if correction == "bonferroni" else alpha
    design = _Design(
        metric=metric,
        baseline=float(baseline),
        scale=scale,
        var_c=var_c,
        var_t=var_t,
        alpha_cmp=alpha_cmp,
        one_sided=one_sided,
        distribution=distribution,
        ratio=float(treatment_ratio),
        reduction=float(variance_reduction),
    )
    share = 1.0 + comparisons * treatment_ratio  # total units per control unit

    given_units = units_per_variant is not None or total_units is not None
    if given_units:
        name = "units_per_variant" if units_per_variant is not None else "total_units"
        value = units_per_variant if units_per_variant is not None else total_units
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ProxymetricError(f"`{name}` must be a positive integer; got {value!r}")
        total = value * variants if units_per_variant is not None else value
        n_c = total / share
        if n_c < _MIN_UNITS or treatment_ratio * n_c < _MIN_UNITS:
            raise ProxymetricError(
                f"`{name}` == {value!r} leaves fewer than 2 units in an arm; give more units"
            )

    if given_units and mde is not None:
        if power is not None:
            raise ProxymetricError(
                "give two of the units, the effect (`mde` or `rel_mde`) and `power`, not all three"
            )
        solved = "power"
        achieved = design.power(n_c, mde / scale)
    elif given_units:
        solved = "mde"
        target = 0.8 if power is None else power
        mde = _solve_mde(design, n_c, target) * scale
        achieved = target
    elif mde is not None:
        solved = "units"
        target = 0.8 if power is None else power
        exact = _solve_units(design, mde / scale, target)
        n_c = float(math.ceil(exact - 1e-9))
        n_t = float(math.ceil(treatment_ratio * exact - 1e-9))
        total = int(n_c + comparisons * n_t)
        achieved = _power_at(design, n_c, n_t, mde / scale)
    else:
        raise ProxymetricError(
            "give the units (`units_per_variant` or `total_units`), the effect (`mde` or "
            "`rel_mde`), or both"
        )

    control_units = n_c
    treatment_units = n_t if solved == "units" else treatment_ratio * n_c
    return PowerResult(
        metric=metric,
        solved_for=solved,
        baseline=float(baseline),
        control_sd=sd_c,
        treatment_sd=sd_t if metric != "proportion" else _rate_sd(baseline + mde),
        alpha=float(alpha),
        alpha_per_comparison=alpha_cmp,
        alternative="one-sided" if one_sided else "two-sided",
        distribution=distribution,
        variants=variants,
        treatment_ratio=float(treatment_ratio),
        variance_reduction=float(variance_reduction),
        control_units=control_units,
        treatment_units=treatment_units,
        units_per_variant=math.ceil(total / variants - 1e-9),
        total_units=math.ceil(total - 1e-9),
        mde=float(mde),
        rel_mde=float(mde) / abs(baseline) if baseline != 0 else math.nan,
        power=float(achieved),
        effect_se=design.standard_error(control_units, treatment_units, mde / scale),
    )


def _power_at(design: _Design, n_c: float, n_t: float, effect: float) -> float:
    """Power with arm sizes that need not be in the exact planned ratio (after rounding)."""
    return dataclasses.replace(design, ratio=n_t / n_c).power(n_c, effect)


def _rate_sd(rate: float) -> float:
    return math.sqrt(rate) * math.sqrt(1.0 - rate)
