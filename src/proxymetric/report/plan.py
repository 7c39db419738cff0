"""Renderers of a plan (`proxymetric plan`) and of a sequential analysis (`--sequential`).

The plan: MDE by duration, days for the target, the feasibility verdicts and the cost of
testing. The sequential analysis: every look at a running test with its always-valid results.
Names and messages are shown literally (:mod:`proxymetric.report._text`).
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from proxymetric.analysis.sequential import SequentialAnalysis, SequentialMetricResult
from proxymetric.design.feasibility import FeasibilityResult
from proxymetric.design.plan import MetricPlan, PlanResult
from proxymetric.report._format import (
    format_interval,
    format_number,
    format_pvalue,
    terminal_text,
)
from proxymetric.report._text import literal, markdown_text
from proxymetric.stats.sequential import SequentialLook

__all__ = [
    "feasibility_message",
    "feasibility_suggestions",
    "look_text",
    "plan_markdown",
    "print_plan",
    "print_sequential",
    "sequential_markdown",
    "sequential_message",
    "verdict_lines",
]


def _effect(mde: float, rel: float) -> str:
    if not math.isfinite(mde):
        return "-"
    return f"{format_number(mde)} ({format_number(rel, percent=True, digits=3).lstrip('+')})"


def _days(value: float) -> str:
    return f"{value:.0f}" if math.isfinite(value) else "never"


def _traffic(r: PlanResult) -> str:
    a = r.accrual
    if r.accrual_basis == "population":
        curve = f"a fixed population of {a.scale:,.0f} units"
    elif r.accrual_basis == "units_per_day":
        curve = f"{a.scale:,.0f} new units per day"
    else:
        source = "first assignment" if r.accrual_basis == "assignments" else "first event"
        curve = (
            f"units(d) = {a.scale:,.1f} * d^{a.shape:.3f}"
            if a.model == "power"
            else f"units(d) = {a.scale:,.0f} * (1 - exp(-d / {a.shape:.3g}))"
        )
        curve += (
            f", fitted to {a.days_observed} days of distinct units by {source} since "
            f"{r.observed_first_day} (rmse {a.rmse:,.1f})"
        )
    return (
        f"Plan of {r.experiment!r}: baselines from {r.estimated_from}; traffic: {curve}; "
        f"{r.planned_variants} variants, alpha {r.alpha:g}"
        + (
            f" (success metrics at {r.success_alpha:.3g}: the analysis corrects them as a family)"
            if r.success_alpha < r.alpha
            else ""
        )
        + f", power {r.power:.0%}"
    )


def _fmt_effect(abs_value: float, rel_value: float) -> str:
    if math.isnan(abs_value):
        return "no effect (too few units)"
    rel = format_number(rel_value, percent=True, digits=3) if math.isfinite(rel_value) else ""
    return f"{format_number(abs_value)} ({rel.lstrip('+')})" if rel else format_number(abs_value)


_TARGET_SOURCE = {
    "margin": "its non-inferiority margin",
    "expected_effect": "its declared expected effect",
    "option": "the requested MDE",
    "default": "the default target (no `expected_effect` declared)",
}


def feasibility_message(f: FeasibilityResult, target_source: str = "option") -> str:
    """The verdict of :func:`~proxymetric.design.feasibility` in one sentence.

    The MDE quoted at the planned days is the one with CUPED when CUPED applies, as in the
    plan's table.
    """
    cuped = f.variance_reduction > 0
    target = _fmt_effect(f.target_mde, f.target_rel_mde if f.target_rel_mde > 0 else math.nan)
    target_text = f"{target}, {_TARGET_SOURCE.get(target_source, target_source)}"
    mde, rel = (
        (f.mde_with_cuped, f.rel_mde_with_cuped)
        if cuped
        else (f.mde_at_planned_days, f.rel_mde_at_planned_days)
    )
    at_plan = _fmt_effect(mde, rel) + (" with CUPED" if cuped else "")
    proposed = _days(f.proposed_days)
    if f.verdict == "feasible":
        return (
            f"feasible: {f.planned_days} days bring {f.units_at_planned_days:,} units and detect "
            f"{at_plan}, within the target {target_text}; run at least {proposed} days"
        )
    if f.verdict == "feasible_with_cuped":
        return (
            f"feasible only with CUPED: in {f.planned_days} days the plain metric detects "
            f"{_fmt_effect(f.mde_at_planned_days, f.rel_mde_at_planned_days)}, above the target "
            f"{target_text}; CUPED (variance {-f.variance_reduction:.0%}) detects "
            f"{_fmt_effect(f.mde_with_cuped, f.rel_mde_with_cuped)}; run at least {proposed} days"
        )
    if f.verdict == "feasible_if_longer":
        how = " with CUPED" if cuped else ""
        return (
            f"feasible only if longer: {f.planned_days} days detect {at_plan}, above the target "
            f"{target_text}; run {proposed} days{how}"
        )
    return (
        f"not feasible at this traffic: {f.max_days} days detect only "
        f"{_fmt_effect(f.mde_at_max_days, f.rel_mde_at_max_days)}; the target is {target_text}"
    )


def feasibility_suggestions(f: FeasibilityResult) -> list[str]:
    """What would work instead of a test that is not feasible, in words."""
    mde_max = f.mde_at_max_days
    factor = mde_max / f.target_mde if math.isfinite(mde_max) else math.inf
    larger = _fmt_effect(mde_max, f.rel_mde_at_max_days)
    text = {
        "more_sensitive_proxy": (
            f"a more sensitive proxy: one that moves {factor:.1f} times more relative to its "
            f"standard deviation (its variance relative to the effect "
            f"{f.variance_reduction_needed:.1%} lower), such as a metric closer to the change "
            "(clicks or engagement instead of revenue)"
        ),
        "paired_test": (
            "a blind test or interleaving: the same users or queries judge both variants, which "
            "removes the between-unit variance and needs far fewer units"
        ),
        "larger_effect": (
            f"a larger effect worth testing for: {f.max_days} days detect effects of {larger} "
            "or more"
        ),
    }
    return [text[s] for s in f.suggestions]


def verdict_lines(m: MetricPlan) -> list[str]:
    head = f"{m.metric} ({m.role}, {m.test})"
    if m.feasibility is None:
        message = (
            "not feasible: a non-inferiority margin of 0 cannot be shown at any sample size; "
            "set a margin (the largest harm that is acceptable)"
            if m.test == "non-inferiority"
            else "not feasible: the target effect is 0; set a target relative MDE above 0"
        )
        return [f"{head}: {message}"]
    lines = [f"{head}: {feasibility_message(m.feasibility, m.target_source)}"]
    lines += [f"  instead: {s}" for s in feasibility_suggestions(m.feasibility)]
    if m.cost is not None:
        lines.append(f"  cost of testing: {m.cost.message}")
    return lines


def plan_markdown(r: PlanResult) -> str:
    """Return the plan as markdown."""
    days = [d.days for d in r.metrics[0].durations] if r.metrics else []
    head = "| metric | role | baseline | CUPED | target | " + " | ".join(
        f"MDE {d} days" for d in days
    )
    lines = [
        markdown_text(_traffic(r)),
        "",
        head + " | days for target |",
        "|---" * (6 + len(days)) + "|",
    ]
    for m in r.metrics:
        cells = [_effect(d.mde_with_cuped, d.rel_mde_with_cuped) for d in m.durations]
        lines.append(
            f"| {markdown_text(m.metric)} | {m.role} | {format_number(m.baseline)} | "
            f"{m.variance_reduction:.0%} | {_effect(m.target_mde, m.target_rel_mde)} | "
            + " | ".join(cells)
            + f" | {_days(m.days_needed_with_cuped)} |"
        )
    lines.append("")
    lines += [
        f"  - {markdown_text(line.strip(), code=True)}"
        if line.startswith(" ")
        else f"- {markdown_text(line, code=True)}"
        for m in r.metrics
        for line in verdict_lines(m)
    ]
    lines += [f"- warning: {markdown_text(w, code=True)}" for w in r.warnings]
    return "\n".join(lines)


def print_plan(r: PlanResult, console: Console) -> None:
    """Print the plan as a rich table and its verdicts."""
    console.print(literal(_traffic(r)), soft_wrap=True)
    table = Table(title="Minimum detectable effect (with CUPED when the metric has a covariate)")
    for col in ("metric", "role", "baseline", "CUPED", "target"):
        table.add_column(col)
    days = [d.days for d in r.metrics[0].durations] if r.metrics else []
    for d, units in zip(days, (x.total_units for x in r.metrics[0].durations), strict=True):
        table.add_column(f"{d} days\n{units:,} units", justify="right")
    table.add_column("days for target", justify="right")
    for m in r.metrics:
        table.add_row(
            literal(m.metric),
            literal(m.role),
            format_number(m.baseline),
            f"{m.variance_reduction:.0%}",
            _effect(m.target_mde, m.target_rel_mde),
            *[_effect(d.mde_with_cuped, d.rel_mde_with_cuped) for d in m.durations],
            _days(m.days_needed_with_cuped),
        )
    console.print(table)
    for m in r.metrics:
        for line in verdict_lines(m):
            console.print(terminal_text(line), soft_wrap=True)
    for w in r.warnings:
        console.print(terminal_text(f"warning: {w}"), soft_wrap=True)


_LOOK_COLUMNS = (
    "look",
    "units c / t",
    "effect",
    "always-valid p",
    "confidence sequence",
    "fixed-horizon p",
    "|z| / boundary",
    "could stop?",
)


def _look_cells(r: SequentialMetricResult) -> list[list[str]]:
    rows = []
    for label, look in zip(r.look_labels, r.looks, strict=True):
        bound = (
            f"{abs(look.zstat):.2f} / {look.gs_z_boundary:.2f}"
            if math.isfinite(look.gs_z_boundary)
            else f"{abs(look.zstat):.2f} / -"
        )
        rows.append(
            [
                label,
                f"{look.control_units:,.0f} / {look.treatment_units:,.0f}",
                format_number(look.effect),
                format_pvalue(look.pvalue),
                format_interval(look.effect_ci_lower, look.effect_ci_upper),
                format_pvalue(look.fixed_pvalue),
                bound,
                "yes" if look.could_stop else "no",
            ]
        )
    return rows


_LOOK_STATUS = {
    "keep_running": "keep running: the always-valid p-value {p} > alpha {alpha:g}; the "
    "confidence sequence {ci} still contains 0",
    "always_valid_significant": "could stop: the always-valid p-value {p} <= alpha {alpha:g} "
    "and the confidence sequence {ci} excludes 0 (treatment {side}); stopping now keeps the "
    "false positive rate at alpha",
    "boundary_crossed": "the O'Brien-Fleming-type boundary is crossed (|z| = {z:.3f} >= "
    "{bound:.3f})",
    "planned_sample_reached": "the planned sample is reached and the effect is not significant "
    "(always-valid p-value {p}, confidence sequence {ci})",
    "empty_sequence": "check the data: the confidence sequence is empty (the looks contradict "
    "one constant effect: a data glitch or an effect that changes over time), so the "
    "always-valid result does not hold",
}


def look_text(look: SequentialLook, alpha: float) -> str:
    """What one look shows, in words."""
    return _LOOK_STATUS[look.status].format(
        p=f"{look.pvalue:.4g}",
        alpha=alpha,
        ci=format_interval(look.effect_ci_lower, look.effect_ci_upper),
        side="better" if look.effect > 0 else "worse",
        z=abs(look.zstat),
        bound=look.gs_z_boundary,
    )


def sequential_message(r: SequentialMetricResult) -> str:
    """What to do now for one metric: its stopping look, its guardrail reading, or the last."""
    if r.guardrail_status is not None:
        margin = f"{r.margin:.1%}" if r.margin_type == "relative" else format_number(r.margin)
        last = r.look_labels[-1]
        if r.guardrail_status == "worse":
            return (
                f"at the last look ({last}): significantly worse than control (the confidence "
                f"sequence excludes 0; first at look {r.worse_look}, "
                f"{r.look_labels[r.worse_look - 1]}): the deterioration rule rolls back"
            )
        if r.guardrail_status == "noninferior":
            return (
                f"at the last look ({last}): non-inferior at its {margin} margin (the confidence "
                "sequence lies within it)"
            )
        return f"at the last look ({last}): not yet shown non-inferior at its {margin} margin"
    rule = (
        "the always-valid p-value"
        if r.stopping_rule == "always_valid"
        else "the group-sequential boundary"
    )
    if r.stop_look:
        look = r.looks[r.stop_look - 1]
        return f"look {r.stop_look} ({r.stop_label}), by {rule}: {look_text(look, r.alpha)}"
    return f"at the last look ({r.look_labels[-1]}): {look_text(r.looks[-1], r.alpha)}"


def _sequential_title(a: SequentialAnalysis, r: SequentialMetricResult) -> str:
    planned = (
        f"planned units {r.planned_units:,.0f}"
        if r.planned_in_advance
        else f"no planned sample: boundaries read at the last look's {r.planned_units:,.0f} "
        "units, for information only"
    )
    cuped = f"; {r.cuped_reason}" if r.cuped_reason else ""
    return (
        f"{r.metric} ({r.role}), {r.variant} vs {a.control}: {sequential_message(r)} "
        f"[mixing variance {r.mixing_variance:.4g}, {planned}{cuped}]"
    )


def sequential_markdown(a: SequentialAnalysis) -> str:
    """Return the sequential analysis as markdown: one table of looks per metric and variant."""
    by = "day" if a.look_by == "day" else "snapshot"
    lines = [
        markdown_text(
            f"Sequential analysis of {a.experiment!r}, one look per {by} (alpha {a.alpha:g}; "
            f"the primary metric {a.primary!r} is the stopping rule)"
        )
    ]
    for r in a.results:
        lines += ["", markdown_text(_sequential_title(a, r), code=True), ""]
        lines.append("| " + " | ".join(map(markdown_text, _LOOK_COLUMNS)) + " |")
        lines.append("|---" * len(_LOOK_COLUMNS) + "|")
        lines += ["| " + " | ".join(map(markdown_text, row)) + " |" for row in _look_cells(r)]
    lines += [f"\nwarning: {markdown_text(w, code=True)}" for w in a.warnings]
    return "\n".join(lines)


def print_sequential(a: SequentialAnalysis, console: Console) -> None:
    """Print the sequential analysis as rich tables, one per metric and variant."""
    by = "day" if a.look_by == "day" else "snapshot"
    console.print(
        literal(
            f"Sequential analysis of {a.experiment!r}, one look per {by} (alpha {a.alpha:g}; the "
            f"primary metric {a.primary!r} is the stopping rule)"
        ),
        soft_wrap=True,
    )
    for r in a.results:
        table = Table(title=literal(f"{r.metric} ({r.role}), {r.variant} vs {a.control}"))
        for i, col in enumerate(_LOOK_COLUMNS):
            table.add_column(col, justify="left" if i == 0 else "right")
        for row in _look_cells(r):
            table.add_row(*map(literal, row))
        console.print(table)
        console.print(literal(_sequential_title(a, r)), soft_wrap=True)
    for w in a.warnings:
        console.print(terminal_text(f"warning: {w}"), soft_wrap=True)
