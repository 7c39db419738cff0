"""``plan(spec, experiment)``: sensitivity, duration, feasibility and cost from the test's own data.

The data layer reads the experiment's sources in ONE query (:mod:`proxymetric.data.planning`):
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
from proxymetric.analysis.metrics import (
    assignment_request,
    column_groups,
    event_aggregates,
    experiment_kind,
    experiment_name,
    metric_statistics,
)
from proxymetric.data import AssignmentRequest, SourceResolver, summary_moments
from proxymetric.data.planning import (
    PlanningMoments,
    event_planning_moments,
    unit_planning_moments,
)
from proxymetric.design.accrual import AccrualModel, DesignSettings, fit_accrual, mde_by_duration
from proxymetric.design.cost import CostResult, cost_of_testing
from proxymetric.design.feasibility import feasibility
from proxymetric.design.power import MetricType, power_analysis
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.spec import ExperimentSpec, MetricSpec, Spec, load_spec
from proxymetric.stats.estimators import Statistic, arm_estimate
from proxymetric.stats.moments import Moments

__all__ = ["MetricPlan", "PlanDuration", "PlanResult", "plan"]


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
    ``target_mde`` is the effect the test should detect (the margin for a guardrail);
    ``days_needed``/``days_needed_with_cuped`` the days to detect it (``nan``/``null`` when the
    audience never grows that large). ``verdict``, ``message`` and ``suggestions`` come from
    :func:`~proxymetric.design.feasibility`; ``cost`` is set when the metric has a
    ``value_per_unit``.
    """

    metric: str
    role: str
    metric_type: str
    test: str
    alternative: str
    baseline: float
    sd: float
    units_observed: int
    cuped_correlation: float
    variance_reduction: float
    margin: float
    margin_type: str
    target_mde: float
    target_rel_mde: float
    durations: tuple[PlanDuration, ...]
    days_needed: float
    days_needed_with_cuped: float
    verdict: str
    message: str
    suggestions: tuple[str, ...]
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
    accrual: AccrualModel
    accrual_basis: str
    observed_first_day: str
    observed_cumulative_units: tuple[int, ...]
    metrics: tuple[MetricPlan, ...]
    warnings: tuple[str, ...]


def plan(
    spec: str | Path | Mapping[str, Any] | Spec,
    experiment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    days: Sequence[int] = (7, 14, 21, 28),
    target_rel_mde: float = 0.02,
    power: float = 0.8,
    planned_days: int = 14,
    max_days: int = 56,
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
        spec: a path to ``proxymetric.yaml``, a mapping of the same content, or a ``Spec``.
        experiment: the experiment to plan; optional when the spec has exactly one.
        data: in-memory tables by source or table name, as for :func:`~proxymetric.analyze`.
        days: the durations (whole days) at which to report every metric's MDE.
        target_rel_mde: the relative effect primary and secondary metrics should detect
            (``0.02`` for 2%); guardrails use their margins.
        power: the planned power.
        planned_days, max_days: the intended duration and the longest acceptable one, for the
            feasibility verdict.
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
    spec = load_spec(spec)
    name = experiment_name(spec, experiment)
    exp = spec.experiments[name]
    days = _check_days(days)
    check_number("target_rel_mde", target_rel_mde, low=0)
    check_number("power", power, low=0, high=1)
    check_number("traffic_share", traffic_share, low=0, high=1, high_inclusive=True)
    check_number("horizon_days", horizon_days, low=0, low_inclusive=True)
    check_number("prior_rel_effect_sd", prior_rel_effect_sd, low=0, low_inclusive=True)
    if prior_rel_effect is not None:
        check_number("prior_rel_effect", prior_rel_effect)
    check_choice("accrual_model", accrual_model, ("power", "saturating"))
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

    resolver = SourceResolver(spec.base_dir, data)
    kind, pm = _read(spec, exp, resolver, from_events=from_events)
    warnings: list[str] = []
    variants = tuple(sorted(pm.moments))
    if exp.control in pm.moments:
        base = pm.moments[exp.control]
        estimated_from = f"control variant {exp.control!r}"
    else:
        base = Moments.empty(next(iter(pm.moments.values())).columns)
        for m in pm.moments.values():
            base = base.merge(m)
        estimated_from = (
            "every unit (no assignment yet)"
            if kind == "events_first_seen"
            else f"every unit (the data has no control variant {exp.control!r})"
        )
        if kind != "events_first_seen":
            warnings.append(
                f"control variant {exp.control!r} is not in the data (variants: "
                f"{', '.join(variants)}); baselines are estimated on every unit"
            )
    if base.count < 2:
        raise DataError(
            f"experiment {name!r} has {base.count} unit(s) in {estimated_from}; a plan needs "
            "at least 2 to estimate variances"
        )

    accrual, basis, observed = _accrual(exp, pm, kind, units_per_day, population, accrual_model)
    n_variants = _variant_count(exp, variants, kind)
    ratio = _treatment_ratio(exp)
    settings = DesignSettings(
        alpha=exp.alpha, power=power, variants=n_variants, treatment_ratio=ratio
    )
    margins = {g.metric: (g.margin, g.margin_type) for g in exp.guardrails}
    plans = []
    for metric_name, role in exp.metric_roles():
        metric = spec.metrics[metric_name]
        stat_kind = "events" if kind.startswith("events") else kind
        y, x = metric_statistics(metric_name, metric, stat_kind)
        if kind == "events_first_seen" or x is None or base.count < 3:
            x = None
        plans.append(
            _metric_plan(
                metric_name,
                role,
                metric,
                base,
                y,
                x,
                margins.get(metric_name),
                accrual,
                days,
                target_rel_mde,
                planned_days,
                max_days,
                settings,
                _CostInputs(prior_rel_effect, prior_rel_effect_sd, traffic_share, horizon_days),
                success_metrics=1 + len(exp.secondary),
                correction=exp.correction,
            )
        )
    return PlanResult(
        experiment=name,
        control=exp.control,
        variants=variants,
        planned_variants=n_variants,
        data_kind=kind,
        estimated_from=estimated_from,
        alpha=exp.alpha,
        success_alpha=(
            exp.alpha / (1 + len(exp.secondary)) if exp.correction != "none" else exp.alpha
        ),
        power=power,
        treatment_ratio=ratio,
        planned_days=planned_days,
        max_days=max_days,
        accrual=accrual,
        accrual_basis=basis,
        observed_first_day=pm.first_day or "",
        observed_cumulative_units=observed,
        metrics=tuple(plans),
        warnings=tuple(warnings),
    )


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


def _read(
    spec: Spec, exp: ExperimentSpec, resolver: SourceResolver, *, from_events: bool
) -> tuple[str, PlanningMoments]:
    """Run the one query of the plan; return the data kind and what it read."""
    primary_source = spec.metrics[exp.primary].source
    if from_events:
        if spec.sources[primary_source].kind != "events":
            raise ProxymetricError(
                f"`from_events` plans from an event log, but the primary metric {exp.primary!r} "
                f"reads source {primary_source!r}, which is not an event log"
            )
        # The exposure filter applies to assignments, which do not exist yet.
        request = AssignmentRequest(
            source=primary_source,
            window_days=exp.window_days,
            pre_period_days=exp.pre_period_days,
        )
        aggregates = event_aggregates(spec, exp)
        groups = column_groups(spec, exp, "events")
        pm = event_planning_moments(
            resolver, spec.sources, request, aggregates, groups, first_event_source=primary_source
        )
        return "events_first_seen", pm
    kind = experiment_kind(spec, exp)
    if kind == "events":
        request = assignment_request(exp)
        return kind, event_planning_moments(
            resolver,
            spec.sources,
            request,
            event_aggregates(spec, exp),
            column_groups(spec, exp, kind),
        )
    if kind == "summary":
        keys = {
            m: "" if spec.metrics[m].summary_metric is None else str(spec.metrics[m].summary_metric)
            for m, _ in exp.metric_roles()
        }
        vm = summary_moments(
            resolver, primary_source, spec.sources[primary_source], keys, exp.control
        )
        return kind, PlanningMoments(vm.moments)
    source = spec.sources[primary_source]
    columns = list(dict.fromkeys(c for m, _ in exp.metric_roles() for c in spec.metrics[m].columns))
    fill = {
        c: float(spec.metrics[m].fill_missing)  # type: ignore[arg-type]
        for m, _ in exp.metric_roles()
        if spec.metrics[m].fill_missing is not None
        for c in spec.metrics[m].columns
    }
    groups = column_groups(spec, exp, kind)
    pm = unit_planning_moments(resolver, primary_source, source, columns, fill=fill, groups=groups)
    return kind, pm


def _accrual(
    exp: ExperimentSpec,
    pm: PlanningMoments,
    kind: str,
    units_per_day: float | None,
    population: int | None,
    model: Literal["power", "saturating"],
) -> tuple[AccrualModel, str, tuple[int, ...]]:
    observed: tuple[int, ...] = ()
    if pm.new_units_per_day is not None:
        observed = tuple(int(u) for u in np.cumsum(pm.new_units_per_day))
    if units_per_day is None and population is None:
        units_per_day, population = exp.units_per_day, exp.population
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


def _variant_count(exp: ExperimentSpec, variants: tuple[str, ...], kind: str) -> int:
    if exp.variants is not None:
        return max(len(exp.variants), 2)
    if exp.split is not None:
        return max(len(exp.split), 2)
    if kind == "events_first_seen":
        return 2
    return max(len(variants), 2)


def _treatment_ratio(exp: ExperimentSpec) -> float:
    """Units of each treatment per control unit, from the split (1 without one)."""
    if exp.split is None or exp.control not in exp.split:
        return 1.0
    others = [w for v, w in exp.split.items() if v != exp.control]
    if not others or exp.split[exp.control] <= 0:
        return 1.0
    return float(np.mean(others) / exp.split[exp.control])


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
    name: str,
    role: str,
    metric: MetricSpec,
    base: Moments,
    y: Statistic,
    x: Statistic | None,
    margin: tuple[float, str] | None,
    accrual: AccrualModel,
    days: tuple[int, ...],
    target_rel_mde: float,
    planned_days: int,
    max_days: int,
    settings: DesignSettings,
    cost_inputs: _CostInputs,
    success_metrics: int = 1,
    correction: str = "holm",
) -> MetricPlan:
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
    metric_type: MetricType = metric.type
    guardrail = margin is not None
    if guardrail:
        assert margin is not None
        test, alternative = "non-inferiority", "one-sided"
        settings = dataclasses.replace(settings, one_sided=True)
        target = margin[0] * abs(baseline) if margin[1] == "relative" else margin[0]
    else:
        test, alternative = "superiority", "two-sided"
        target = target_rel_mde * abs(baseline)
        if success_metrics > 1 and correction != "none":
            # The analysis corrects the success metrics as one family; plan at the level of
            # the first step of Holm (and of Benjamini-Hochberg): alpha / number of metrics.
            settings = dataclasses.replace(settings, alpha=settings.alpha / success_metrics)
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

    def metric_plan(**outcome: Any) -> MetricPlan:
        return MetricPlan(
            metric=name,
            role=role,
            metric_type=metric_type,
            test=test,
            alternative=alternative,
            baseline=baseline,
            sd=sd,
            units_observed=base.count,
            cuped_correlation=rho,
            variance_reduction=reduction,
            margin=margin[0] if margin else math.nan,
            margin_type=margin[1] if margin else "",
            durations=durations,
            **outcome,
        )

    if target <= 0:
        return metric_plan(
            target_mde=0.0,
            target_rel_mde=0.0,
            days_needed=math.nan,
            days_needed_with_cuped=math.nan,
            verdict="not_feasible",
            message=(
                "not feasible: a non-inferiority margin of 0 cannot be shown at any sample "
                "size; set a margin (the largest harm that is acceptable)"
                if guardrail
                else "not feasible: the target effect is 0; set a target relative MDE above 0"
            ),
            suggestions=(),
            cost=None,
        )
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
        planned_days=planned_days,
        max_days=max_days,
        metric_name=name,
        settings=settings,
    )
    cost = None
    if metric.value_per_unit is not None and not guardrail:
        cost = _cost(
            metric_type,
            baseline,
            sd_arg,
            target,
            reduction,
            accrual,
            planned_days,
            settings,
            metric.value_per_unit,
            cost_inputs,
        )
    return metric_plan(
        target_mde=target,
        target_rel_mde=target_rel,
        days_needed=feas.days_needed,
        days_needed_with_cuped=feas.days_needed_with_cuped,
        verdict=feas.verdict,
        message=feas.message,
        suggestions=feas.suggestions,
        cost=cost,
    )


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
            ).standard_error
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
