"""``proxymetric power``: the sample size, MDE and power calculator."""

from __future__ import annotations

from typing import Annotated, cast

import typer
from rich.console import Console
from rich.table import Table

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    alpha_option,
    emit,
    mde_option,
    rel_mde_option,
    user_errors,
)
from proxymetric.design.power import MetricType, PowerResult, power_analysis
from proxymetric.errors import ProxymetricError
from proxymetric.report import format_number

__all__ = ["register", "summary"]

_METRIC_TYPES = ("mean", "proportion", "ratio")


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


def _rows(r: PowerResult) -> list[tuple[str, str]]:
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


def _markdown(r: PowerResult) -> str:
    lines = ["| quantity | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in _rows(r)]
    return "\n".join([*lines, "", summary(r)])


def _table(r: PowerResult, con: Console) -> None:
    table = Table(title=f"Power: solved for {r.solved_for}", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for name, value in _rows(r):
        table.add_row(name, value)
    con.print(table)
    con.print(summary(r), soft_wrap=True)


@user_errors
def power(
    metric_type: Annotated[
        str, typer.Option("--type", help="Metric type: mean, proportion or ratio.")
    ] = "mean",
    baseline: Annotated[
        float | None, typer.Option("--baseline", help="Control mean (mean, ratio) or rate.")
    ] = None,
    sd: Annotated[
        float | None,
        typer.Option("--sd", help="Unit-level standard deviation (mean; delta-method for ratio)."),
    ] = None,
    units_per_variant: Annotated[
        int | None, typer.Option("--units-per-variant", help="Units in each variant.")
    ] = None,
    mde: Annotated[float | None, mde_option()] = None,
    rel_mde: Annotated[float | None, rel_mde_option("Relative effect (0.01 for +1%).")] = None,
    target_power: Annotated[
        float | None,
        typer.Option("--power", help="Power to solve units or MDE at \\[default: 0.8]."),
    ] = None,
    alpha: Annotated[float, alpha_option("Significance level.")] = 0.05,
    variants: Annotated[
        int,
        typer.Option("--variants", help="Variants including control; alpha is split (Bonferroni)."),
    ] = 2,
    treatment_ratio: Annotated[
        float,
        typer.Option("--treatment-ratio", help="Units of each treatment per control unit."),
    ] = 1.0,
    variance_reduction: Annotated[
        float,
        typer.Option("--variance-reduction", help="Share of variance removed by CUPED (0-1)."),
    ] = 0.0,
    one_sided: Annotated[
        bool, typer.Option("--one-sided", help="One-sided test in the direction of the effect.")
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Power calculator: give the units or the MDE to solve the other, or both to solve power."""
    if metric_type not in _METRIC_TYPES:
        choices = ", ".join(repr(m) for m in _METRIC_TYPES)
        raise ProxymetricError(f"`--type` must be one of {choices}; got {metric_type!r}")
    if baseline is None:
        raise ProxymetricError("`--baseline` is required: the control mean or rate")
    result = power_analysis(
        cast("MetricType", metric_type),
        baseline,
        sd=sd,
        units_per_variant=units_per_variant,
        mde=mde,
        rel_mde=rel_mde,
        power=target_power,
        alpha=alpha,
        one_sided=one_sided,
        variants=variants,
        treatment_ratio=treatment_ratio,
        variance_reduction=variance_reduction,
    )
    emit(result, fmt, _markdown, _table, output)


def register(app: typer.Typer) -> None:
    """Add the ``power`` command to ``app``."""
    app.command("power")(power)
