"""The sentences of a decision: each structured reason in words a product manager reads right.

The ship rule (:mod:`proxymetric.analysis.decision`) returns reasons as data; this module is the
one place that writes them, for every renderer (terminal, markdown, HTML).
"""

from __future__ import annotations

import math

from proxymetric.analysis.result import ExperimentResult, MetricResult, Reason
from proxymetric.report._format import format_interval, format_number, format_p

__all__ = ["effect_text", "levels_text", "margin_text", "reason_text", "reasons_text"]


def _bound(x: float) -> str:
    return f"{x:+.1%}" if math.isfinite(x) else ("+inf" if x > 0 else "-inf")


def effect_text(r: MetricResult) -> str:
    """The relative effect with its interval, or the absolute one when no relative exists."""
    if math.isfinite(r.rel_effect):
        if math.isfinite(r.rel_effect_ci_lower):
            low, high = _bound(r.rel_effect_ci_lower), _bound(r.rel_effect_ci_upper)
            return f"{r.rel_effect:+.1%} [{low}, {high}]"
        return f"{r.rel_effect:+.1%}"
    return f"{format_number(r.effect)} {format_interval(r.effect_ci_lower, r.effect_ci_upper)}"


def margin_text(r: MetricResult) -> str:
    """A guardrail's margin: a percentage when relative, a number in the metric's unit else."""
    if r.margin is None:
        return ""
    return f"{r.margin:.1%}" if r.margin_type == "relative" else format_number(r.margin)


def _find(result: ExperimentResult, reason: Reason) -> MetricResult | None:
    for r in result.results:
        if r.metric == reason.metric and r.variant == reason.variant:
            return r
    return None


def reason_text(reason: Reason, result: ExperimentResult) -> str:
    """One reason of ``result.decision`` as a sentence."""
    p_is = format_p(reason.pvalue)  # "p = 0.0123" or "p < 0.0001"
    p_adjusted = format_p(reason.pvalue, "adjusted p")
    prefix = f"{reason.variant}: " if reason.variant else ""
    r = _find(result, reason)
    code = reason.code
    if code == "sample_ratio_mismatch":
        srm = result.srm
        observed = ", ".join(f"{v} {s:.2%}" for v, s in srm.observed_shares.items())
        expected = ", ".join(f"{v} {s:.2%}" for v, s in srm.expected_shares.items())
        return (
            f"SAMPLE RATIO MISMATCH ({p_is}): observed shares {observed}, expected {expected}. "
            "The assignment or the logging is broken; do not trust these results until the "
            "cause is found."
        )
    if code == "best_of_shippable":
        return f"ship {reason.variant}: the shippable treatment with the best primary effect"
    if code == "planned_sample_reached":
        return (
            f"the planned sample of {reason.planned_units or 0:,} units is reached "
            f"({reason.units or 0:,}); the test found no decisive effect"
        )
    if code == "more_units_needed":
        more = max((reason.planned_units or 0) - (reason.units or 0), 0)
        when = (
            f", about {math.ceil(reason.days)} more day(s) at the declared traffic"
            if reason.days is not None and math.isfinite(reason.days)
            else "; declare the experiment's `units_per_day` to know how many days"
        )
        effect = f"{reason.effect:.1%}" if reason.effect is not None else "its expected effect"
        return (
            f"keep testing: {reason.metric} reaches the planned power for its expected effect "
            f"of {effect} at about {reason.planned_units or 0:,} units, {more:,} more than "
            f"today{when}"
        )
    if code == "primary_undefined":
        return f"{prefix}primary metric {reason.metric} is undefined: {reason.detail}"
    if code == "primary_immature":
        return f"{prefix}primary metric {reason.metric} is {reason.detail}"
    if code in ("primary_expected_loss_below", "primary_expected_loss_above"):
        loss = reason.expected_loss if reason.expected_loss is not None else math.nan
        limit = reason.max_expected_loss if reason.max_expected_loss is not None else math.nan
        below = code == "primary_expected_loss_below"
        return (
            f"{prefix}primary metric {reason.metric}: the expected loss of shipping is "
            f"{loss:.3%} of the control mean, {'below' if below else 'not below'} the declared "
            f"{limit:.3%} (Bayesian ship rule)"
        )
    assert r is not None, f"reason {code} names no result"
    effect = effect_text(r)
    margin = margin_text(r)
    if code == "primary_worse":
        return f"{prefix}primary metric {r.metric} is significantly worse: {effect}, {p_adjusted}"
    if code == "primary_improved":
        return f"{prefix}primary metric {r.metric} improved significantly: {effect}, {p_adjusted}"
    if code == "primary_not_improved":
        return (
            f"{prefix}primary metric {r.metric} shows no significant improvement: {effect}, "
            f"{p_adjusted}"
        )
    if code == "guardrail_worse":
        if reason.noninferior:
            return (
                f"{prefix}guardrail {r.metric} is non-inferior at its {margin} margin, but "
                f"significantly worse than control: {effect}, {p_is}; the deterioration rule "
                "rolls back"
            )
        return f"{prefix}guardrail {r.metric} is significantly worse: {effect}, {p_is}"
    if code == "guardrail_beyond_margin":
        return (
            f"{prefix}guardrail {r.metric} is significantly worse than its {margin} margin: "
            f"{effect}, {p_is}"
        )
    if code == "guardrail_noninferior":
        text = f"{prefix}guardrail {r.metric} is non-inferior at its {margin} margin ({p_is})"
        if reason.worse:
            text += (
                ", though significantly worse than control: the margin rule accepts a "
                "deterioration within the margin"
            )
        return text
    why = f": {reason.detail}" if reason.detail else ""
    return (
        f"{prefix}guardrail {r.metric} is not yet shown non-inferior at its {margin} margin "
        f"({p_is}){why}"
    )


def reasons_text(result: ExperimentResult) -> list[str]:
    """Every reason of ``result.decision`` as a sentence, in order."""
    return [reason_text(reason, result) for reason in result.decision.reasons]


_FAMILIES = {
    "both": "every success metric of every treatment as one family",
    "metrics": "the success metrics of each treatment as one family",
    "treatments": "the treatments of each success metric as one family",
}


def levels_text(result: ExperimentResult) -> list[str]:
    """What a reader must know about the levels, the arms and the rule, beyond the defaults:
    per-metric levels and one-sided tests, the family corrected, pooled arms, a holdout, and
    the Bayesian ship rule."""
    out = []
    own = {
        (r.metric, r.alpha, r.alternative)
        for r in result.results
        if (r.alpha is not None and r.alpha != result.alpha) or r.alternative != "two-sided"
    }
    for metric, alpha, alternative in sorted(own, key=lambda t: t[0]):
        level = alpha if alpha is not None else result.alpha
        side = (
            f"one-sided ({'treatment higher' if alternative == 'greater' else 'treatment lower'}"
            "; its interval is a one-sided bound)"
            if alternative != "two-sided"
            else "two-sided"
        )
        out.append(f"{metric} is tested at its own alpha {level:g}, {side}")
    if result.correction != "none" and result.family in _FAMILIES and result.family != "both":
        out.append(f"the correction treats {_FAMILIES[result.family]}")
    for arm, group in (result.combined or {}).items():
        out.append(
            f"{arm} pools the variants {', '.join(group)} into one treatment; the sample ratio "
            "check tests them as assigned"
        )
    if result.holdout:
        out.append(
            f"a long-running holdout: each effect is the cumulative effect of everything shipped "
            f"since, against the held-out {result.control}"
        )
    if result.decision.rule == "bayesian":
        out.append(
            "the primary metric is judged by the Bayesian ship rule (expected loss below the "
            "declared threshold), not by its significance; the frequentist results are shown "
            "beside it"
        )
    return out
