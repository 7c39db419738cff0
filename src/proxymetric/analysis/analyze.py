"""``analyze(spec, experiment, data)``: from a spec and its data to an :class:`ExperimentResult`.

The flow is one-way: the experiment is resolved once (:func:`proxymetric.experiment.resolve`),
its data read in ONE query that returns moments per variant
(:func:`proxymetric.experiment.read`); the statistics compare each treatment with the control for
every metric; success metrics are corrected for multiplicity; the decision applies the ship rule
and, when the test should go on, says for how long.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from proxymetric.analysis.decision import decide
from proxymetric.analysis.result import Decision, ExperimentResult, MetricResult, Reason
from proxymetric.design.power import power_analysis
from proxymetric.errors import ProxymetricError
from proxymetric.experiment import ResolvedExperiment, ResolvedMetric, arms, read, resolve
from proxymetric.experiment.model import Cap
from proxymetric.spec import Spec
from proxymetric.stats import Comparison, adjust_pvalues, compare, effect_covariance, srm_test
from proxymetric.stats.moments import Moments

__all__ = ["analyze", "analyze_moments", "fingerprint"]

# The power at which "keep testing" says how many units the test still needs.
KEEP_TESTING_POWER = 0.8


def _better(effect: float, higher_is_better: bool) -> bool | None:
    if not math.isfinite(effect) or effect == 0:
        return None
    return (effect > 0) == higher_is_better


def _metric_result(
    metric: ResolvedMetric, variant: str, cmp: Comparison, extra_reasons: list[str]
) -> MetricResult:
    d, r = cmp.difference, cmp.relative
    reasons = list(cmp.reasons) + extra_reasons
    margin = metric.margin
    return MetricResult(
        metric=metric.name,
        role=metric.role,
        variant=variant,
        metric_type=metric.type,
        direction=metric.spec.direction,
        control_units=cmp.control.count,
        treatment_units=cmp.treatment.count,
        control_mean=cmp.control.mean,
        treatment_mean=cmp.treatment.mean,
        control_unadjusted_mean=cmp.control.unadjusted_mean,
        treatment_unadjusted_mean=cmp.treatment.unadjusted_mean,
        effect=d.effect,
        effect_se=d.se,
        effect_ci_lower=d.ci_lower,
        effect_ci_upper=d.ci_upper,
        rel_effect=r.rel_effect,
        rel_effect_ci_lower=r.ci_lower,
        rel_effect_ci_upper=r.ci_upper,
        rel_effect_se=r.se,
        statistic=d.statistic,
        df=d.df,
        pvalue=d.pvalue,
        pvalue_adjusted=None,
        significant=False,
        better=_better(d.effect, metric.higher_is_better),
        variance_reduction=cmp.variance_reduction,
        cuped_theta=cmp.theta,
        margin=margin.value if margin else None,
        margin_type=margin.kind if margin else None,
        noninferiority_pvalue=cmp.noninferiority_pvalue,
        reason="; ".join(reasons) if reasons else None,
        test=d.test,
    )


def _capped(
    result: MetricResult, cap: Cap, caps: Mapping[str, float], control: Moments, treatment: Moments
) -> MetricResult:
    """The cap of a capped metric and the share of each arm's units above it."""

    def share(m: Moments) -> float | None:
        return float(m.mean[m.index(cap.over)]) if cap.over in m.columns else None

    value = caps.get(result.metric, cap.value)
    return replace(
        result,
        cap=value,
        control_share_capped=share(control),
        treatment_share_capped=share(treatment),
    )


def _compare(
    exp: ResolvedExperiment, metric: ResolvedMetric, control: Moments, treatment: Moments, v: str
) -> Comparison:
    return compare(
        control,
        treatment,
        metric.statistic,
        metric.covariate.statistic if metric.covariate is not None else None,
        confidence=1 - exp.alpha,
        margin=metric.margin.value if metric.margin else None,
        margin_type=metric.margin.kind if metric.margin else "relative",
        higher_is_better=metric.higher_is_better,
        control_name=exp.control,
        treatment_name=v,
        proportion=metric.type == "proportion",
        min_units=exp.spec.experiments[exp.name].min_units_per_arm,
    )


def analyze_moments(
    exp: ResolvedExperiment | Spec | str | Path | Mapping[str, Any],
    moments: Mapping[str, Moments],
    *,
    experiment: str | None = None,
    missing: Mapping[str, Mapping[str, int]] | None = None,
    warnings: list[str] | tuple[str, ...] | None = None,
    folds: Mapping[str, tuple[Moments, Moments]] | None = None,
    caps: Mapping[str, float] | None = None,
) -> ExperimentResult:
    """Return the analysis of an experiment from per-variant ``moments``.

    This is the statistics half of :func:`analyze`, for callers that already have moments
    (pre-aggregated statistics, a registry, a custom query). ``exp`` is a resolved experiment
    or anything :func:`~proxymetric.experiment.resolve` takes (with ``experiment``). ``folds``
    holds, per variant, the moments of two random halves of its units; their effects fill
    ``effect_fold1/2``. ``caps`` gives the cap of each capped metric (as read from the data).
    """
    exp = resolve(exp, experiment)
    caps = caps or {}
    warnings = list(warnings or [])
    missing = missing or {}
    variants = arms(exp, moments)
    control = moments[exp.control]
    treatments = variants[1:]
    units = {v: moments[v].count for v in variants}
    srm = srm_test(units, exp.split)
    results: list[MetricResult] = []
    for metric in exp.metrics:
        for variant in treatments:
            cmp = _compare(exp, metric, control, moments[variant], variant)
            gaps = [
                f"column {c!r} has {n:,} missing value(s) in variant {v!r}; set `fill_missing` "
                "on the metric (for example 0) to count them"
                for v in (exp.control, variant)
                for c, n in missing.get(v, {}).items()
                if c in metric.columns
            ]
            result = _metric_result(metric, variant, cmp, gaps)
            if folds and exp.control in folds and variant in folds:
                halves = [
                    _compare(
                        exp, metric, folds[exp.control][k], folds[variant][k], variant
                    ).difference.effect
                    for k in (0, 1)
                ]
                result = replace(result, effect_fold1=halves[0], effect_fold2=halves[1])
            if metric.cap is not None:
                result = _capped(result, metric.cap, caps, control, moments[variant])
            results.append(result)
    results = _adjust(results, exp)
    covariances = {v: _effect_covariance(exp, control, moments[v], results, v) for v in treatments}
    decision = decide(
        results,
        treatments,
        srm,
        exp.alpha,
        planned_units=exp.traffic.planned_units,
        total_units=sum(units.values()),
        guardrail_rule=exp.guardrail_rule,
    )
    if decision.verdict == "keep_testing":
        decision = _how_much_longer(exp, decision, control, len(variants), sum(units.values()))
    return ExperimentResult(
        experiment=exp.name,
        control=exp.control,
        variants=variants,
        units=units,
        srm=srm,
        results=results,
        decision=decision,
        alpha=exp.alpha,
        confidence_level=1 - exp.alpha,
        correction=exp.correction,
        warnings=warnings,
        effect_covariance=covariances,
        fingerprint=fingerprint({v: moments[v] for v in variants}),
    )


def _how_much_longer(
    exp: ResolvedExperiment, decision: Decision, control: Moments, arms_: int, units: int
) -> Decision:
    """The units (and days) at which the primary metric reaches the planned power for its
    declared ``expected_effect``, with the variance and CUPED reduction measured so far."""
    primary = exp.primary
    expected = primary.spec.expected_effect
    if expected is None or expected == 0:
        return decision
    from proxymetric.stats.estimators import arm_estimate

    est = arm_estimate(control, primary.statistic)
    kind: Literal["mean", "proportion", "ratio"] = primary.type
    if not (math.isfinite(est.mean) and math.isfinite(est.variance)) or est.mean == 0:
        return decision
    if kind == "proportion" and not 0 < est.mean < 1:
        return decision
    try:
        needed = power_analysis(
            kind,
            est.mean,
            sd=None if kind == "proportion" else math.sqrt(est.variance),
            rel_mde=abs(expected),
            power=KEEP_TESTING_POWER,
            alpha=primary.alpha,
            variants=arms_,
            treatment_ratio=exp.treatment_ratio,
            correction="none",
        ).total_units
    except ProxymetricError:
        return decision
    days = None
    rate = exp.traffic.units_per_day
    if rate is not None:
        days = max(needed - units, 0) / rate
    reason = Reason(
        "more_units_needed",
        metric=primary.name,
        units=units,
        planned_units=needed,
        effect=abs(expected),
        days=days,
    )
    return replace(
        decision, reasons=[*decision.reasons, reason], units_needed=needed, days_needed=days
    )


def fingerprint(moments: Mapping[str, Moments]) -> str:
    """Return a short hash of per-variant counts, means and variances (12 significant digits).

    Covariances are left out on purpose: which of them are computed depends on the options of
    the analysis, not on the data.
    """
    h = hashlib.sha256()
    for variant in sorted(moments):
        m = moments[variant]
        order = sorted(range(len(m.columns)), key=lambda i: m.columns[i])
        h.update(f"{variant}|{m.count}|".encode())
        h.update(",".join(m.columns[i] for i in order).encode())
        values = np.concatenate([m.mean[order], np.diag(m.comoment)[order]])
        h.update(",".join(f"{v:.12g}" for v in values).encode())
    return h.hexdigest()[:16]


def _effect_covariance(
    exp: ResolvedExperiment,
    control: Moments,
    treatment: Moments,
    results: list[MetricResult],
    variant: str,
) -> dict[str, dict[str, float]]:
    theta = {r.metric: r.cuped_theta or 0.0 for r in results if r.variant == variant}
    terms = [
        (
            m.statistic,
            m.covariate.statistic if m.covariate is not None else None,
            theta.get(m.name, 0.0),
        )
        for m in exp.metrics
    ]
    names = [m.name for m in exp.metrics]
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = effect_covariance(control, treatment, terms)
    return {a: {b: float(cov[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)}


def _adjust(results: list[MetricResult], exp: ResolvedExperiment) -> list[MetricResult]:
    """Correct the success metrics (primary and secondary, every treatment) as one family."""
    family = [i for i, r in enumerate(results) if r.role != "guardrail"]
    adjusted = adjust_pvalues([results[i].pvalue for i in family], exp.correction)
    out = list(results)
    for i, p_adj in zip(family, adjusted, strict=True):
        out[i] = replace(out[i], pvalue_adjusted=p_adj)
    for i, r in enumerate(out):
        p = r.pvalue_adjusted if r.pvalue_adjusted is not None else r.pvalue
        out[i] = replace(r, significant=math.isfinite(p) and p < exp.alpha)
    return out


def analyze(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    effect_covariance: bool = False,
    folds: bool = False,
) -> ExperimentResult:
    """Analyse an experiment of a spec; return an :class:`ExperimentResult`.

    Args:
        spec: a path to ``proxymetric.yaml``, a mapping of the same content, a ``Spec``, or an
            experiment resolved already (:func:`proxymetric.experiment.resolve`).
        experiment: the experiment to analyse; optional when the spec has exactly one.
        data: in-memory tables (pandas, polars, pyarrow) by source or table name.
        effect_covariance: also compute the covariances between different metrics' columns,
            so that ``effect_covariance`` holds the noise covariance of every pair of metrics
            (proxy validation needs it; it makes the query a little longer). Without it only
            the diagonal (each metric's squared standard error) is known.
        folds: also estimate every effect in two random halves of the units (split by a hash
            of the unit, in the same query): ``effect_fold1`` and ``effect_fold2``, whose errors
            are independent (the cross-fold estimator of proxy quality needs them). Not
            available for summary statistics.

    The engine computes all moments in one query; only one row per variant reaches Python.
    """
    exp = resolve(spec, experiment)
    got = read(exp, data, folds=folds, all_covariances=effect_covariance)
    return analyze_moments(
        exp,
        got.moments,
        missing=got.missing,
        warnings=got.warnings,
        folds=got.folds or None,
        caps=got.caps,
    )
