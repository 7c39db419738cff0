"""Segments: the effect of every metric per value of a column, exploratory and corrected.

The moments of every segment come from the experiment's one query (grouped by variant and
segment values, :func:`proxymetric.data.variant_moments`); here each segment is compared as
its own experiment would be, values with few units are pooled into ``"other"``, the p-values of
one metric are corrected across the segments of a column, and Cochran's Q (Cochran, "The
combination of estimates from different experiments", Biometrics 1954) tests whether the
segment effects differ at all. Nothing here feeds the decision.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np

from proxymetric.analysis._comparison import comparison_fields
from proxymetric.analysis.result import SegmentBreakdown, SegmentHeterogeneity, SegmentResult
from proxymetric.experiment import ResolvedExperiment, ResolvedMetric
from proxymetric.stats import Comparison, adjust_pvalues
from proxymetric.stats.moments import Moments

__all__ = ["OTHER", "cochran_q", "segment_breakdowns"]

# The segment of the values with fewer units than the minimum, pooled.
OTHER = "other"

CompareFn = Callable[[ResolvedExperiment, ResolvedMetric, Moments, Moments, str], Comparison]


def cochran_q(effects: Sequence[float], ses: Sequence[float]) -> tuple[float, int, float]:
    """Return Cochran's Q, its degrees of freedom and p-value for estimates with standard
    errors; estimates with an undefined or zero standard error are left out.

    >>> q, df, p = cochran_q([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    >>> round(q, 6), df, round(p, 4)
    (2.0, 2, 0.3679)
    """
    from scipy import special

    e, s = np.asarray(effects, float), np.asarray(ses, float)
    ok = np.isfinite(e) & np.isfinite(s) & (s > 0)
    e, s = e[ok], s[ok]
    k = int(e.size)
    if k < 2:
        return math.nan, max(k - 1, 0), math.nan
    w = 1.0 / s**2
    pooled = float(np.sum(w * e) / np.sum(w))
    q = float(np.sum(w * (e - pooled) ** 2))
    return q, k - 1, float(special.chdtrc(k - 1, q))


def _pool(
    values: Mapping[str, Mapping[str, Moments]],
    variants: Sequence[str],
    min_units: int,
    order: Sequence[str] | None = None,
) -> tuple[dict[str, dict[str, Moments]], list[str]]:
    """The segments after pooling the values with fewer than ``min_units`` units into OTHER:
    largest first, or in the declared ``order`` (then the values it does not list), OTHER last.
    """

    def units(per: Mapping[str, Moments]) -> int:
        return sum(per[v].count for v in variants if v in per)

    rare = sorted(g for g, per in values.items() if units(per) < min_units)
    out = {g: dict(per) for g, per in values.items() if g not in rare}
    if len(rare) > 1 or (rare and OTHER in out):
        pooled = out.pop(OTHER, {})
        for g in rare:
            for v, m in values[g].items():
                pooled[v] = pooled[v].merge(m) if v in pooled else m
        out[OTHER] = pooled
    else:  # a single rare value: pooling it alone would only rename it
        out.update({g: dict(values[g]) for g in rare})
        rare = []
    rare = [g for g in rare if g != OTHER]  # a value named "other" is the pool itself
    rank = {g: i for i, g in enumerate(order or ())}
    ordered = sorted(out, key=lambda g: (g == OTHER, rank.get(g, len(rank)), -units(out[g]), g))
    return {g: out[g] for g in ordered}, rare


def _result(
    dimension: str,
    segment: str,
    metric: ResolvedMetric,
    variant: str,
    cmp: Comparison | None,
    counts: tuple[int, int],
    reason: str | None,
) -> SegmentResult:
    nan = math.nan
    if cmp is None:
        return SegmentResult(
            dimension=dimension,
            segment=segment,
            metric=metric.name,
            role=metric.role,
            variant=variant,
            metric_type=metric.type,
            control_units=counts[0],
            treatment_units=counts[1],
            control_mean=nan,
            treatment_mean=nan,
            effect=nan,
            effect_se=nan,
            effect_ci_lower=nan,
            effect_ci_upper=nan,
            rel_effect=nan,
            rel_effect_se=nan,
            rel_effect_ci_lower=nan,
            rel_effect_ci_upper=nan,
            pvalue=nan,
            pvalue_adjusted=nan,
            significant=False,
            better=None,
            test="welch",
            reason=reason,
        )
    return SegmentResult(
        dimension=dimension,
        segment=segment,
        **comparison_fields(metric, variant, cmp),
        pvalue_adjusted=nan,
        significant=False,
        reason="; ".join(cmp.reasons) if cmp.reasons else None,
    )


def segment_breakdowns(
    exp: ResolvedExperiment,
    segments: Mapping[str, Mapping[str, Mapping[str, Moments]]],
    variants: Sequence[str],
    compare: CompareFn,
    *,
    min_units: int,
    correction: Literal["holm", "bh"],
    orders: Mapping[str, Sequence[str]] | None = None,
) -> list[SegmentBreakdown]:
    """Return one :class:`SegmentBreakdown` per segment column of ``segments`` (column ->
    value -> variant -> moments), comparing each treatment of ``variants`` (control first)
    with the control in every segment by ``compare``. ``orders`` gives the declared order of
    the labels of a derived dimension (by name); the other dimensions list their values
    largest first."""
    control, treatments = variants[0], list(variants[1:])
    out = []
    for dimension, values in segments.items():
        order = (orders or {}).get(dimension)
        pooled_values, pooled = _pool(values, variants, min_units, order)
        units = {
            g: sum(per[v].count for v in variants if v in per) for g, per in pooled_values.items()
        }
        results: list[SegmentResult] = []
        heterogeneity: list[SegmentHeterogeneity] = []
        for metric in exp.metrics:
            for variant in treatments:
                family: list[SegmentResult] = []
                for g, per in pooled_values.items():
                    empty = Moments.empty(next(iter(per.values())).columns)
                    c, t = per.get(control, empty), per.get(variant, empty)
                    if units[g] < min_units:
                        why = (
                            f"segment {g!r} of {dimension!r} has {units[g]:,} unit(s), fewer than "
                            f"`min_units` ({min_units:,}) of the segments: no estimate"
                        )
                        family.append(
                            _result(dimension, g, metric, variant, None, (c.count, t.count), why)
                        )
                        continue
                    cmp = compare(exp, metric, c, t, variant)
                    family.append(_result(dimension, g, metric, variant, cmp, (0, 0), None))
                adjusted = adjust_pvalues([r.pvalue for r in family], correction)
                for r, p in zip(family, adjusted, strict=True):
                    results.append(
                        _replace(
                            r, pvalue_adjusted=p, significant=math.isfinite(p) and p < metric.level
                        )
                    )
                q, df, p = cochran_q([r.effect for r in family], [r.effect_se for r in family])
                tested = (
                    df + 1
                    if math.isfinite(q)
                    else sum(
                        math.isfinite(r.effect) and math.isfinite(r.effect_se) and r.effect_se > 0
                        for r in family
                    )
                )
                heterogeneity.append(
                    SegmentHeterogeneity(dimension, metric.name, variant, q, df, p, int(tested))
                )
        out.append(
            SegmentBreakdown(
                dimension=dimension,
                values=list(pooled_values),
                units=units,
                pooled=pooled,
                min_units=min_units,
                correction=correction,
                alpha=exp.alpha,
                results=results,
                heterogeneity=heterogeneity,
            )
        )
    return out


def _replace(r: SegmentResult, **changes: object) -> SegmentResult:
    from dataclasses import replace

    return replace(r, **changes)  # type: ignore[arg-type]
