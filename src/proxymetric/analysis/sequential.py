"""``analyze_sequential``: every look at a running test, with always-valid results.

A look is the end of a day since the first assignment (event logs: one query returns per-day,
per-variant moments, accumulated with :meth:`Moments.merge`; see
:mod:`proxymetric.data.sequential`) or a snapshot of a summary source with a ``snapshot``
column (the ASOS data set). At every look and for every metric and treatment the report gives
the mSPRT always-valid p-value and confidence sequence (Johari, Koomen, Pekelis, Walsh,
"Peeking at A/B tests", KDD 2017; Howard et al., Annals of Statistics 2021) and the
O'Brien-Fleming-type group-sequential boundary (Lan and DeMets, Biometrika 1983), computed by
:func:`proxymetric.stats.sequential.sequential_test`, and says whether the test could stop and
why.

Conventions:

- the primary metric is the stopping rule; the other metrics are shown at the same ``alpha``,
  each on its own (no multiplicity correction), and guardrails are tested for a difference,
  not for non-inferiority;
- effects are differences of the arm estimates (ratio metrics by the delta method, Deng,
  Knoblich, Lu, KDD 2018), CUPED-adjusted when the metric has a covariate, with theta
  re-estimated at each look from the units so far (both arms pooled), as in the fixed-horizon
  analysis; the adjusted estimate at the last look is the fixed-horizon one. A theta estimated
  from the data makes the guarantee asymptotic, as the variance estimate already does;
- the mixing variance is tuned (:func:`~proxymetric.stats.sequential.tuned_mixing_variance`) to
  the variance of the effect expected at the experiment's ``planned_units`` when it is set
  (extrapolated from the last look as ``1 / n``), else at the last look; pass
  ``mixing_variance`` to fix it before the test starts;
- the group-sequential boundaries use the information fraction ``units / planned_units``, or,
  without ``planned_units``, the units at the last look as the planned sample (a retrospective
  reading of a finished test).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from proxymetric._result import Result
from proxymetric.analysis.metrics import (
    assignment_request,
    column_groups,
    event_aggregates,
    experiment_kind,
    experiment_name,
    experiment_variants,
    metric_statistics,
)
from proxymetric.data import SourceResolver
from proxymetric.data.sequential import daily_event_moments, snapshot_moments
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.spec import ExperimentSpec, Spec, load_spec
from proxymetric.stats.estimators import ArmEstimate, Statistic, arm_estimate, cuped_theta
from proxymetric.stats.moments import Moments
from proxymetric.stats.sequential import SequentialLook, sequential_test, tuned_mixing_variance

__all__ = ["SequentialAnalysis", "SequentialMetricResult", "analyze_sequential"]


@dataclass(frozen=True)
class SequentialMetricResult(Result):
    """Every look of one metric for one treatment against the control.

    ``looks`` holds one :class:`~proxymetric.stats.sequential.SequentialLook` per look with
    enough data (at least 2 units and some variance in each arm); ``look_labels`` names them
    (a date, or a snapshot value). ``stop_look`` is the first look (1-based, in ``looks``) at
    which the test could stop, 0 when none; ``stop_label`` its label; ``message`` says what to
    do now, from the last look.
    """

    metric: str
    role: str
    variant: str
    metric_type: str
    alpha: float
    mixing_variance: float
    planned_units: float
    stop_look: int
    stop_label: str
    message: str
    look_labels: tuple[str, ...]
    looks: tuple[SequentialLook, ...]


@dataclass(frozen=True)
class SequentialAnalysis(Result):
    """The sequential analysis of an experiment: one :class:`SequentialMetricResult` each.

    ``look_by`` is ``"day"`` (event logs) or ``"snapshot"`` (summary statistics);
    ``results`` holds the primary metric first, then guardrails, then secondary metrics.
    """

    experiment: str
    control: str
    variants: tuple[str, ...]
    look_by: str
    alpha: float
    primary: str
    warnings: tuple[str, ...]
    results: tuple[SequentialMetricResult, ...]


def analyze_sequential(
    spec: str | Path | Mapping[str, Any] | Spec,
    experiment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    mixing_variance: float | Mapping[str, float] | None = None,
) -> SequentialAnalysis:
    """Analyse every look of an experiment; return a :class:`SequentialAnalysis`.

    Args:
        spec: a path to ``proxymetric.yaml``, a mapping of the same content, or a ``Spec``.
        experiment: the experiment; optional when the spec has exactly one.
        data: in-memory tables by source or table name, as for :func:`~proxymetric.analyze`.
        mixing_variance: the mSPRT mixing variance ``tau2`` (squared units of the effect), one
            number for every metric or one per metric name; tuned by default (module docstring).

    The experiment must have looks: assignment and event logs (a look per day) or a summary
    source with a ``snapshot`` column (a look per snapshot).
    """
    spec = load_spec(spec)
    name = experiment_name(spec, experiment)
    exp = spec.experiments[name]
    kind = experiment_kind(spec, exp)
    resolver = SourceResolver(spec.base_dir, data)
    warnings: list[str] = []
    if kind == "events":
        request = assignment_request(exp)
        groups = column_groups(spec, exp, kind)  # each metric's columns and its covariate's
        daily = daily_event_moments(
            resolver, spec.sources, request, event_aggregates(spec, exp), groups
        )
        per_variant = {v: daily.cumulative(v) for v in daily.moments}
        labels = tuple(d.isoformat() for d in daily.dates)
        look_by = "day"
        if daily.multiple:
            warnings.append(
                f"{daily.multiple:,} unit(s) were assigned to more than one variant and were "
                "left out"
            )
    elif kind == "summary":
        source_name = spec.metrics[exp.primary].source
        keys = {
            m: "" if spec.metrics[m].summary_metric is None else str(spec.metrics[m].summary_metric)
            for m, _ in exp.metric_roles()
        }
        snaps = snapshot_moments(
            resolver, source_name, spec.sources[source_name], keys, exp.control
        )
        per_variant = dict(snaps.moments)
        labels = tuple(f"{s:g}" for s in snaps.snapshots)
        look_by = "snapshot"
        if snaps.incomplete:
            warnings.append(
                f"{snaps.incomplete} snapshot(s) lack a variant or metric (or give metrics "
                "different unit counts) and were left out"
            )
    else:
        raise DataError(
            f"experiment {name!r} reads a unit table with no timestamps, so it has no looks; "
            "sequential analysis needs an assignment log with timestamps (`assignment`) or a "
            "summary source with a `snapshot` column"
        )
    if exp.variants is not None:
        per_variant = {v: m for v, m in per_variant.items() if v in exp.variants}
    variants = experiment_variants(name, exp, {v: m[-1] for v, m in per_variant.items()})
    results = [
        _metric_looks(
            metric_name,
            role,
            spec.metrics[metric_name].type,
            variant,
            exp,
            *metric_statistics(metric_name, spec.metrics[metric_name], kind),
            per_variant[exp.control],
            per_variant[variant],
            labels,
            _mixing(mixing_variance, metric_name),
        )
        for metric_name, role in exp.metric_roles()
        for variant in variants[1:]
    ]
    return SequentialAnalysis(
        experiment=name,
        control=exp.control,
        variants=tuple(variants),
        look_by=look_by,
        alpha=exp.alpha,
        primary=exp.primary,
        warnings=tuple(warnings),
        results=tuple(results),
    )


def _mixing(value: float | Mapping[str, float] | None, metric: str) -> float | None:
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    return float(value[metric]) if metric in value else None


def _arms(
    control: Moments, treatment: Moments, y: Statistic, x: Statistic | None
) -> tuple[ArmEstimate, ArmEstimate]:
    """The arm estimates at one look: CUPED-adjusted (theta from the look's pooled units) when
    the metric has a covariate and the look allows it, raw otherwise."""
    if x is not None and control.count >= 2 and treatment.count >= 2:
        pooled = control.merge(treatment)
        theta = cuped_theta(pooled, y, x)
        pooled_x = x.value(pooled)
        if math.isfinite(theta) and math.isfinite(pooled_x):
            return (
                arm_estimate(control, y, x, theta, pooled_x),
                arm_estimate(treatment, y, x, theta, pooled_x),
            )
    return arm_estimate(control, y), arm_estimate(treatment, y)


def _metric_looks(
    metric: str,
    role: str,
    metric_type: str,
    variant: str,
    exp: ExperimentSpec,
    y: Statistic,
    x: Statistic | None,
    control: tuple[Moments, ...],
    treatment: tuple[Moments, ...],
    labels: tuple[str, ...],
    mixing_variance: float | None,
) -> SequentialMetricResult:
    arms = [_arms(c, t, y, x) for c, t in zip(control, treatment, strict=True)]
    rows = np.array(
        [[c.count, c.mean, c.variance, t.count, t.mean, t.variance] for c, t in arms],
        dtype=np.float64,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        var = rows[:, 2] / rows[:, 0] + rows[:, 5] / rows[:, 3]
    usable = (rows[:, 0] >= 2) & (rows[:, 3] >= 2) & np.isfinite(rows).all(axis=1) & (var > 0)
    if not usable.any():
        raise ProxymetricError(
            f"metric {metric!r} has no look with at least 2 units and some variance in both "
            f"{exp.control!r} and {variant!r}"
        )
    rows, kept = rows[usable], tuple(lab for lab, u in zip(labels, usable, strict=True) if u)
    total_last = float(rows[-1, 0] + rows[-1, 3])
    planned = float(exp.planned_units) if exp.planned_units is not None else total_last
    if mixing_variance is None:
        var_plan = float(var[usable][-1]) * total_last / planned
        mixing_variance = tuned_mixing_variance(var_plan, exp.alpha)
    result = sequential_test(
        rows[:, 0],
        rows[:, 1],
        rows[:, 2],
        rows[:, 3],
        rows[:, 4],
        rows[:, 5],
        alpha=exp.alpha,
        mixing_variance=mixing_variance,
        planned_units=planned,
    )
    stop = result.stop_look
    last = result.looks[-1]
    if stop:
        message = f"look {stop} ({kept[stop - 1]}): {result.looks[stop - 1].reason}"
    else:
        message = f"at the last look ({kept[-1]}): {last.reason}"
    return SequentialMetricResult(
        metric=metric,
        role=role,
        variant=variant,
        metric_type=metric_type,
        alpha=exp.alpha,
        mixing_variance=result.mixing_variance,
        planned_units=planned,
        stop_look=stop,
        stop_label=kept[stop - 1] if stop else "",
        message=message,
        look_labels=kept,
        looks=result.looks,
    )
