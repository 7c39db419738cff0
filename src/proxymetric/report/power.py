"""Renderers of a :class:`~proxymetric.design.PowerResult` (``proxymetric power``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from proxymetric.design.power import PowerResult
from proxymetric.report._format import format_number

__all__ = ["power_markdown", "power_rows", "print_power", "summary"]


def summary(r: PowerResult) -> str:
    """Return one sentence that says what the numbers mean.

    >>> from proxymetric.design import power_analysis
    >>> text = summary(power_analysis("proportion", 0.05, units_per_variant=150, mde=0.005))
    >>> head, tail = text.split(": ")
    >>> head
    '150 units per variant detect an effect of 0.005 (+10.0%) with power 5.4%'
    >>> tail
    'the test would miss it 94.6% of the time.'
    """
    effect = f"{format_number(r.mde)} ({format_number(r.rel_mde, percent=True, digits=3)})"
    units = _units_phrase(r)
    if r.solved_for == "power":
        return (
            f"{units} detect an effect of {effect} with power {r.power:.1%}: the test would "
            f"miss it {1 - r.power:.1%} of the time."
        )
    if r.solved_for == "mde":
        return f"{units} detect an effect of {effect} or larger with power {r.power:.0%}."
    return (
        f"{units} ({r.total_units:,} in all) are needed to detect an effect of {effect} with "
        f"power {r.power:.1%}."
    )


def _count(units: float) -> str:
    """Return a number of units: whole, or with one decimal when the split leaves a fraction."""
    return f"{units:,.0f}" if float(units).is_integer() else f"{units:,.1f}"


def _units_phrase(r: PowerResult) -> str:
    """Return the units of the arms in words: per variant for an even split, else per arm.

    >>> from proxymetric.design import power_analysis
    >>> _units_phrase(power_analysis("mean", 1, sd=1, mde=0.1, treatment_ratio=0.25))
    '3,925 control and 982 treatment units'
    """
    if r.treatment_ratio == 1:
        return f"{r.units_per_variant:,} units per variant"
    arms = "units in each treatment arm" if r.variants > 2 else "treatment units"
    return f"{_count(r.control_units)} control and {_count(r.treatment_units)} {arms}"


def power_rows(r: PowerResult) -> list[tuple[str, str]]:
    """Return the (quantity, value) rows every rendering of the result shows."""
    if r.treatment_ratio == 1:
        units = [("units per variant", f"{r.units_per_variant:,}")]
    else:
        arm = "units per treatment arm" if r.variants > 2 else "treatment units"
        units = [("control units", _count(r.control_units)), (arm, _count(r.treatment_units))]
    rows = [
        ("metric", r.metric),
        ("baseline", format_number(r.baseline)),
        *units,
        ("total units", f"{r.total_units:,}"),
        ("MDE (absolute)", format_number(r.mde)),
        ("MDE (relative)", format_number(r.rel_mde, percent=True, digits=3)),
        ("power", f"{r.power:.1%}"),
        ("alpha", f"{r.alpha:g} ({r.alternative})"),
    ]
    if r.variants > 2:
        rows.append(("alpha per comparison", f"{r.alpha_per_comparison:.4g} (Bonferroni)"))
    if r.treatment_ratio != 1:
        rows.append(("treatment / control ratio", f"{r.treatment_ratio:g}"))
    if r.variance_reduction > 0:
        rows.append(("variance reduction (CUPED)", f"{r.variance_reduction:.0%}"))
    return rows


def power_markdown(r: PowerResult) -> str:
    """Return the result as a markdown table and its sentence."""
    lines = ["| quantity | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in power_rows(r)]
    return "\n".join([*lines, "", summary(r)])


def print_power(r: PowerResult, con: Console) -> None:
    """Print the result as a rich table and its sentence."""
    table = Table(title=f"Power: solved for {r.solved_for}", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for name, value in power_rows(r):
        table.add_row(name, value)
    con.print(table)
    con.print(summary(r), soft_wrap=True)
