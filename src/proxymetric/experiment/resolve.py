"""``resolve(spec, experiment)``: an experiment of a spec as a :class:`ResolvedExperiment`.

This is the one place that decides what an experiment means: which data shape it reads, each
metric as a function of per-unit columns and its CUPED covariate, fill values (and their
conflicts), margins, the declared traffic, duration and split, and the level at which each
metric is tested.

Levels: every metric has its own level (its ``alpha``, else the experiment's) and, for a
success metric, its ``alternative`` (two-sided, or one-sided in the metric's direction). The
analysis corrects the success metrics (primary and secondary) within the declared ``family``
(Holm by default): ``both`` (every metric of every treatment, the default), ``metrics`` (the
metrics of each treatment), ``treatments`` (the treatments of each metric) or ``none``. A success
metric is planned at the level of the first step of Holm's procedure, ``level / family size``
(also the first step of Benjamini-Hochberg; ``correction: none`` or ``family: none`` plan at
``level``): a conservative plan. Guardrails are not corrected: one-sided non-inferiority tests at
their level. Pooled treatment arms (``combine``) count as one treatment.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from proxymetric._validation import check_name
from proxymetric.errors import ProxymetricError
from proxymetric.experiment.model import (
    ROWS,
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
    combine = _combine(spec, name, exp)
    _check_holdout(spec, name, exp)
    treatments = _planned_arms(exp, combine) - 1
    successes = sum(1 for _, role in roles if role != "guardrail")
    family_size = {"both": successes * treatments, "metrics": successes, "treatments": treatments}
    size = 1 if exp.correction == "none" else family_size.get(exp.family, 1)
    margins = {g.metric: Margin(g.margin, g.margin_type) for g in exp.guardrails}
    fills = _fills(spec, name, exp) if shape == "units" else {}
    metrics = tuple(
        _metric(
            spec,
            name,
            metric,
            role,  # type: ignore[arg-type]
            shape,
            margins.get(metric),
            fills,
            exp.alpha,
            1 if role == "guardrail" else size,
        )
        for metric, role in roles
    )
    span = _span(spec, name, exp, shape, metrics)
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
        family=exp.family,
        combine=combine,
        holdout=exp.holdout,
        bayesian=exp.bayesian,
        span_days=span,
    )


def _span(
    spec: Spec, name: str, exp: ExperimentSpec, shape: Shape, metrics: tuple[ResolvedMetric, ...]
) -> float | None:
    """How long after assignment the data follows each unit: the analysis window of event
    logs, else the declared test duration; an error when a metric needs it and neither is
    declared."""
    if shape == "events" and exp.window_days is not None:
        return float(exp.window_days)
    if spec.duration is not None:
        return float(spec.duration.days)
    needs = [m.name for m in metrics if m.maturity_days is not None]
    if needs:
        raise spec.error(
            f"metric {needs[0]!r} declares `maturity_days`, but experiment {name!r} does not "
            "say how long the data follows each unit; declare the test's `duration.days` "
            "(or `window_days` for event logs)",
            ("metrics", needs[0], "maturity_days"),
        )
    return None


def _planned_arms(exp: ExperimentSpec, combine: Mapping[str, tuple[str, ...]] | None) -> int:
    declared = exp.variants if exp.variants is not None else exp.split
    if declared is None:
        return 2
    pooled = sum(len(g) for g in combine.values()) if combine else 0
    arms = len(declared) - pooled + (len(combine) if combine else 0)
    return max(arms, 2)


def _combine(spec: Spec, name: str, exp: ExperimentSpec) -> dict[str, tuple[str, ...]] | None:
    """The pooled arms of ``combine``, checked against the declared variants."""
    if not exp.combine:
        return None
    where = ("experiments", name, "combine")
    declared = list(exp.variants or exp.split or [])
    if not declared:
        raise spec.error(
            f"`combine` of experiment {name!r} pools declared variants; declare them with "
            "`variants` or `split`",
            where,
        )
    seen: dict[str, str] = {}
    for arm, group in exp.combine.items():
        if arm in declared:
            raise spec.error(
                f"`combine` arm {arm!r} of experiment {name!r} has the name of a declared "
                f"variant; name the pooled arm differently (declared: {', '.join(declared)})",
                (*where, arm),
            )
        if len(group) < 2:
            raise spec.error(
                f"`combine` arm {arm!r} of experiment {name!r} pools {len(group)} variant(s); "
                f"it needs at least 2; got {group!r}",
                (*where, arm),
            )
        for v in group:
            if v == exp.control:
                raise spec.error(
                    f"`combine` arm {arm!r} of experiment {name!r} includes the control "
                    f"{v!r}; only treatments can be pooled",
                    (*where, arm),
                )
            if v not in declared:
                raise spec.error(
                    f"`combine` arm {arm!r} of experiment {name!r} names variant {v!r}, which "
                    f"is not declared; declared variants: {', '.join(declared)}",
                    (*where, arm),
                )
            if v in seen:
                raise spec.error(
                    f"variant {v!r} is pooled into both {seen[v]!r} and {arm!r} in experiment "
                    f"{name!r}; pool each variant once",
                    (*where, arm),
                )
            seen[v] = arm
    return {arm: tuple(group) for arm, group in exp.combine.items()}


# The held-out share of a long-running holdout: between 1% and 10% of the traffic.
HOLDOUT_SHARE = (0.01, 0.10)


def _check_holdout(spec: Spec, name: str, exp: ExperimentSpec) -> None:
    if not exp.holdout:
        return
    where = ("experiments", name, "holdout")
    if exp.split is None or exp.control not in exp.split:
        raise spec.error(
            f"holdout experiment {name!r} needs a `split` with its control {exp.control!r} (the "
            "held-out share, for example {holdout: 0.05, shipped: 0.95})",
            where,
        )
    share = exp.split[exp.control] / sum(exp.split.values())
    low, high = HOLDOUT_SHARE
    if not low - 1e-12 <= share <= high + 1e-12:
        raise spec.error(
            f"holdout experiment {name!r} holds out {share:.3g} of the traffic in "
            f"{exp.control!r}; a holdout holds out between {low:g} and {high:g} (set "
            "`holdout: false` for an ordinary experiment)",
            ("experiments", name, "split"),
        )


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
        pre = metric.uses_pre_period and metric.type != "quantile"  # a quantile has no CUPED
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
    experiment: str,
    name: str,
    role: Role,
    shape: Shape,
    margin: Margin | None,
    fills: Mapping[str, float],
    experiment_alpha: float,
    family_size: int,
) -> ResolvedMetric:
    metric = spec.metrics[name]
    if role == "guardrail" and metric.alternative not in (None, "two-sided"):
        raise spec.error(
            f"metric {name!r} is a guardrail of experiment {experiment!r}, tested for "
            f"non-inferiority (one-sided by nature); its `alternative` "
            f"{metric.alternative!r} applies to success metrics only; remove it or use "
            "'two-sided'",
            ("metrics", name, "alternative"),
        )
    level = metric.alpha if metric.alpha is not None else experiment_alpha
    alternative = metric.alternative or "two-sided"
    y, x = _statistics(name, metric, shape)
    fill = {c: fills[c] for c in metric.columns if c in fills}
    cap = _cap(spec, name, metric, shape)
    if cap is not None:
        y = Statistic(cap.capped)
    clustered = shape == "units" and spec.sources[metric.source].analysis_unit is not None
    if metric.type == "quantile":
        _check_quantile(spec, name, metric, shape)
    if clustered:
        if cap is not None:
            raise spec.error(
                f"`cap` of metric {name!r} caps one value per unit, but its source "
                f"{metric.source!r} has several rows per unit (`analysis_unit`); remove the "
                "cap or cap a per-unit column",
                ("metrics", name, "cap"),
            )
        y = _per_analysis_unit(y)
        if x is not None:
            x = Covariate(x.kind, _per_analysis_unit(x.statistic))
    return ResolvedMetric(
        name=name,
        role=role,
        spec=metric,
        statistic=y,
        covariate=x,
        margin=margin,
        fill=fill,
        summary_key="" if metric.summary_metric is None else str(metric.summary_metric),
        alpha=level / family_size,
        one_sided=role == "guardrail" or alternative != "two-sided",
        level=level,
        alternative=alternative,
        family_size=family_size,
        maturity_days=metric.maturity_days,
        cap=cap,
        clustered=clustered,
        quantile=metric.q,
    )


def _check_quantile(spec: Spec, name: str, metric: MetricSpec, shape: Shape) -> None:
    """A quantile metric reads values of rows: of a unit table (one per unit, or several per
    randomization unit with `analysis_unit`) or of an event log (its events, or each unit's
    aggregate); summary statistics carry no quantiles."""
    if shape == "summary":
        raise spec.error(
            f"quantile metric {name!r} needs the values of a unit table or an event log, but "
            f"it reads summary statistics ({metric.source!r}), which carry no quantiles; use a "
            "mean metric",
            ("metrics", name, "type"),
        )


def _per_analysis_unit(statistic: Statistic) -> Statistic:
    """A statistic of analysis-unit rows as a function of per-randomization-unit sums.

    A mean over analysis units is the ratio of the units' sums to their row counts
    (:data:`ROWS`); a ratio of sums stays that ratio, of the units' sums.
    """
    if statistic.denominator is not None:
        return statistic
    return Statistic(statistic.numerator, ROWS)


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
