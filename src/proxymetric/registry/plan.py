"""Plan deviations: what an analysis changed with respect to the registered plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from proxymetric.registry.store import Record

if TYPE_CHECKING:
    from proxymetric.analysis.result import ExperimentResult

__all__ = ["plan_deviations"]


def plan_deviations(plan: Record, result: ExperimentResult) -> list[str]:
    """Return one warning per way ``result`` departs from the registered ``plan``.

    Checked: the primary metric, the guardrails (metrics and margins), and the units analysed
    against the planned units (a shorter or smaller run). An empty list means no deviation.
    """
    details = plan.details
    when = plan.created_at[:10]
    out: list[str] = []
    primary = [r.metric for r in result.results if r.role == "primary"]
    if details.get("primary") not in primary:
        out.append(
            f"plan deviation: the primary metric is {', '.join(sorted(set(primary))) or 'none'}; "
            f"the plan registered on {when} (record {plan.id}) said {details.get('primary')}"
        )
    planned = {(g["metric"], float(g["margin"]), g["margin_type"]) for g in details["guardrails"]}
    actual = {
        (r.metric, float(r.margin or 0.0), r.margin_type or "relative")
        for r in result.results
        if r.role == "guardrail"
    }
    if planned != actual:
        dropped = sorted(m for m, *_ in planned - actual)
        added = sorted(m for m, *_ in actual - planned)
        parts = []
        if dropped:
            parts.append(f"planned but missing or changed: {', '.join(dropped)}")
        if added:
            parts.append(f"not in the plan or changed: {', '.join(added)}")
        out.append(
            f"plan deviation: guardrails differ from the plan registered on {when} "
            f"(record {plan.id}): {'; '.join(parts)}"
        )
    units = details.get("planned_units")
    total = sum(result.units.values())
    if units is not None and total < units:
        out.append(
            f"plan deviation: {total:,} units analysed, fewer than the {units:,} planned "
            f"(record {plan.id}): the run was shorter or smaller than planned"
        )
    return out
