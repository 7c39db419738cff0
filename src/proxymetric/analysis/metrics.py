"""How an experiment's metrics map to data: the shared vocabulary of analysis and planning.

Which kind of data an experiment reads (a unit table, assignment and event logs, summary
statistics), each metric as a function of per-unit columns (and its CUPED covariate), the
per-unit aggregates an event-level experiment needs, the covariances its statistics use, and
the names of its experiment and variants. :mod:`proxymetric.analysis.analyze`,
:mod:`proxymetric.analysis.sequential` and :mod:`proxymetric.design.plan` all use these, so a
metric means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from proxymetric._validation import check_name
from proxymetric.data import AssignmentRequest, EventAggregate
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.spec import ExperimentSpec, MetricSpec, Spec
from proxymetric.stats import Statistic
from proxymetric.stats.moments import Moments

__all__ = [
    "assignment_request",
    "column_groups",
    "event_aggregates",
    "experiment_kind",
    "experiment_name",
    "experiment_variants",
    "metric_statistics",
]


def experiment_kind(spec: Spec, exp: ExperimentSpec) -> str:
    """``events`` (assignment and event logs), ``summary`` or ``units`` (a unit table)."""
    if exp.assignment is not None:
        return "events"
    return (
        "summary" if spec.sources[spec.metrics[exp.primary].source].kind == "summary" else "units"
    )


def metric_statistics(
    name: str, metric: MetricSpec, kind: str
) -> tuple[Statistic, Statistic | None]:
    """The metric and its CUPED covariate as functions of the per-unit columns."""
    if kind == "summary":
        return Statistic(name), None
    if kind == "events":
        pre = metric.uses_pre_period
        if metric.type == "ratio":
            y = Statistic(f"{name}__num", f"{name}__den")
            return y, Statistic(f"{name}__num__pre", f"{name}__den__pre") if pre else None
        return Statistic(name), Statistic(f"{name}__pre") if pre else None
    if metric.type == "ratio":
        assert isinstance(metric.numerator, str)
        assert isinstance(metric.denominator, str)
        y = Statistic(metric.numerator, metric.denominator)
        x = None
        if metric.numerator_covariate is not None:
            x = Statistic(metric.numerator_covariate, metric.denominator_covariate)
        return y, x
    assert metric.column is not None
    return Statistic(metric.column), (
        Statistic(metric.covariate) if metric.covariate is not None else None
    )


def event_aggregates(spec: Spec, exp: ExperimentSpec) -> dict[str, EventAggregate]:
    """The per-unit aggregates every event metric of ``exp`` needs, by column name."""
    out: dict[str, EventAggregate] = {}
    for name, _ in exp.metric_roles():
        metric = spec.metrics[name]
        value, den = metric.event_values()
        parts = [("", value)] if den is None else [("__num", value), ("__den", den)]
        periods = [("", "analysis")] + ([("__pre", "pre")] if metric.uses_pre_period else [])
        for suffix, v in parts:
            for period_suffix, period in periods:
                out[f"{name}{suffix}{period_suffix}"] = EventAggregate(
                    source=metric.source,
                    aggregate=v.aggregate,
                    column=v.column,
                    filter=v.filter,
                    period=period,  # type: ignore[arg-type]
                    owner=f"metric {name!r}",
                )
    return out


def experiment_variants(
    name: str, exp: ExperimentSpec, moments: Mapping[str, Moments]
) -> list[str]:
    """Return the variants to analyse, control first; raise when one has no units."""
    found = sorted(moments)
    if exp.variants is not None:
        empty = [v for v in exp.variants if moments.get(v) is None or moments[v].count == 0]
        if empty:
            raise DataError(
                f"variant(s) {', '.join(map(repr, empty))} of experiment {name!r} have no units; "
                f"variants in the data: {', '.join(found) or '(none)'}"
            )
        return list(exp.variants)
    if exp.control not in moments:
        raise DataError(
            f"control variant {exp.control!r} of experiment {name!r} has no units; variants in "
            f"the data: {', '.join(found) or '(none)'}"
        )
    if len(found) < 2:
        raise DataError(
            f"experiment {name!r} needs a control and at least one treatment; the data has only "
            f"{', '.join(found)}"
        )
    if exp.split is not None and set(exp.split) != set(found):
        raise DataError(
            f"`split` of experiment {name!r} names {', '.join(sorted(exp.split))}, but the data "
            f"has variants {', '.join(found)}; list the variants to analyse in `variants`"
        )
    return [exp.control] + [v for v in found if v != exp.control]


def column_groups(spec: Spec, exp: ExperimentSpec, kind: str) -> list[list[str]]:
    """The columns of each metric (and its covariate): the covariances the statistics need."""
    groups = []
    for name, _ in exp.metric_roles():
        y, x = metric_statistics(name, spec.metrics[name], kind)
        groups.append(list(y.columns + (x.columns if x is not None else ())))
    return groups


def experiment_name(spec: Spec, experiment: str | None) -> str:
    """Return the experiment to analyse: the one named, or the spec's only one."""
    if experiment is None:
        if len(spec.experiments) != 1:
            names = ", ".join(sorted(spec.experiments)) or "(none)"
            raise ProxymetricError(
                f"the spec defines {len(spec.experiments)} experiments; choose one with "
                f"`experiment`: {names}"
            )
        return next(iter(spec.experiments))
    return check_name("experiment", experiment, spec.experiments, "experiments")


def assignment_request(exp: ExperimentSpec) -> AssignmentRequest:
    """The assignment log of an event-level experiment, with its windows and exposure filter."""
    assert exp.assignment is not None
    return AssignmentRequest(
        source=exp.assignment,
        window_days=exp.window_days,
        pre_period_days=exp.pre_period_days,
        exposure_filter=exp.exposure_filter,
    )
