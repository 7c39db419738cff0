"""The fields every comparison of a metric with the control shares, overall or in a segment."""

from __future__ import annotations

import math
from typing import Any

from proxymetric.experiment import ResolvedMetric
from proxymetric.stats import Comparison

__all__ = ["better", "comparison_fields"]


def better(effect: float, higher_is_better: bool) -> bool | None:
    """Return whether ``effect`` goes the metric's good way (None for 0 or undefined)."""
    if not math.isfinite(effect) or effect == 0:
        return None
    return (effect > 0) == higher_is_better


def comparison_fields(metric: ResolvedMetric, variant: str, cmp: Comparison) -> dict[str, Any]:
    """Return the result fields of ``cmp`` (``variant`` against the control on ``metric``)
    that a :class:`~proxymetric.analysis.result.MetricResult` and a segment's
    :class:`~proxymetric.analysis.result.SegmentResult` share: arms, effect, relative effect
    and their errors and intervals, the p-value, the direction and the test."""
    d, r = cmp.difference, cmp.relative
    return {
        "metric": metric.name,
        "role": metric.role,
        "variant": variant,
        "metric_type": metric.type,
        "control_units": cmp.control.count,
        "treatment_units": cmp.treatment.count,
        "control_mean": cmp.control.mean,
        "treatment_mean": cmp.treatment.mean,
        "effect": d.effect,
        "effect_se": d.se,
        "effect_ci_lower": d.ci_lower,
        "effect_ci_upper": d.ci_upper,
        "rel_effect": r.rel_effect,
        "rel_effect_se": r.se,
        "rel_effect_ci_lower": r.ci_lower,
        "rel_effect_ci_upper": r.ci_upper,
        "pvalue": d.pvalue,
        "better": better(d.effect, metric.higher_is_better),
        "test": d.test,
    }
