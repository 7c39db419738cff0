"""``proxymetric power``: the sample size, MDE and power calculator."""

from __future__ import annotations

from typing import Annotated, cast

import typer

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
from proxymetric.design.power import MetricType, power_analysis
from proxymetric.errors import ProxymetricError
from proxymetric.report.power import power_markdown, print_power, summary

__all__ = ["register", "summary"]

_METRIC_TYPES = ("mean", "proportion", "ratio")


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
    emit(result, fmt, power_markdown, print_power, output)


def register(app: typer.Typer) -> None:
    """Add the ``power`` command to ``app``."""
    app.command("power")(power)
