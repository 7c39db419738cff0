"""A feasibility verdict in words: can this metric see the effect at this traffic?

:func:`feasibility` compares the effect worth detecting (the target MDE) with what the traffic
allows, in this order:

1. ``"feasible"``: the plain metric detects the target within the planned days;
2. ``"feasible_with_cuped"``: only with the variance reduction of CUPED, within the planned days;
3. ``"feasible_if_longer"``: only by running longer (with CUPED if available), within the
   longest acceptable duration;
4. ``"not_feasible"``: not even then. The result says what would work instead: a more
   sensitive proxy (it reports the share of the variance that would have to go), a blind test or
   interleaving (the same users or queries see both variants, which removes the between-unit
   variance), or a larger effect worth testing for (the MDE the traffic does allow).
"""

from __future__ import annotations

import dataclasses
import math

from proxymetric._result import Result
from proxymetric._validation import check_number
from proxymetric.design.accrual import (
    AccrualModel,
    DesignSettings,
    days_for_mde,
    mde_by_duration,
)
from proxymetric.design.power import MetricType
from proxymetric.errors import ProxymetricError
from proxymetric.report import format_number

__all__ = ["VERDICTS", "FeasibilityResult", "feasibility"]

_DEFAULT_SETTINGS = DesignSettings()
VERDICTS = ("feasible", "feasible_with_cuped", "feasible_if_longer", "not_feasible")


@dataclasses.dataclass(frozen=True)
class FeasibilityResult(Result):
    """The verdict, the numbers behind it and what to do instead.

    ``mde_*``/``rel_mde_*`` are the detectable effects at the planned days (plain and with CUPED)
    and at ``max_days`` (best available variance); ``days_needed*`` the days to reach the target
    (``nan`` when the audience never grows that large); ``variance_reduction_needed`` the share
    of the variance a proxy would have to remove to see the target within ``max_days`` (0 when
    no reduction is needed).
    """

    metric_name: str
    verdict: str
    message: str
    target_mde: float
    target_rel_mde: float
    planned_days: int
    max_days: int
    units_at_planned_days: int
    mde_at_planned_days: float
    rel_mde_at_planned_days: float
    mde_with_cuped: float
    rel_mde_with_cuped: float
    days_needed: float
    days_needed_with_cuped: float
    mde_at_max_days: float
    rel_mde_at_max_days: float
    variance_reduction_needed: float
    suggestions: tuple[str, ...]


def _fmt_effect(abs_value: float, rel_value: float) -> str:
    if math.isnan(abs_value):
        return "no effect (too few units)"
    rel = format_number(rel_value, percent=True, digits=3) if math.isfinite(rel_value) else ""
    return f"{format_number(abs_value)} ({rel.lstrip('+')})" if rel else format_number(abs_value)


def feasibility(
    accrual: AccrualModel,
    metric: MetricType,
    baseline: float,
    *,
    target_mde: float | None = None,
    target_rel_mde: float | None = None,
    sd: float | None = None,
    cuped_variance_reduction: float = 0.0,
    planned_days: int = 14,
    max_days: int = 56,
    metric_name: str = "metric",
    settings: DesignSettings = _DEFAULT_SETTINGS,
) -> FeasibilityResult:
    """Return the feasibility verdict of detecting the target effect with this traffic.

    ``accrual`` gives the units after ``d`` days (:func:`~proxymetric.design.accrual.fit_accrual`,
    or :meth:`AccrualModel.fixed` for a fixed user base); ``cuped_variance_reduction`` the share
    of variance CUPED removes (the squared correlation with the pre-period covariate; 0 when
    there is no covariate). See the module docstring for the verdicts.

    >>> r = feasibility(AccrualModel.fixed(300), "proportion", 0.05, target_mde=0.005)
    >>> r.verdict
    'not_feasible'
    >>> round(r.mde_at_max_days, 4)
    0.0947
    """
    if (target_mde is None) == (target_rel_mde is None):
        raise ProxymetricError("give one of `target_mde` and `target_rel_mde`")
    for name, value in (("planned_days", planned_days), ("max_days", max_days)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ProxymetricError(
                f"`{name}` must be a positive whole number of days; got {value!r}"
            )
    if max_days < planned_days:
        raise ProxymetricError(
            f"`max_days` == {max_days!r}, must be >= `planned_days` ({planned_days!r})"
        )
    check_number(
        "cuped_variance_reduction", cuped_variance_reduction, low=0, high=1, low_inclusive=True
    )
    if target_rel_mde is not None:
        check_number("target_rel_mde", target_rel_mde)
        if baseline == 0:
            raise ProxymetricError("`target_rel_mde` needs a non-zero `baseline`")
        target = abs(target_rel_mde * baseline)
    else:
        assert target_mde is not None
        target = abs(check_number("target_mde", target_mde))
    if target == 0:
        raise ProxymetricError("the target effect must be non-zero")
    rel_target = target / abs(baseline) if baseline != 0 else math.nan

    days = [planned_days, max_days]
    reduction = cuped_variance_reduction
    plain = mde_by_duration(accrual, metric, baseline, sd=sd, days=days, settings=settings)
    cuped = mde_by_duration(
        accrual, metric, baseline, sd=sd, days=days, variance_reduction=reduction, settings=settings
    )
    days_plain = days_for_mde(accrual, metric, baseline, mde=target, sd=sd, settings=settings)
    days_cuped = days_for_mde(
        accrual,
        metric,
        baseline,
        mde=target,
        sd=sd,
        variance_reduction=reduction,
        settings=settings,
    )
    best_max = cuped[1] if reduction > 0 else plain[1]
    best_days = days_cuped if reduction > 0 else days_plain

    def detects(mde: float) -> bool:
        return math.isfinite(mde) and mde <= target * (1 + 1e-12)

    target_text = _fmt_effect(target, rel_target if baseline > 0 else math.nan)
    plan_text = _fmt_effect(plain[0].mde, plain[0].rel_mde)
    suggestions: tuple[str, ...] = ()
    needed = 0.0
    if detects(plain[0].mde):
        verdict = "feasible"
        message = (
            f"feasible: {planned_days} days bring {plain[0].total_units:,} units and detect "
            f"{plan_text}, within the target {target_text}"
        )
    elif reduction > 0 and detects(cuped[0].mde):
        verdict = "feasible_with_cuped"
        message = (
            f"feasible only with CUPED: in {planned_days} days the plain metric detects "
            f"{plan_text}, above the target {target_text}; CUPED (variance -{reduction:.0%}) "
            f"detects {_fmt_effect(cuped[0].mde, cuped[0].rel_mde)}"
        )
    elif best_days.reachable and best_days.days <= max_days:
        verdict = "feasible_if_longer"
        how = " with CUPED" if reduction > 0 else ""
        message = (
            f"feasible only if longer: {planned_days} days detect {plan_text}, above the target "
            f"{target_text}; {best_days.days:.0f} days{how} ({best_days.total_units:,} units) "
            "are needed"
        )
    else:
        verdict = "not_feasible"
        mde_max = best_max.mde
        needed = 1.0 - (target / mde_max) ** 2 if math.isfinite(mde_max) else 1.0
        larger = _fmt_effect(mde_max, best_max.rel_mde)
        message = (
            f"not feasible at this traffic: {max_days} days bring {best_max.total_units:,} units, "
            f"which detect only {larger}; the target is {target_text}"
        )
        factor = mde_max / target if math.isfinite(mde_max) else math.inf
        proxy = (
            f"a more sensitive proxy: one that moves {factor:.1f} times more relative to its "
            f"standard deviation (its variance relative to the effect {needed:.1%} lower), such "
            "as a metric closer to the change (clicks or engagement instead of revenue)"
        )
        blind = (
            "a blind test or interleaving: the same users or queries judge both variants, which "
            "removes the between-unit variance and needs far fewer units"
        )
        bigger = (
            f"a larger effect worth testing for: {max_days} days detect effects of {larger} or more"
        )
        suggestions = (proxy, blind, bigger)
    return FeasibilityResult(
        metric_name=metric_name,
        verdict=verdict,
        message=message,
        target_mde=target,
        target_rel_mde=rel_target,
        planned_days=planned_days,
        max_days=max_days,
        units_at_planned_days=plain[0].total_units,
        mde_at_planned_days=plain[0].mde,
        rel_mde_at_planned_days=plain[0].rel_mde,
        mde_with_cuped=cuped[0].mde,
        rel_mde_with_cuped=cuped[0].rel_mde,
        days_needed=days_plain.days,
        days_needed_with_cuped=days_cuped.days,
        mde_at_max_days=best_max.mde,
        rel_mde_at_max_days=best_max.rel_mde,
        variance_reduction_needed=max(needed, 0.0),
        suggestions=suggestions,
    )
