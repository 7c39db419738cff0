"""``plan(spec, experiment)``: sensitivity, duration, feasibility and cost from the test's own data.

The experiment's sources are read in ONE query (:func:`proxymetric.experiment.read`):
per-variant moments of every metric's columns and, for event logs, the new units per day. From
the control variant (every unit when the data has no variants yet) the plan takes, per metric:

- the baseline (the control mean or rate) and the unit-level variance (for a ratio metric the
  delta-method variance, Deng, Knoblich, Lu, KDD 2018);
- the CUPED correlation ``rho`` with the metric's covariate (the pre-period value for event
  metrics, the ``covariate`` column of a unit table) and the variance reduction ``rho^2``
  (Deng, Xu, Kohavi, Walker, WSDM 2013); ratio metrics are linearised by the delta method.

The units after ``d`` days come from an accrual curve (:func:`~proxymetric.design.fit_accrual`)
fitted to the cumulative distinct units per day since the first assignment (or, for a test
with no assignment yet, since each unit's first event), or from ``units_per_day`` (linear) or
``population`` (a fixed user base) when the data has no timestamps.

Primary and secondary metrics are planned as two-sided superiority tests against a target
relative MDE at the level the analysis will use: the experiment's ``alpha`` split over the
treatments and, since the analysis corrects the success metrics as one family (Holm by
default), over the success metrics too (the first step of Holm's procedure, a conservative
plan; ``correction: none`` plans at ``alpha``). Guardrails are not corrected: one-sided
non-inferiority tests at ``alpha`` whose target is their margin (a guardrail at margin ``m``
with no true effect has the power of a one-sided test of an effect ``m``). For each metric the
plan gives the MDE at each duration (plain and with CUPED), the days needed for the target, a
feasibility verdict (:func:`~proxymetric.design.feasibility`) and, when the metric has a
``value_per_unit``, the cost of testing (:func:`~proxymetric.design.cost_of_testing`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from proxymetric._result import Result
from proxymetric._validation import check_choice, check_number
from proxymetric.design.accrual import AccrualModel, DesignSettings, fit_accrual, mde_by_duration
from proxymetric.design.cost import CostResult, cost_of_testing
from proxymetric.design.feasibility import FeasibilityResult, feasibility
from proxymetric.design.power import MetricType, power_analysis
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.experiment import (
    ALL_UNITS,
    Covariate,
    Duration,
    ExperimentData,
    ResolvedExperiment,
    ResolvedMetric,
    read,
    resolve,
)
from proxymetric.spec import Spec
from proxymetric.stats.estimators import Statistic, arm_estimate
from proxymetric.stats.moments import Moments

__all__ = ["DEFAULT_TARGET_REL_MDE", "MetricPlan", "PlanDuration", "PlanResult", "plan"]


@dataclasses.dataclass(frozen=True)
class PlanDuration(Result):
    """The MDE of a metric after ``days`` days, without and with CUPED."""

    days: int
    total_units: int
    units_per_variant: int
    mde: float
    rel_mde: float
    mde_with_cuped: float
    rel_mde_with_cuped: float


@dataclasses.dataclass(frozen=True)
class MetricPlan(Result):
    """The plan of one metric.

    ``test`` is ``"superiority"`` (two-sided, primary and secondary) or ``"non-inferiority"``
    (one-sided at the guardrail's margin). ``baseline``, ``sd`` and ``cuped_correlation`` are
    estimated on ``units_observed`` units (``sd`` is the delta-method standard deviation for a
    ratio metric; ``cuped_correlation`` is ``nan``/``null`` without a covariate).
    ``alpha`` is the level of each of its comparisons as the analysis runs them.
    ``target_mde`` is the effect the test should detect and ``target_source`` where it comes
    from: ``"margin"`` (a guardrail), ``"expected_effect"`` (declared in the spec),
    ``"option"`` (the caller's ``target_rel_mde``) or ``"default"``
    (:data:`DEFAULT_TARGET_REL_MDE`). ``days_needed``/``days_needed_with_cuped`` are the days to
    detect it (``nan``/``null`` when the audience never grows that large), ``proposed_days``
    the duration to run (with CUPED when available, at least a week and in whole weeks by
    default). ``verdict`` and ``feasibility`` come from
    :func:`~proxymetric.design.feasibility` (``feasibility`` is ``None`` for a target of 0,
    which no test can show); ``cost`` is set when the metric has a ``value_per_unit``.
    """

    metric: str
    role: str
    metric_type: str
    test: str
    alternative: str
    alpha: float
    baseline: float
    sd: float
    units_observed: int
    cuped_correlation: float
    variance_reduction: float
    margin: float
    margin_type: str
    target_mde: float
    target_rel_mde: float
    target_source: str
    durations: tuple[PlanDuration, ...]
    days_needed: float
    days_needed_with_cuped: float
    proposed_days: float
    verdict: str
    feasibility: FeasibilityResult | None
    cost: CostResult | None


@dataclasses.dataclass(frozen=True)
class PlanResult(Result):
    """The plan of an experiment: the traffic, then one :class:`MetricPlan` per metric.

    ``data_kind`` is ``"units"`` (a unit table), ``"events"`` (assignment and event logs),
    ``"events_first_seen"`` (an event log, no assignment yet) or ``"summary"``;
    ``estimated_from`` says which units the baselines come from. ``accrual`` is the curve of
    cumulative units against days, ``accrual_basis`` where it comes from (``"assignments"``,
    ``"first_events"``, ``"units_per_day"`` or ``"population"``) and
    ``observed_cumulative_units`` the series it was fitted to (empty when given).
    ``variants`` are the variants in the data, ``planned_variants`` the number planned for
    (control included).
    """

    experiment: str
    control: str
    variants: tuple[str, ...]
    planned_variants: int
    data_kind: str
    estimated_from: str
    alpha: float
    success_alpha: float
    power: float
    treatment_ratio: float
    planned_days: int
    max_days: int
    min_days: int
    whole_weeks: bool
    accrual: AccrualModel
    accrual_basis: str
    observed_first_day: str
    observed_cumulative_units: tuple[int, ...]
    metrics: tuple[MetricPlan, ...]
    warnings: tuple[str, ...]


def plan(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    days: Sequence[int] = (7, 14, 21, 28),
    target_rel_mde: float | None = None,
    power: float = 0.8,
    planned_days: int | None = None,
    max_days: int | None = None,
    units_per_day: float | None = None,
    population: int | None = None,
    accrual_model: Literal["power", "saturating"] = "power",
    prior_rel_effect: float | None = None,
    prior_rel_effect_sd: float = 0.0,
    traffic_share: float = 1.0,
    horizon_days: float = 0.0,
    from_events: bool = False,
) -> PlanResult:
    """Plan an experiment from its own data; return a :class:`PlanResult`.

    Args:
        spec: a path to ``proxymetric.yaml``, a mapping of the same content, a ``Spec`` or a
            resolved experiment (:func:`proxymetric.experiment.resolve`).
        experiment: the experiment to plan; optional when the spec has exactly one.
        data: in-memory tables by source or table name, as for :func:`~proxymetric.analyze`.
        days: the durations (whole days) at which to report every metric's MDE.
        target_rel_mde: the relative effect every primary and secondary metric should detect
            (``0.02`` for 2%); by default each metric's declared ``expected_effect``, else
            :data:`DEFAULT_TARGET_REL_MDE`. Guardrails use their margins.
        power: the planned power.
        planned_days, max_days: the intended duration and the longest acceptable one, for the
            feasibility verdict; by default the spec's ``duration`` (14 and 56 days without
            one). Proposed durations are at least the spec's ``duration.min_days`` (7), in
            whole weeks unless ``duration.whole_weeks`` is false.
        units_per_day: new units per day (linear accrual); overrides the spec and the data.
        population: a fixed user base (all units there from day 1); overrides the spec and
            the data.
        accrual_model: the curve fitted to the observed cumulative units (``"power"`` or
            ``"saturating"``, see :mod:`proxymetric.design.accrual`).
        prior_rel_effect, prior_rel_effect_sd: the prior guess of the relative effect for the
            cost of testing (normal; the target MDE with no uncertainty by default).
        traffic_share: the share of all traffic in the test; the rest waits for the result
            (the cost of delay).
        horizon_days: days of all traffic the decision applies to after the test; with it the
            cost is weighed against the value of the test's information.
        from_events: plan a test that has no assignment yet from the primary metric's event
            log alone: every unit of the log from its first event (no variants, no CUPED).

    The units of the data are read in one query; see the module docstring for the method.
    """
    exp = resolve(spec, experiment)
    quantile = next((m.name for m in exp.metrics if m.quantile is not None), None)
    if quantile is not None:
        raise ProxymetricError(
            f"`plan` sizes tests of means, proportions and ratios; metric {quantile!r} of "
            f"experiment {exp.name!r} is a quantile metric (plan without it)"
        )
    days = _check_days(days)
    if target_rel_mde is not None:
        check_number("target_rel_mde", target_rel_mde, low=0)
    check_number("power", power, low=0, high=1)
    check_number("traffic_share", traffic_share, low=0, high=1, high_inclusive=True)
    check_number("horizon_days", horizon_days, low=0, low_inclusive=True)
    check_number("prior_rel_effect_sd", prior_rel_effect_sd, low=0, low_inclusive=True)
    if prior_rel_effect is not None:
        check_number("prior_rel_effect", prior_rel_effect)
    check_choice("accrual_model", accrual_model, ("power", "saturating"))
    planned_days = exp.duration.days if planned_days is None else planned_days
    max_days = exp.duration.max_days if max_days is None else max_days
    for label, value in (("planned_days", planned_days), ("max_days", max_days)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ProxymetricError(
                f"`{label}` must be a positive whole number of days; got {value!r}"
            )
    if max_days < planned_days:
        raise ProxymetricError(
            f"`max_days` == {max_days!r}, must be >= `planned_days` ({planned_days!r})"
        )
    if units_per_day is not None and population is not None:
        raise ProxymetricError("give one of `units_per_day` and `population`, not both")
    if units_per_day is not None:
        check_number("units_per_day", units_per_day, low=0)
    if population is not None:
        check_number("population", population, low=0)

    got = read(exp, data, accrual=True, first_seen=from_events)
    kind = "events_first_seen" if from_events else exp.shape
    variants = tuple(sorted(got.moments))
    if from_events:
        base = got.moments[ALL_UNITS]
        estimated_from = "every unit (no assignment yet)"
    elif exp.control in got.moments:
        base = got.moments[exp.control]
        estimated_from = f"control variant {exp.control!r}"
    else:
        raise DataError(
            f"control variant {exp.control!r} of experiment {exp.name!r} is not in the data; "
            f"variants in the data: {', '.join(variants) or '(none)'}; name the control in "
            "the spec, or plan a test with no assignment yet with `from_events`"
        )
    if base.count < 2:
        raise DataError(
            f"experiment {exp.name!r} has {base.count} unit(s) in {estimated_from}; a plan needs "
            "at least 2 to estimate variances"
        )
    accrual, basis, observed = _accrual(exp, got, kind, units_per_day, population, accrual_model)
    duration = Duration(planned_days, max_days, exp.duration.min_days, exp.duration.whole_weeks)
    plans = [
        _metric_plan(
            metric,
            base,
            None if from_events or base.count < 3 else metric.covariate,
            accrual,
            days,
            _target(metric, target_rel_mde),
            duration,
            DesignSettings.for_metric(exp, metric, power),
            _CostInputs(prior_rel_effect, prior_rel_effect_sd, traffic_share, horizon_days),
        )
        for metric in exp.metrics
    ]
    return PlanResult(
        experiment=exp.name,
        control=exp.control,
        variants=variants,
        planned_variants=exp.planned_arms,
        data_kind=kind,
        estimated_from=estimated_from,
        alpha=exp.alpha,
        success_alpha=exp.primary.alpha,
        power=power,
        treatment_ratio=exp.treatment_ratio,
        planned_days=planned_days,
        max_days=max_days,
        min_days=exp.duration.min_days,
        whole_weeks=exp.duration.whole_weeks,
        accrual=accrual,
        accrual_basis=basis,
        observed_first_day=got.first_day or "",
        observed_cumulative_units=observed,
        metrics=tuple(plans),
        warnings=got.warnings,
    )


# The relative effect a success metric is planned for when neither the spec nor the caller
# gives one.
DEFAULT_TARGET_REL_MDE = 0.02


def _target(metric: ResolvedMetric, option: float | None) -> tuple[float, str]:
    """The relative effect to plan a success metric for, and where it comes from."""
    if option is not None:
        return option, "option"
    if metric.spec.expected_effect is not None:
        return abs(metric.spec.expected_effect), "expected_effect"
    return DEFAULT_TARGET_REL_MDE, "default"


@dataclasses.dataclass(frozen=True)
class _CostInputs:
    prior_rel_effect: float | None
    prior_rel_effect_sd: float
    traffic_share: float
    horizon_days: float


def _check_days(days: Sequence[int]) -> tuple[int, ...]:
    out = tuple(days)
    if not out or any(isinstance(d, bool) or not isinstance(d, int) or d <= 0 for d in out):
        raise ProxymetricError(f"`days` must be positive whole numbers of days; got {list(out)!r}")
    return tuple(sorted(set(out)))


def _accrual(
    exp: ResolvedExperiment,
    got: ExperimentData,
    kind: str,
    units_per_day: float | None,
    population: int | None,
    model: Literal["power", "saturating"],
) -> tuple[AccrualModel, str, tuple[int, ...]]:
    observed: tuple[int, ...] = ()
    if got.new_units_per_day is not None:
        observed = tuple(int(u) for u in np.cumsum(got.new_units_per_day))
    if units_per_day is None and population is None:
        units_per_day, population = exp.traffic.units_per_day, exp.traffic.population
    if population is not None:
        return AccrualModel.fixed(float(population)), "population", observed
    if units_per_day is not None:
        linear = AccrualModel("power", float(units_per_day), 1.0, 0, 0.0)
        return linear, "units_per_day", observed
    if not observed:
        what = "summary statistics" if kind == "summary" else "a unit table with no timestamps"
        raise ProxymetricError(
            f"the experiment's data is {what}, so the arrival of units cannot be measured; give "
            "`units_per_day` (--units-per-day) or `population` (--population), or set "
            "`units_per_day` or `population` on the experiment in the spec"
        )
    if len(observed) < 2:
        raise DataError(
            "the data covers only 1 day, too short to fit how units accrue; give "
            "`units_per_day` or `population`"
        )
    basis = "first_events" if kind == "events_first_seen" else "assignments"
    return fit_accrual(observed, model=model), basis, observed


def _cuped_correlation(m: Moments, y: Statistic, x: Statistic | None) -> float:
    """Return corr(Y, X) over the units of ``m`` (delta-method linearised for ratios)."""
    if x is None:
        return math.nan
    gy, gx = y.gradient(m), x.gradient(m)
    # Only the covariances between the columns of Y and X were computed (the others are NaN).
    cols = np.flatnonzero((gy != 0) | (gx != 0))
    cov = m.covariance()[np.ix_(cols, cols)]
    gy, gx = gy[cols], gx[cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        vy, vx, cyx = float(gy @ cov @ gy), float(gx @ cov @ gx), float(gy @ cov @ gx)
        rho = cyx / math.sqrt(vy * vx) if vy > 0 and vx > 0 else math.nan
    return float(np.clip(rho, -1.0, 1.0)) if math.isfinite(rho) else math.nan


def _metric_plan(
    metric: ResolvedMetric,
    base: Moments,
    covariate: Covariate | None,
    accrual: AccrualModel,
    days: tuple[int, ...],
    target_option: tuple[float, str],
    duration: Duration,
    settings: DesignSettings,
    cost_inputs: _CostInputs,
) -> MetricPlan:
    name = metric.name
    y = metric.statistic
    x = covariate.statistic if covariate is not None else None
    est = arm_estimate(base, y)
    baseline, variance = est.mean, est.variance
    if not (math.isfinite(baseline) and math.isfinite(variance)):
        raise DataError(
            f"metric {name!r} is undefined on the data (missing values or a zero denominator); "
            "set `fill_missing` on the metric or check its columns"
        )
    sd = math.sqrt(variance)
    rho = _cuped_correlation(base, y, x)
    reduction = rho * rho if math.isfinite(rho) else 0.0
    kind = metric.type
    if kind == "quantile":  # refused by plan()
        raise ProxymetricError(f"metric {name!r} is a quantile metric, which `plan` cannot size")
    metric_type: MetricType = kind
    margin = metric.margin
    if margin is not None:
        test, alternative = "non-inferiority", "one-sided"
        target = margin.value * abs(baseline) if margin.kind == "relative" else margin.value
        target_source = "margin"
    else:
        test, alternative = "superiority", metric.alternative
        rel, target_source = target_option
        target = rel * abs(baseline)
    target_rel = target / abs(baseline) if baseline != 0 else math.nan
    if metric_type == "proportion" and not 0 < baseline < 1:
        raise DataError(
            f"metric {name!r} is a proportion with baseline {baseline!r}; its rate must be "
            "strictly between 0 and 1 to plan a test"
        )
    if variance <= 0 and metric_type != "proportion":
        raise DataError(f"metric {name!r} has no variance in the data (every unit is the same)")
    sd_arg = None if metric_type == "proportion" else sd
    plain = mde_by_duration(accrual, metric_type, baseline, sd=sd_arg, days=days, settings=settings)
    cuped = mde_by_duration(
        accrual,
        metric_type,
        baseline,
        sd=sd_arg,
        days=days,
        variance_reduction=reduction,
        settings=settings,
    )
    durations = tuple(
        PlanDuration(
            days=p.days,
            total_units=p.total_units,
            units_per_variant=p.units_per_variant,
            mde=p.mde,
            rel_mde=p.rel_mde,
            mde_with_cuped=c.mde,
            rel_mde_with_cuped=c.rel_mde,
        )
        for p, c in zip(plain, cuped, strict=True)
    )

    def metric_plan(feas: FeasibilityResult | None, cost: CostResult | None) -> MetricPlan:
        return MetricPlan(
            metric=name,
            role=metric.role,
            metric_type=metric_type,
            test=test,
            alternative=alternative,
            alpha=metric.alpha,
            baseline=baseline,
            sd=sd,
            units_observed=base.count,
            cuped_correlation=rho,
            variance_reduction=reduction,
            margin=margin.value if margin else math.nan,
            margin_type=margin.kind if margin else "",
            target_mde=target if feas is not None else 0.0,
            target_rel_mde=target_rel if feas is not None else 0.0,
            target_source=target_source,
            durations=durations,
            days_needed=feas.days_needed if feas is not None else math.nan,
            days_needed_with_cuped=feas.days_needed_with_cuped if feas is not None else math.nan,
            proposed_days=feas.proposed_days if feas is not None else math.nan,
            verdict=feas.verdict if feas is not None else "not_feasible",
            feasibility=feas,
            cost=cost,
        )

    if target <= 0:
        return metric_plan(None, None)
    if metric_type == "proportion" and baseline + target >= 1:
        raise ProxymetricError(
            f"the target effect of metric {name!r} ({target:.4g}) puts its rate above 1 "
            f"(baseline {baseline:.4g}); choose a smaller target"
        )
    feas = feasibility(
        accrual,
        metric_type,
        baseline,
        target_mde=target,
        sd=sd_arg,
        cuped_variance_reduction=min(reduction, 1.0 - 1e-12),
        planned_days=duration.days,
        max_days=duration.max_days,
        metric_name=name,
        settings=settings,
        min_days=duration.min_days,
        whole_weeks=duration.whole_weeks,
    )
    cost = None
    value = metric.spec.value_per_unit
    if value is not None and margin is None:
        cost = _cost(
            metric_type,
            baseline,
            sd_arg,
            target,
            reduction,
            accrual,
            duration.days,
            settings,
            value,
            cost_inputs,
        )
    return metric_plan(feas, cost)


def _cost(
    metric_type: MetricType,
    baseline: float,
    sd: float | None,
    target: float,
    reduction: float,
    accrual: AccrualModel,
    planned_days: int,
    settings: DesignSettings,
    value_per_unit: float,
    inputs: _CostInputs,
) -> CostResult:
    """The cost of running the test for ``planned_days`` (effects in the better direction)."""
    total = math.floor(float(accrual.predict(planned_days)) + 1e-9)
    share = 1.0 + (settings.variants - 1) * settings.treatment_ratio
    control_units = total / share
    treatment_units = total - control_units
    effect = target if inputs.prior_rel_effect is None else inputs.prior_rel_effect * abs(baseline)
    effect_sd = inputs.prior_rel_effect_sd * abs(baseline)
    daily = total / planned_days / inputs.traffic_share
    outside = daily * (1.0 - inputs.traffic_share)
    se: float | None = None
    if inputs.horizon_days > 0 and control_units >= 2 and treatment_units >= 2:
        try:
            se = power_analysis(
                metric_type,
                baseline,
                sd=sd,
                total_units=total,
                mde=target,
                **settings.test_arguments(),
                variance_reduction=min(reduction, 1.0 - 1e-12),
            ).effect_se
        except ProxymetricError:
            se = None
    cost = cost_of_testing(
        effect=effect,
        value_per_unit=abs(value_per_unit),
        control_units=control_units,
        treatment_units=treatment_units,
        effect_sd=effect_sd,
        days=float(planned_days),
        daily_units_outside_test=outside,
        horizon_units=daily * inputs.horizon_days if se is not None else 0.0,
        standard_error=se,
    )
    if se is None:
        head = cost.message.split("; give", 1)[0]
        cost = dataclasses.replace(
            cost,
            message=f"{head}; give `horizon_days` (--horizon-days) to weigh it against the "
            "value of the test's information",
        )
    elif effect_sd == 0:
        cost = dataclasses.replace(
            cost,
            message=f"{cost.message} (a point guess of the effect leaves nothing to learn; give "
            "`prior_rel_effect_sd` (--prior-effect-sd) for the value of the information)",
        )
    return cost
