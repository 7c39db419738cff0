"""One metric, one treatment against the control: every number the analysis reports.

:func:`compare` turns the moments of two arms into a :class:`Comparison`: arm estimates (CUPED-
adjusted when a covariate is given), the Welch difference, the relative effect, the variance
reduction and, for guardrails, the non-inferiority p-value. Degenerate inputs never raise and
never produce a silent number: the affected fields are NaN and ``reasons`` says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from proxymetric.stats.estimators import ArmEstimate, Statistic, arm_estimate, cuped_theta
from proxymetric.stats.moments import Moments
from proxymetric.stats.welch import (
    Difference,
    RelativeDifference,
    noninferiority_pvalue,
    relative_difference,
    welch_difference,
)

__all__ = ["CUPED_UNDEFINED", "Comparison", "compare"]

NAN = math.nan
CUPED_UNDEFINED = (
    "CUPED is undefined (the covariate has a zero denominator or an unknown covariance over "
    "both variants); the estimates are unadjusted"
)


@dataclass(frozen=True)
class Comparison:
    """All the statistics of one treatment against the control for one metric.

    Attributes:
        control, treatment: the arm estimates (adjusted means and variances under CUPED).
        difference: the absolute effect with Welch's test and interval.
        relative: the relative effect with its log-scale interval.
        theta: the pooled CUPED coefficient (None without a covariate).
        variance_reduction: ``1 - se_adjusted^2 / se_unadjusted^2`` of the effect under CUPED
            (None without a covariate).
        noninferiority_pvalue: one-sided p-value at the margin (None without a margin).
        reasons: why any number is undefined (empty when all are defined).
    """

    control: ArmEstimate
    treatment: ArmEstimate
    difference: Difference
    relative: RelativeDifference
    theta: float | None
    variance_reduction: float | None
    noninferiority_pvalue: float | None
    reasons: tuple[str, ...]


def _undefined_inputs(m: Moments, columns: tuple[str, ...]) -> list[str]:
    sub = m.select(columns)
    return [
        c
        for i, c in enumerate(columns)
        if not (np.isfinite(sub.mean[i]) and (m.count < 2 or np.all(np.isfinite(sub.comoment[i]))))
    ]


def compare(
    control: Moments,
    treatment: Moments,
    metric: Statistic,
    covariate: Statistic | None = None,
    *,
    confidence: float = 0.95,
    margin: float | None = None,
    margin_type: Literal["relative", "absolute"] = "relative",
    higher_is_better: bool = True,
    control_name: str = "control",
    treatment_name: str = "treatment",
) -> Comparison:
    """Return the :class:`Comparison` of ``treatment`` against ``control`` for ``metric``.

    With a ``covariate``, CUPED uses theta from both arms pooled and adjusts each arm's mean
    towards the pooled covariate value (DESIGN.md). With a ``margin``, the guardrail's
    non-inferiority p-value is computed
    (:func:`~proxymetric.stats.welch.noninferiority_pvalue`).
    """
    reasons: list[str] = []
    columns = metric.columns + (covariate.columns if covariate is not None else ())
    columns = tuple(dict.fromkeys(columns))
    for name, m in ((control_name, control), (treatment_name, treatment)):
        if m.count < 2:
            reasons.append(f"variant {name!r} has {m.count} unit(s); at least 2 are needed")
        bad = _undefined_inputs(m, columns)
        if bad:
            reasons.append(
                f"undefined (NaN) statistics of {', '.join(bad)} in variant {name!r}: "
                "missing values, or covariances that summary statistics do not carry"
            )
        if metric.denominator is not None and m.count > 0 and m.mean_of(metric.denominator) == 0:
            reasons.append(
                f"the denominator {metric.denominator!r} averages 0 in variant {name!r}; "
                "the ratio is undefined"
            )
    theta: float | None = None
    pooled_x = 0.0
    notes: list[str] = []
    if covariate is not None and not reasons:
        pooled = control.merge(treatment)
        theta = cuped_theta(pooled, metric, covariate)
        pooled_x = covariate.value(pooled)
        if not (math.isfinite(pooled_x) and math.isfinite(theta)):
            # CUPED cannot adjust (a zero denominator of a ratio covariate, an unknown
            # covariance): the unadjusted estimates stand, and the result says why.
            notes.append(CUPED_UNDEFINED)
            covariate, theta, pooled_x = None, None, 0.0
    if reasons:
        nan_arm = ArmEstimate(0, NAN, NAN, NAN, NAN)
        c = arm_estimate(control, metric) if control.count else nan_arm
        t = arm_estimate(treatment, metric) if treatment.count else nan_arm
        return Comparison(
            c,
            t,
            Difference(t.mean - c.mean, NAN, NAN, NAN, NAN, NAN, NAN),
            RelativeDifference(NAN, NAN, NAN, NAN, NAN),
            None,
            None,
            None if margin is None else NAN,
            tuple(reasons),
        )
    c = arm_estimate(control, metric, covariate, theta or 0.0, pooled_x)
    t = arm_estimate(treatment, metric, covariate, theta or 0.0, pooled_x)
    diff = welch_difference(c, t, confidence=confidence)
    if not math.isfinite(diff.pvalue):
        reasons.append("both variants have zero variance; no test is possible")
    rel = relative_difference(c, t, confidence=confidence)
    if c.mean == 0:
        reasons.append("the control mean is 0; the relative effect is undefined")
    elif math.isfinite(rel.rel_effect) and not math.isfinite(rel.ci_lower) and t.mean / c.mean <= 0:
        reasons.append(
            "control and treatment means differ in sign; no relative interval on the log scale"
        )
    variance_reduction: float | None = None
    if covariate is not None:
        raw_se2 = c.unadjusted_variance / c.count + t.unadjusted_variance / t.count
        adj_se2 = c.variance / c.count + t.variance / t.count
        variance_reduction = 1 - adj_se2 / raw_se2 if raw_se2 > 0 else NAN
    ni: float | None = None
    if margin is not None:
        ni = noninferiority_pvalue(
            c, t, margin, margin_type=margin_type, higher_is_better=higher_is_better
        )
    return Comparison(c, t, diff, rel, theta, variance_reduction, ni, tuple(reasons + notes))
