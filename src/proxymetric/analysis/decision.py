"""The default ship rule (DESIGN.md), with the reasons in plain sentences.

Per treatment: ship when the primary metric improves significantly (after the correction) and
every guardrail is significantly non-inferior at its margin; roll back when the primary metric
or any guardrail is significantly worse; otherwise keep testing, or "inconclusive" once the
planned sample is reached. Across treatments, the experiment ships the shippable treatment with
the best primary effect; it rolls back only when every treatment must be rolled back. A sample
ratio mismatch overrides everything: the results cannot be trusted.
"""

from __future__ import annotations

import math

from proxymetric.analysis.result import Decision, MetricResult, Verdict
from proxymetric.report._format import format_interval, format_number, format_p
from proxymetric.stats.srm import SrmResult

__all__ = ["decide"]


def _effect_text(r: MetricResult) -> str:
    if math.isfinite(r.rel_effect):
        if math.isfinite(r.rel_effect_ci_lower):
            return (
                f"{r.rel_effect:+.1%} [{r.rel_effect_ci_lower:+.1%}, {r.rel_effect_ci_upper:+.1%}]"
            )
        return f"{r.rel_effect:+.1%}"
    return f"{format_number(r.effect)} {format_interval(r.effect_ci_lower, r.effect_ci_upper)}"


def _worse(r: MetricResult, alpha: float) -> bool:
    return r.better is False and math.isfinite(r.pvalue) and r.pvalue < alpha


def _treatment_verdict(
    variant: str, results: list[MetricResult], alpha: float
) -> tuple[Verdict, list[str]]:
    primary = next(r for r in results if r.role == "primary")
    guardrails = [r for r in results if r.role == "guardrail"]
    reasons: list[str] = []
    prefix = f"{variant}: "
    if primary.reason and not math.isfinite(primary.pvalue):
        return "keep_testing", [
            f"{prefix}primary metric {primary.metric} is undefined: {primary.reason}"
        ]
    p_adj = primary.pvalue_adjusted if primary.pvalue_adjusted is not None else primary.pvalue
    worse_guardrails = [g for g in guardrails if _worse(g, alpha)]
    if primary.better is False and p_adj < alpha:
        reasons.append(
            f"{prefix}primary metric {primary.metric} is significantly worse: "
            f"{_effect_text(primary)}, {format_p(p_adj, 'adjusted p')}"
        )
    reasons.extend(
        f"{prefix}guardrail {g.metric} is significantly worse: {_effect_text(g)}, "
        f"{format_p(g.pvalue)}"
        for g in worse_guardrails
    )
    if reasons:
        return "rollback", reasons
    improved = primary.better is True and p_adj < alpha
    if improved:
        reasons.append(
            f"{prefix}primary metric {primary.metric} improved significantly: "
            f"{_effect_text(primary)}, {format_p(p_adj, 'adjusted p')}"
        )
    else:
        reasons.append(
            f"{prefix}primary metric {primary.metric} shows no significant improvement: "
            f"{_effect_text(primary)}, {format_p(p_adj, 'adjusted p')}"
        )
    pending = []
    for g in guardrails:
        ni = g.noninferiority_pvalue
        margin = f"{g.margin:.1%}" if g.margin_type == "relative" else format_number(g.margin)
        if ni is not None and math.isfinite(ni) and ni < alpha:
            reasons.append(
                f"{prefix}guardrail {g.metric} is non-inferior at its {margin} margin "
                f"({format_p(ni)})"
            )
        else:
            why = f": {g.reason}" if g.reason else ""
            reasons.append(
                f"{prefix}guardrail {g.metric} is not yet shown non-inferior at its {margin} "
                f"margin ({format_p(ni)}){why}"
            )
            pending.append(g)
    if improved and not pending:
        return "ship", reasons
    return "keep_testing", reasons


def decide(
    results: list[MetricResult],
    variants: list[str],
    srm: SrmResult,
    alpha: float,
    *,
    planned_units: int | None = None,
    total_units: int = 0,
) -> Decision:
    """Return the :class:`Decision` for the treatment ``variants`` from their results."""
    if srm.mismatch:
        observed = ", ".join(f"{v} {s:.2%}" for v, s in srm.observed_shares.items())
        expected = ", ".join(f"{v} {s:.2%}" for v, s in srm.expected_shares.items())
        return Decision(
            "inconclusive",
            [
                (
                    f"SAMPLE RATIO MISMATCH ({format_p(srm.pvalue)}): observed shares "
                    f"{observed}, expected {expected}. The assignment or the logging is broken; "
                    "do not trust these results until the cause is found."
                )
            ],
        )
    verdicts = {
        v: _treatment_verdict(v, [r for r in results if r.variant == v], alpha) for v in variants
    }
    reasons = [reason for _, rs in verdicts.values() for reason in rs]
    shippable = [v for v, (verdict, _) in verdicts.items() if verdict == "ship"]
    if shippable:

        def primary_gain(v: str) -> float:
            r = next(r for r in results if r.variant == v and r.role == "primary")
            return r.effect if r.better else -r.effect

        best = max(shippable, key=primary_gain)
        if len(variants) > 1:
            reasons.insert(0, f"ship {best}: the shippable treatment with the best primary effect")
        return Decision("ship", reasons, best)
    if all(verdict == "rollback" for verdict, _ in verdicts.values()):
        return Decision("rollback", reasons)
    if planned_units is not None and total_units >= planned_units:
        reasons.append(
            f"the planned sample of {planned_units:,} units is reached ({total_units:,}); "
            "the test found no decisive effect"
        )
        return Decision("inconclusive", reasons)
    return Decision("keep_testing", reasons)
