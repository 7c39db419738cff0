"""One metric, one treatment against the control: every number the analysis reports.

:func:`compare` turns the moments of two arms into a :class:`Comparison`: arm estimates (CUPED-
adjusted when a covariate is given), the Welch difference, the relative effect, the variance
reduction and, for guardrails, the non-inferiority p-value. Degenerate inputs never raise and
never produce a silent number: the affected fields are NaN and ``reasons`` says why.

Small samples (docs/architecture.md, statistical conventions):

- a test needs at least ``min_units`` units per variant (:data:`MIN_UNITS_PER_ARM`, 10, by
  default): below that the effect is reported without a test or an interval, with a reason.
  Ten is a floor against a variance estimated from a handful of units, not a power target: the
  sample variance of ``n`` normal values has a relative standard error of ``sqrt(2 / (n - 1))``
  (141% at 2 units, 47% at 10), and with skewed or discrete data a handful of units often shows
  no variation at all.
- a variant in which the metric does not vary (a variance of 0) leaves the test undefined, with
  a reason: a variance of 0 estimated from data is not a known variance;
- a proportion (``proportion=True``) with fewer than
  :data:`~proxymetric.stats.exact.EXACT_BELOW` events or non-events in a variant is decided by
  Fisher's exact test with the Agresti-Caffo interval (see :mod:`proxymetric.stats.exact`),
  on the raw counts (no CUPED); ``difference.test`` says which test produced the p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from proxymetric._validation import check_choice
from proxymetric.errors import ProxymetricError
from proxymetric.stats.estimators import ArmEstimate, Statistic, arm_estimate, cuped_theta
from proxymetric.stats.exact import (
    EXACT_BELOW,
    agresti_caffo,
    agresti_caffo_noninferiority_pvalue,
    binary_counts,
    fisher_exact_pvalue,
)
from proxymetric.stats.moments import Moments
from proxymetric.stats.welch import (
    ALTERNATIVES,
    Alternative,
    Difference,
    RelativeDifference,
    noninferiority_pvalue,
    relative_difference,
    welch_difference,
)

__all__ = ["CUPED_UNDEFINED", "MIN_UNITS_PER_ARM", "Comparison", "compare"]

NAN = math.nan
CUPED_UNDEFINED = (
    "CUPED is undefined (the covariate has a zero denominator or an unknown covariance over "
    "both variants); the estimates are unadjusted"
)

# The fewest units per variant for which a test is reported (``min_units_per_arm`` in a spec).
MIN_UNITS_PER_ARM = 10


@dataclass(frozen=True)
class Comparison:
    """All the statistics of one treatment against the control for one metric.

    Attributes:
        control, treatment: the arm estimates (adjusted means and variances under CUPED).
        difference: the absolute effect with its test (``difference.test``) and interval.
        relative: the relative effect with its interval (log scale for positive means, linear
            for a negative control mean).
        theta: the pooled CUPED coefficient (None without a covariate).
        variance_reduction: ``1 - se_adjusted^2 / se_unadjusted^2`` of the effect under CUPED
            (None without a covariate).
        noninferiority_pvalue: one-sided p-value at the margin (None without a margin).
        reasons: why any number is undefined, and what the reader must know about how a
            number was obtained (empty when there is nothing to say).
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


def _no_variation(m: Moments, metric: Statistic) -> bool:
    """True when the metric's unit-level (delta-method) variance in ``m`` is 0.

    For a ratio the quadratic form cancels to rounding noise when every unit has the same
    ratio, so "0" is relative to the size of its terms.
    """
    g = metric.gradient(m)
    cols = np.flatnonzero(g != 0)
    cov = m.covariance()[np.ix_(cols, cols)]
    g = g[cols]
    variance = float(g @ cov @ g)
    scale = float(np.abs(g) @ np.abs(cov) @ np.abs(g))
    return variance <= 1e-12 * scale


def _few_events(
    control: Moments, treatment: Moments, metric: Statistic
) -> tuple[int, int, int, int] | None:
    """The counts ``(x_c, n_c, x_t, n_t)`` of a 0/1 metric with few events, else None."""
    if metric.denominator is not None:
        return None
    x_c = binary_counts(control, metric.numerator)
    x_t = binary_counts(treatment, metric.numerator)
    if x_c is None or x_t is None:
        return None
    n_c, n_t = control.count, treatment.count
    if min(x_c, n_c - x_c, x_t, n_t - x_t) >= EXACT_BELOW:
        return None
    return x_c, n_c, x_t, n_t


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
    proportion: bool = False,
    min_units: int = MIN_UNITS_PER_ARM,
    alternative: Alternative = "two-sided",
) -> Comparison:
    """Return the :class:`Comparison` of ``treatment`` against ``control`` for ``metric``.

    With a ``covariate``, CUPED uses theta from both arms pooled and adjusts each arm's mean
    towards the pooled covariate value (docs/architecture.md). With a ``margin``, the guardrail's
    non-inferiority p-value is computed
    (:func:`~proxymetric.stats.welch.noninferiority_pvalue`). ``proportion`` says the metric is
    a 0/1 value per unit (then few events switch to Fisher's exact test); ``min_units`` is the
    fewest units per variant for which a test is reported (see the module docstring).
    ``alternative`` is the hypothesis of the test of the effect (``two-sided``, ``greater``:
    treatment - control > 0, ``less``); its intervals follow it (a one-sided bound, the other
    end infinite). The non-inferiority test is one-sided whatever it is.
    """
    check_choice("alternative", alternative, ALTERNATIVES)
    if isinstance(min_units, bool) or not isinstance(min_units, int) or min_units < 2:
        raise ProxymetricError(f"`min_units` must be a whole number >= 2; got {min_units!r}")
    reasons: list[str] = []
    notes: list[str] = []
    counts = None
    if proportion and min(control.count, treatment.count) >= min_units:
        counts = _few_events(control, treatment, metric)
    if counts is not None and covariate is not None:
        notes.append(
            f"CUPED is not applied: with fewer than {EXACT_BELOW} events or non-events in a "
            "variant the exact test uses the raw counts"
        )
        covariate = None
    columns = metric.columns + (covariate.columns if covariate is not None else ())
    columns = tuple(dict.fromkeys(columns))
    for name, m in ((control_name, control), (treatment_name, treatment)):
        if m.count < min_units:
            reasons.append(
                f"variant {name!r} has {m.count} unit(s); a test needs at least {min_units} "
                "per variant (`min_units_per_arm`)"
            )
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
    if not reasons and counts is None:
        flat = [
            n
            for n, m in ((control_name, control), (treatment_name, treatment))
            if _no_variation(m, metric)
        ]
        if flat:
            reasons.append(
                f"the metric does not vary across the units of variant(s) "
                f"{', '.join(map(repr, flat))}: a variance of 0 estimated from data is not "
                "evidence, so no test is possible"
            )
    theta: float | None = None
    pooled_x = 0.0
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
            tuple(reasons + notes),
        )
    c = arm_estimate(control, metric, covariate, theta or 0.0, pooled_x)
    t = arm_estimate(treatment, metric, covariate, theta or 0.0, pooled_x)
    if counts is not None:
        diff = _exact_difference(c, t, counts, confidence, alternative)
    else:
        diff = welch_difference(c, t, confidence=confidence, alternative=alternative)
        if not math.isfinite(diff.pvalue):
            reasons.append(
                "the effect has no standard error (both variants have zero variance after "
                "CUPED); no test is possible"
            )
    rel = relative_difference(c, t, confidence=confidence, alternative=alternative)
    reasons.extend(_relative_reasons(c.mean, t.mean))
    if counts is not None:
        reasons.extend(_disagreements(diff, rel, confidence))
    variance_reduction: float | None = None
    if covariate is not None:
        raw_se2 = c.unadjusted_variance / c.count + t.unadjusted_variance / t.count
        adj_se2 = c.variance / c.count + t.variance / t.count
        variance_reduction = 1 - adj_se2 / raw_se2 if raw_se2 > 0 else NAN
    ni: float | None = None
    if margin is not None:
        if counts is not None and margin_type == "absolute":
            ni = agresti_caffo_noninferiority_pvalue(
                *counts, margin, higher_is_better=higher_is_better
            )
        else:
            ni = noninferiority_pvalue(
                c, t, margin, margin_type=margin_type, higher_is_better=higher_is_better
            )
            if counts is not None:
                notes.append(
                    f"with fewer than {EXACT_BELOW} events or non-events in a variant, the "
                    "relative non-inferiority test relies on the normal approximation, which "
                    "may not hold; an absolute margin (`margin_type: absolute`) is tested "
                    "with the Agresti-Caffo interval"
                )
    return Comparison(c, t, diff, rel, theta, variance_reduction, ni, tuple(reasons + notes))


def _exact_difference(
    c: ArmEstimate,
    t: ArmEstimate,
    counts: tuple[int, int, int, int],
    confidence: float,
    alternative: Alternative = "two-sided",
) -> Difference:
    """The difference of a proportion with few events: Fisher's p-value, Agresti-Caffo interval
    (a one-sided bound for a one-sided ``alternative``: one end of the two-sided interval at
    ``2 * confidence - 1``)."""
    two_sided = alternative == "two-sided"
    ac = agresti_caffo(*counts, confidence=confidence if two_sided else 2 * confidence - 1)
    return Difference(
        t.mean - c.mean,
        ac.se,
        NAN,
        NAN,
        fisher_exact_pvalue(*counts, alternative=alternative),
        -math.inf if alternative == "less" else ac.ci_lower,
        math.inf if alternative == "greater" else ac.ci_upper,
        "fisher_exact",
    )


def _relative_reasons(m_c: float, m_t: float) -> list[str]:
    if m_c == 0:
        return ["the control mean is 0; the relative effect is undefined"]
    if m_c * m_t < 0:
        why = "the control and treatment means have opposite signs; the relative effect is "
        return [why + "undefined (the absolute effect and its test stand)"]
    if m_c > 0 and m_t == 0:
        return ["the treatment mean is 0; the relative interval (on the log scale) is undefined"]
    return []


def _disagreements(diff: Difference, rel: RelativeDifference, confidence: float) -> list[str]:
    """Say when an approximate interval and the exact test disagree about "no effect"."""
    significant = diff.pvalue < 1 - confidence
    out = []
    for what, low, high in (
        ("Agresti-Caffo interval of the effect", diff.ci_lower, diff.ci_upper),
        ("relative interval", rel.ci_lower, rel.ci_upper),
    ):
        if not (math.isfinite(low) and math.isfinite(high)):
            continue
        if (low > 0 or high < 0) != significant:
            verb = "includes" if significant else "excludes"
            out.append(
                f"the {what} {verb} 0 while Fisher's exact test gives p = {diff.pvalue:.3g}; "
                "with so few events the interval is approximate and the exact test decides"
            )
    return out
