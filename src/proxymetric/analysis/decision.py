"""The ship rule: a verdict with structured reasons (the sentences are written in ``report/``).

Per treatment, under the default risk-aware rule (``guardrail_rule: deterioration``, Spotify's
"risk-aware" product decision rule, Schultzberg, Ankargren and Frånberg 2024):

1. **roll back** when the primary metric is significantly worse (after the correction) or any
   guardrail is significantly worse than control (two-sided test at ``alpha``), even when that
   guardrail is also non-inferior at its margin. With ``guardrail_rule: margin`` a guardrail
   rolls back only when it is significantly worse than its margin (the one-sided test of
   ``effect < -margin`` at ``alpha``);
2. an undefined primary metric keeps the test going (it cannot ship), but never hides a
   guardrail that rolls back (step 1 comes first); a primary metric not yet mature (its
   ``maturity_days`` longer than the data covers) is undefined, with ``primary_immature``;
3. **ship** when the primary metric improves significantly and every guardrail is shown
   non-inferior at its margin;
4. otherwise **keep testing**, or **inconclusive** once the planned sample is reached.

Across treatments, the experiment ships the shippable treatment with the best primary effect
(in the metric's direction); it rolls back only when every treatment rolls back. A sample ratio
mismatch overrides everything: the results cannot be trusted.

Levels: each result is judged at its own metric's level (``MetricResult.alpha``; the
experiment's ``alpha`` for results without one), the primary metric on its adjusted p-value
with its ``alternative``: a primary metric tested one-sided in its better direction cannot be
"significantly worse", so only a guardrail can then roll the treatment back.

The Bayesian ship rule (opt-in, ``max_expected_loss``): step 3 ships on the primary metric's
expected relative loss of shipping below ``max_expected_loss`` instead of its significance
(``primary_expected_loss_below``/``_above``), and step 1 no longer rolls back on the primary
metric (a treatment whose loss is too high keeps testing); guardrails and the sample ratio
check rule as before. The frequentist results stay in the result beside it.
"""

from __future__ import annotations

import math
from typing import Literal

from proxymetric.analysis.result import Decision, MetricResult, Reason, ReasonCode, Verdict
from proxymetric.stats.srm import SrmResult

__all__ = ["beyond_margin_pvalue", "decide"]


def _finite_below(p: float | None, alpha: float) -> bool:
    return p is not None and math.isfinite(p) and p < alpha


def _worse(r: MetricResult, alpha: float) -> bool:
    """Significantly worse than control (two-sided test at ``alpha``)."""
    return r.better is False and _finite_below(r.pvalue, alpha)


def _noninferior(g: MetricResult, alpha: float) -> bool:
    return _finite_below(g.noninferiority_pvalue, alpha)


def beyond_margin_pvalue(g: MetricResult) -> float:
    """The one-sided p-value of "the guardrail is worse than its margin".

    The complement of the non-inferiority p-value: the two one-sided t-tests at the margin share
    the statistic, with opposite alternatives.
    """
    ni = g.noninferiority_pvalue
    return 1.0 - ni if ni is not None and math.isfinite(ni) else math.nan


def _level(r: MetricResult, alpha: float) -> float:
    """The level ``r`` is judged at: its metric's own, else the experiment's."""
    return r.alpha if r.alpha is not None else alpha


def _expected_loss(r: MetricResult) -> float:
    return r.bayesian.rel_expected_loss if r.bayesian is not None else math.nan


def _treatment_verdict(
    variant: str,
    results: list[MetricResult],
    experiment_alpha: float,
    rule: str,
    max_expected_loss: float | None = None,
) -> tuple[Verdict, list[Reason]]:
    primary = next(r for r in results if r.role == "primary")
    guardrails = [r for r in results if r.role == "guardrail"]
    p_adj = primary.pvalue_adjusted if primary.pvalue_adjusted is not None else primary.pvalue
    primary_alpha = _level(primary, experiment_alpha)
    bayesian = max_expected_loss is not None
    loss = _expected_loss(primary)
    defined = math.isfinite(loss) if bayesian else math.isfinite(p_adj)
    rollback: list[Reason] = []
    if not bayesian and defined and primary.better is False and p_adj < primary_alpha:
        rollback.append(Reason("primary_worse", variant, primary.metric, p_adj))
    for g in guardrails:
        alpha = _level(g, experiment_alpha)
        if rule == "margin":
            p_beyond = beyond_margin_pvalue(g)
            if _finite_below(p_beyond, alpha):
                rollback.append(
                    Reason(
                        "guardrail_beyond_margin",
                        variant,
                        g.metric,
                        p_beyond,
                        noninferior=False,
                        worse=True,
                    )
                )
        elif _worse(g, alpha):
            rollback.append(
                Reason(
                    "guardrail_worse",
                    variant,
                    g.metric,
                    g.pvalue,
                    noninferior=_noninferior(g, alpha),
                    worse=True,
                )
            )
    if rollback:
        return "rollback", rollback
    reasons: list[Reason] = []
    code: ReasonCode
    if not defined:
        code = "primary_immature" if primary.status == "immature" else "primary_undefined"
        reasons.append(Reason(code, variant, primary.metric, detail=primary.reason))
    if bayesian:
        assert max_expected_loss is not None
        improved = defined and loss < max_expected_loss
        if defined:
            code = "primary_expected_loss_below" if improved else "primary_expected_loss_above"
            reasons.append(
                Reason(
                    code,
                    variant,
                    primary.metric,
                    expected_loss=loss,
                    max_expected_loss=max_expected_loss,
                )
            )
    else:
        improved = defined and primary.better is True and p_adj < primary_alpha
        if defined:
            code = "primary_improved" if improved else "primary_not_improved"
            reasons.append(Reason(code, variant, primary.metric, p_adj))
    pending = False
    for g in guardrails:
        alpha = _level(g, experiment_alpha)
        ok = _noninferior(g, alpha)
        pending = pending or not ok
        reasons.append(
            Reason(
                "guardrail_noninferior" if ok else "guardrail_not_noninferior",
                variant,
                g.metric,
                g.noninferiority_pvalue,
                ok,
                _worse(g, alpha),
                detail=None if ok else g.reason,
            )
        )
    if improved and not pending:
        return "ship", reasons
    return "keep_testing", reasons


def _gain(r: MetricResult) -> float:
    """The primary effect in the metric's better direction."""
    return r.effect if r.direction != "decrease" else -r.effect


def decide(
    results: list[MetricResult],
    variants: list[str],
    srm: SrmResult,
    alpha: float,
    *,
    planned_units: int | None = None,
    total_units: int = 0,
    guardrail_rule: Literal["deterioration", "margin"] = "deterioration",
    max_expected_loss: float | None = None,
) -> Decision:
    """Return the :class:`Decision` for the treatment ``variants`` from their results.

    ``alpha`` is the level of results that carry none of their own; ``max_expected_loss``
    switches the primary metric to the Bayesian rule (module docstring), which needs the
    results' ``bayesian`` view.
    """
    rule = "frequentist" if max_expected_loss is None else "bayesian"
    if srm.mismatch:
        return Decision(
            "inconclusive",
            [Reason("sample_ratio_mismatch", pvalue=srm.pvalue)],
            guardrail_rule=guardrail_rule,
            rule=rule,
        )
    verdicts = {
        v: _treatment_verdict(
            v, [r for r in results if r.variant == v], alpha, guardrail_rule, max_expected_loss
        )
        for v in variants
    }
    reasons = [reason for _, rs in verdicts.values() for reason in rs]
    shippable = [v for v, (verdict, _) in verdicts.items() if verdict == "ship"]
    if shippable:
        primary = {r.variant: r for r in results if r.role == "primary"}
        best = max(shippable, key=lambda v: _gain(primary[v]))
        if len(variants) > 1:
            reasons.insert(0, Reason("best_of_shippable", best, primary[best].metric))
        return Decision("ship", reasons, best, guardrail_rule, rule=rule)
    if all(verdict == "rollback" for verdict, _ in verdicts.values()):
        return Decision("rollback", reasons, guardrail_rule=guardrail_rule, rule=rule)
    if planned_units is not None and total_units >= planned_units:
        reasons.append(
            Reason("planned_sample_reached", units=total_units, planned_units=planned_units)
        )
        return Decision("inconclusive", reasons, guardrail_rule=guardrail_rule, rule=rule)
    return Decision("keep_testing", reasons, guardrail_rule=guardrail_rule, rule=rule)
