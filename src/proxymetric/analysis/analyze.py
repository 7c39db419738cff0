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
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from proxymetric.analysis._comparison import better, comparison_fields
from proxymetric.analysis.decision import decide
from proxymetric.analysis.result import (
    BayesianResult,
    Decision,
    ExperimentResult,
    MetricResult,
    Reason,
    SegmentBreakdown,
)
from proxymetric.data.quantiles import ArmQuantile
from proxymetric.design.power import power_analysis
from proxymetric.errors import ProxymetricError
from proxymetric.experiment import ResolvedExperiment, ResolvedMetric, arms, read, resolve
from proxymetric.experiment.model import Cap
from proxymetric.spec import Spec
from proxymetric.stats import Comparison, adjust_pvalues, compare, effect_covariance, srm_test
from proxymetric.stats.moments import Moments
from proxymetric.stats.posterior import normal_posterior

__all__ = ["analyze", "analyze_moments", "fingerprint"]

# The power at which "keep testing" says how many units the test still needs.
KEEP_TESTING_POWER = 0.8
# A quantile of clustered rows (several per randomization unit) rests on the delta method over
# the randomization units: it needs at least this many per arm, and the arm's mean number of
# rows per unit known to within this coefficient of variation (sd / (sqrt(K) mean)).
MIN_CLUSTERS = 10
MAX_ROWS_CV = 0.2


def _bayesian(exp: ResolvedExperiment, metric: ResolvedMetric, cmp: Comparison) -> BayesianResult:
    """The posterior of the absolute and relative effects (:mod:`proxymetric.stats.posterior`).

    The Gaussian approximation uses the two-sided estimates (the effect and its standard
    error), whatever the alternative of the frequentist test.
    """
    spec = exp.bayesian
    assert spec is not None
    flat = spec.prior == "flat"
    scale = abs(cmp.control.mean)
    higher = metric.higher_is_better
    level = metric.confidence_level
    d, r = cmp.difference, cmp.relative
    absolute = normal_posterior(
        d.effect,
        d.se,
        prior_sd=math.inf if flat else spec.prior_sd * scale if scale > 0 else math.nan,
        confidence=level,
        higher_is_better=higher,
    )
    relative = normal_posterior(
        r.rel_effect,
        r.se,
        prior_sd=math.inf if flat else spec.prior_sd,
        confidence=level,
        higher_is_better=higher,
    )
    return BayesianResult(
        prior=spec.prior,
        prior_sd=None if flat else spec.prior_sd,
        effect=absolute.mean,
        effect_se=absolute.sd,
        effect_ci_lower=absolute.ci_lower,
        effect_ci_upper=absolute.ci_upper,
        rel_effect=relative.mean,
        rel_effect_se=relative.sd,
        rel_effect_ci_lower=relative.ci_lower,
        rel_effect_ci_upper=relative.ci_upper,
        prob_better=absolute.prob_better,
        expected_loss=absolute.expected_loss,
        rel_expected_loss=relative.expected_loss,
        confidence_level=level,
    )


# The fields of a result that stay when a metric is not yet mature (what it is, not a number).
_KEPT = frozenset(
    {
        "metric",
        "role",
        "variant",
        "metric_type",
        "direction",
        "control_units",
        "treatment_units",
        "margin",
        "margin_type",
        "test",
        "alpha",
        "alternative",
        "confidence_level",
        "status",
    }
)


def _immature(exp: ResolvedExperiment, metric: ResolvedMetric, r: MetricResult) -> MetricResult:
    """``r`` without numbers: the metric needs longer after assignment than the data covers."""
    blank: dict[str, Any] = {}
    for f in fields(r):
        value = getattr(r, f.name)
        if f.name in _KEPT:
            continue
        if f.name == "significant":
            blank[f.name] = False
        elif isinstance(value, float) and f.name not in ("effect_fold1", "effect_fold2"):
            blank[f.name] = math.nan
        elif not isinstance(value, str) or f.name == "reason":
            blank[f.name] = None
    why = (
        f"not yet mature: {metric.name!r} needs {metric.maturity_days:g} days after assignment "
        f"and the data follows each unit for {exp.span_days:g}; analyse it once every unit "
        "has had the time"
    )
    return replace(r, **{**blank, "status": "immature", "reason": why})


def _metric_result(
    metric: ResolvedMetric, variant: str, cmp: Comparison, extra_reasons: list[str]
) -> MetricResult:
    d = cmp.difference
    reasons = list(cmp.reasons) + extra_reasons
    margin = metric.margin
    return MetricResult(
        **comparison_fields(metric, variant, cmp),
        direction=metric.spec.direction,
        control_unadjusted_mean=cmp.control.unadjusted_mean,
        treatment_unadjusted_mean=cmp.treatment.unadjusted_mean,
        statistic=d.statistic,
        df=d.df,
        pvalue_adjusted=None,
        significant=False,
        variance_reduction=cmp.variance_reduction,
        cuped_theta=cmp.theta,
        margin=margin.value if margin else None,
        margin_type=margin.kind if margin else None,
        noninferiority_pvalue=cmp.noninferiority_pvalue,
        reason="; ".join(reasons) if reasons else None,
        alpha=metric.level,
        alternative=metric.alternative,
        confidence_level=metric.confidence_level,
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


def _quantile_result(
    metric: ResolvedMetric,
    result: MetricResult,
    arms_: Mapping[str, ArmQuantile] | None,
    control: str,
    gaps: Sequence[str],
    base_reasons: Sequence[str] = (),
    min_units: int = 2,
) -> MetricResult:
    """The result of a quantile metric: the arms' quantiles and their difference (the
    moments' comparison gave the units and the reasons, ``base_reasons``, with ``gaps`` the
    missing values; its means are not the metric)."""
    from proxymetric.stats.quantile import quantile_difference

    assert metric.quantile is not None
    if arms_ is None or control not in arms_ or result.variant not in arms_:
        raise ProxymetricError(
            f"quantile metric {metric.name!r} needs the quantiles of each arm (`quantiles` "
            "of `analyze_moments`, read by `analyze` from a unit table or an event log); got none"
        )
    c, t = arms_[control], arms_[result.variant]
    if gaps:  # undefined, as a mean with missing values: not a number over the units that have one
        nan = math.nan
        c, t = (
            replace(c, value=nan, lower=nan, upper=nan),
            replace(t, value=nan, lower=nan, upper=nan),
        )
    reasons = [result.reason] if result.reason else []
    c_se, t_se = c.se, t.se
    if min(result.control_units, result.treatment_units) < min_units:
        c_se, t_se = math.nan, math.nan  # no test below `min_units_per_arm`, as for a mean
    cluster: list[str] = []
    if c.sums is not None or t.sums is not None:
        # clustered rows: the moments compared per-unit sums or counts, not the quantile; of
        # their reasons only the units' and the missing values' hold
        reasons = [x for x in base_reasons if "(`min_units_per_arm`)" in x] + list(gaps)
        cluster = _cluster_reasons(metric, {control: c, result.variant: t})
        reasons += cluster
        if cluster:  # the quantiles stand, their interval does not
            c_se, t_se = math.nan, math.nan
    margin = metric.margin
    d = quantile_difference(
        c.value,
        c_se,
        t.value,
        t_se,
        confidence=metric.confidence_level,
        alternative=metric.alternative,
        margin=margin.value if margin else None,
        margin_type=margin.kind if margin else "relative",
        higher_is_better=metric.higher_is_better,
    )
    few = min(result.control_units, result.treatment_units) < min_units
    if not gaps and not cluster and not few and not (math.isfinite(d.se) and d.se > 0):
        reasons.append(
            f"the {metric.quantile:g}-quantile's standard error is undefined (fewer than 2 "
            "values in an arm, or tied order statistics)"
        )
    return replace(
        result,
        control_mean=c.value,
        treatment_mean=t.value,
        control_unadjusted_mean=c.value,
        treatment_unadjusted_mean=t.value,
        effect=d.effect,
        effect_se=d.se,
        effect_ci_lower=d.ci_lower,
        effect_ci_upper=d.ci_upper,
        rel_effect=d.rel_effect,
        rel_effect_se=d.rel_se,
        rel_effect_ci_lower=d.rel_ci_lower,
        rel_effect_ci_upper=d.rel_ci_upper,
        statistic=d.statistic,
        df=math.inf,
        pvalue=d.pvalue,
        better=better(d.effect, metric.higher_is_better),
        variance_reduction=None,
        cuped_theta=None,
        noninferiority_pvalue=d.noninferiority_pvalue,
        reason="; ".join(reasons) if reasons else None,
        test="z",
        quantile=metric.quantile,
        metric_type="quantile",
        effect_fold1=None,
        effect_fold2=None,
        bayesian=None,
    )


def _cluster_reasons(metric: ResolvedMetric, arms_: Mapping[str, ArmQuantile]) -> list[str]:
    """Why the delta method over randomization units cannot give a clustered quantile's
    interval: too few units in an arm, or too few rows per unit known too roughly."""
    from proxymetric.stats.quantile import clustered_share_se

    out = []
    for name, a in arms_.items():
        if a.sums is None or a.sums.units < MIN_CLUSTERS:
            k = 0 if a.sums is None else a.sums.units
            out.append(
                f"variant {name!r} has {k} randomization unit(s) with rows of quantile metric "
                f"{metric.name!r}; its interval (the delta method over units) needs at least "
                f"{MIN_CLUSTERS}"
            )
            continue
        s = a.sums
        if s.n < 2:
            out.append(
                f"variant {name!r} has {s.n:.0f} row(s) of quantile metric {metric.name!r}; "
                "a quantile and its interval need at least 2"
            )
            continue
        cv = clustered_share_se(s.units, s.s, s.n, s.ss, s.nn, s.sn)[1]
        if not cv <= MAX_ROWS_CV:
            out.append(
                f"the rows per randomization unit of variant {name!r} vary too much for the "
                f"delta method of quantile metric {metric.name!r} (coefficient of variation of "
                f"their mean {cv:.2f}, above {MAX_ROWS_CV}); it needs more units"
            )
    return out


def _compare(
    exp: ResolvedExperiment, metric: ResolvedMetric, control: Moments, treatment: Moments, v: str
) -> Comparison:
    return compare(
        control,
        treatment,
        metric.statistic,
        metric.covariate.statistic if metric.covariate is not None else None,
        confidence=metric.confidence_level,
        alternative=metric.alternative,
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
    segments: Mapping[str, Mapping[str, Mapping[str, Moments]]] | None = None,
    quantiles: Mapping[str, Mapping[str, ArmQuantile]] | None = None,
) -> ExperimentResult:
    """Return the analysis of an experiment from per-variant ``moments``.

    This is the statistics half of :func:`analyze`, for callers that already have moments
    (pre-aggregated statistics, a registry, a custom query). ``exp`` is a resolved experiment
    or anything :func:`~proxymetric.experiment.resolve` takes (with ``experiment``). ``folds``
    holds, per variant, the moments of two random halves of its units; their effects fill
    ``effect_fold1/2``. ``caps`` gives the cap of each capped metric (as read from the data).
    ``segments`` holds, per segment column and value, the moments of each variant; each gives
    an exploratory :class:`~proxymetric.analysis.result.SegmentBreakdown`, with the experiment's
    ``segments`` settings (``min_units``, ``correction``; the defaults without them); quantile
    metrics are left out of segments. ``quantiles`` holds, per quantile metric and variant,
    its :class:`~proxymetric.data.quantiles.ArmQuantile` (the moments then only give the
    units); a quantile metric has no folds, Bayesian view or pooled (``combine``) arms.
    """
    exp = resolve(exp, experiment)
    quantiles = quantiles or {}
    if exp.combine and any(m.quantile is not None for m in exp.metrics):
        name = next(m.name for m in exp.metrics if m.quantile is not None)
        raise ProxymetricError(
            f"quantile metric {name!r} cannot pool arms (`combine` of experiment "
            f"{exp.name!r}): the quantile of pooled arms is not a function of each arm's; "
            "remove `combine` or the quantile metric"
        )
    caps = caps or {}
    warnings = list(warnings or [])
    missing = missing or {}
    variants = arms(exp, moments)
    # The sample ratio is tested on the variants as assigned, before any pooling.
    srm = srm_test({v: moments[v].count for v in variants}, exp.split)
    if exp.combine:
        variants, moments, folds, missing = _pool(exp, variants, moments, folds, missing)
    control = moments[exp.control]
    treatments = variants[1:]
    units = {v: moments[v].count for v in variants}
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
            if exp.bayesian is not None:
                result = replace(result, bayesian=_bayesian(exp, metric, cmp))
            if not exp.mature(metric):
                result = _immature(exp, metric, result)
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
            if metric.quantile is not None:
                result = _quantile_result(
                    metric,
                    result,
                    quantiles.get(metric.name),
                    exp.control,
                    gaps,
                    cmp.reasons,
                    exp.spec.experiments[exp.name].min_units_per_arm,
                )
                if not exp.mature(metric):
                    result = _immature(exp, metric, result)
            results.append(result)
    results = _adjust(results, exp)
    covariances = {v: _effect_covariance(exp, control, moments[v], results, v) for v in treatments}
    bayes = exp.bayesian
    decision = decide(
        results,
        treatments,
        srm,
        exp.alpha,
        planned_units=exp.traffic.planned_units,
        total_units=sum(units.values()),
        guardrail_rule=exp.guardrail_rule,
        max_expected_loss=bayes.max_expected_loss if bayes and bayes.ship_rule else None,
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
        family=exp.family if exp.correction != "none" else "none",
        combined={a: list(g) for a, g in exp.combine.items()} if exp.combine else None,
        holdout=exp.holdout,
        segments=_segments(exp, segments, variants),
    )


def _segments(
    exp: ResolvedExperiment,
    segments: Mapping[str, Mapping[str, Mapping[str, Moments]]] | None,
    variants: list[str],
) -> list[SegmentBreakdown]:
    if not segments:
        return []
    from proxymetric.analysis.segments import segment_breakdowns
    from proxymetric.spec.model import SegmentsSpec

    declared = exp.spec.experiments[exp.name].segments
    settings = declared or SegmentsSpec(columns=list(segments))
    exp = replace(exp, metrics=tuple(m for m in exp.metrics if m.quantile is None))
    if exp.combine:  # each segment's arms pooled as the experiment's are
        combine = exp.combine
        pooled = {v for group in combine.values() for v in group}

        def arms_of(per: Mapping[str, Moments]) -> dict[str, Moments]:
            out = {v: m for v, m in per.items() if v not in pooled}
            for arm, group in combine.items():
                parts = [per[v] for v in group if v in per]
                if parts:
                    merged = parts[0]
                    for m in parts[1:]:
                        merged = merged.merge(m)
                    out[arm] = merged
            return out

        segments = {c: {g: arms_of(per) for g, per in vs.items()} for c, vs in segments.items()}
    return segment_breakdowns(
        exp,
        segments,
        variants,
        _compare,
        min_units=settings.min_units,
        correction=settings.correction,
        orders={
            d.name: d.labels()
            for d in map(settings.dimension, segments)
            if d is not None  # a declared dimension keeps the order of its labels
        },
    )


def _pool(
    exp: ResolvedExperiment,
    variants: list[str],
    moments: Mapping[str, Moments],
    folds: Mapping[str, tuple[Moments, Moments]] | None,
    missing: Mapping[str, Mapping[str, int]],
) -> tuple[
    list[str],
    dict[str, Moments],
    dict[str, tuple[Moments, Moments]] | None,
    dict[str, dict[str, int]],
]:
    """The arms as analysed: the variants of each ``combine`` arm pooled into one (their
    moments merged exactly, Chan et al. 1983), the others as they are."""
    assert exp.combine is not None
    pooled = {v for group in exp.combine.values() for v in group}
    absent = sorted(pooled - set(variants))
    if absent:
        raise ProxymetricError(
            f"`combine` of experiment {exp.name!r} pools variant(s) "
            f"{', '.join(map(repr, absent))} that the data does not have; variants in the "
            f"data: {', '.join(variants)}"
        )
    kept = [v for v in variants if v not in pooled]
    out = {v: moments[v] for v in kept}
    out_folds = {v: folds[v] for v in kept if v in folds} if folds else None
    out_missing = {v: dict(missing[v]) for v in kept if v in missing}
    for arm, group in exp.combine.items():
        merged = moments[group[0]]
        for v in group[1:]:
            merged = merged.merge(moments[v])
        out[arm] = merged
        if folds and all(v in folds for v in group):
            halves = [folds[group[0]][k] for k in (0, 1)]
            for v in group[1:]:
                halves = [halves[k].merge(folds[v][k]) for k in (0, 1)]
            assert out_folds is not None
            out_folds[arm] = (halves[0], halves[1])
        gaps: dict[str, int] = {}
        for v in group:
            for c, n in missing.get(v, {}).items():
                gaps[c] = gaps.get(c, 0) + n
        if gaps:
            out_missing[arm] = gaps
    return kept + list(exp.combine), out, out_folds, out_missing


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
    if primary.type == "quantile":
        return decision
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
    mine = {r.metric: r for r in results if r.variant == variant}
    theta = {r.metric: r.cuped_theta or 0.0 for r in mine.values()}
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
    for i, m in enumerate(exp.metrics):
        if m.quantile is not None:  # its noise with other metrics is not in the moments
            cov[i, :] = cov[:, i] = math.nan
            cov[i, i] = mine[m.name].effect_se ** 2 if m.name in mine else math.nan
    return {a: {b: float(cov[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)}


def _family_key(r: MetricResult, family: str) -> tuple[str, ...]:
    """The family a success comparison is corrected in (docs/architecture.md)."""
    if family == "metrics":
        return (r.variant,)
    if family == "treatments":
        return (r.metric,)
    if family == "none":
        return (r.metric, r.variant)
    return ()


def _adjust(results: list[MetricResult], exp: ResolvedExperiment) -> list[MetricResult]:
    """Correct the success metrics (primary and secondary) within each family of the declared
    ``family`` (``both``: every metric of every treatment as one family); each comparison is
    then significant when its adjusted p-value is below its metric's own level."""
    families: dict[tuple[str, ...], list[int]] = {}
    for i, r in enumerate(results):
        if r.role != "guardrail":
            families.setdefault(_family_key(r, exp.family), []).append(i)
    out = list(results)
    for members in families.values():
        adjusted = adjust_pvalues([results[i].pvalue for i in members], exp.correction)
        for i, p_adj in zip(members, adjusted, strict=True):
            out[i] = replace(out[i], pvalue_adjusted=p_adj)
    for i, r in enumerate(out):
        p = r.pvalue_adjusted if r.pvalue_adjusted is not None else r.pvalue
        level = r.alpha if r.alpha is not None else exp.alpha
        out[i] = replace(r, significant=math.isfinite(p) and p < level)
    return out


def analyze(
    spec: str | Path | Mapping[str, Any] | Spec | ResolvedExperiment,
    experiment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    effect_covariance: bool = False,
    folds: bool = False,
    segments: Sequence[str] | None = None,
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
        segments: columns of the unit table (or assignment log) to break every effect down
            by (``segments`` of the result), or names of dimensions the experiment's
            ``segments`` declare, in the same query; ``None`` takes the
            experiment's ``segments``, and ``[]`` asks for none. The overall results and the
            decision do not change.

    The engine computes all moments in one query; only one row per variant reaches Python.
    """
    exp = resolve(spec, experiment)
    if segments is None:
        declared = exp.spec.experiments[exp.name].segments
        segments = declared.names() if declared is not None else []
    got = read(exp, data, folds=folds, all_covariances=effect_covariance, segments=list(segments))
    return analyze_moments(
        exp,
        got.moments,
        missing=got.missing,
        warnings=got.warnings,
        folds=got.folds or None,
        caps=got.caps,
        segments=got.segments,
        quantiles=got.quantiles,
    )
