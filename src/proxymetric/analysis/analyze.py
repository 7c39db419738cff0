"""``analyze(spec, experiment, data)``: from a spec and its data to an :class:`ExperimentResult`.

The flow is one-way: the data layer runs ONE query for the experiment and returns moments per
variant; the statistics compare each treatment with the control for every metric; success
metrics are corrected for multiplicity; the decision applies the ship rule.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from proxymetric.analysis.decision import decide
from proxymetric.analysis.metrics import (
    assignment_request,
    column_groups,
    event_aggregates,
    experiment_kind,
    experiment_name,
    experiment_variants,
    metric_statistics,
)
from proxymetric.analysis.result import ExperimentResult, MetricResult
from proxymetric.data import (
    SourceResolver,
    VariantMoments,
    check_columns,
    event_moments,
    summary_moments,
    variant_moments,
)
from proxymetric.errors import ProxymetricError
from proxymetric.spec import ExperimentSpec, MetricSpec, Spec, load_spec
from proxymetric.stats import (
    Comparison,
    adjust_pvalues,
    compare,
    effect_covariance,
    srm_test,
)
from proxymetric.stats.moments import Moments

__all__ = ["analyze", "analyze_moments"]


def _better(effect: float, higher_is_better: bool) -> bool | None:
    if not math.isfinite(effect) or effect == 0:
        return None
    return (effect > 0) == higher_is_better


def _metric_result(
    name: str,
    role: str,
    variant: str,
    metric: MetricSpec,
    cmp: Comparison,
    margin: tuple[float, str] | None,
    extra_reasons: list[str],
) -> MetricResult:
    d, r = cmp.difference, cmp.relative
    reasons = list(cmp.reasons) + extra_reasons
    return MetricResult(
        metric=name,
        role=role,  # type: ignore[arg-type]
        variant=variant,
        metric_type=metric.type,
        direction=metric.direction,
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
        statistic=d.statistic,
        df=d.df,
        pvalue=d.pvalue,
        pvalue_adjusted=None,
        significant=False,
        better=_better(d.effect, metric.higher_is_better),
        variance_reduction=cmp.variance_reduction,
        cuped_theta=cmp.theta,
        margin=margin[0] if margin else None,
        margin_type=margin[1] if margin else None,
        noninferiority_pvalue=cmp.noninferiority_pvalue,
        reason="; ".join(reasons) if reasons else None,
    )


def analyze_moments(
    name: str,
    spec: Spec,
    moments: Mapping[str, Moments],
    *,
    missing: Mapping[str, Mapping[str, int]] | None = None,
    warnings: list[str] | None = None,
    folds: Mapping[str, tuple[Moments, Moments]] | None = None,
) -> ExperimentResult:
    """Return the analysis of experiment ``name`` from per-variant ``moments``.

    This is the statistics half of :func:`analyze`, for callers that already have moments
    (pre-aggregated statistics, a registry, a custom query). ``folds`` holds, per variant, the
    moments of two random halves of its units; their effects fill ``effect_fold1/2``.
    """
    exp = spec.experiments[name]
    warnings = list(warnings or [])
    missing = missing or {}
    variants = experiment_variants(name, exp, moments)
    control = moments[exp.control]
    treatments = [v for v in variants if v != exp.control]
    units = {v: moments[v].count for v in variants}
    srm = srm_test(units, exp.split)
    margins = {g.metric: (g.margin, g.margin_type) for g in exp.guardrails}
    confidence = 1 - exp.alpha
    results: list[MetricResult] = []
    kind = experiment_kind(spec, exp)
    for metric_name, role in exp.metric_roles():
        metric = spec.metrics[metric_name]
        y, x = metric_statistics(metric_name, metric, kind)
        margin = margins.get(metric_name)
        for variant in treatments:
            cmp = compare(
                control,
                moments[variant],
                y,
                x,
                confidence=confidence,
                margin=margin[0] if margin else None,
                margin_type=margin[1] if margin else "relative",
                higher_is_better=metric.higher_is_better,
                control_name=exp.control,
                treatment_name=variant,
            )
            gaps = [
                f"column {c!r} has {n:,} missing value(s) in variant {v!r}; set `fill_missing` "
                "on the metric (for example 0) to count them"
                for v in (exp.control, variant)
                for c, n in missing.get(v, {}).items()
                if c in metric.columns
            ]
            result = _metric_result(metric_name, role, variant, metric, cmp, margin, gaps)
            if folds and exp.control in folds and variant in folds:
                halves = [
                    compare(folds[exp.control][k], folds[variant][k], y, x).difference.effect
                    for k in (0, 1)
                ]
                result = replace(result, effect_fold1=halves[0], effect_fold2=halves[1])
            results.append(result)
    results = _adjust(results, exp)
    covariances = {
        v: _effect_covariance(spec, exp, control, moments[v], results, v) for v in treatments
    }
    decision = decide(
        results,
        treatments,
        srm,
        exp.alpha,
        planned_units=exp.planned_units,
        total_units=sum(units.values()),
    )
    return ExperimentResult(
        experiment=name,
        control=exp.control,
        variants=variants,
        units=units,
        srm=srm,
        results=results,
        decision=decision,
        alpha=exp.alpha,
        correction=exp.correction,
        warnings=warnings,
        effect_covariance=covariances,
        fingerprint=fingerprint({v: moments[v] for v in variants}),
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
    spec: Spec,
    exp: ExperimentSpec,
    control: Moments,
    treatment: Moments,
    results: list[MetricResult],
    variant: str,
) -> dict[str, dict[str, float]]:
    names = [m for m, _ in exp.metric_roles()]
    theta = {r.metric: r.cuped_theta or 0.0 for r in results if r.variant == variant}
    terms = []
    for name in names:
        y, x = metric_statistics(name, spec.metrics[name], experiment_kind(spec, exp))
        terms.append((y, x, theta.get(name, 0.0)))
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = effect_covariance(control, treatment, terms)
    return {a: {b: float(cov[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)}


def _adjust(results: list[MetricResult], exp: ExperimentSpec) -> list[MetricResult]:
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
    spec: str | Path | Mapping[str, Any] | Spec,
    experiment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    effect_covariance: bool = False,
    folds: bool = False,
) -> ExperimentResult:
    """Analyse an experiment of a spec; return an :class:`ExperimentResult`.

    Args:
        spec: a path to ``proxymetric.yaml``, a mapping of the same content, or a ``Spec``.
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
    spec = load_spec(spec)
    name = experiment_name(spec, experiment)
    exp = spec.experiments[name]
    resolver = SourceResolver(spec.base_dir, data)
    kind = experiment_kind(spec, exp)
    groups = None if effect_covariance else column_groups(spec, exp, kind)
    if kind == "events":
        vm = _event_moments(spec, exp, resolver, groups, folds=folds)
    elif kind == "summary":
        vm = _summary_moments(spec, exp, resolver)
    else:
        vm = _unit_moments(spec, exp, resolver, groups, folds=folds)
    warnings = []
    if vm.unassigned:
        warnings.append(f"{vm.unassigned:,} row(s) have no variant and were left out")
    if vm.multiple:
        warnings.append(
            f"{vm.multiple:,} unit(s) were assigned to more than one variant and were left out"
        )
    known = set(exp.variants) if exp.variants is not None else None
    moments = vm.moments
    if known is not None:
        ignored = sorted(set(moments) - known)
        if ignored:
            warnings.append(
                f"variant(s) {', '.join(ignored)} in the data are not in `variants` and were left "
                "out"
            )
        moments = {v: m for v, m in moments.items() if v in known}
    return analyze_moments(
        name, spec, moments, missing=vm.missing, warnings=warnings, folds=vm.folds or None
    )


def _unit_moments(
    spec: Spec,
    exp: ExperimentSpec,
    resolver: SourceResolver,
    groups: list[list[str]] | None,
    *,
    folds: bool = False,
) -> VariantMoments:
    metric_names = [m for m, _ in exp.metric_roles()]
    source_name = spec.metrics[exp.primary].source
    source = spec.sources[source_name]
    assert source.unit is not None
    assert source.variant is not None
    table = resolver.table(source_name, source)
    columns = list(dict.fromkeys(c for m in metric_names for c in spec.metrics[m].columns))
    check_columns(source_name, source, table, [source.unit, source.variant, *columns])
    fill: dict[str, float] = {}
    for m in metric_names:
        metric = spec.metrics[m]
        if metric.fill_missing is not None:
            for c in metric.columns:
                if fill.get(c, metric.fill_missing) != metric.fill_missing:
                    raise ProxymetricError(
                        f"column {c!r} is read by metrics with different `fill_missing` values"
                    )
                fill[c] = metric.fill_missing
    return variant_moments(
        table,
        source.variant,
        columns,
        source=source_name,
        fill=fill,
        groups=groups,
        fold_unit=source.unit if folds else None,
    )


def _summary_moments(spec: Spec, exp: ExperimentSpec, resolver: SourceResolver) -> VariantMoments:
    source_name = spec.metrics[exp.primary].source
    keys = {
        m: "" if spec.metrics[m].summary_metric is None else str(spec.metrics[m].summary_metric)
        for m, _ in exp.metric_roles()
    }
    return summary_moments(resolver, source_name, spec.sources[source_name], keys, exp.control)


def _event_moments(
    spec: Spec,
    exp: ExperimentSpec,
    resolver: SourceResolver,
    groups: list[list[str]] | None,
    *,
    folds: bool = False,
) -> VariantMoments:
    return event_moments(
        resolver,
        spec.sources,
        assignment_request(exp),
        event_aggregates(spec, exp),
        groups,
        folds=folds,
    )
