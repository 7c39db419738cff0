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

- the primary metric is the stopping rule, under ONE rule (``stopping_rule``): the always-valid
  p-value (default) or, with ``planned_units`` declared before the test, the group-sequential
  boundary; the other is shown but never mixed in. Without ``planned_units`` the boundaries are a
  retrospective reading (the last look as the planned sample) and cannot stop the test;
- every metric is shown at its own level (its ``alpha``, else the experiment's; the resolved
  ``level`` of :mod:`proxymetric.experiment.resolve`), secondary metrics each on its own (no
  multiplicity correction); the always-valid test is two-sided, so for a metric declared with a
  one-sided ``alternative`` it is valid but conservative; guardrails are read for
  non-inferiority: a guardrail is shown non-inferior at a
  look once its confidence sequence lies entirely on the good side of the margin (a relative
  margin is a fraction of the control mean's magnitude at that look), and worse once it lies
  entirely on the bad side of 0, both valid at every look at once;
- effects are differences of the arm estimates (ratio metrics by the delta method, Deng,
  Knoblich, Lu, KDD 2018), CUPED-adjusted when the metric has a covariate, with theta
  re-estimated at each look from the units so far (both arms pooled), as in the fixed-horizon
  analysis; the adjusted estimate at the last look is the fixed-horizon one. A theta estimated
  from the data makes the guarantee asymptotic, as the variance estimate already does. A look at
  which CUPED is undefined (too few units, an undefined covariate) is shown unadjusted, and
  ``cuped_reason`` says so;
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
from typing import Any, Literal

import numpy as np

from proxymetric._result import Result
from proxymetric.errors import ProxymetricError
from proxymetric.experiment import ResolvedExperiment, ResolvedMetric, arms, read, resolve
from proxymetric.spec import Spec
from proxymetric.stats.compare import CUPED_UNDEFINED
from proxymetric.stats.estimators import ArmEstimate, Statistic, arm_estimate, cuped_theta
from proxymetric.stats.moments import Moments
from proxymetric.stats.sequential import (
    SequentialLook,
    StoppingRule,
    sequential_test,
    tuned_mixing_variance,
)

__all__ = ["SequentialAnalysis", "SequentialMetricResult", "analyze_sequential"]

GuardrailStatus = Literal["noninferior", "worse", "not_yet_noninferior"]


@dataclass(frozen=True)
class SequentialMetricResult(Result):
    """Every look of one metric for one treatment against the control.

    ``looks`` holds one :class:`~proxymetric.stats.sequential.SequentialLook` per look with
    enough data (at least 2 units and some variance in each arm); ``look_labels`` names them
    (a date, or a snapshot value). ``stop_look`` is the first look (1-based, in ``looks``) at
    which the test could stop under ``stopping_rule``, 0 when none; ``stop_label`` its label.
    ``planned_in_advance`` is false when ``planned_units`` is the units at the last look (no
    plan was declared). For a guardrail, ``margin``/``margin_type`` are its margin,
    ``guardrail_status`` what the last look shows (``noninferior``, ``worse`` or
    ``not_yet_noninferior``) and ``noninferior_look``/``worse_look`` the first look (1-based, 0
    for none) at which it was shown non-inferior or worse. ``unadjusted_looks`` counts the looks
    shown without CUPED although the metric has a covariate, ``cuped_reason`` says why.
    """

    metric: str
    role: str
    variant: str
    metric_type: str
    alpha: float
    mixing_variance: float
    planned_units: float
    planned_in_advance: bool
    stopping_rule: StoppingRule
    stop_look: int
    stop_label: str
    look_labels: tuple[str, ...]
    looks: tuple[SequentialLook, ...]
    margin: float | None = None
    margin_type: str | None = None
    guardrail_status: GuardrailStatus | None = None
    noninferior_look: int = 0
    worse_look: int = 0
    unadjusted_looks: int = 0
    cuped_reason: str | None = None


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
    stopping_rule: StoppingRule
    warnings: tuple[str, ...]
    results: tuple[SequentialMetricResult, ...]


def analyze_sequential(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    mixing_variance: float | Mapping[str, float] | None = None,
    stopping_rule: StoppingRule = "always_valid",
) -> SequentialAnalysis:
    """Analyse every look of an experiment; return a :class:`SequentialAnalysis`.

    Args:
        spec: a path to ``proxymetric.yaml``, a mapping of the same content, a ``Spec`` or a
            resolved experiment.
        experiment: the experiment; optional when the spec has exactly one.
        data: in-memory tables by source or table name, as for :func:`~proxymetric.analyze`.
        mixing_variance: the mSPRT mixing variance ``tau2`` (squared units of the effect), one
            number for every metric or one per metric name; tuned by default (module docstring).
        stopping_rule: ``"always_valid"`` (default) or ``"group_sequential"`` (needs the
            experiment's ``planned_units``).

    The experiment must have looks: assignment and event logs (a look per day) or a summary
    source with a ``snapshot`` column (a look per snapshot).
    """
    exp = resolve(spec, experiment)
    quantile = next((m.name for m in exp.metrics if m.quantile is not None), None)
    if quantile is not None:
        raise ProxymetricError(
            f"sequential analysis tests means, proportions and ratios; metric {quantile!r} of "
            f"experiment {exp.name!r} is a quantile metric (analyse it at the end of the test, "
            "without `--sequential`)"
        )
    if stopping_rule == "group_sequential" and exp.traffic.planned_units is None:
        raise ProxymetricError(
            "`stopping_rule` 'group_sequential' needs the experiment's `planned_units`, the "
            "sample planned before the test"
        )
    got = read(exp, data, looks=True)
    assert got.looks is not None
    assert got.look_by is not None
    per_variant = got.looks
    variants = arms(exp, {v: m[-1] for v, m in per_variant.items()})
    results = [
        _metric_looks(
            exp,
            metric,
            variant,
            per_variant[exp.control],
            per_variant[variant],
            got.look_labels,
            _mixing(mixing_variance, metric.name),
            stopping_rule,
        )
        for metric in exp.metrics
        for variant in variants[1:]
    ]
    return SequentialAnalysis(
        experiment=exp.name,
        control=exp.control,
        variants=tuple(variants),
        look_by=got.look_by,
        alpha=exp.alpha,
        primary=exp.primary.name,
        stopping_rule=stopping_rule,
        warnings=got.warnings,
        results=tuple(results),
    )


def _mixing(value: float | Mapping[str, float] | None, metric: str) -> float | None:
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    return float(value[metric]) if metric in value else None


def _arms(
    control: Moments, treatment: Moments, y: Statistic, x: Statistic | None
) -> tuple[ArmEstimate, ArmEstimate, str | None]:
    """The arm estimates at one look: CUPED-adjusted (theta from the look's pooled units) when
    the metric has a covariate and the look allows it, raw otherwise, with the reason."""
    if x is None:
        return arm_estimate(control, y), arm_estimate(treatment, y), None
    if control.count < 2 or treatment.count < 2:
        why = "fewer than 2 units in an arm"
    else:
        pooled = control.merge(treatment)
        theta = cuped_theta(pooled, y, x)
        pooled_x = x.value(pooled)
        if math.isfinite(theta) and math.isfinite(pooled_x):
            return (
                arm_estimate(control, y, x, theta, pooled_x),
                arm_estimate(treatment, y, x, theta, pooled_x),
                None,
            )
        why = CUPED_UNDEFINED
    return arm_estimate(control, y), arm_estimate(treatment, y), why


def _guardrail_looks(
    metric: ResolvedMetric, looks: tuple[SequentialLook, ...]
) -> tuple[GuardrailStatus, int, int]:
    """Non-inferiority and deterioration read off the confidence sequence at each look."""
    assert metric.margin is not None
    sign = 1.0 if metric.higher_is_better else -1.0
    noninferior = worse = 0
    status: GuardrailStatus = "not_yet_noninferior"
    for look in looks:
        m = metric.margin.value
        bound = m * abs(look.control_mean) if metric.margin.kind == "relative" else m
        # In the good direction: the worst plausible effect, and the best plausible one.
        lo, hi = sorted((sign * look.effect_ci_lower, sign * look.effect_ci_upper))
        if look.effect_ci_lower > look.effect_ci_upper:
            status = "not_yet_noninferior"
            continue
        if hi < 0:
            status = "worse"
            worse = worse or look.look
        elif lo > -bound:
            status = "noninferior"
            noninferior = noninferior or look.look
        else:
            status = "not_yet_noninferior"
    return status, noninferior, worse


def _metric_looks(
    exp: ResolvedExperiment,
    metric: ResolvedMetric,
    variant: str,
    control: tuple[Moments, ...],
    treatment: tuple[Moments, ...],
    labels: tuple[str, ...],
    mixing_variance: float | None,
    stopping_rule: StoppingRule,
) -> SequentialMetricResult:
    x = metric.covariate.statistic if metric.covariate is not None else None
    estimates = [_arms(c, t, metric.statistic, x) for c, t in zip(control, treatment, strict=True)]
    rows = np.array(
        [[c.count, c.mean, c.variance, t.count, t.mean, t.variance] for c, t, _ in estimates],
        dtype=np.float64,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        var = rows[:, 2] / rows[:, 0] + rows[:, 5] / rows[:, 3]
    usable = (rows[:, 0] >= 2) & (rows[:, 3] >= 2) & np.isfinite(rows).all(axis=1) & (var > 0)
    if not usable.any():
        raise ProxymetricError(
            f"metric {metric.name!r} has no look with at least 2 units and some variance in "
            f"both {exp.control!r} and {variant!r}"
        )
    whys = [why for (_, _, why), u in zip(estimates, usable, strict=True) if u and why]
    rows, kept = rows[usable], tuple(lab for lab, u in zip(labels, usable, strict=True) if u)
    total_last = float(rows[-1, 0] + rows[-1, 3])
    declared = exp.traffic.planned_units
    planned = float(declared) if declared is not None else total_last
    if mixing_variance is None:
        var_plan = float(var[usable][-1]) * total_last / planned
        mixing_variance = tuned_mixing_variance(var_plan, metric.level)
    result = sequential_test(
        rows[:, 0],
        rows[:, 1],
        rows[:, 2],
        rows[:, 3],
        rows[:, 4],
        rows[:, 5],
        alpha=metric.level,
        mixing_variance=mixing_variance,
        planned_units=planned,
        stopping_rule=stopping_rule,
        planned_in_advance=declared is not None,
    )
    stop = result.stop_look
    guardrail: dict[str, Any] = {}
    if metric.margin is not None:
        status, noninferior, worse = _guardrail_looks(metric, result.looks)
        guardrail = {
            "margin": metric.margin.value,
            "margin_type": metric.margin.kind,
            "guardrail_status": status,
            "noninferior_look": noninferior,
            "worse_look": worse,
        }
    return SequentialMetricResult(
        metric=metric.name,
        role=metric.role,
        variant=variant,
        metric_type=metric.type,
        alpha=metric.level,
        mixing_variance=result.mixing_variance,
        planned_units=planned,
        planned_in_advance=declared is not None,
        stopping_rule=stopping_rule,
        stop_look=stop,
        stop_label=kept[stop - 1] if stop else "",
        look_labels=kept,
        looks=result.looks,
        unadjusted_looks=len(whys),
        cuped_reason=(f"{len(whys)} look(s) shown without CUPED: {whys[0]}" if whys else None),
        **guardrail,
    )
