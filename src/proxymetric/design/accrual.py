"""How many units a test collects in ``d`` days, and the MDE and duration that follow.

Distinct users do not accumulate linearly with days: returning users are counted once, so the
cumulative count of distinct units grows more slowly than the days. :func:`fit_accrual` fits one
of three documented models to a per-day series of *cumulative* distinct units from a pre-period:

- ``"power"`` (default): ``units(d) = a * d^b``, fitted by least squares on ``log units`` against
  ``log d``; ``b = 1`` is linear growth, ``b < 1`` the usual slowing down. It keeps growing, so
  it suits large audiences observed over a fraction of their return cycle.
- ``"saturating"``: ``units(d) = N * (1 - exp(-d / tau))``, fitted by nonlinear least squares on
  the counts; a population of ``N`` units of which a share ``1 - exp(-1/tau)`` not yet seen
  shows up each day. It suits a closed audience (a fixed set of customers or employees).
- ``"fixed"``: ``units(d) = N`` for every ``d`` (:meth:`AccrualModel.fixed`): a fixed user base,
  such as 300 employees.

:func:`mde_by_duration` gives the MDE of a metric after 1, 2, 3, 4 weeks (or any days) and
:func:`days_for_mde` the days needed for a target MDE.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, Literal, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

from proxymetric._result import Result
from proxymetric._validation import check_choice, check_number
from proxymetric.design.power import MetricType, power_analysis
from proxymetric.errors import ProxymetricError
from proxymetric.experiment import ResolvedExperiment, ResolvedMetric

__all__ = [
    "AccrualModel",
    "DaysResult",
    "DesignSettings",
    "DurationRow",
    "days_for_mde",
    "fit_accrual",
    "mde_by_duration",
]

AccrualKind = Literal["power", "saturating", "fixed"]


@dataclasses.dataclass(frozen=True)
class DesignSettings:
    """The test settings shared by the duration and feasibility functions.

    The same meaning as the parameters of :func:`~proxymetric.design.power.power_analysis`.
    """

    alpha: float = 0.05
    power: float = 0.8
    one_sided: bool = False
    variants: int = 2
    treatment_ratio: float = 1.0
    correction: Literal["bonferroni", "none"] = "bonferroni"

    @classmethod
    def for_metric(cls, exp: ResolvedExperiment, metric: ResolvedMetric, power: float) -> Self:
        """The settings of ``metric``'s test as the analysis of ``exp`` runs it.

        The level is the resolved metric's own (already split over the success metrics and the
        treatments, :mod:`proxymetric.experiment.resolve`), so no further correction applies.
        """
        return cls(
            alpha=metric.alpha,
            power=power,
            one_sided=metric.one_sided,
            variants=exp.planned_arms,
            treatment_ratio=exp.treatment_ratio,
            correction="none",
        )

    def test_arguments(self) -> dict[str, Any]:
        """The test's settings as arguments of ``power_analysis`` (all but ``power``)."""
        return {
            "alpha": self.alpha,
            "one_sided": self.one_sided,
            "variants": self.variants,
            "treatment_ratio": self.treatment_ratio,
            "correction": self.correction,
        }


@dataclasses.dataclass(frozen=True)
class AccrualModel(Result):
    """A fitted curve of cumulative distinct units against days since the start.

    ``model`` is ``"power"`` (``scale * d^shape``), ``"saturating"`` (``scale * (1 -
    exp(-d / shape))``) or ``"fixed"`` (``scale``). ``rmse`` is the root mean square error of the
    fit in units, ``days_observed`` the length of the series it was fitted on.
    """

    model: str
    scale: float
    shape: float
    days_observed: int
    rmse: float

    @classmethod
    def fixed(cls, units: float) -> AccrualModel:
        """Return the model of a fixed population of ``units`` (all of them there from day 1).

        >>> AccrualModel.fixed(300).predict([1, 14])
        array([300., 300.])
        """
        check_number("units", units, low=0)
        return cls(model="fixed", scale=float(units), shape=math.nan, days_observed=0, rmse=0.0)

    def predict(self, days: ArrayLike) -> NDArray[np.float64]:
        """Return the cumulative distinct units expected after each of ``days`` days."""
        d = np.asarray(days, dtype=np.float64)
        if self.model == "power":
            out = self.scale * d**self.shape
        elif self.model == "saturating":
            out = self.scale * -np.expm1(-d / self.shape)
        else:
            out = np.full_like(d, self.scale)
        return np.asarray(out, dtype=np.float64)

    def days_for(self, units: float) -> float:
        """Return the (fractional) days after which ``units`` distinct units have arrived.

        ``inf`` when the model never reaches ``units`` (above the size of a saturating or fixed
        population).

        >>> AccrualModel("power", 1000.0, 0.5, 14, 0.0).days_for(3000.0)
        9.0
        """
        if units <= 0:
            return 0.0
        if self.model == "power":
            return float((units / self.scale) ** (1.0 / self.shape))
        if self.model == "fixed":
            return 0.0 if units <= self.scale else math.inf
        if units >= self.scale:
            return math.inf
        return float(-self.shape * math.log1p(-units / self.scale))


def fit_accrual(cumulative_units: ArrayLike, model: AccrualKind = "power") -> AccrualModel:
    """Fit the accrual curve to cumulative distinct units on days 1, 2, ..., D.

    ``cumulative_units[i]`` is the number of distinct units seen in the first ``i + 1`` days of a
    pre-period (non-decreasing, positive). See the module docstring for the models.

    Returns an :class:`AccrualModel`.

    >>> m = fit_accrual([1000 * d**0.8 for d in range(1, 15)])
    >>> round(m.scale), round(m.shape, 3)
    (1000, 0.8)
    >>> round(float(m.predict(28)))
    14379
    """
    check_choice("model", model, ("power", "saturating", "fixed"))
    units = np.asarray(cumulative_units, dtype=np.float64)
    if units.ndim != 1 or units.size == 0:
        raise ProxymetricError("`cumulative_units` must be a non-empty list, one value per day")
    if not np.all(np.isfinite(units)) or np.any(units <= 0):
        raise ProxymetricError(
            "`cumulative_units` must be positive finite counts; got "
            f"{units[~np.isfinite(units) | (units <= 0)][:3].tolist()} among them"
        )
    if np.any(np.diff(units) < 0):
        raise ProxymetricError(
            "`cumulative_units` must be cumulative (non-decreasing): the distinct units seen "
            "since the first day, not the units of each day"
        )
    d = np.arange(1, units.size + 1, dtype=np.float64)
    if model == "fixed":
        fitted = AccrualModel.fixed(float(units[-1]))
        return dataclasses.replace(fitted, days_observed=int(units.size))
    if units.size < 2:
        raise ProxymetricError(f"`cumulative_units` needs at least 2 days to fit a {model} curve")

    log_d, log_u = np.log(d), np.log(units)
    slope, intercept = np.polyfit(log_d, log_u, 1)
    scale, shape = float(np.exp(intercept)), float(slope)
    if model == "saturating":
        if units[-1] == units[0]:
            scale, shape = float(units[-1]), 1e-9
        else:

            def residuals(theta: NDArray[np.float64]) -> NDArray[np.float64]:
                n_max, tau = np.exp(theta)
                return np.asarray(n_max * -np.expm1(-d / tau) - units, dtype=np.float64)

            start = np.log([units[-1] * 1.5, float(units.size)])
            fit = optimize.least_squares(residuals, start, method="lm", x_scale="jac")
            scale, shape = (float(v) for v in np.exp(fit.x))
    fitted = AccrualModel(model, scale, shape, int(units.size), 0.0)
    rmse = float(np.sqrt(np.mean((fitted.predict(d) - units) ** 2)))
    return dataclasses.replace(fitted, rmse=rmse)


@dataclasses.dataclass(frozen=True)
class DurationRow(Result):
    """The MDE of a metric after running for ``days`` days."""

    days: int
    total_units: int
    units_per_variant: int
    mde: float
    rel_mde: float


def mde_by_duration(
    accrual: AccrualModel,
    metric: MetricType,
    baseline: float,
    *,
    sd: float | None = None,
    variance_reduction: float = 0.0,
    days: Sequence[int] = (7, 14, 21, 28),
    settings: DesignSettings = DesignSettings(),
) -> tuple[DurationRow, ...]:
    """Return the MDE at ``settings.power`` after each of ``days`` days of traffic.

    The units after ``d`` days are ``floor(accrual.predict(d))`` over all variants; the MDE
    follows from :func:`~proxymetric.design.power.power_analysis`. An MDE is ``nan`` when no
    effect reaches the power (too few units).

    >>> rows = mde_by_duration(AccrualModel.fixed(300), "proportion", 0.05, days=[7])
    >>> rows[0].units_per_variant, round(rows[0].mde, 4)
    (150, 0.0947)
    """
    rows = []
    for d in days:
        if isinstance(d, bool) or not isinstance(d, int) or d <= 0:
            raise ProxymetricError(f"`days` must be positive whole days; got {d!r}")
        total = math.floor(float(accrual.predict(d)) + 1e-9)
        try:
            r = power_analysis(
                metric,
                baseline,
                sd=sd,
                total_units=total,
                power=settings.power,
                **settings.test_arguments(),
                variance_reduction=variance_reduction,
            )
            mde, rel = r.mde, r.rel_mde
        except ProxymetricError as exc:
            if "units" not in str(exc):
                raise
            mde = rel = math.nan
        rows.append(
            DurationRow(
                days=d,
                total_units=total,
                units_per_variant=math.ceil(total / settings.variants),
                mde=mde,
                rel_mde=rel,
            )
        )
    return tuple(rows)


@dataclasses.dataclass(frozen=True)
class DaysResult(Result):
    """Days of traffic needed to detect ``mde`` at the planned power.

    ``days`` is a whole number of days, ``nan`` (``null`` in JSON) when the audience never
    grows large enough (a saturating or fixed population); ``total_units`` is the sample needed.
    """

    mde: float
    rel_mde: float
    total_units: int
    units_per_variant: int
    days: float
    reachable: bool


def days_for_mde(
    accrual: AccrualModel,
    metric: MetricType,
    baseline: float,
    *,
    mde: float | None = None,
    rel_mde: float | None = None,
    sd: float | None = None,
    variance_reduction: float = 0.0,
    settings: DesignSettings = DesignSettings(),
) -> DaysResult:
    """Return the days of traffic needed to detect ``mde`` (or ``rel_mde``).

    Solves the total units with :func:`~proxymetric.design.power.power_analysis` and inverts
    the accrual curve, rounding up to whole days (at least 1).

    >>> m = AccrualModel("power", 1000.0, 0.5, 14, 0.0)
    >>> r = days_for_mde(m, "mean", 10.0, sd=10.0, rel_mde=0.05)
    >>> r.total_units, r.days
    (12560, 158.0)
    """
    r = power_analysis(
        metric,
        baseline,
        sd=sd,
        mde=mde,
        rel_mde=rel_mde,
        power=settings.power,
        **settings.test_arguments(),
        variance_reduction=variance_reduction,
    )
    exact = accrual.days_for(float(r.total_units))
    reachable = math.isfinite(exact)
    return DaysResult(
        mde=r.mde,
        rel_mde=r.rel_mde,
        total_units=r.total_units,
        units_per_variant=r.units_per_variant,
        days=float(max(1, math.ceil(exact - 1e-9))) if reachable else math.nan,
        reachable=reachable,
    )
