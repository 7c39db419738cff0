"""Renderers of a plan (`proxymetric plan`) and of a sequential analysis (`--sequential`).

The plan: MDE by duration, days for the target, the feasibility verdicts and the cost of
testing. The sequential analysis: every look at a running test with its always-valid results.
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table

from proxymetric.analysis.sequential import SequentialAnalysis, SequentialMetricResult
from proxymetric.design.plan import MetricPlan, PlanResult
from proxymetric.report._format import (
    format_interval,
    format_number,
    format_pvalue,
    terminal_text,
)

__all__ = ["plan_markdown", "print_plan", "print_sequential", "sequential_markdown"]


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


def _verdict_lines(m: MetricPlan) -> list[str]:
    lines = [f"{m.metric} ({m.role}, {m.test}): {m.message}"]
    lines += [f"  instead: {s}" for s in m.suggestions]
    if m.cost is not None:
        lines.append(f"  cost of testing: {m.cost.message}")
    return lines


def plan_markdown(r: PlanResult) -> str:
    """Return the plan as markdown."""
    days = [d.days for d in r.metrics[0].durations] if r.metrics else []
    head = "| metric | role | baseline | CUPED | target | " + " | ".join(
        f"MDE {d} days" for d in days
    )
    lines = [_traffic(r), "", head + " | days for target |", "|---" * (6 + len(days)) + "|"]
    for m in r.metrics:
        cells = [_effect(d.mde_with_cuped, d.rel_mde_with_cuped) for d in m.durations]
        lines.append(
            f"| {m.metric} | {m.role} | {format_number(m.baseline)} | "
            f"{m.variance_reduction:.0%} | {_effect(m.target_mde, m.target_rel_mde)} | "
            + " | ".join(cells)
            + f" | {_days(m.days_needed_with_cuped)} |"
        )
    lines.append("")
    lines += [
        f"  - {line.strip()}" if line.startswith(" ") else f"- {line}"
        for m in r.metrics
        for line in _verdict_lines(m)
    ]
    lines += [f"- warning: {w}" for w in r.warnings]
    return "\n".join(lines)


def print_plan(r: PlanResult, console: Console) -> None:
    """Print the plan as a rich table and its verdicts."""
    console.print(_traffic(r), soft_wrap=True)
    table = Table(title="Minimum detectable effect (with CUPED when the metric has a covariate)")
    for col in ("metric", "role", "baseline", "CUPED", "target"):
        table.add_column(col)
    days = [d.days for d in r.metrics[0].durations] if r.metrics else []
    for d, units in zip(days, (x.total_units for x in r.metrics[0].durations), strict=True):
        table.add_column(f"{d} days\n{units:,} units", justify="right")
    table.add_column("days for target", justify="right")
    for m in r.metrics:
        table.add_row(
            m.metric,
            m.role,
            format_number(m.baseline),
            f"{m.variance_reduction:.0%}",
            _effect(m.target_mde, m.target_rel_mde),
            *[_effect(d.mde_with_cuped, d.rel_mde_with_cuped) for d in m.durations],
            _days(m.days_needed_with_cuped),
        )
    console.print(table)
    for m in r.metrics:
        for line in _verdict_lines(m):
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
    "stop?",
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
                f"{look.n_control:,.0f} / {look.n_treatment:,.0f}",
                format_number(look.effect),
                format_pvalue(look.pvalue),
                format_interval(look.effect_ci_lower, look.effect_ci_upper),
                format_pvalue(look.fixed_pvalue),
                bound,
                "yes" if look.could_stop else "no",
            ]
        )
    return rows


def _sequential_title(a: SequentialAnalysis, r: SequentialMetricResult) -> str:
    return (
        f"{r.metric} ({r.role}), {r.variant} vs {a.control}: {r.message} "
        f"[mixing variance {r.mixing_variance:.4g}, planned units {r.planned_units:,.0f}]"
    )


def sequential_markdown(a: SequentialAnalysis) -> str:
    """Return the sequential analysis as markdown: one table of looks per metric and variant."""
    by = "day" if a.look_by == "day" else "snapshot"
    lines = [
        (
            f"Sequential analysis of {a.experiment!r}, one look per {by} (alpha {a.alpha:g}; "
            f"the primary metric {a.primary!r} is the stopping rule)"
        )
    ]
    for r in a.results:
        lines += ["", _sequential_title(a, r), ""]
        lines.append("| " + " | ".join(_LOOK_COLUMNS) + " |")
        lines.append("|---" * len(_LOOK_COLUMNS) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in _look_cells(r)]
    lines += [f"\nwarning: {w}" for w in a.warnings]
    return "\n".join(lines)


def print_sequential(a: SequentialAnalysis, console: Console) -> None:
    """Print the sequential analysis as rich tables, one per metric and variant."""
    by = "day" if a.look_by == "day" else "snapshot"
    console.print(
        f"Sequential analysis of {a.experiment!r}, one look per {by} (alpha {a.alpha:g}; the "
        f"primary metric {a.primary!r} is the stopping rule)",
        soft_wrap=True,
        markup=False,
    )
    for r in a.results:
        table = Table(title=f"{r.metric} ({r.role}), {r.variant} vs {a.control}")
        for i, col in enumerate(_LOOK_COLUMNS):
            table.add_column(col, justify="left" if i == 0 else "right")
        for row in _look_cells(r):
            table.add_row(*row)
        console.print(table)
        console.print(_sequential_title(a, r), soft_wrap=True, markup=False)
    for w in a.warnings:
        console.print(terminal_text(f"warning: {w}"), soft_wrap=True)
