"""``resolve(spec, experiment)``: an experiment of a spec as a :class:`ResolvedExperiment`.

This is the one place that decides what an experiment means: which data shape it reads, each
metric as a function of per-unit columns and its CUPED covariate, fill values (and their
conflicts), margins, the declared traffic, duration and split, and the level at which each
metric is tested.

Levels: the analysis corrects the success metrics (primary and secondary, every treatment) as
one family (Holm by default), so a success metric is planned at the level of the first step of
Holm's procedure, ``alpha / (success metrics x treatments)`` (also the first step of
Benjamini-Hochberg; ``correction: none`` plans at ``alpha``): a conservative plan. Guardrails are
not corrected: one-sided non-inferiority tests at ``alpha``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from proxymetric._validation import check_name
from proxymetric.errors import ProxymetricError
from proxymetric.experiment.model import (
    Cap,
    Covariate,
    Duration,
    Margin,
    ResolvedExperiment,
    ResolvedMetric,
    Role,
    Shape,
    Traffic,
)
from proxymetric.spec import ExperimentSpec, MetricSpec, Spec, load_spec
from proxymetric.spec.model import DurationSpec, cap_quantile
from proxymetric.stats.estimators import Statistic

__all__ = ["experiment_name", "resolve"]


def experiment_name(spec: Spec, experiment: str | None) -> str:
    """Return the experiment to use: the one named, or the spec's only one."""
    if experiment is None:
        if len(spec.experiments) != 1:
            names = ", ".join(sorted(spec.experiments)) or "(none)"
            raise ProxymetricError(
                f"the spec defines {len(spec.experiments)} experiments; choose one with "
                f"`experiment`: {names}"
            )
        return next(iter(spec.experiments))
    return check_name("experiment", experiment, spec.experiments, "experiments")


def resolve(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
) -> ResolvedExperiment:
    """Return the :class:`ResolvedExperiment` of ``experiment`` (the spec's only one by default).

    ``spec`` is a path to ``proxymetric.yaml``, a mapping of the same content, a ``Spec``, or an
    experiment resolved already (returned as it is). Raises a :class:`SpecError` for an
    experiment whose metrics contradict each other (for example two metrics reading one column
    with different ``fill_missing`` values).
    """
    if isinstance(spec, ResolvedExperiment):
        if experiment is not None and experiment != spec.name:
            raise ProxymetricError(
                f"`experiment` {experiment!r} differs from the resolved experiment {spec.name!r}"
            )
        return spec
    spec = load_spec(spec)
    name = experiment_name(spec, experiment)
    exp = spec.experiments[name]
    source = spec.metrics[exp.primary].source
    shape: Shape
    if exp.assignment is not None:
        shape = "events"
    elif spec.sources[source].kind == "summary":
        shape = "summary"
    else:
        shape = "units"
    roles = exp.metric_roles()
    treatments = _planned_arms(exp) - 1
    successes = sum(1 for _, role in roles if role != "guardrail")
    success_alpha = exp.alpha if exp.correction == "none" else exp.alpha / (successes * treatments)
    margins = {g.metric: Margin(g.margin, g.margin_type) for g in exp.guardrails}
    fills = _fills(spec, name, exp) if shape == "units" else {}
    metrics = tuple(
        _metric(
            spec,
            metric,
            role,  # type: ignore[arg-type]
            shape,
            margins.get(metric),
            fills,
            exp.alpha if role == "guardrail" else success_alpha,
        )
        for metric, role in roles
    )
    d = spec.duration or DurationSpec()
    return ResolvedExperiment(
        name=name,
        spec=spec,
        shape=shape,
        source=source,
        control=exp.control,
        variants=tuple(exp.variants) if exp.variants is not None else None,
        split=dict(exp.split) if exp.split is not None else None,
        alpha=exp.alpha,
        correction=exp.correction,
        guardrail_rule=exp.guardrail_rule,
        traffic=Traffic(exp.units_per_day, exp.population, exp.planned_units),
        duration=Duration(d.days, d.max_days, d.min_days, d.whole_weeks),
        metrics=metrics,
    )


def _planned_arms(exp: ExperimentSpec) -> int:
    if exp.variants is not None:
        return max(len(exp.variants), 2)
    return max(len(exp.split), 2) if exp.split is not None else 2


def _fills(spec: Spec, name: str, exp: ExperimentSpec) -> dict[str, float]:
    """The fill value of every column of a unit table; conflicting values are an error."""
    fill: dict[str, float] = {}
    owner: dict[str, str] = {}
    for metric_name, _ in exp.metric_roles():
        metric = spec.metrics[metric_name]
        if metric.fill_missing is None:
            continue
        for c in metric.columns:
            if fill.get(c, metric.fill_missing) != metric.fill_missing:
                raise spec.error(
                    f"column {c!r} is read by metrics {owner[c]!r} and {metric_name!r} of "
                    f"experiment {name!r} with different `fill_missing` values "
                    f"({fill[c]!r} and {metric.fill_missing!r}); give them the same value",
                    ("metrics", metric_name, "fill_missing"),
                )
            fill[c] = float(metric.fill_missing)
            owner.setdefault(c, metric_name)
    return fill


def _statistics(name: str, metric: MetricSpec, shape: Shape) -> tuple[Statistic, Covariate | None]:
    """The metric and its CUPED covariate as functions of the per-unit columns."""
    if shape == "summary":
        return Statistic(name), None
    if shape == "events":
        pre = metric.uses_pre_period
        if metric.type == "ratio":
            y = Statistic(f"{name}__num", f"{name}__den")
            x = Statistic(f"{name}__num__pre", f"{name}__den__pre")
        else:
            y, x = Statistic(name), Statistic(f"{name}__pre")
        return y, Covariate("pre_period", x) if pre else None
    if metric.type == "ratio":
        assert isinstance(metric.numerator, str)
        assert isinstance(metric.denominator, str)
        y = Statistic(metric.numerator, metric.denominator)
        if metric.numerator_covariate is None:
            return y, None
        x = Statistic(metric.numerator_covariate, metric.denominator_covariate)
        return y, Covariate("column", x)
    assert metric.column is not None
    if metric.covariate is None:
        return Statistic(metric.column), None
    return Statistic(metric.column), Covariate("column", Statistic(metric.covariate))


def _metric(
    spec: Spec,
    name: str,
    role: Role,
    shape: Shape,
    margin: Margin | None,
    fills: Mapping[str, float],
    alpha: float,
) -> ResolvedMetric:
    metric = spec.metrics[name]
    y, x = _statistics(name, metric, shape)
    fill = {c: fills[c] for c in metric.columns if c in fills}
    cap = _cap(spec, name, metric, shape)
    if cap is not None:
        y = Statistic(cap.capped)
    return ResolvedMetric(
        name=name,
        role=role,
        spec=metric,
        statistic=y,
        covariate=x,
        margin=margin,
        fill=fill,
        summary_key="" if metric.summary_metric is None else str(metric.summary_metric),
        alpha=alpha,
        one_sided=role == "guardrail",
        cap=cap,
    )


def _cap(spec: Spec, name: str, metric: MetricSpec, shape: Shape) -> Cap | None:
    """The cap of a metric (checked by the spec: a mean metric, a number or a percentile)."""
    if metric.cap is None:
        return None
    if shape != "units":
        raise spec.error(
            f"`cap` of metric {name!r} caps a column of a unit table, but the metric reads "
            f"{'an event log' if shape == 'events' else 'summary statistics'}",
            ("metrics", name, "cap"),
        )
    assert metric.column is not None
    quantile = cap_quantile(metric.cap) if isinstance(metric.cap, str) else None
    value = float(metric.cap) if not isinstance(metric.cap, str) else None
    return Cap(metric.column, f"{name}__capped", f"{name}__over", value, quantile)
