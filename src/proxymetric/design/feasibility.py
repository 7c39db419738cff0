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
from proxymetric.experiment import Duration

__all__ = ["SUGGESTIONS", "VERDICTS", "FeasibilityResult", "feasibility"]

_DEFAULT_SETTINGS = DesignSettings()
VERDICTS = ("feasible", "feasible_with_cuped", "feasible_if_longer", "not_feasible")
# What would work instead of a test that is not feasible (report/ writes them in words).
SUGGESTIONS = ("more_sensitive_proxy", "paired_test", "larger_effect")


@dataclasses.dataclass(frozen=True)
class FeasibilityResult(Result):
    """The verdict, the numbers behind it and what to do instead.

    ``mde_*``/``rel_mde_*`` are the detectable effects at the planned days (plain and with CUPED)
    and at ``max_days`` (best available variance); ``days_needed*`` the days to reach the target
    (``nan`` when the audience never grows that large); ``variance_reduction_needed`` the share
    of the variance a proxy would have to remove to see the target within ``max_days`` (0 when
    no reduction is needed). ``proposed_days`` is the duration to run: the days needed (with
    CUPED when available), at least ``min_days`` and in whole weeks when asked, ``nan`` when the
    audience never grows that large. ``suggestions`` name what would work instead of a test
    that is not feasible (:data:`SUGGESTIONS`).
    """

    metric_name: str
    verdict: str
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
    variance_reduction: float
    variance_reduction_needed: float
    proposed_days: float
    suggestions: tuple[str, ...]


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
    min_days: int = 7,
    whole_weeks: bool = True,
) -> FeasibilityResult:
    """Return the feasibility verdict of detecting the target effect with this traffic.

    ``accrual`` gives the units after ``d`` days (:func:`~proxymetric.design.accrual.fit_accrual`,
    or :meth:`AccrualModel.fixed` for a fixed user base); ``cuped_variance_reduction`` the share
    of variance CUPED removes (the squared correlation with the pre-period covariate; 0 when
    there is no covariate). A duration is proposed in whole weeks (when ``whole_weeks``) and
    never below ``min_days``. See the module docstring for the verdicts.

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

    duration = Duration(planned_days, max_days, min_days, whole_weeks)
    proposed = duration.proposed(best_days.days if best_days.reachable else math.nan)
    suggestions: tuple[str, ...] = ()
    needed = 0.0
    if detects(plain[0].mde):
        verdict = "feasible"
    elif reduction > 0 and detects(cuped[0].mde):
        verdict = "feasible_with_cuped"
    elif best_days.reachable and proposed <= max_days:
        verdict = "feasible_if_longer"
    else:
        verdict = "not_feasible"
        mde_max = best_max.mde
        needed = 1.0 - (target / mde_max) ** 2 if math.isfinite(mde_max) else 1.0
        suggestions = SUGGESTIONS
    return FeasibilityResult(
        metric_name=metric_name,
        verdict=verdict,
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
        variance_reduction=reduction,
        variance_reduction_needed=max(needed, 0.0),
        proposed_days=proposed,
        suggestions=suggestions,
    )
